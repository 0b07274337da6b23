"""Speaker identity (stage 5): which known speaker a credited name denotes.

Names arrive as the extractor wrote them ("Turkish President Recep Tayyip Erdogan", "Power",
"the Department of Health"). People match by alias, by full name (middle names and initials may
be missing) or, cautiously, by surname alone; organisations only by their exact normalised name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import CONSTANTS

from quotetrail.pipeline.normalize import APOSTROPHES, normalize


@dataclass(frozen=True, slots=True)
class KnownSpeaker:
    """A speaker already in the database, with every alias seen for it."""

    id: int
    name: str
    aliases: frozenset[str]
    role: str | None


def _wordlist(words: str) -> frozenset[str]:
    return frozenset(words.split())


# nameparser knows hundreds of titles ("president", "ambassador", "dr"); news writing adds
# abbreviations and roles it lacks.
_EXTRA_TITLES = _wordlist(
    """
    sen rep gov gen lt col sgt capt adm cmdr maj pres amb atty supt insp
    spokesman spokeswoman spokesperson chairman chairwoman chairperson official acting former
    analyst adviser advisor minister secretary-general
    """
)
_TITLES = frozenset(t.lower().strip(".") for t in CONSTANTS.titles) | _EXTRA_TITLES
_SUFFIXES = frozenset(CONSTANTS.suffix_not_acronyms) | frozenset(CONSTANTS.suffix_acronyms)
# Lower-case parts of surnames ("al", "van", "bin") stay inside a name.
_PARTICLES = frozenset(p.rstrip("-'’") for p in CONSTANTS.prefixes)
# A name containing one of these words is an organisation, not a person.
_ORGANISATION_WORDS = _wordlist(
    """
    agency airline airlines alliance army assembly association authority bank board bureau
    cabinet center centre church coalition college commission committee company congress corp
    corporation council court department embassy federation forces foundation fund government
    group hospital hydro inc institute league limited llc llp ltd media military ministry
    network news newspaper observatory office organisation organization parliament party plc
    police press regime school senate service services society team times tribunal union
    university
    """
)
# Words that say nothing about which role a person holds.
_ROLE_FILLER = _wordlist("the of to for and in at a an former acting deputy")
# Every mark text normalisation reads as an apostrophe: "Ra’ad", "Raʻad" and "Ra'ad" key alike.
_APOSTROPHES = re.compile("[" + re.escape("'" + APOSTROPHES) + "]")


@dataclass(frozen=True, slots=True)
class _Name:
    key: str
    words: tuple[str, ...]  # lower-case, no suffix
    last: str  # surname as one word ("al hussein" -> "hussein")
    surname: str  # full surname with particles ("al hussein")
    suffix: str
    organisation: bool
    role_hint: str | None  # the title words stripped off the mention


def _fold(text: str) -> str:
    """Case-, diacritics- and apostrophe-insensitive form; keeps word boundaries."""
    if text.isascii():  # nothing to decompose or strip: most names, and the common case
        return text.replace("'", "").replace("`", "")
    # Apostrophes go before NFKC too, which splits "´" into a space and an accent.
    unmarked = _APOSTROPHES.sub("", text)
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", unmarked))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", stripped)


def _is_title(word: str) -> bool:
    w = word.lower().strip(".,")
    if w in _TITLES:
        return True
    # "Secretary-General", "Vice-President": every part is a title.
    parts = [p for p in w.split("-") if p]
    return len(parts) > 1 and all(p in _TITLES for p in parts)


def _is_suffix(word: str) -> bool:
    return word.lower().strip(".,") in _SUFFIXES


def _is_name_word(word: str, *, shouted: bool) -> bool:
    core = word.strip(".,")
    if not core or not core[0].isalpha():
        return False
    if shouted:
        return True
    if core.lower() in _PARTICLES:
        return True
    # Acronyms ("UN", "CNN") are part of a role, not of a person's name; initials ("J.") are.
    return core[0].isupper() and (len(core) == 1 or not core.isupper())


def is_organisation(name: str) -> bool:
    """Whether `name` names an organisation rather than a person."""
    words = [w.lower().strip(".,") for w in _fold(name).split()]
    return any(w in _ORGANISATION_WORDS for w in words) or (
        len(words) == 1 and len(words[0]) > 1 and _fold(name).strip().isupper()
    )


def _organisation_key(name: str) -> str:
    words = normalize(_fold(name).replace("&", " and ")).split()
    # "the Department of Health" and "Department of Health" are one organisation.
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _person_words(name: str) -> tuple[list[str], str | None]:
    """The words of the person's name in a mention, and the role words stripped off it."""
    text = _fold(name).strip()
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return [], None
    parts = [p for p in parts if p.lower().strip(".") not in _SUFFIXES] or parts
    # "US Ambassador to the UN, Samantha Power" or "Samantha Power, US Ambassador": the part
    # without title words is the name.
    chosen = next((p for p in parts if not any(_is_title(w) for w in p.split())), parts[0])
    role_parts = [p for p in parts if p is not chosen and any(_is_title(w) for w in p.split())]
    words = chosen.split()
    shouted = chosen.isupper()
    # Strip everything up to the last title that still has a name after it: "Turkish
    # President Recep Tayyip Erdogan" -> "Recep Tayyip Erdogan", but "Julie Bishop" stays whole.
    cut = 0
    for i, word in enumerate(words):
        after = words[i + 1 :]
        if _is_title(word) and any(
            _is_name_word(w, shouted=shouted) and not _is_suffix(w) for w in after
        ):
            cut = i + 1
    role_words = words[:cut]
    rest = words[cut:]
    # Keep the trailing run of name words ("to the UN Samantha Power" -> "Samantha Power").
    start = len(rest)
    while start > 0 and _is_name_word(rest[start - 1], shouted=shouted):
        start -= 1
    while start < len(rest) - 1 and rest[start].lower() in _PARTICLES:
        start += 1
    role_words += rest[:start]
    name_words = rest[start:] or rest or words
    role = " ".join([*role_words, *role_parts]).strip()
    return name_words, (role if any(_is_title(w) for w in role.split()) else None)


