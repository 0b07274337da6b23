"""Speakers and their aliases: the people and organisations quotes are credited to."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from sqlalchemy import func, insert, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from quotetrail.db.errors import UNSET, NotFoundError, Unset
from quotetrail.db.models import (
    SPEAKER_KINDS,
    Appearance,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerKind,
)

_NON_WORD = re.compile(r"[\W_]+")


def alias_key(alias: str) -> str:
    """The lookup form of a name: accents and punctuation dropped, case folded, spaces collapsed.

    "Zeid Ra'ad Al Hussein" -> "zeid ra ad al hussein"; "U.N." -> "u n".
    """
    decomposed = unicodedata.normalize("NFKD", alias)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare.casefold()).strip()


def get_speaker(*, session: Session, speaker_id: int) -> Speaker | None:
    """The speaker with this id, or None."""
    return session.get(Speaker, speaker_id)


def get_or_create_speaker(
    *,
    session: Session,
    name: str,
    role: str | None = None,
    kind: SpeakerKind = "person",
    key: str | None = None,
) -> tuple[Speaker, bool]:
    """The speaker with exactly this name (the oldest, if several), or a new one; True if new.

    A new speaker gets its name as its first alias, under `key` (default alias_key(name)). An
    existing speaker without a role takes `role`; a known role is never overwritten here (use
    update_speaker).
    """
    if kind not in SPEAKER_KINDS:
        raise ValueError(f"speaker kind must be one of {SPEAKER_KINDS}, not {kind!r}")
    existing = session.exec(
        select(Speaker).where(Speaker.name == name).order_by(col(Speaker.id)).limit(1)
    ).first()
    if existing is not None:
        if role and not existing.role:
            existing.role = role
            session.flush()
        return existing, False
    speaker = Speaker(name=name, role=role, kind=kind)
    session.add(speaker)
    session.flush()
    assert speaker.id is not None
    add_aliases(
        session=session,
        speaker_id=speaker.id,
        alias=name,
        keys=[alias_key(name) if key is None else key],
    )
    return speaker, True


def update_speaker(
    *,
    session: Session,
    speaker_id: int,
    name: str | Unset = UNSET,
    role: str | Unset | None = UNSET,
    kind: SpeakerKind | Unset = UNSET,
) -> Speaker:
    """Change the given fields of a speaker."""
    speaker = session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFoundError("speaker", speaker_id)
    if name is not UNSET:
        speaker.name = name
    if role is not UNSET:
        speaker.role = role
    if kind is not UNSET:
        if kind not in SPEAKER_KINDS:
            raise ValueError(f"speaker kind must be one of {SPEAKER_KINDS}, not {kind!r}")
        speaker.kind = kind
    session.flush()
    return speaker


def get_speakers(*, session: Session, speaker_ids: Collection[int]) -> dict[int, Speaker]:
    """The speakers with these ids, by id, in one query; unknown ids are left out."""
    if not speaker_ids:
        return {}
    query = select(Speaker).where(col(Speaker.id).in_(set(speaker_ids)))
    return {speaker.id: speaker for speaker in session.exec(query) if speaker.id is not None}


def list_speakers(
    *,
    session: Session,
    q: str | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[Speaker]:
    """Speakers in id order after the cursor `after_id`; `q` filters names by substring."""
    query = select(Speaker).order_by(col(Speaker.id)).limit(limit)
    if q:
        query = query.where(col(Speaker.name).icontains(q, autoescape=True))
    if after_id is not None:
        query = query.where(col(Speaker.id) > after_id)
    return list(session.exec(query))


def count_speakers(*, session: Session) -> int:
    """How many speakers are stored."""
    return session.exec(select(func.count()).select_from(Speaker)).one()


def add_alias(
    *, session: Session, speaker_id: int, alias: str, key: str | None = None
) -> SpeakerAlias:
    """Record `alias` for a speaker (idempotent per key); `key` defaults to alias_key(alias)."""
    key = alias_key(alias) if key is None else key
    existing = session.exec(
        select(SpeakerAlias).where(SpeakerAlias.speaker_id == speaker_id, SpeakerAlias.key == key)
    ).first()
    if existing is not None:
        return existing
    if session.get(Speaker, speaker_id) is None:
        raise NotFoundError("speaker", speaker_id)
    row = SpeakerAlias(speaker_id=speaker_id, alias=alias, key=key)
    session.add(row)
    session.flush()
    return row


def add_aliases(*, session: Session, speaker_id: int, alias: str, keys: Collection[str]) -> None:
    """Record `alias` for a stored speaker under each of `keys` in one statement.

    Keys the speaker already has are left as they are (like add_alias, idempotent per key).
    """
    rows = [{"speaker_id": speaker_id, "alias": alias, "key": key} for key in dict.fromkeys(keys)]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = pg_insert(SpeakerAlias) if dialect == "postgresql" else sqlite_insert(SpeakerAlias)
    session.execute(statement.on_conflict_do_nothing(index_elements=["speaker_id", "key"]), rows)


def list_aliases(*, session: Session, speaker_id: int) -> list[SpeakerAlias]:
    """A speaker's aliases, oldest first."""
    query = (
        select(SpeakerAlias)
        .where(SpeakerAlias.speaker_id == speaker_id)
        .order_by(col(SpeakerAlias.id))
    )
    return list(session.exec(query))


