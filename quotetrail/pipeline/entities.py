"""People and organisations named in the author's text: name runs, titles, and who is who.

A mention's name is split from its title (`Turkish President Recep Erdogan` -> role `Turkish
President`, name `Recep Erdogan`), then linked to an entity of the document: a surname alone, a
shorter or longer form of a name already seen. Each entity keeps its fullest name, which is the
speaker name Quotetrail reports ("Walsh said" after "Nick Paton Walsh" gives the full name).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import gender_guesser.detector as gender_detector
import regex

from quotetrail.pipeline.lexicon import (
    FEMALE_HONORIFICS,
    MALE_HONORIFICS,
    NON_NAME_WORDS,
    ORG_NAME_WORDS,
    ORG_ROLE_NOUNS,
    ORG_SUFFIXES,
    TITLE_WORDS,
)
from quotetrail.pipeline.tokens import Token

EntityKind = Literal["person", "org", "unknown"]
Gender = Literal["m", "f"]

_PARTICLES = frozenset(
    (
        "al el ad ash bin ibn abu bint ben de da di del della der den du la le van von ter "
        "ten dos das do y"
    ).split()
)
_PREFIXED = regex.compile(r"^(?:al|el|ad|ash|as|at|an|ben|bin|abu|d|l)[-’'](?=\p{Lu})")


@lru_cache(maxsize=1)
def _detector() -> gender_detector.Detector:
    return gender_detector.Detector(case_sensitive=False)


@lru_cache(maxsize=8192)
def first_name_gender(word: str) -> Gender | Literal["andy"] | None:
    """Gender a first name tells ('andy' for either), None when it is not a known first name."""
    guess = _detector().get_gender(word.split("-")[0])
    if guess in ("male", "mostly_male"):
        return "m"
    if guess in ("female", "mostly_female"):
        return "f"
    if guess == "andy":
        return "andy"
    return None


@lru_cache(maxsize=65536)
def _bare(word: str) -> str:
    return word.lower().replace("’", "'").rstrip(".")


def is_possessive(token: Token) -> bool:
    """`CNN’s`, `Walsh's`, `the players’`."""
    return token.kind == "word" and token.lower.endswith(("'s", "s'")) and len(token.text) > 2


def is_name_word(token: Token) -> bool:
    """A capitalised word that can be part of a name (not a sentence-starting common word)."""
    return token.kind == "word" and _is_name_text(token.text)


_AFFILIATION = regex.compile(r"^[RDI]-\p{Lu}")  # `R-Ohio`, `D-Calif.`: party and state


@lru_cache(maxsize=65536)
def _is_name_text(text: str) -> bool:
    if text.startswith("@") and len(text) > 1:
        return True  # a social-media handle names its owner
    if _AFFILIATION.match(text):
        return False
    if _PREFIXED.match(text):
        return True
    if not text[:1].isupper():
        return False
    return _bare(text) not in NON_NAME_WORDS or _bare(text) in TITLE_WORDS


def _is_particle(tokens: Sequence[Token], i: int) -> bool:
    """`van`, `al`, `de` inside a name: lower-case, and followed by a name word."""
    return (
        tokens[i].lower in _PARTICLES
        and i + 1 < len(tokens)
        and (is_name_word(tokens[i + 1]) or _is_particle(tokens, i + 1))
    )


def run_left(tokens: Sequence[Token], j: int) -> int | None:
    """Start index of the name run that ends at token j, None when j is not a name word."""
    if j < 0 or not is_name_word(tokens[j]):
        return None
    start = j
    while start - 1 >= 0:
        previous = tokens[start - 1]
        if is_possessive(previous):
            break
        if is_name_word(previous) or _is_particle(tokens, start - 1):
            start -= 1
            continue
        break
    while (
        start - 2 >= 0
        and tokens[start - 1].lower in _CONNECTORS
        and is_name_word(tokens[start - 2])
        and not is_possessive(tokens[start - 2])
    ):
        earlier = run_left(tokens, start - 2)
        if earlier is None or not _org_run(tokens[earlier : j + 1]):
            break
        if is_title_only([t.text for t in tokens[earlier : start - 1]]):
            break
        start = earlier
    if (
        start - 2 >= 0
        and tokens[start - 1].lower in ("of", "for")
        and _bare(tokens[start - 2].text) in TITLE_WORDS
    ):
        title_start = run_left(tokens, start - 2)  # `Secretary of State Antony Blinken`
        start = start if title_start is None else title_start
    while start <= j and _bare(tokens[start].text) in NON_NAME_WORDS and start < j:
        start += 1  # `The Taliban`, `Meanwhile Smith`
    return start


def _plain_run_right(tokens: Sequence[Token], i: int) -> int:
    end = i
    while end + 1 < len(tokens) and not is_possessive(tokens[end]):
        following = tokens[end + 1]
        if is_name_word(following) or _is_particle(tokens, end + 1):
            end += 1
            continue
        break
    return end


_CONNECTORS = frozenset({"of", "for", "and", "&", "on"})


def _org_run(words: Sequence[Token]) -> bool:
    return any(_bare(t.text) in ORG_NAME_WORDS for t in words)


def run_right(tokens: Sequence[Token], i: int) -> int | None:
    """End index (inclusive) of the name run that starts at token i.

    Runs joined by `of`, `for`, `and` stay one name when the whole is an organisation's:
    `Bank of England`, `Marlow and Severn NHS Trust`, `Ministry of Trade and Industry`.
    """
    if i >= len(tokens) or not is_name_word(tokens[i]):
        return None
    end = _plain_run_right(tokens, i)
    while (
        end + 2 < len(tokens)
        and tokens[end + 1].lower in _CONNECTORS
        and is_name_word(tokens[end + 2])
        and not is_possessive(tokens[end])
    ):
        further = _plain_run_right(tokens, end + 2)
        if not _org_run(tokens[i : further + 1]) or is_title_only(
            [t.text for t in tokens[i : end + 1]]
        ):
            break
        end = further
    return end


@dataclass(frozen=True, slots=True)
class NameParts:
    """A capitalised run split into the role words before the name and the name itself."""

    role: str | None
    name: tuple[str, ...]
    honorific: str | None


@lru_cache(maxsize=16384)
def split_title(words: tuple[str, ...]) -> NameParts:
    """Split a run like `U.K. Foreign Secretary Boris Johnson` into role and name."""
    words = tuple(w[:-2] if w.lower().endswith(("'s", "’s")) else w for w in words)
    last_title = -1
    for k, word in enumerate(words[:-1]):
        if _bare(word) in TITLE_WORDS or word.lower() in TITLE_WORDS:
            last_title = k
    honorific = None
    for word in words[: last_title + 1]:
        if _bare(word) in MALE_HONORIFICS or _bare(word) in FEMALE_HONORIFICS:
            honorific = _bare(word)
    # `Secretary of State Antony Blinken`, `Senedd Rhodri Bevan`: the role runs on to the first
    # first name.
    cut = last_title + 1
    organisation = _bare(words[-1]) in ORG_NAME_WORDS or any(w in ("and", "&") for w in words)
    if len(words) - cut >= 3 and not organisation and first_name_gender(words[cut]) is None:
        cut = next(
            (k for k in range(cut + 1, len(words) - 1) if first_name_gender(words[k]) is not None),
            cut,
        )
    if len(words) - cut == 1 and _bare(words[-1]) in ORG_NAME_WORDS:
        cut = 0  # `Lorenza Metropolitan Police`, `Royal Bank`: an organisation, not a title
    role = " ".join(words[:cut]) or None
    name = tuple(words[cut:])
    # Political affiliations after a name: `Maria Lopez, D-Calif.` never reach here (comma).
    return NameParts(role=role, name=name, honorific=honorific)


def is_title_only(words: Sequence[str]) -> bool:
    """Whether a capitalised run is all role words (`Foreign Secretary`, `President`)."""
    return bool(words) and _bare(words[-1]) in TITLE_WORDS


@dataclass(slots=True)
class Entity:
    """A person or organisation of the document, with its fullest name."""

    name: tuple[str, ...]
    kind: EntityKind
    gender: Gender | None = None
    roles: list[str] = field(default_factory=list)
    speaks: bool = False  # the text credits it with words somewhere

    @property
    def display(self) -> str:
        """The fullest name as it should be reported."""
        return " ".join(self.name)

    @property
    def surname(self) -> str:
        """Last word of the name, lower-cased."""
        return _bare(self.name[-1])


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named (or referred to) at a position of the author's text."""

    entity: Entity
    start: int
    end: int
    as_written: str
    subject: bool  # the sentence's subject: the likeliest antecedent of a later pronoun
    speech: bool  # the subject of a reporting verb: someone the text credits with words


