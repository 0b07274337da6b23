"""Stage 3: who the text credits with each quotation.

For each quotation the attribution cue is looked for in this order: the rest of its sentence
("...," Walsh said / said Walsh / – Walsh, affiliation / according to Walsh), the start of its
sentence (Walsh said: "..."), the quotation it continues (split quotes, quotations running over
several paragraphs, a quote-only paragraph after a quote), and the paragraph before (a colon
introduction, or the person it is about). Pronouns and role nouns resolve to an entity of the
document, preferring the subject of recent sentences and agreeing in gender; people named only
inside quotations are never candidates, because the registry only sees the author's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal

from quotetrail.pipeline.entities import (
    Entity,
    Mention,
    Registry,
    is_name_word,
    is_possessive,
    is_title_only,
    run_left,
    run_right,
    split_title,
)
from quotetrail.pipeline.lexicon import (
    BARE_PLURAL_SOURCES,
    DEFINITE_DETERMINERS,
    FRAGMENT_VERBS,
    INDEFINITE_DETERMINERS,
    ORG_ROLE_NOUNS,
    PERSON_ROLE_NOUNS,
    REPORTING_VERBS,
)
from quotetrail.pipeline.tokens import Token, sentence_starts, tokenize
from quotetrail.pipeline.types import Span

WhoKind = Literal["name", "pronoun", "role", "indefinite"]

_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
_DASHES = frozenset({"–", "—", "―", "-", "‒"})
_SKIPPABLE = frozenset(
    [
        "also",
        "then",
        "later",
        "again",
        "once",
        "further",
        "has",
        "had",
        "have",
        "was",
        "is",
        "were",
        "would",
        "will",
        "could",
        "can",
        "may",
        "might",
        "not",
        "never",
        "previously",
        "repeatedly",
        "recently",
        "simply",
        "just",
        "finally",
        "still",
        "even",
        "had",
        "already",
        "first",
        "quickly",
    ]
)
_PREPOSITIONS = frozenset(
    [
        "with",
        "to",
        "by",
        "for",
        "from",
        "of",
        "at",
        "about",
        "against",
        "into",
        "onto",
        "toward",
        "towards",
        "like",
        "than",
        "upon",
        "via",
        "among",
        "between",
        "behind",
        "before",
        "after",
        "under",
        "over",
        "on",
        "in",
        "near",
        "inside",
        "outside",
        "across",
        "around",
        "during",
        "within",
        "without",
        "through",
        "throughout",
        "beside",
    ]
)
# How far back a pronoun or role noun looks for its antecedent: characters, and mentions.
_PRONOUN_WINDOW = 6000
_PRONOUN_MENTIONS = 80
# How far ahead an unresolved role noun looks for the person it introduces, in characters.
_CATAPHORA_WINDOW = 1500
# How many tokens may stand between a quotation and the verb or speaker that credits it.
_CUE_REACH = 14


@dataclass(frozen=True, slots=True)
class Who:
    """The words that name the speaker at a cue, before resolution."""

    kind: WhoKind
    words: tuple[str, ...]
    start: int
    end: int

    @property
    def text(self) -> str:
        """The mention as written."""
        return " ".join(self.words)


@dataclass(slots=True)
class Attribution:
    """The result of attributing one quotation."""

    speaker: str | None = None
    speaker_as_written: str | None = None
    role: str | None = None
    cue: str | None = None
    confidence: float = 0.0
    entity: Entity | None = None
    competing: list[str] = field(default_factory=list)
    unresolved_role: bool = False  # `the ambassador said` before any ambassador is named


@dataclass(frozen=True, slots=True)
class QuoteSlot:
    """A quotation candidate as the attributor sees it."""

    index: int
    outer: Span
    inner_text: str
    paragraph: int
    chain: int | None
    fragment: bool


def _is_adverb(token: Token) -> bool:
    """`quickly`, `later`-style words that sit between a speaker and the verb (not `Cleverly`)."""
    return token.kind == "word" and token.text.islower() and token.text.endswith("ly")


def _org_like(entity: Entity) -> bool:
    """An organisation, or a several-word name that is no person's (`Halvorsen Robotics`)."""
    if entity.kind == "org":
        return True
    return entity.kind == "unknown" and len(entity.name) >= 2


def _is_verb(token: Token, *, fragment: bool) -> bool:
    if token.kind != "word":
        return False
    return token.lower in (FRAGMENT_VERBS if fragment else REPORTING_VERBS)


def _speaks_here(tokens: Sequence[Token], v: int) -> bool:
    """`officers responded to a call`, `referred to`: these verbs report speech only alone."""
    following = tokens[v + 1].lower if v + 1 < len(tokens) else ""
    return not (following == "to" and tokens[v].lower.startswith(("respond", "repl", "refer")))


def _role_noun(token: Token) -> Literal["person", "org", "plural"] | None:
    word = token.lower
    if word in PERSON_ROLE_NOUNS:
        return "person"
    if word in ORG_ROLE_NOUNS:
        return "org"
    if word in BARE_PLURAL_SOURCES or (word.endswith("s") and word[:-1] in PERSON_ROLE_NOUNS):
        return "plural"
    return None


