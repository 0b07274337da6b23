"""Word tokens of the author's text in a paragraph, with each quotation as a single token."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from quotetrail.pipeline.lexicon import REPORTING_VERBS
from quotetrail.pipeline.types import Span

TokenKind = Literal["word", "punct", "quote"]

_ABBREVIATIONS = [
    "mr",
    "mrs",
    "ms",
    "mx",
    "dr",
    "prof",
    "sen",
    "rep",
    "gov",
    "gen",
    "col",
    "lt",
    "capt",
    "sgt",
    "cpl",
    "adm",
    "maj",
    "cmdr",
    "rev",
    "fr",
    "sr",
    "jr",
    "st",
    "mt",
    "ft",
    "hon",
    "pres",
    "supt",
    "insp",
    "det",
    "atty",
    "sec",
    "amb",
    "cllr",
    "no",
    "vs",
    "inc",
    "corp",
    "ltd",
    "co",
    "bros",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "ave",
    "blvd",
    "rd",
    "dept",
    "univ",
    "calif",
    "fla",
    "tex",
    "ill",
    "mass",
    "mich",
    "minn",
    "penn",
    "wash",
    "conn",
    "ariz",
    "colo",
    "ore",
    "nev",
    "ky",
    "tenn",
    "va",
    "ga",
    "ala",
    "miss",
    "md",
    "del",
    "okla",
    "kan",
    "neb",
    "wis",
    "ind",
]
# In order: U.N.-style acronyms; abbreviations and initials that keep their period (`Sen.`,
# `J.`); words with inner apostrophes or hyphens, keeping a plural possessive's apostrophe
# (`players’`); any other single character.
# Words (with inner apostrophes or hyphens, a plural possessive's apostrophe, a handle's @) or
# any other single character. Periods of abbreviations and initials are joined afterwards: one
# simple alternation is much faster than trying abbreviation patterns at every position.
_TOKEN = re.compile(r"@?[^\W_]+(?:[’'\-][^\W_]+)*(?:(?<=[sS])[’'](?!\w))?|\S")
_ABBREVIATION_SET = frozenset(_ABBREVIATIONS)
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # `J`, `U.N`: take a period
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+")  # `U.`: takes the next letter


# Words that begin a sentence far more often than they follow an abbreviation.
_SENTENCE_OPENERS = frozenset(
    "the he she it they we i but and this that there these those his her its their a an in on "
    "at after when while yet so".split()
)


class Token(NamedTuple):
    """A word, a punctuation character, or a whole quotation (`quote` is its index)."""

    text: str
    start: int
    end: int
    kind: TokenKind
    quote: int | None
    lower: str  # lower-cased, typographic apostrophes made straight


def tokenize(text: str, span: Span, quotes: Sequence[tuple[int, Span]]) -> list[Token]:
    """Tokens of `text[span]`; each (index, outer span) in `quotes` becomes one quote token."""
    tokens: list[Token] = []
    position = span.start
    for index, outer in sorted(quotes, key=lambda q: q[1].start):
        if outer.start < position or outer.end > span.end:
            continue
        tokens.extend(_words(text, position, outer.start))
        inner = text[outer.start : outer.end]
        tokens.append(Token(inner, outer.start, outer.end, "quote", index, inner.lower()))
        position = outer.end
    tokens.extend(_words(text, position, span.end))
    return tokens


def _words(text: str, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append  # this loop runs once per word of every article: keep it lean
    for match in _TOKEN.finditer(text, start, end):
        word = match.group()
        first, last = match.span()
        if tokens and tokens[-1].end == first and _joins(tokens[-1].text, word):
            previous = tokens.pop()
            word = previous.text + word
            first = previous.start
        lower = word.lower()
        if "’" in lower:
            lower = lower.replace("’", "'")
        kind: TokenKind = "word" if word[0].isalnum() or len(word) > 1 else "punct"
        append(Token(word, first, last, kind, None, lower))
    return tokens


def _joins(previous: str, word: str) -> bool:
    """Whether `word` continues `previous`: `Sen` + `.`, `U` + `.` + `N` + `.`, `J` + `.`."""
    if word == ".":
        if previous.lower() in _ABBREVIATION_SET:
            return True
        return (len(previous) == 1 and previous.isupper()) or (
            len(previous) > 1 and _INITIALS.fullmatch(previous) is not None
        )
    return len(word) == 1 and word.isalpha() and _DOTTED.fullmatch(previous) is not None


def sentence_starts(tokens: Sequence[Token], quote_texts: Mapping[int, str]) -> list[int]:
    """Indexes of the tokens that begin a sentence (the first token always does)."""
    starts = [0] if tokens else []
    for i in range(1, len(tokens)):
        previous, current = tokens[i - 1], tokens[i]
        starts_upper = (
            current.kind == "quote" or current.text[:1].isupper() or current.text[:1].isdigit()
        )
        if not starts_upper:
            continue
        if previous.kind == "punct" and previous.text in ".!?":
            if previous.end != current.start:  # `$3.2 million` is no sentence end
                starts.append(i)
        elif previous.text.endswith(".") and current.lower in _SENTENCE_OPENERS:
            starts.append(i)  # `... posted on X. The ...`, `... in the U.S. But ...`
        elif (
            previous.kind == "quote"
            and previous.quote is not None
            and quote_texts.get(previous.quote, "").rstrip().endswith((".", "!", "?"))
            and current.kind != "word"
        ):
            # `“It is over.” “We go on.”`: a full quoted sentence ends before the next quotation.
            starts.append(i)
        elif previous.kind == "quote" and previous.quote is not None and current.kind == "word":
            inner = quote_texts.get(previous.quote, "").rstrip()
            if inner.endswith(".") and not _looks_like_trailer(tokens, i):
                starts.append(i)
    return starts


def _looks_like_trailer(tokens: Sequence[Token], i: int) -> bool:
    """`“...” Smith said`: a capitalised word after a quotation can still begin its trailer."""
    window = [t.lower for t in tokens[i : i + 6] if t.kind == "word"]
    return any(word in REPORTING_VERBS for word in window[:5])