# Words nameparser gives a role of their own (titles, suffixes, surname particles, conjunctions):
# a name containing one of them is left to nameparser.
_NAMEPARSER_WORDS = (
    frozenset(t.lower() for t in CONSTANTS.titles)
    | frozenset(s.lower() for s in CONSTANTS.suffix_acronyms | CONSTANTS.suffix_not_acronyms)
    | frozenset(p.lower() for p in CONSTANTS.prefixes)
    | frozenset(c.lower() for c in CONSTANTS.conjunctions)
)
_PLAIN_NAME_WORD = re.compile(r"[A-Z][a-z]+\Z")


def _last_and_suffix(name: str) -> tuple[str, str]:
    """nameparser's surname and suffix of a person's name.

    Two or three plain capitalised words ("Samantha Power", "Anne Marie Slaughter") are first,
    (middle,) last, with no suffix, whatever nameparser's rules: answered without it, since
    parsing is most of the cost of resolving speakers when many share a surname.
    """
    words = name.split()
    if 2 <= len(words) <= 3 and all(
        _PLAIN_NAME_WORD.match(w) and w.lower() not in _NAMEPARSER_WORDS for w in words
    ):
        return words[-1], ""
    parsed = HumanName(name)
    return str(parsed.last), str(parsed.suffix)


@lru_cache(maxsize=65536)
def _parse(name: str) -> _Name:
    if not _fold(name).strip(" ,"):
        return _Name("", (), "", "", "", organisation=False, role_hint=None)
    if is_organisation(name):
        key = _organisation_key(name)
        return _Name(key, tuple(key.split()), "", key, "", organisation=True, role_hint=None)
    words, role = _person_words(name)
    last_as_parsed, suffix_as_parsed = _last_and_suffix(" ".join(words))
    suffix = normalize(suffix_as_parsed)
    lower = [w for w in normalize(" ".join(words).replace("-", " ")).split()]
    if suffix:
        suffix_words = suffix.split()
        if lower[-len(suffix_words) :] == suffix_words:
            lower = lower[: -len(suffix_words)]
    surname = normalize(last_as_parsed.replace("-", " ")) or (lower[-1] if lower else "")
    key = " ".join([*lower, suffix]).strip()
    return _Name(
        key=key,
        words=tuple(lower),
        last=lower[-1] if lower else "",
        surname=surname,
        suffix=suffix,
        organisation=False,
        role_hint=role,
    )


def speaker_key(name: str) -> str:
    """Return the normalised form of a name under which its aliases are looked up."""
    return _parse(name).key