def _who_at_left(tokens: Sequence[Token], j: int, floor: int) -> Who | None:
    """The speaker phrase that ends at token j (pronoun, name run or role phrase)."""
    if j < floor or tokens[j].kind != "word":
        return None
    token = tokens[j]
    if token.lower in ("he", "she", "they", "it"):
        return Who("pronoun", (token.lower,), token.start, token.end)
    if is_name_word(token):
        start = run_left(tokens, j)
        if start is not None and start >= floor:
            words = tuple(t.text for t in tokens[start : j + 1])
            if is_title_only(words):
                return _role_phrase_left(tokens, j, floor, start)
            return Who("name", words, tokens[start].start, token.end)
    if _role_noun(token) is not None:
        return _role_phrase_left(tokens, j, floor, j)
    return None


def _role_phrase_left(tokens: Sequence[Token], j: int, floor: int, start: int) -> Who | None:
    """`the U.N. rights chief`, `a witness`, `officials`: scan left to a determiner."""
    k = start
    while k - 1 >= floor and start - k < 7:
        previous = tokens[k - 1]
        if previous.kind != "word" or previous.lower in _PREPOSITIONS:
            break
        if previous.lower in _PHRASE_BREAKS:
            break
        k -= 1
        if previous.lower in DEFINITE_DETERMINERS or previous.lower in INDEFINITE_DETERMINERS:
            break
        if is_possessive(previous):
            break
    first = tokens[k].lower
    words = tuple(t.text for t in tokens[k : j + 1])
    head = _role_noun(tokens[j]) or ("person" if is_name_word(tokens[j]) else None)
    if first in INDEFINITE_DETERMINERS or (head == "plural" and first not in DEFINITE_DETERMINERS):
        return Who("indefinite", words, tokens[k].start, tokens[j].end)
    if first in DEFINITE_DETERMINERS or is_possessive(tokens[k]) or is_name_word(tokens[k]):
        return Who("role", words, tokens[k].start, tokens[j].end)
    return None


def _who_at_right(tokens: Sequence[Token], i: int, ceiling: int) -> Who | None:
    """The speaker phrase that starts at token i (after `said`, a dash, `according to`)."""
    if i >= ceiling or tokens[i].kind != "word":
        return None
    token = tokens[i]
    if token.lower in ("he", "she", "they", "it"):
        return Who("pronoun", (token.lower,), token.start, token.end)
    if is_name_word(token):
        end = run_right(tokens, i)
        if end is not None:
            end = min(end, ceiling - 1)
            described = _described_name(tokens, end + 1, ceiling)
            if described is not None:
                # `Arizona state Sen. Karen Fann`, `Cal Fire operations section chief Jeremy
                # Pierce`: the capitalised words before the role belong to the role.
                last = next(k for k in range(end + 1, ceiling) if tokens[k].end == described.end)
                words = tuple(t.text for t in tokens[i : last + 1])
                return Who("name", words, token.start, described.end)
            words = tuple(t.text for t in tokens[i : end + 1])
            if is_title_only(words):
                return Who("role", words, token.start, tokens[end].end)
            return Who("name", words, token.start, tokens[end].end)
    named = _described_name(tokens, i, ceiling)
    if named is not None:
        return named
    first = token.lower
    if first == "the" and i + 1 < ceiling and is_name_word(tokens[i + 1]):
        end = run_right(tokens, i + 1)
        if end is not None and end > i + 1:
            # `The Bank of Aldermere`, `the White House`: a name, not a role phrase.
            return _who_at_right(tokens, i + 1, ceiling)
    if first in DEFINITE_DETERMINERS or first in INDEFINITE_DETERMINERS or is_possessive(token):
        for k in range(i + 1, min(i + 8, ceiling)):
            candidate = tokens[k]
            if candidate.kind != "word" or candidate.lower in _PHRASE_BREAKS:
                break
            if candidate.lower in _DOCUMENTS:
                # `a statement from the Ministry of Trade`: the document speaks for its author.
                return _represented(tokens, k, ceiling)
            if candidate.lower in _PREPOSITIONS:
                break
            if _role_noun(candidate) is not None:
                while k + 1 < ceiling and _role_noun(tokens[k + 1]) is not None:
                    k += 1  # `the administration official`: the last noun heads the phrase
                    candidate = tokens[k]
                # `the company’s chief executive, Jane Doe`: the name after the role wins.
                words = tuple(t.text for t in tokens[i : k + 1])
                kind: WhoKind = "indefinite" if first in INDEFINITE_DETERMINERS else "role"
                named = (
                    _appositive_name(tokens, k + 1, ceiling)
                    or _described_name(tokens, k, ceiling)
                    or _represented(tokens, k, ceiling)
                )
                return named or Who(kind, words, token.start, candidate.end)
    if first == "the" and i + 1 < ceiling and is_name_word(tokens[i + 1]):
        return _who_at_right(tokens, i + 1, ceiling)  # `according to the Cerrig Flood Forum`
    if _role_noun(token) == "plural":
        return Who("indefinite", (token.text,), token.start, token.end)
    return None


_DOCUMENTS = frozenset("statement release letter report filing note memo post".split())
_SPOKESPEOPLE = frozenset(
    "spokesperson spokesman spokeswoman representative spokespeople official officials".split()
)
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "it"})
_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she"}
_SAYING = frozenset("said says told tells added wrote".split())
_PHRASE_BREAKS = frozenset("that which who whom whose where when".split())