def _classify(name: Sequence[str], role: str | None, honorific: str | None) -> EntityKind:
    lowered = [_bare(w) for w in name]
    if lowered[-1] in ORG_SUFFIXES or (len(name) > 1 and lowered[-1] in ORG_ROLE_NOUNS):
        return "org"  # `Sierra Vista Fire Protection District`, `Acme Company`
    shouted = all(w.replace(".", "").isupper() and len(w.replace(".", "")) >= 2 for w in name)
    if shouted and (len(name) == 1 or first_name_gender(name[0]) is None):
        return "org"  # NATO, BBC; but `OMAR DIAZ:` labelling a transcript is a person
    # A first name outweighs an organisation word inside the name (`Samantha Power`).
    if len(name) >= 2 and first_name_gender(name[0]) is not None:
        return "person"
    if any(w in ORG_NAME_WORDS for w in lowered):
        return "org"
    if role or honorific:
        return "person"
    return "unknown"


def _gender(name: Sequence[str], honorific: str | None) -> Gender | None:
    if honorific in MALE_HONORIFICS:
        return "m"
    if honorific in FEMALE_HONORIFICS:
        return "f"
    if len(name) >= 2:
        guess = first_name_gender(name[0])
        if guess == "m" or guess == "f":
            return guess
    return None


