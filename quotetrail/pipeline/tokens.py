"""Word tokens of the author's text in a paragraph, with each quotation as a single token."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import regex

from quotetrail.pipeline.lexicon import REPORTING_VERBS
from quotetrail.pipeline.types import Span

TokenKind = Literal["word", "punct", "quote"]

# U.N. / U.S. acronyms with dots; words with inner apostrophes and hyphens; any other character.
_TOKEN = regex.compile(r"(?:\p{L}\.){2,}|[\p{L}\p{M}\d]+(?:[’'\-][\p{L}\p{M}\d]+)*[’']?|[^\s]")
_ABBREVIATIONS = frozenset(
    "mr mrs ms mx dr prof sen rep gov gen col lt capt sgt cpl adm maj cmdr rev fr sr jr st mt ft "
    "hon pres supt insp det atty sec amb cllr no vs inc corp ltd co bros jan feb mar apr jun jul "
    "aug sep sept oct nov dec ave blvd rd dept univ calif fla tex ill mass mich minn penn wash "
    "conn ariz colo ore nev ky tenn va ga ala miss md del okla kan neb wis ind".split()
)


@dataclass(frozen=True, slots=True)
class Token:
    """A word, a punctuation character, or a whole quotation (`quote` is its index)."""

    text: str
    start: int
    end: int
    kind: TokenKind
    quote: int | None = None

    @property
    def lower(self) -> str:
        """Lower-cased text with typographic apostrophes made straight."""
        return self.text.lower().replace("’", "'")

    @property
    def is_capitalised(self) -> bool:
        """Whether a word starts with an upper-case letter."""
        return self.kind == "word" and self.text[:1].isupper()


def tokenize(text: str, span: Span, quotes: Sequence[tuple[int, Span]]) -> list[Token]:
    """Tokens of `text[span]`; each (index, outer span) in `quotes` becomes one quote token."""
    tokens: list[Token] = []
    position = span.start
    for index, outer in sorted(quotes, key=lambda q: q[1].start):
        if outer.start < position or outer.end > span.end:
            continue
        tokens.extend(_words(text, position, outer.start))
        tokens.append(Token(text[outer.start : outer.end], outer.start, outer.end, "quote", index))
        position = outer.end
    tokens.extend(_words(text, position, span.end))
    return tokens


def _words(text: str, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text, start, end):
        word = match.group()
        is_word = word[0].isalnum()
        if is_word and word[-1] in "’'" and not word.lower().endswith(("s'", "s’")):
            # A trailing apostrophe belongs to the word only as a plural possessive.
            tokens.append(Token(word[:-1], match.start(), match.end() - 1, "word"))
            tokens.append(Token(word[-1], match.end() - 1, match.end(), "punct"))
            continue
        if word == "." and tokens and _takes_period(tokens[-1]) and tokens[-1].end == match.start():
            previous = tokens.pop()
            tokens.append(Token(previous.text + ".", previous.start, match.end(), "word"))
            continue
        tokens.append(Token(word, match.start(), match.end(), "word" if is_word else "punct"))
    return tokens


def _takes_period(token: Token) -> bool:
    """Abbreviations and initials keep their period: `Sen.`, `J.`."""
    if token.kind != "word":
        return False
    return token.lower in _ABBREVIATIONS or (len(token.text) == 1 and token.text.isupper())


def sentence_starts(tokens: Sequence[Token], quote_texts: Mapping[int, str]) -> list[int]:
    """Indexes of the tokens that begin a sentence (the first token always does)."""
    starts = [0] if tokens else []
    for i in range(1, len(tokens)):
        previous, current = tokens[i - 1], tokens[i]
        starts_upper = current.kind == "quote" or current.text[:1].isupper() or current.text[:1].isdigit()
        if not starts_upper:
            continue
        if previous.kind == "punct" and previous.text in ".!?":
            starts.append(i)
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
