"""Credited names -> Speaker rows: identity resolution over the speakers sharing an alias key."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from quotetrail.db.models import SpeakerKind
from quotetrail.db.speakers import (
    add_aliases,
    alias_key,
    find_speakers_with_aliases,
    get_or_create_speaker,
    update_speaker,
)
from quotetrail.pipeline.identity import (
    KnownSpeaker,
    exact_speakers,
    is_organisation,
    lookup_keys,
    resolve_speaker,
    speaker_key,
)
from quotetrail.pipeline.types import Quotation

# "a witness", "one protester", "some residents": sources the text leaves unnamed.
_INDEFINITE = frozenset({"a", "an", "one", "some", "another", "several", "many", "two", "three"})


def speaker_kind(name: str) -> SpeakerKind:
    """Whether a credited name is a person, an organisation or an indefinite source."""
    words = name.split()
    # "A nurse" at the start of a sentence is indefinite; "One Direction" is a name.
    if len(words) > 1 and words[0].casefold() in _INDEFINITE and words[1][:1].islower():
        return "indefinite"
    return "organisation" if is_organisation(name) else "person"


class SpeakerBook:
    """Finds (and, for credited names, creates) speakers within one transaction.

    Every alias is stored under its db alias_key (the mention as written) and each of its
    lookup keys (pipeline.identity.lookup_keys: its speaker_key and its surname's), so the same
    alias text may have several rows. Candidates for
    a name are the speakers sharing one of its keys, never a scan of every speaker;
    identity.resolve_speaker decides among them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._credited: dict[tuple[str, str | None], int] = {}
        self._resolved: dict[str, int | None] = {}
        self._mentions: set[tuple[int, str]] = set()
        self._speakers: dict[int, KnownSpeaker] = {}  # as loaded, plus what this book wrote

    def known(self, name: str) -> list[KnownSpeaker]:
        """The stored speakers `name` could denote, with their aliases.

        Those stored under the name's own key first: when one of them bears exactly this
        name, identity.resolve_speaker decides among them alone (exact_speakers), so the
        speakers who merely share a surname (a dozen or more in a large database, each to be
        compared) are loaded only when none does.
        """
        same = self._load([speaker_key(name)])
        if exact_speakers(name, same):
            return same
        return self._load(lookup_keys(name))

    def _load(self, keys: Sequence[str]) -> list[KnownSpeaker]:
        found = find_speakers_with_aliases(session=self.session, keys=keys)
        ids = [speaker.id for speaker, _ in found if speaker.id is not None]
        for speaker, aliases in found:
            if speaker.id is not None:
                self._speakers[speaker.id] = KnownSpeaker(
                    id=speaker.id,
                    name=speaker.name,
                    aliases=frozenset(alias.alias for alias in aliases),
                    role=speaker.role,
                )
        return [self._speakers[i] for i in ids]

    def resolve(self, name: str) -> int | None:
        """The stored speaker `name` denotes, if any; nothing is created."""
        if name not in self._resolved:
            self._resolved[name] = resolve_speaker(name, role=None, known=self.known(name))
        return self._resolved[name]

    def credit(self, quotation: Quotation) -> int | None:
        """The speaker a quotation credits, created if new; records its aliases and role."""
        name = (quotation.speaker or "").strip()
        if not name or not speaker_key(name):
            return None
        cache_key = (name, quotation.role)
        if cache_key not in self._credited:
            self._credited[cache_key] = self._credit(name, quotation.role)
            self._resolved.pop(name, None)
        speaker_id = self._credited[cache_key]
        self._learn_mention(speaker_id, quotation.speaker_as_written)
        return speaker_id

    def _credit(self, name: str, role: str | None) -> int:
        kind = speaker_kind(name)
        key = speaker_key(name)
        speaker_id = None
        if kind != "indefinite":
            speaker_id = resolve_speaker(name, role=role, known=self.known(name))
        if speaker_id is None:
            created, _ = get_or_create_speaker(
                session=self.session, name=name, role=role, kind=kind, key=key
            )
            assert created.id is not None
            # No aliases yet: _record_alias stores the name under every key, once.
            self._speakers[created.id] = KnownSpeaker(
                created.id, created.name, frozenset(), created.role
            )
            self._record_alias(created.id, name)
            return created.id
        self._record_alias(speaker_id, name)
        known = self._speakers[speaker_id]
        if role and not known.role:
            update_speaker(session=self.session, speaker_id=speaker_id, role=role)
        if kind == "person" and len(key.split()) > len(speaker_key(known.name).split()):
            # "Recep Tayyip Erdogan" after "Recep Erdogan": a speaker is named in full.
            update_speaker(session=self.session, speaker_id=speaker_id, name=name)
        return speaker_id

    def _learn_mention(self, speaker_id: int, as_written: str | None) -> None:
        """Record the mention next to a quote as an alias, if it is a name for the speaker."""
        if not as_written or (speaker_id, as_written) in self._mentions:
            return
        self._mentions.add((speaker_id, as_written))
        known = self._speakers[speaker_id]
        if not speaker_key(as_written) or as_written in known.aliases:
            return
        # "he" or "the U.N. rights chief" are no names: only a mention identity resolution
        # itself ties to this speaker becomes an alias.
        if resolve_speaker(as_written, role=None, known=[known]) == speaker_id:
            self._record_alias(speaker_id, as_written)

    def _record_alias(self, speaker_id: int, alias: str) -> None:
        known = self._speakers[speaker_id]
        if alias in known.aliases:
            return  # stored under every key when it was first recorded
        # The mention as written (alias_key keeps its titles, so "UN Ambassador Samantha Power"
        # is not folded into "Samantha Power"), and its lookup keys, so that a later mention by
        # surname or another full form finds this speaker among few.
        add_aliases(
            session=self.session,
            speaker_id=speaker_id,
            alias=alias,
            keys=(alias_key(alias), *lookup_keys(alias)),
        )
        self._speakers[speaker_id] = KnownSpeaker(
            known.id, known.name, known.aliases | {alias}, known.role
        )