def _compatible(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether `short` can be another form of the name `long` (same person)."""
    s = [_bare(w) for w in short]
    full = [_bare(w) for w in long]
    if s == full:
        return True
    if len(s) == 1:
        return s[0] == full[-1] or (len(full) > 2 and s[0] in full[1:]) or s[0] == full[0]
    if s[-1] != full[-1]:
        return False
    # First names agree (or one is an initial of the other); middle names may be dropped.
    a, b = s[0], full[0]
    if not (a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))):
        return False
    return set(s[1:-1]) <= set(full[1:-1]) or set(full[1:-1]) <= set(s[1:-1])


def _shouted(name: Sequence[str]) -> bool:
    return all(word.isupper() for word in name)


class Registry:
    """The document's entities and their mentions, built in reading order.

    Lookups touch only entities sharing a word with the name and mentions inside a window, so
    the cost per mention stays bounded however long the document is.
    """

    def __init__(self) -> None:
        self.entities: list[Entity] = []
        self._by_word: dict[str, list[int]] = {}
        self._full_names: dict[tuple[str, ...], int] = {}
        self._recent: dict[tuple[str, ...], tuple[tuple[int, ...], int]] = {}
        self._mentions: list[Mention] = []
        self._speech: list[tuple[int, int, Entity]] = []

    def entity_for(
        self, name: tuple[str, ...], *, role: str | None, honorific: str | None
    ) -> Entity:
        """The entity `name` denotes, creating it or lengthening its fullest name."""
        known = self._full_names.get(name) if len(name) > 1 else None
        if known is not None:
            # A full name seen before denotes the same entity (only a bare surname is ambiguous).
            if role:
                self._note(known, name=name, role=role, honorific=honorific, kind="person")
            return self.entities[known]
        stamp = tuple(len(self._by_word.get(_bare(word), ())) for word in name)
        cached = self._recent.get(name)
        if cached is not None and cached[0] == stamp and not role:
            # No entity sharing a word with this name appeared since: the same answer.
            return self.entities[cached[1]]
        k = self._resolve(name, role=role, honorific=honorific)
        stamp = tuple(len(self._by_word.get(_bare(word), ())) for word in name)
        self._recent[name] = (stamp, k)
        return self.entities[k]

    def _resolve(self, name: tuple[str, ...], *, role: str | None, honorific: str | None) -> int:
        """Index of the entity `name` denotes, created if it is new."""
        kind = _classify(name, role, honorific)
        related = sorted(
            {k for word in name for k in self._by_word.get(_bare(word), ())}, reverse=True
        )
        if len(name) == 1:
            holders = [
                k
                for k in related
                if self.entities[k].kind != "org" and _compatible(name, self.entities[k].name)
            ]
            if len(holders) > 1:
                # A bare surname shared by several people: newspapers use it for the person the
                # story is about, who is introduced first.
                self._note(min(holders), name=name, role=role, honorific=honorific, kind=kind)
                return min(holders)
        for k in related:
            entity = self.entities[k]
            if entity.kind == "org" or kind == "org":
                if [_bare(w) for w in entity.name] == [_bare(w) for w in name]:
                    self._note(k, name=name, role=role, honorific=honorific, kind=kind)
                    return k
                continue
            if _compatible(name, entity.name):
                self._note(k, name=name, role=role, honorific=honorific, kind=kind)
                return k
            if _compatible(entity.name, name):
                entity.name = name  # a fuller form of a name seen before
                self._note(k, name=name, role=role, honorific=honorific, kind=kind)
                return k
        self.entities.append(Entity(name=name, kind=kind, gender=_gender(name, honorific)))
        k = len(self.entities) - 1
        self._note(k, name=name, role=role, honorific=honorific, kind=kind)
        return k

    def _note(
        self,
        k: int,
        *,
        name: tuple[str, ...],
        role: str | None,
        honorific: str | None,
        kind: EntityKind,
    ) -> None:
        entity = self.entities[k]
        if len(name) > 1:
            self._full_names[name] = k
        for word in name:
            holders = self._by_word.setdefault(_bare(word), [])
            if k not in holders[-3:]:
                holders.append(k)
        if _shouted(entity.name) and not _shouted(name) and len(name) >= len(entity.name):
            entity.name = name  # `OMAR DIAZ:` in a transcript label, `Omar Diaz` in the text
        if role and role not in entity.roles:
            entity.roles.append(role)
        if entity.kind == "unknown" and kind == "person":
            entity.kind = "person"
        if entity.gender is None:
            entity.gender = _gender(name, honorific) or _gender(entity.name, None)

    def add_mention(self, mention: Mention) -> None:
        """Record a mention (kept in document order)."""
        bisect.insort(self._mentions, mention, key=lambda m: m.start)
        if mention.speech:
            self.add_speech(mention.start, mention.end, mention.entity)

    def add_speech(self, start: int, end: int, entity: Entity) -> None:
        """Record that the text credits `entity` with words at [start, end)."""
        entity.speaks = True
        bisect.insort(self._speech, (start, end, entity), key=lambda s: s[0])

    def mentions_before(self, position: int, *, window: int) -> Iterator[Mention]:
        """Mentions ending before `position` and at most `window` characters back, nearest first."""
        k = bisect.bisect_left(self._mentions, position, key=lambda m: m.start)
        while k > 0:
            k -= 1
            mention = self._mentions[k]
            if position - mention.end > window:
                return
            if mention.end <= position:
                yield mention

    def mentions_after(self, position: int, *, window: int) -> Iterator[Mention]:
        """Mentions starting after `position` and at most `window` characters ahead, in order."""
        k = bisect.bisect_right(self._mentions, position, key=lambda m: m.start)
        while k < len(self._mentions) and self._mentions[k].start - position <= window:
            yield self._mentions[k]
            k += 1

    def speech_between(self, start: int, end: int) -> list[Entity]:
        """Entities credited with words inside [start, end)."""
        k = bisect.bisect_left(self._speech, start, key=lambda s: s[0])
        found = []
        while k < len(self._speech) and self._speech[k][0] < end:
            if self._speech[k][1] <= end:
                found.append(self._speech[k][2])
            k += 1
        return found