def _represented(tokens: Sequence[Token], k: int, ceiling: int) -> Who | None:
    """`a spokesperson for Cerrig County Council`: the organisation speaks through them."""
    if tokens[k].lower not in _SPOKESPEOPLE | _DOCUMENTS or k + 2 >= ceiling:
        return None
    if tokens[k + 1].lower not in ("for", "of", "at", "from", "by"):
        return None
    i = k + 2
    if tokens[i].lower == "the" and i + 1 < ceiling:
        i += 1
    if not is_name_word(tokens[i]):
        return None
    end = min(run_right(tokens, i) or i, ceiling - 1)
    words = tuple(t.text for t in tokens[i : end + 1])
    return Who("name", words, tokens[i].start, tokens[end].end)


def _described_name(tokens: Sequence[Token], i: int, ceiling: int) -> Who | None:
    """`meteorologist Kenji Abernathy`, `authority spokesperson Felipe Arroyo`: the name."""
    for k in range(i, min(i + 4, ceiling)):
        if tokens[k].kind != "word":
            return None
        if is_name_word(tokens[k]):
            if k == i or not any(_role_noun(t) for t in tokens[i:k]):
                return None
            if not tokens[i].text.islower():
                return None
            end = run_right(tokens, k)
            if end is None:
                return None
            end = min(end, ceiling - 1)
            words = tuple(t.text for t in tokens[k : end + 1])
            return (
                None
                if is_title_only(words)
                else Who("name", words, tokens[k].start, tokens[end].end)
            )
        if tokens[k].lower in _PREPOSITIONS or tokens[k].lower in DEFINITE_DETERMINERS:
            return None
    return None


def _appositive_name(tokens: Sequence[Token], i: int, ceiling: int) -> Who | None:
    """`the agency’s director, Ana Ruiz,` -> the name inside the commas."""
    if i + 1 < ceiling and tokens[i].text == "," and is_name_word(tokens[i + 1]):
        end = run_right(tokens, i + 1)
        if end is not None and end + 1 < len(tokens) and tokens[end + 1].text in {",", "."}:
            words = tuple(t.text for t in tokens[i + 1 : end + 1])
            if not is_title_only(words):
                return Who("name", words, tokens[i + 1].start, tokens[end].end)
    return None


def _skip_left(tokens: Sequence[Token], j: int, floor: int) -> int:
    while (
        j >= floor
        and tokens[j].kind == "word"
        and (tokens[j].lower in _SKIPPABLE or _is_adverb(tokens[j]))
    ):
        j -= 1
    return j


def _subject_of_verb(tokens: Sequence[Token], v: int, floor: int) -> Who | None:
    """The speaker phrase before verb v, across an appositive (`Smith, 45, said`)."""
    j = _skip_left(tokens, v - 1, floor)
    if j < floor:
        return None
    if tokens[j].text == ",":
        # `Samantha Power, asking, "..."`: the name right before the comma; `Smith, the mayor,
        # said` or `Smith, 45, said`: the name that opens the appositive; else a role phrase.
        # `Jane Smith, 45, a nurse from Ohio, said`: a name inside a prepositional phrase is not
        # the speaker, so the phrase before the comma is read past prepositions.
        before_comma = _head_of_phrase(tokens, j - 1, floor)
        if before_comma is not None and before_comma.kind in ("name", "pronoun"):
            return before_comma
        # Walk back over the appositive's commas (`Jane Smith, 45, a nurse, said`) to a name.
        k = j - 1
        fallback = before_comma
        while k >= floor and j - k < 30 and tokens[k].kind != "quote":
            if tokens[k].text == ",":
                opener = _head_of_phrase(tokens, k - 1, floor)
                if opener is not None and opener.kind in ("name", "pronoun"):
                    return opener
                fallback = fallback or opener
            k -= 1
        return fallback
    return _head_of_phrase(tokens, j, floor) or _before_relative_clause(tokens, j, floor)


def _before_relative_clause(tokens: Sequence[Token], j: int, floor: int) -> Who | None:
    """`A law enforcement official who was not authorized to speak said`: the official."""
    for k in range(j, max(floor, j - 14) - 1, -1):
        if tokens[k].kind != "word":
            return None
        if tokens[k].lower in ("who", "whose", "which", "that") and k - 1 >= floor:
            return _head_of_phrase(tokens, k - 1, floor)
    return None


def _head_of_phrase(tokens: Sequence[Token], j: int, floor: int) -> Who | None:
    """The speaker phrase ending at j, looking past prepositional phrases: `A nurse at Queen
    Adelaide Hospital` and `The mayor of Springfield` are the nurse and the mayor."""
    k = j
    for _ in range(3):
        p = k
        while (
            p > floor
            and k - p < 8
            and tokens[p].kind == "word"
            and tokens[p].lower not in _PREPOSITIONS
        ):
            p -= 1
        if p <= floor or tokens[p].lower not in _PREPOSITIONS or tokens[p - 1].kind != "word":
            break
        if is_name_word(tokens[p - 1]) and tokens[p].lower in ("of", "for"):
            break  # part of a name: `Bank of England`, `Families for Transparency`
        k = p - 1
    who = _who_at_left(tokens, k, floor)
    if who is not None and who.kind != "name":
        who = _represented(tokens, k, j + 1) or who  # `A spokesperson for X Council`
    if who is None and k != j:
        who = _who_at_left(tokens, j, floor)
    if who is not None and who.kind == "name" and _after_preposition(tokens, who, floor):
        return None  # `Paul Jones-King, of Loftus, on Teesside, said`: places say nothing
    if who is None and k == j:
        return _unknown_noun_phrase(tokens, k, floor)
    return who