def list_speakers_with_aliases(
    *, session: Session, speaker_ids: Collection[int] | None = None
) -> list[tuple[Speaker, list[SpeakerAlias]]]:
    """Speakers (all, or these ids) with their aliases, in id order: two queries, not N+1.

    Identity resolution compares a new name against every known speaker; this loads them.
    """
    speakers_query = select(Speaker).order_by(col(Speaker.id))
    aliases_query = select(SpeakerAlias).order_by(col(SpeakerAlias.id))
    if speaker_ids is not None:
        speakers_query = speakers_query.where(col(Speaker.id).in_(set(speaker_ids)))
        aliases_query = aliases_query.where(col(SpeakerAlias.speaker_id).in_(set(speaker_ids)))
    aliases: dict[int, list[SpeakerAlias]] = {}
    for alias in session.exec(aliases_query):
        aliases.setdefault(alias.speaker_id, []).append(alias)
    return [(speaker, aliases.get(speaker.id or 0, [])) for speaker in session.exec(speakers_query)]


def find_speakers_with_aliases(
    *, session: Session, keys: Collection[str]
) -> list[tuple[Speaker, list[SpeakerAlias]]]:
    """Every speaker known by any of these alias keys, oldest first, with all its aliases.

    One query (speakers joined to their aliases): identity resolution needs both.
    """
    if not keys:
        return []
    ids = select(SpeakerAlias.speaker_id).where(col(SpeakerAlias.key).in_(sorted(set(keys))))
    query = (
        select(Speaker, SpeakerAlias)
        .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == col(Speaker.id))
        .where(col(Speaker.id).in_(ids))
        .order_by(col(Speaker.id), col(SpeakerAlias.id))
    )
    found: dict[int, tuple[Speaker, list[SpeakerAlias]]] = {}
    for speaker, alias in session.exec(query):
        found.setdefault(speaker.id or 0, (speaker, []))[1].append(alias)
    return list(found.values())


def find_speakers_by_alias(*, session: Session, key: str) -> list[Speaker]:
    """Every speaker known by this alias key (see alias_key), oldest first."""
    query = (
        select(Speaker)
        .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == col(Speaker.id))
        .where(SpeakerAlias.key == key)
        .order_by(col(Speaker.id))
    )
    return list(session.exec(query))


def find_speakers_by_aliases(*, session: Session, keys: Collection[str]) -> list[Speaker]:
    """Every speaker known by any of these alias keys, oldest first, each once."""
    if not keys:
        return []
    ids = select(SpeakerAlias.speaker_id).where(col(SpeakerAlias.key).in_(set(keys))).distinct()
    query = select(Speaker).where(col(Speaker.id).in_(ids)).order_by(col(Speaker.id))
    return list(session.exec(query))


def merge_speakers(*, session: Session, keep_id: int, absorb_id: int) -> Speaker:
    """Make `absorb_id` the same person as `keep_id`: its aliases, quotes and credits move over.

    Roles are not combined: the kept speaker's role stays (update_speaker changes it).
    """
    if keep_id == absorb_id:
        raise ValueError("cannot merge a speaker into itself")
    keep = session.get(Speaker, keep_id)
    absorb = session.get(Speaker, absorb_id)
    if keep is None:
        raise NotFoundError("speaker", keep_id)
    if absorb is None:
        raise NotFoundError("speaker", absorb_id)
    # Aliases are unique per speaker: copy the keys the kept speaker lacks, the rest cascade away.
    known = select(SpeakerAlias.key).where(SpeakerAlias.speaker_id == keep_id)
    missing = select(literal(keep_id), col(SpeakerAlias.alias), col(SpeakerAlias.key)).where(
        SpeakerAlias.speaker_id == absorb_id, col(SpeakerAlias.key).not_in(known)
    )
    session.execute(insert(SpeakerAlias).from_select(["speaker_id", "alias", "key"], missing))
    session.execute(
        update(Quote).where(col(Quote.speaker_id) == absorb_id).values(speaker_id=keep_id)
    )
    session.execute(
        update(Appearance).where(col(Appearance.speaker_id) == absorb_id).values(speaker_id=keep_id)
    )
    session.delete(absorb)
    session.flush()
    return keep