def lookup_keys(name: str) -> tuple[str, ...]:
    """Keys under which a name is stored and looked up: its speaker_key, then its surname_key.

    Storing every alias of a speaker under these keys, and looking a mention up by its own,
    finds every speaker `resolve_speaker` could tie it to (see surname_key) by exact-key
    lookups, without scanning every speaker.
    """
    if not speaker_key(name):
        return ()
    return tuple(dict.fromkeys(k for k in (speaker_key(name), surname_key(name)) if k))


def surname_key(name: str) -> str:
    """Return the key that narrows identity lookups: a person's surname, an organisation's key.

    `resolve_speaker` only ever returns a known speaker with a name or alias of the same
    surname key, so storing it per alias lets the caller load just those speakers.
    """
    parsed = _parse(name)
    return parsed.key if parsed.organisation else parsed.last


def _word_fits(a: str, b: str) -> bool:
    # An initial fits the name it abbreviates: "j" fits "jane" and the other way round.
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _is_subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    it = iter(long)
    return all(any(_word_fits(s, w) for w in it) for s in short)


def _same_person(mention: _Name, known: _Name) -> bool:
    """Full-name agreement: same surname, and one name's words a subsequence of the other's.

    "Samantha Power" / "Samantha J. Power" and "Tayyip Erdogan" / "Recep Tayyip Erdogan" agree;
    "John Smith" / "Jane Smith" and "Samantha J. Power" / "Samantha K. Power" do not.
    """
    if known.organisation or len(mention.words) < 2 or len(known.words) < 2:
        return False
    if mention.last != known.last:
        return False
    if mention.suffix and known.suffix and mention.suffix != known.suffix:
        return False
    a, b = mention.words, known.words
    return _is_subsequence(a, b) if len(a) <= len(b) else _is_subsequence(b, a)


def _role_words(role: str) -> set[str]:
    return {w for w in normalize(_fold(role)).split() if w not in _ROLE_FILLER}


def roles_conflict(a: str | None, b: str | None) -> bool:
    """Whether two role descriptions cannot describe the same person (both must be known)."""
    if not a or not b:
        return False
    words_a, words_b = _role_words(a), _role_words(b)
    if not words_a or not words_b:
        return False
    # Four shared leading letters relate "Turkish" to "Turkey", "ministry" to "minister".
    return not any(
        x == y or (x[:4] == y[:4] and min(len(x), len(y)) >= 5) for x in words_a for y in words_b
    )


def _names_of(speaker: KnownSpeaker) -> list[_Name]:
    return [_parse(n) for n in (speaker.name, *sorted(speaker.aliases))]


def _pick(ids: Sequence[int], role: str | None, by_id: dict[int, KnownSpeaker]) -> int | None:
    """The one id left, or the one whose role agrees when several are left; else None."""
    unique = sorted(set(ids))
    if len(unique) == 1:
        return unique[0]
    if role:
        agreeing = [i for i in unique if by_id[i].role and not roles_conflict(role, by_id[i].role)]
        if len(agreeing) == 1:
            return agreeing[0]
    return None


def exact_speakers(name: str, known: Sequence[KnownSpeaker]) -> list[int]:
    """Ids of the known speakers with a name or alias of the same speaker_key as `name`.

    When there are any, resolve_speaker decides among them alone: a caller that stores every
    name under its speaker_key can try the speakers found under that one key first.
    """
    key = _parse(name).key
    if not key:
        return []
    return list(dict.fromkeys(s.id for s in known for n in _names_of(s) if n.key == key))


def resolve_speaker(name: str, *, role: str | None, known: Sequence[KnownSpeaker]) -> int | None:
    """Return the id of the known speaker `name` denotes, or None if it is a new speaker."""
    if not name.strip():
        return None
    mention = _parse(name)
    if not mention.key:
        return None
    role = role or mention.role_hint
    by_id = {s.id: s for s in known}

    exact = exact_speakers(name, known)
    if exact:
        return _pick(exact, role, by_id)
    if mention.organisation:
        return None

    if len(mention.words) >= 2:
        full = [s.id for s in known if any(_same_person(mention, n) for n in _names_of(s))]
        return _pick(full, role, by_id) if full else None

    # A surname on its own: only when exactly one known person carries it, and their roles
    # (when both are known) do not contradict each other.
    word = mention.words[0] if mention.words else ""
    bearers = sorted(
        {
            s.id
            for s in known
            for n in _names_of(s)
            if not n.organisation and len(n.words) >= 2 and word in (n.last, n.surname)
        }
    )
    if len(bearers) != 1:
        return None
    if roles_conflict(role, by_id[bearers[0]].role):
        return None
    return bearers[0]