def _ends_a_list(tokens: Sequence[Token], who: Who, floor: int) -> bool:
    """`Russia, and Iran`: a phrase after `and` or `or` is an object in a list, not a subject."""
    k = next((i for i in range(floor, len(tokens)) if tokens[i].start == who.start), None)
    return k is not None and k > floor and tokens[k - 1].lower in ("and", "or")


def _after_preposition(tokens: Sequence[Token], who: Who, floor: int) -> bool:
    k = next((i for i in range(floor, len(tokens)) if tokens[i].start == who.start), None)
    return k is not None and k > floor and tokens[k - 1].lower in _PREPOSITIONS


def _unknown_noun_phrase(tokens: Sequence[Token], j: int, floor: int) -> Who | None:
    """`One government backbencher` before a reporting verb: an indefinite source as written."""
    for k in range(j, max(floor, j - 4) - 1, -1):
        word = tokens[k]
        if word.kind != "word" or not word.text.islower():
            return None
        if word.lower in ("a", "an", "one", "another") and k < j:
            words = tuple(t.text for t in tokens[k : j + 1])
            return Who("indefinite", words, word.start, tokens[j].end)
    return None


def _trailer(tokens: Sequence[Token], q: int, end: int) -> tuple[Who, str] | None:
    """A cue after quotation token q, before `end` (the sentence end or the next quotation)."""
    i = q + 1
    while i < end and tokens[i].text in {",", ")"}:
        i += 1
    if i >= end:
        return None
    token = tokens[i]
    if token.text in _DASHES:
        i += 1
        while i < end and tokens[i].text in _DASHES:
            i += 1
        who = _who_at_right(tokens, i, end)
        return (who, "dash") if who else None
    if token.lower == "according" and i + 1 < end and tokens[i + 1].lower == "to":
        who = _who_at_right(tokens, i + 2, end)
        return (who, "according to") if who else None
    if _is_verb(token, fragment=False):
        k = i + 1
        while k < end and tokens[k].kind == "word" and _is_adverb(tokens[k]):
            k += 1
        who = _who_at_right(tokens, k, end)
        if who is not None:
            return who, token.lower
    who = _who_at_right(tokens, i, end)
    if who is None:
        return None
    k = i
    while k < end and tokens[k].start < who.end:
        k += 1
    if k < end and tokens[k].text == ",":
        # An appositive between the speaker and the verb: `Smith, 45, a nurse, said`.
        close = next((m for m in range(k + 1, min(end, k + 30)) if tokens[m].text == ","), None)
        if close is not None and not _is_verb(tokens[k + 1], fragment=False):
            k = close + 1
        else:
            k += 1
    while (
        k < end
        and tokens[k].kind == "word"
        and (tokens[k].lower in _SKIPPABLE or _is_adverb(tokens[k]))
    ):
        k += 1
    if k < end and _is_verb(tokens[k], fragment=False):
        return who, tokens[k].lower
    return None


def _according_to_later(tokens: Sequence[Token], q: int, end: int) -> tuple[Who, str] | None:
    """`... had a "good exchange of ideas" on Wednesday, according to an official`."""
    for k in range(q + 1, end - 1):
        if tokens[k].kind == "quote":
            return None
        if tokens[k].lower == "according" and tokens[k + 1].lower == "to":
            who = _who_at_right(tokens, k + 2, end)
            return (who, "according to") if who is not None else None
    return None


def _intro(
    tokens: Sequence[Token], q: int, start: int, *, fragment: bool
) -> tuple[Who, str] | None:
    """A cue before quotation token q, in its sentence starting at `start`."""
    floor = _dateline_end(tokens) if start == 0 else start
    for k in range(q - 1, start - 1, -1):
        if tokens[k].kind == "quote":
            floor = k + 1
            break
    reach = q - floor if fragment else _CUE_REACH
    for k in range(q - 1, max(floor, q - reach) - 1, -1):
        # `According to the report's author, "..."`
        if tokens[k].lower == "according" and k + 1 < q and tokens[k + 1].lower == "to":
            who = _who_at_right(tokens, k + 2, q)
            if who is not None:
                return who, "according to"
    for v in range(q - 1, max(floor, q - reach) - 1, -1):
        if not _is_verb(tokens[v], fragment=fragment) or not _speaks_here(tokens, v):
            continue
        after = v + 1
        while after < q and tokens[after].kind == "word" and _is_adverb(tokens[after]):
            after += 1
        inverted = _who_at_right(tokens, after, q)
        if inverted is not None and inverted.kind == "name" and after < q:
            following = tokens[min(q - 1, after + len(inverted.words))]
            if following.text in {":", ","} or following.kind == "quote":
                return inverted, tokens[v].lower
        who = _subject_of_verb(tokens, v, floor)
        participle = tokens[v].lower.endswith("ing") and tokens[v - 1].text == ","
        if participle and (who is None or _ends_a_list(tokens, who, floor)):
            # `Sunak defended the plan, insisting it would "stop the boats"`, `laid the blame on
            # Assad, Russia, and Iran, asking them, "..."`: a participle's subject is the
            # sentence's, not the last item of a list before it.
            main = _main_clause_start(tokens, floor, v)
            who = next(iter(_mentions_in(tokens, main, v)), None)
        if who is not None:
            return who, tokens[v].lower
        if fragment:
            continue
        break
    return None


