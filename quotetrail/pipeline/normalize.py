"""Text normalisation for matching quotations (stage 4).

The normalised form is only ever used for comparing and indexing; offsets and stored text always
refer to the text as written.
"""

from __future__ import annotations

import unicodedata

import regex

# Every mark an outlet may use for an apostrophe or a single quotation mark becomes ASCII "'";
# double marks become '"' (stripped later like any other punctuation). NFKC already folds some
# of these; listing them again costs nothing and keeps the table self-explanatory. Speaker names
# drop the same marks (pipeline.identity).
APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032\u2035\u0060\u00b4\u02bc\u02bb\u02bd\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\u301f\uff02"
# Hyphens join the parts of a word ("cease-fire"); the longer dashes separate words even when
# set without spaces ("noose—three" is two words), so they become spaces.
_HYPHENS = "\u2010\u2011\u2212\ufe63\uff0d"
_DASHES = "\u2012\u2013\u2014\u2015\u2043\u2e3a\u2e3b\ufe58"
_UNIFIED = {
    **dict.fromkeys(APOSTROPHES, "'"),
    **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    **dict.fromkeys(_HYPHENS, "-"),
    **dict.fromkeys(_DASHES, " "),
}


def _unify_marks(text: str) -> str:
    # Each mark looked for and replaced alone: str.translate would look every character of a
    # non-ASCII text up in the table (15 us for a 150-character quotation, against 2.4 here).
    # No mark is replaced by another, so the order does not matter.
    for mark, unified in _UNIFIED.items():
        if mark in text:
            text = text.replace(mark, unified)
    return text


_WORD = r"\p{L}\p{M}\p{N}"
# Format characters (zero-width spaces and joiners, soft hyphens, direction marks) are invisible
# in print, so two renderings of one word must not differ by them.
_FORMAT_CHARS = regex.compile(r"\p{Cf}+")
# Innermost [..] first; the loop in `normalize` peels nested insertions from the inside out.
_BRACKETED = regex.compile(r"\[[^\[\]]*\]")
# "U.N." and "UN", "U.S." and "US" are the same word; only runs of single letters are joined so
# that sentence ends ("end. A") are left alone.
_INITIALISM = regex.compile(rf"(?<![{_WORD}.])\p{{L}}(?:\.\p{{L}})+\.?(?![{_WORD}])")
# "6,000" and "6000" are one number.
_DIGIT_GROUP = regex.compile(r"(?<=\p{N}),(?=\p{N})")
_NOT_KEPT = regex.compile(rf"[^{_WORD}'\-.]+")
# The same for ASCII text (most text), as a table for bytes.translate: several times faster
# than the pattern, and than str.translate.
_NOT_KEPT_ASCII = bytes(c if chr(c).isalnum() or chr(c) in "'-." else ord(" ") for c in range(256))
# Apostrophes and hyphens survive only inside a word, decimal points only inside a number;
# everything else that is left (quote marks, dashes between words, ellipses) is a separator.
_STRAY = regex.compile(rf"(?<![{_WORD}])['\-]|['\-](?![{_WORD}])|(?<!\p{{N}})\.|\.(?!\p{{N}})")


def normalize(text: str) -> str:
    """Return the comparison form of `text`: folded, unified, unpunctuated, single-spaced."""
    if text.isascii():
        # NFKC and case folding reduce to lower() on ASCII; "`" is the one ASCII mark to unify.
        s = text.lower().replace("`", "'")
    else:
        # Invisible characters go first: removed later they could let NFKC compose a letter
        # with a following combining mark on the next run, and normalisation is idempotent.
        # Marks are unified before NFKC, which splits some ("´" into a space and an accent),
        # and again after it, which makes some ("‴" into three "′").
        s = unicodedata.normalize("NFKC", _unify_marks(str(_FORMAT_CHARS.sub("", text))))
        # Case folding can produce sequences NFKC would rewrite, so normalise again afterwards.
        s = _unify_marks(unicodedata.normalize("NFKC", s.casefold()))
    # Each pass runs only when its mark is there: most names and quotations have no brackets,
    # initialisms or digit groups, and a regex pass over them costs more than the test.
    while "[" in s:
        stripped = str(_BRACKETED.sub(" ", s))
        if stripped == s:
            break
        s = stripped
    if "." in s:
        s = str(_INITIALISM.sub(lambda m: m.group(0).replace(".", ""), s))
    if "," in s:
        s = str(_DIGIT_GROUP.sub("", s))
    if s.isascii():
        s = s.encode("ascii").translate(_NOT_KEPT_ASCII).decode("ascii")
    else:
        s = str(_NOT_KEPT.sub(" ", s))
    # One pass sees the original neighbours, so "a--b" and "a-'b" lose every mark at once.
    s = str(_STRAY.sub(" ", s))
    # Only plain spaces are left as separators, so split/join collapses them.
    return " ".join(s.split())


def tokens(text: str) -> list[str]:
    """Return the normalised words of `text`, with hyphenated compounds and elisions joined."""
    # "cease-fire" and "ceasefire" must be one word; "it's" -> "its" is harmless for matching.
    # Every apostrophe and hyphen left by normalize() is inside a word, so dropping them all
    # joins exactly the compounds and elisions.
    return normalize(text).replace("'", "").replace("-", "").split()
