"""Attribution cues in a paragraph's tokens: the phrases that name a speaker, and where they are.

A cue is a reporting verb with its subject (`Walsh said`, `said Walsh`, `Walsh, 45, a nurse,
said`), a dash trailer (`– Walsh, affiliation`), `according to Walsh`, or a colon introduction.
These functions only read tokens and return speaker phrases (`Who`) as written; resolving them to
people is pipeline.speakers' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from quotetrail.pipeline.entities import (
    is_name_word,
    is_possessive,
    is_title_only,
    run_left,
    run_right,
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
from quotetrail.pipeline.tokens import Token

WhoKind = Literal["name", "pronoun", "role", "indefinite"]

_DASHES = frozenset({"–", "—", "―", "-", "‒"})
SKIPPABLE = frozenset(
    (
        "also then later again once further has had have was is were would will could can may "
        "might not never previously repeatedly recently simply just finally still even had "
        "already first quickly"
    ).split()
)
PREPOSITIONS = frozenset(
    (
        "with to by for from of at about against into onto toward towards like than upon via "
        "among between behind before after under over on in near inside outside across around "
        "during within without through throughout beside"
    ).split()
)
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


def is_adverb(token: Token) -> bool:
    """`quickly`, `later`-style words that sit between a speaker and the verb (not `Cleverly`)."""
    return token.kind == "word" and token.text.islower() and token.text.endswith("ly")


def is_verb(token: Token, *, fragment: bool) -> bool:
    if token.kind != "word":
        return False
    return token.lower in (FRAGMENT_VERBS if fragment else REPORTING_VERBS)


def _speaks_here(tokens: Sequence[Token], v: int) -> bool:
    """`officers responded to a call`, `referred to`: these verbs report speech only alone."""
    following = tokens[v + 1].lower if v + 1 < len(tokens) else ""
    return not (following == "to" and tokens[v].lower.startswith(("respond", "repl", "refer")))


def role_noun(token: Token) -> Literal["person", "org", "plural"] | None:
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
    if role_noun(token) is not None:
        return _role_phrase_left(tokens, j, floor, j)
    return None


def _role_phrase_left(tokens: Sequence[Token], j: int, floor: int, start: int) -> Who | None:
    """`the U.N. rights chief`, `a witness`, `officials`: scan left to a determiner."""
    k = start
    while k - 1 >= floor and start - k < 7:
        previous = tokens[k - 1]
        if previous.kind != "word" or previous.lower in PREPOSITIONS:
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
    head = role_noun(tokens[j]) or ("person" if is_name_word(tokens[j]) else None)
    if first in INDEFINITE_DETERMINERS or (head == "plural" and first not in DEFINITE_DETERMINERS):
        return Who("indefinite", words, tokens[k].start, tokens[j].end)
    if first in DEFINITE_DETERMINERS or is_possessive(tokens[k]) or is_name_word(tokens[k]):
        return Who("role", words, tokens[k].start, tokens[j].end)
    return None


def who_at_right(
    tokens: Sequence[Token], i: int, ceiling: int, *, loose: bool = False
) -> Who | None:
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
    named = _described_name(tokens, i, ceiling, loose=loose)
    if named is not None:
        return named
    first = token.lower
    if first == "the" and i + 1 < ceiling and is_name_word(tokens[i + 1]):
        end = run_right(tokens, i + 1)
        if end is not None and end > i + 1:
            # `The Bank of Aldermere`, `the White House`: a name, not a role phrase.
            return who_at_right(tokens, i + 1, ceiling)
    if first in DEFINITE_DETERMINERS or first in INDEFINITE_DETERMINERS or is_possessive(token):
        for k in range(i + 1, min(i + 8, ceiling)):
            candidate = tokens[k]
            if candidate.kind != "word" or candidate.lower in _PHRASE_BREAKS:
                break
            if candidate.lower in _DOCUMENTS:
                # `a statement from the Ministry of Trade`: the document speaks for its author.
                return _represented(tokens, k, ceiling)
            if candidate.lower in PREPOSITIONS:
                break
            if role_noun(candidate) is not None:
                while k + 1 < ceiling and role_noun(tokens[k + 1]) is not None:
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
        return who_at_right(tokens, i + 1, ceiling)  # `according to the Cerrig Flood Forum`
    if role_noun(token) == "plural":
        return Who("indefinite", (token.text,), token.start, token.end)
    return None


_DOCUMENTS = frozenset("statement release letter report filing note memo post".split())
_SPOKESPEOPLE = frozenset(
    "spokesperson spokesman spokeswoman representative spokespeople official officials".split()
)
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "it"})
_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she"}
SAYING = frozenset("said says told tells added wrote".split())
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


def _described_name(
    tokens: Sequence[Token], i: int, ceiling: int, *, loose: bool = False
) -> Who | None:
    """`meteorologist Kenji Abernathy`, `authority spokesperson Felipe Arroyo`: the name."""
    for k in range(i, min(i + 4, ceiling)):
        if tokens[k].kind != "word":
            return None
        if is_name_word(tokens[k]):
            # Lower-case words right before a name describe it when one is a role noun; right
            # after `said` any lower-case words do (`said senior offensive tackle Matt Reynolds`).
            described = tokens[i:k]
            if k == i or not all(t.text.islower() for t in described):
                return None
            if not loose and not any(role_noun(t) for t in described):
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
        if tokens[k].lower in PREPOSITIONS or tokens[k].lower in DEFINITE_DETERMINERS:
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
        and (tokens[j].lower in SKIPPABLE or is_adverb(tokens[j]))
    ):
        j -= 1
    return j


def subject_of_verb(tokens: Sequence[Token], v: int, floor: int) -> Who | None:
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
            and tokens[p].lower not in PREPOSITIONS
        ):
            p -= 1
        if p <= floor or tokens[p].lower not in PREPOSITIONS or tokens[p - 1].kind != "word":
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
    return k is not None and k > floor and tokens[k - 1].lower in PREPOSITIONS


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


def trailer(tokens: Sequence[Token], q: int, end: int) -> tuple[Who, str] | None:
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
        who = who_at_right(tokens, i, end)
        return (who, "dash") if who else None
    if token.lower == "according" and i + 1 < end and tokens[i + 1].lower == "to":
        who = who_at_right(tokens, i + 2, end)
        return (who, "according to") if who else None
    if is_verb(token, fragment=False):
        k = i + 1
        while k < end and tokens[k].kind == "word" and is_adverb(tokens[k]):
            k += 1
        who = who_at_right(tokens, k, end, loose=True)
        if who is not None:
            return who, token.lower
    who = who_at_right(tokens, i, end)
    if who is None:
        return None
    k = i
    while k < end and tokens[k].start < who.end:
        k += 1
    if k < end and tokens[k].text == ",":
        # An appositive between the speaker and the verb: `Smith, 45, a nurse, said`.
        close = next((m for m in range(k + 1, min(end, k + 30)) if tokens[m].text == ","), None)
        if close is not None and not is_verb(tokens[k + 1], fragment=False):
            k = close + 1
        else:
            k += 1
    while (
        k < end
        and tokens[k].kind == "word"
        and (tokens[k].lower in SKIPPABLE or is_adverb(tokens[k]))
    ):
        k += 1
    if k < end and is_verb(tokens[k], fragment=False):
        return who, tokens[k].lower
    return None


def according_to_later(tokens: Sequence[Token], q: int, end: int) -> tuple[Who, str] | None:
    """`... had a "good exchange of ideas" on Wednesday, according to an official`."""
    for k in range(q + 1, end - 1):
        if tokens[k].kind == "quote":
            return None
        if tokens[k].lower == "according" and tokens[k + 1].lower == "to":
            who = who_at_right(tokens, k + 2, end)
            return (who, "according to") if who is not None else None
    return None


def intro(tokens: Sequence[Token], q: int, start: int, *, fragment: bool) -> tuple[Who, str] | None:
    """A cue before quotation token q, in its sentence starting at `start`."""
    floor = dateline_end(tokens) if start == 0 else start
    for k in range(q - 1, start - 1, -1):
        if tokens[k].kind == "quote":
            floor = k + 1
            break
    reach = q - floor if fragment else _CUE_REACH
    for k in range(q - 1, max(floor, q - reach) - 1, -1):
        # `According to the report's author, "..."`
        if tokens[k].lower == "according" and k + 1 < q and tokens[k + 1].lower == "to":
            who = who_at_right(tokens, k + 2, q)
            if who is not None:
                return who, "according to"
    for v in range(q - 1, max(floor, q - reach) - 1, -1):
        if not is_verb(tokens[v], fragment=fragment) or not _speaks_here(tokens, v):
            continue
        after = v + 1
        while after < q and tokens[after].kind == "word" and is_adverb(tokens[after]):
            after += 1
        inverted = who_at_right(tokens, after, q)
        if inverted is not None and inverted.kind == "name" and after < q:
            following = tokens[min(q - 1, after + len(inverted.words))]
            if following.text in {":", ","} or following.kind == "quote":
                return inverted, tokens[v].lower
        who = subject_of_verb(tokens, v, floor)
        participle = tokens[v].lower.endswith("ing") and tokens[v - 1].text == ","
        if participle and (who is None or _ends_a_list(tokens, who, floor)):
            # `Sunak defended the plan, insisting it would "stop the boats"`, `laid the blame on
            # Assad, Russia, and Iran, asking them, "..."`: a participle's subject is the
            # sentence's, not the last item of a list before it.
            main = main_clause_start(tokens, floor, v)
            who = next(iter(mentions_in(tokens, main, v)), None)
        if who is not None:
            return who, tokens[v].lower
        if fragment:
            continue
        break
    return None


def mentions_in(tokens: Sequence[Token], start: int, end: int) -> list[Who]:
    """The speaker-like phrases of a sentence, in order (quotations end the search)."""
    found: list[Who] = []
    i = start
    while i < end:
        if tokens[i].kind == "quote":
            break
        token = tokens[i]
        who = who_at_right(tokens, i, end)
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
    (
        "when while after before although though if because as since once despite asked "
        "speaking following meanwhile however yesterday today last earlier later now still "
        "also but and so then instead separately elsewhere overall indeed nevertheless"
    ).split()
)
_MODIFIERS = frozenset(
    (
        "former senior chief deputy acting interim longtime veteran local state federal "
        "national top new then retired outgoing incoming late assistant associate executive "
        "managing lead regional city county"
    ).split()
)


def main_clause_start(tokens: Sequence[Token], start: int, end: int) -> int:
    """Where the main clause of a sentence begins: after an opening clause and its comma."""
    if start == 0:
        start = dateline_end(tokens)  # `WELLSTEAD, Feb 6 (Wire) - The Bank ...`
    while start < end and tokens[start].kind == "punct":
        start += 1  # `( - As diplomacy continues ...`
    if start >= end or tokens[start].kind != "word":
        return start
    first = tokens[start].lower
    opens = first in _CLAUSE_OPENERS or first in PREPOSITIONS or first.endswith("ing")
    if not opens:
        return start
    for k in range(start + 1, min(end, start + 30)):
        if tokens[k].text == ",":
            return k + 1
        if tokens[k].kind == "quote":
            break
    return start


def only_modifiers(tokens: Sequence[Token], start: int, end: int) -> bool:
    """Whether tokens[start:end] only qualify a name: `Council member`, `the company's CEO`,
    `Local Member of the Senedd`, `Her running mate, state Sen.` (an appositive after a role)."""
    if end - start > 6:
        return False
    # Lower-case words may describe a role noun that follows (`Her running mate, state Sen.`).
    described_role = any(role_noun(t) is not None for t in tokens[start:end])
    for k in range(start, end):
        token = tokens[k]
        if token.kind != "word":
            if token.text in {"-", "’", "'"}:
                continue
            if token.text == "," and k > start and role_noun(tokens[k - 1]) is not None:
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
            or role_noun(token) is not None
            or (described_role and token.text.islower() and token.lower not in FRAGMENT_VERBS)
        ):
            return False
    return True


_TITLE_CONNECTORS = frozenset({"of", "the", "for", "to"})


def descriptor_before(tokens: Sequence[Token], i: int) -> str | None:
    """`U.N. human rights chief Zeid ...`: lowercase role words before a name are its role,
    so that `the U.N. rights chief said` finds the person later."""
    k = i
    while k - 1 >= 0 and i - k < 5:
        previous = tokens[k - 1]
        if previous.kind != "word" or previous.lower in PREPOSITIONS:
            break
        if previous.lower in DEFINITE_DETERMINERS or previous.lower in INDEFINITE_DETERMINERS:
            break
        k -= 1
    words = tokens[k:i]
    if not words or not words[-1].text.islower():
        return None
    if not any(role_noun(t) == "person" for t in words):
        return None
    return " ".join(t.text for t in words)


def dateline_end(tokens: Sequence[Token]) -> int:
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


def is_speech_subject(tokens: Sequence[Token], start: int, end: int) -> bool:
    if start > 0 and tokens[start - 1].lower in PREPOSITIONS:
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
        and (tokens[k].lower in SKIPPABLE or is_adverb(tokens[k]))
    ):
        k += 1
    if k < len(tokens) and is_verb(tokens[k], fragment=False):
        return True
    before = [t.lower for t in tokens[max(0, start - 2) : start]]
    return before == ["according", "to"]