def _mentions_in(tokens: Sequence[Token], start: int, end: int) -> list[Who]:
    """The speaker-like phrases of a sentence, in order (quotations end the search)."""
    found: list[Who] = []
    i = start
    while i < end:
        if tokens[i].kind == "quote":
            break
        token = tokens[i]
        who = _who_at_right(tokens, i, end)
        if who is None and token.lower in _POSSESSIVE_PRONOUNS:
            # `Her best-known poem ends with lines ...:` introduces her words.
            pronoun = _POSSESSIVE_PRONOUNS[token.lower]
            who = Who("pronoun", (pronoun,), token.start, token.end)
        if who is None:
            i += 1
            continue
        if not (who.kind == "indefinite" and who.words[-1].lower() in ORG_ROLE_NOUNS):
            found.append(who)  # `at an evacuation center` is a place, not a source
        i = max(i + 1, next((k for k in range(i, end) if tokens[k].start >= who.end), end))
    return found


_CLAUSE_OPENERS = frozenset(
    [
        "when",
        "while",
        "after",
        "before",
        "although",
        "though",
        "if",
        "because",
        "as",
        "since",
        "once",
        "despite",
        "asked",
        "speaking",
        "following",
        "meanwhile",
        "however",
        "yesterday",
        "today",
        "last",
        "earlier",
        "later",
        "now",
        "still",
        "also",
        "but",
        "and",
        "so",
        "then",
        "instead",
        "separately",
        "elsewhere",
        "overall",
        "indeed",
        "nevertheless",
    ]
)
_MODIFIERS = frozenset(
    [
        "former",
        "senior",
        "chief",
        "deputy",
        "acting",
        "interim",
        "longtime",
        "veteran",
        "local",
        "state",
        "federal",
        "national",
        "top",
        "new",
        "then",
        "retired",
        "outgoing",
        "incoming",
        "late",
        "assistant",
        "associate",
        "executive",
        "managing",
        "lead",
        "regional",
        "city",
        "county",
    ]
)


def _main_clause_start(tokens: Sequence[Token], start: int, end: int) -> int:
    """Where the main clause of a sentence begins: after an opening clause and its comma."""
    if start == 0:
        start = _dateline_end(tokens)  # `WELLSTEAD, Feb 6 (Wire) - The Bank ...`
    while start < end and tokens[start].kind == "punct":
        start += 1  # `( - As diplomacy continues ...`
    if start >= end or tokens[start].kind != "word":
        return start
    first = tokens[start].lower
    opens = first in _CLAUSE_OPENERS or first in _PREPOSITIONS or first.endswith("ing")
    if not opens:
        return start
    for k in range(start + 1, min(end, start + 30)):
        if tokens[k].text == ",":
            return k + 1
        if tokens[k].kind == "quote":
            break
    return start


def _only_modifiers(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether tokens[start:end] only qualify a name: `Council member`, `the company's CEO`,
    `Local Member of the Senedd`, `Her running mate, state Sen.` (an appositive after a role)."""
    if end - start > 6:
        return False
    for k in range(start, end):
        token = tokens[k]
        if token.kind != "word":
            if token.text in {"-", "’", "'"}:
                continue
            if token.text == "," and k > start and _role_noun(tokens[k - 1]) is not None:
                continue
            return False
        if token.lower in _TITLE_CONNECTORS and k > start and is_name_word(tokens[k - 1]):
            continue
        if not (
            is_name_word(token)
            or is_possessive(token)
            or token.lower in DEFINITE_DETERMINERS
            or token.lower in INDEFINITE_DETERMINERS
            or token.lower in _MODIFIERS
            or _role_noun(token) is not None
        ):
            return False
    return True


_TITLE_CONNECTORS = frozenset({"of", "the", "for", "to"})


def _descriptor_before(tokens: Sequence[Token], i: int) -> str | None:
    """`U.N. human rights chief Zeid ...`: lowercase role words before a name are its role,
    so that `the U.N. rights chief said` finds the person later."""
    k = i
    while k - 1 >= 0 and i - k < 5:
        previous = tokens[k - 1]
        if previous.kind != "word" or previous.lower in _PREPOSITIONS:
            break
        if previous.lower in DEFINITE_DETERMINERS or previous.lower in INDEFINITE_DETERMINERS:
            break
        k -= 1
    words = tokens[k:i]
    if not words or not words[-1].text.islower():
        return None
    if not any(_role_noun(t) == "person" for t in words):
        return None
    return " ".join(t.text for t in words)


def _dateline_end(tokens: Sequence[Token]) -> int:
    """`SABLE CREEK, Calif. (Wire) —`: tokens of a dateline, which names a place, not a source."""
    k = 0
    while k < len(tokens) and tokens[k].kind == "word" and tokens[k].text.isupper():
        k += 1
    if k == 0 or k >= len(tokens) or tokens[k].text not in {",", "—", "–", "-", "("}:
        return 0
    for m in range(k, min(len(tokens), k + 12)):
        if tokens[m].text in {"—", "–", "-"}:
            return m + 1
    return k


class Attributor:
    """Attributes the quotations of one document, paragraph by paragraph, in reading order."""

    def __init__(
        self,
        text: str,
        paragraphs: Sequence[Span],
        quoted: Mapping[int, Sequence[Span]],
        headlines: Collection[int] = (),
    ) -> None:
        self.text = text
        self.paragraphs = paragraphs
        self.quoted = quoted  # every quoted span of each paragraph, attributed or not
        # Names in headlines and bylines are known, but nobody there is a sentence's subject.
        self.headlines = frozenset(headlines)
        self.registry = Registry()
        # Words the document also writes in lower case are common words when they open a
        # sentence (`Public comment ran late`), not names.
        self.lower_words = frozenset(_LOWER_WORD.findall(text))
        self.indefinites: list[tuple[int, Who]] = []

    # --- resolution ------------------------------------------------------------------------
    def resolve(self, who: Who, position: int) -> Attribution:
        """Turn a speaker phrase into an attribution with the entity's fullest name."""
        if who.kind == "name":
            parts = split_title(who.words)
            entity = self.registry.entity_for(
                parts.name, role=parts.role, honorific=parts.honorific
            )
            return Attribution(
                speaker=entity.display,
                speaker_as_written=who.text,
                role=parts.role,
                confidence=0.95,
                entity=entity,
            )
        if who.kind == "pronoun":
            antecedent = self._antecedent(who.words[0], position)
            if antecedent is None:
                return Attribution(speaker_as_written=who.text, confidence=0.2)
            return Attribution(
                speaker=antecedent.display,
                speaker_as_written=who.text,
                confidence=0.8,
                entity=antecedent,
            )
        if who.kind == "role":
            earlier = self._indefinite_with_head(who, position)
            if earlier is not None:
                return Attribution(
                    speaker=earlier.text, speaker_as_written=who.text, confidence=0.7
                )
            holder = self._role_holder(who, position)
            if holder is None:
                return Attribution(
                    speaker=who.text,
                    speaker_as_written=who.text,
                    confidence=0.5,
                    unresolved_role=who.words[-1].lower() not in ORG_ROLE_NOUNS,
                )
            return Attribution(
                speaker=holder.display, speaker_as_written=who.text, confidence=0.75, entity=holder
            )
        self.indefinites.append((position, who))
        return Attribution(speaker=who.text, speaker_as_written=who.text, confidence=0.7)

    def _indefinite_with_head(self, who: Who, position: int) -> Who | None:
        """`the official said` after `a law enforcement official said`: the same source."""
        head = who.words[-1].lower()
        for seen_at, earlier in reversed(self.indefinites):
            if position - seen_at > _PRONOUN_WINDOW:
                return None
            if earlier.words[-1].lower() == head and seen_at < position:
                return earlier
        return None

    def _candidates(self, position: int) -> list[Mention]:
        nearest = self.registry.mentions_before(position, window=_PRONOUN_WINDOW)
        return list(islice(nearest, _PRONOUN_MENTIONS))

    def _antecedent(self, pronoun: str, position: int) -> Entity | None:
        mentions = self._candidates(position)
        if pronoun in ("he", "she"):
            wanted = "m" if pronoun == "he" else "f"

            def person(entity: Entity) -> bool:
                return entity.kind == "person" or (entity.kind == "unknown" and entity.speaks)

            # A gender the first name tells outweighs recency; a subject outweighs an object.
            for gender in (wanted, None):
                for subject_only in (True, False):
                    for mention in mentions:
                        entity = mention.entity
                        if subject_only and not mention.subject:
                            continue
                        if person(entity) and entity.gender == gender:
                            return entity
            return None
        # `it` and `they`: an organisation or a group the text made a speaker.
        for mention in mentions:
            entity = mention.entity
            if _org_like(entity) or (mention.subject and mention.speech):
                if pronoun == "it" and not (_org_like(entity) or entity.kind == "unknown"):
                    continue  # `it` is never a person; `Microsoft said ... it added` is fine
                return entity
        return None

    def _role_holder(self, who: Who, position: int) -> Entity | None:
        head = who.words[-1].lower()
        mentions = self._candidates(position)
        want_org = head in ORG_ROLE_NOUNS
        words = {w.lower().replace(".", "").replace("’s", "") for w in who.words[:-1]}
        words -= DEFINITE_DETERMINERS
        best: tuple[int, Entity] | None = None
        for mention in mentions:
            entity = mention.entity
            if _org_like(entity) != want_org or (not want_org and entity.kind == "unknown"):
                continue
            role_words = {
                w.lower().replace(".", "")
                for role in entity.roles
                for w in role.replace("-", " ").split()
            }
            name_words = {w.lower() for w in entity.name}
            overlap = len(({head} | words) & (role_words | name_words))
            if best is None or overlap > best[0]:
                best = (overlap, entity)
        if best is None:
            return None
        if best[0] == 0:
            # No role word matches: the nearest subject of the right kind.
            for mention in mentions:
                entity = mention.entity
                if (
                    mention.subject
                    and (entity.kind == "org") == want_org
                    and (entity.kind != "unknown" or entity.speaks)
                ):
                    return entity
            return None
        return best[1]

    # --- mentions --------------------------------------------------------------------------
    def _register_names(
        self, tokens: Sequence[Token], starts: Sequence[int], *, topical: bool = True
    ) -> None:
        """Record every name run of the author's text, with subject and speech flags."""
        # Only capitalised words and subject pronouns matter here; visiting just those keeps
        # this per-word pass cheap.
        interesting = [
            k
            for k, t in enumerate(tokens)
            if t.kind == "word" and (t.lower in _SUBJECT_PRONOUNS or is_name_word(t))
        ]
        ends = [*starts[1:], len(tokens)]
        sentence = -1
        sentence_start = sentence_end = main = 0
        subject_open = True
        free = _dateline_end(tokens)
        for i in interesting:
            if i < free:
                continue
            while i >= sentence_end:
                sentence += 1
                sentence_start, sentence_end = starts[sentence], ends[sentence]
                main = _main_clause_start(tokens, sentence_start, sentence_end)
                subject_open = True
            token = tokens[i]
            if token.lower in _SUBJECT_PRONOUNS:
                subject_open = subject_open and i < main
                continue
            end = min(run_right(tokens, i) or i, sentence_end - 1)
            free = end + 1
            words = tuple(t.text for t in tokens[i : end + 1])
            parts = split_title(words)
            common = (
                len(words) == 1 and i in (sentence_start, main) and token.lower in self.lower_words
            )
            if not parts.name or is_title_only(words) or common:
                continue
            role = parts.role or _descriptor_before(tokens, i)
            entity = self.registry.entity_for(parts.name, role=role, honorific=parts.honorific)
            subject = topical and subject_open and i >= main and _only_modifiers(tokens, main, i)
            speech = self._is_speech_subject(tokens, i, end)
            mention = Mention(
                entity, tokens[i].start, tokens[end].end, " ".join(words), subject or speech, speech
            )
            self.registry.add_mention(mention)
            if i >= main and entity.kind != "org" and not is_possessive(tokens[end]):
                subject_open = False  # `Alder Quinlan's niece, Brigid Quinlan,`: not the owner

    @staticmethod
    def _is_speech_subject(tokens: Sequence[Token], start: int, end: int) -> bool:
        if start > 0 and tokens[start - 1].lower in _PREPOSITIONS:
            return False  # `a nurse at Queen Adelaide, who ..., told`: the hospital says nothing
        k = end + 1
        if k < len(tokens) and tokens[k].text == ",":
            # Skip an appositive: `Smith, the mayor, said`. An appositive that is itself a name
            # (`the US Ambassador to the UN, Samantha Power, asking`) is the one who speaks.
            if k + 1 < len(tokens) and is_name_word(tokens[k + 1]):
                return False
            j = k + 1
            while j < len(tokens) and j - k < 25 and tokens[j].text not in {",", "."}:
                j += 1
            k = j + 1 if j < len(tokens) and tokens[j].text == "," else k
        while (
            k < len(tokens)
            and tokens[k].kind == "word"
            and (tokens[k].lower in _SKIPPABLE or _is_adverb(tokens[k]))
        ):
            k += 1
        if k < len(tokens) and _is_verb(tokens[k], fragment=False):
            return True
        before = [t.lower for t in tokens[max(0, start - 2) : start]]
        return before == ["according", "to"]

    # --- attribution -----------------------------------------------------------------------
    def attribute_paragraph(
        self, index: int, slots: Sequence[QuoteSlot], others: Sequence[Span]
    ) -> dict[int, tuple[Attribution, str]]:
        """Attribute the quotation slots of one paragraph; returns slot index -> (result, form).

        `others` are the paragraph's other quoted spans (scare quotes, titles): they are single
        tokens of the author's text but are not attributed.
        """
        paragraph = self.paragraphs[index]
        items = [(slot.index, slot.outer) for slot in slots]
        offset = 1_000_000  # other spans get indexes that cannot clash with slot indexes
        items += [(offset + k, span) for k, span in enumerate(others)]
        tokens = tokenize(self.text, paragraph, items)
        inner_by_index = {slot.index: slot.inner_text for slot in slots}
        inner_by_index.update({offset + k: "" for k in range(len(others))})
        starts = sentence_starts(tokens, inner_by_index)
        self._register_names(tokens, starts, topical=index not in self.headlines)
        self._register_pronoun_subjects(tokens, starts)
        self._register_indefinite_sources(tokens)
        slot_by_index = {slot.index: slot for slot in slots}
        results: dict[int, tuple[Attribution, str]] = {}
        sentence_cue: tuple[int, tuple[Who, str]] | None = None
        for q, token in enumerate(tokens):
            if token.kind != "quote" or token.quote not in slot_by_index:
                continue
            slot = slot_by_index[token.quote]
            sentence = bisect.bisect_right(starts, q) - 1
            sent_start = starts[sentence] if sentence >= 0 else 0
            sent_end = starts[sentence + 1] if sentence + 1 < len(starts) else len(tokens)
            next_quote = next(
                (k for k in range(q + 1, sent_end) if tokens[k].kind == "quote"), sent_end
            )
            found = _trailer(tokens, q, next_quote)
            form = "trailer"
            if found is None:
                found = _intro(tokens, q, sent_start, fragment=slot.fragment)
                form = "intro"
            if found is None and q > sent_start and tokens[q - 1].text == ":":
                found = self._colon_subject(tokens, sent_start, q)
                form = "intro"
            if found is None:
                found = _according_to_later(tokens, q, sent_end)
                form = "trailer"
            if found is None and sentence_cue is not None and sentence_cue[0] == sentence:
                # `said she was "in tears" at the "enormity of the distress"`: one cue for both.
                found = sentence_cue[1]
                form = "intro"
            if found is None and not slot.fragment and sentence > 0 and q == sent_start:
                # `When I repeat this to Moreau, he laughs. “She is being kind.”`
                found = _intro(tokens, q, starts[sentence - 1], fragment=True)
                form = "previous sentence"
            if found is None:
                continue
            who, cue = found
            if form in ("trailer", "intro"):
                sentence_cue = (sentence, found)
            attribution = self.resolve(who, who.start)
            if form == "previous sentence":
                if attribution.entity is None:
                    continue
                attribution.confidence *= 0.7
            attribution.cue = cue if form == "trailer" else f"{cue} ({form})"
            if form == "intro" and slot.fragment:
                attribution.confidence *= 0.9
            if attribution.entity is not None:
                # Whoever just spoke is the likeliest antecedent of the next `he` or `she`.
                self.registry.add_mention(
                    Mention(attribution.entity, who.start, who.end, who.text, True, True)
                )
            attribution.competing = self._competing(
                tokens, starts, q, sent_start, index, attribution.entity
            )
            results[slot.index] = (attribution, form)
        return results

    def _register_indefinite_sources(self, tokens: Sequence[Token]) -> None:
        """`A Sundlandic official said ...`: a later `the official said` is the same source."""
        cues = [
            v for v, t in enumerate(tokens) if v > 0 and (t.lower in _SAYING or t.lower == "to")
        ]
        for v in cues:
            token = tokens[v]
            who = None
            if token.lower in _SAYING:
                who = _subject_of_verb(tokens, v, 0)
            elif token.lower == "to" and tokens[v - 1].lower == "according":
                who = _who_at_right(tokens, v + 1, len(tokens))
            if who is not None and who.kind == "indefinite":
                self.indefinites.append((who.start, who))

    def person_named_next(self, position: int) -> Entity | None:
        """The first person the text names as a speaker or subject after `position`: a lede's
        `the U.S. ambassador said` is often named only in the next sentences."""
        for mention in self.registry.mentions_after(position, window=_CATAPHORA_WINDOW):
            if mention.entity.kind == "person" and (mention.subject or mention.speech):
                return mention.entity
        return None

    def first_person(self) -> Entity | None:
        """The first person the document names (the subject of an interview)."""
        return next((e for e in self.registry.entities if e.kind == "person"), None)

    def _colon_subject(self, tokens: Sequence[Token], start: int, q: int) -> tuple[Who, str] | None:
        """`a supervisor sent a text message that read: "..."`: the sentence's speaker-like
        subject introduces the quotation after the colon."""
        for who in _mentions_in(tokens, start, q):
            if who.kind in ("indefinite", "pronoun"):
                return who, "colon"
            attribution = self.resolve(who, who.start)
            if attribution.entity is not None and attribution.entity.kind != "unknown":
                return who, "colon"
        return None

    def _register_pronoun_subjects(self, tokens: Sequence[Token], starts: Sequence[int]) -> None:
        """`He then described ...`: a pronoun subject keeps its antecedent the topic."""
        for s, e in zip(starts, [*starts[1:], len(tokens)], strict=True):
            k = _main_clause_start(tokens, s, e)
            if k < e and tokens[k].lower in ("he", "she"):
                entity = self._antecedent(tokens[k].lower, tokens[k].start)
                if entity is not None:
                    self.registry.add_mention(
                        Mention(entity, tokens[k].start, tokens[k].end, tokens[k].text, True, False)
                    )

    def _competing(
        self,
        tokens: Sequence[Token],
        starts: Sequence[int],
        q: int,
        sent_start: int,
        paragraph: int,
        speaker: Entity | None,
    ) -> list[str]:
        """People the introducing text credits with speech, other than the speaker."""
        zone_start = tokens[sent_start].start
        zone_end = tokens[q].start
        previous = self.paragraphs[paragraph - 1] if paragraph > 0 else None
        if q == 0 and previous is not None and self.text[: previous.end].endswith(":"):
            # A quotation opening its paragraph is introduced by a colon-ended paragraph before.
            last = self.text.rfind(". ", previous.start, previous.end)
            zone_start = previous.start if last < 0 else last + 2
            zone_end = previous.end
        names: list[str] = []
        for entity in self.registry.speech_between(zone_start, zone_end):
            if entity is not speaker and entity.kind != "unknown" and entity.display not in names:
                names.append(entity.display)
        return names

    def previous_paragraph_cue(self, index: int) -> tuple[Attribution, str] | None:
        """The speaker a paragraph-opening quotation gets from the paragraph before it."""
        if index == 0:
            return None
        paragraph = self.paragraphs[index - 1]
        body = self.text[paragraph.start : paragraph.end].rstrip()
        colon = body.endswith(":")
        spans = self.quoted.get(index - 1, ())
        tokens = tokenize(self.text, paragraph, list(enumerate(spans)))
        starts = sentence_starts(tokens, {k: "" for k in range(len(spans))})
        if not tokens:
            return None
        last_start = starts[-1] if starts else 0
        found = _intro(tokens, len(tokens), last_start, fragment=True)
        options = [found] if found is not None else []
        main = _main_clause_start(tokens, last_start, len(tokens))
        options += [(who, "subject") for who in _mentions_in(tokens, main, len(tokens))]
        chosen: tuple[Attribution, str] | None = None
        for who, cue in options:
            attribution = self.resolve(who, who.start)
            entity = attribution.entity
            if (entity is not None and entity.kind != "unknown") or who.kind == "indefinite":
                chosen = attribution, cue
                break
        if chosen is None:
            return None
        attribution, cue = chosen
        attribution.cue = f"{cue} (paragraph before{', colon' if colon else ''})"
        attribution.confidence *= 0.9 if colon else 0.65
        return attribution, "previous paragraph"
