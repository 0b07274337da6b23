"""Speakers and their aliases: the people and organisations quotes are credited to."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, insert, literal, update
from sqlmodel import Session, col, select

from quotetrail.db.driver import Driver
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


class SpeakerRow(NamedTuple):
    """A speaker's stored fields, read as a plain row (ingestion keeps no ORM objects)."""

    id: int
    name: str
    role: str | None
    kind: str


class AliasRow(NamedTuple):
    """One of a speaker's aliases: as written, and the key it is found by."""

    alias: str
    key: str


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
) -> tuple[SpeakerRow, bool]:
    """The speaker with exactly this name (the oldest, if several), or a new one; True if new.

    A new speaker gets its name as its first alias, under `key` (default alias_key(name)). An
    existing speaker without a role takes `role`; a known role is never overwritten here (use
    update_speaker).
    """
    if kind not in SPEAKER_KINDS:
        raise ValueError(f"speaker kind must be one of {SPEAKER_KINDS}, not {kind!r}")
    driver = Driver(session)
    found = driver.rows(
        "SELECT id, name, role, kind FROM speaker WHERE name = ? ORDER BY id LIMIT 1", (name,)
    )
    if found:
        existing = SpeakerRow(*found[0])
        if role and not existing.role:
            driver.execute("UPDATE speaker SET role = ? WHERE id = ?", (role, existing.id))
            existing = existing._replace(role=role)
        return existing, False
    speaker_id = driver.value(
        "INSERT INTO speaker (name, role, kind) VALUES (?, ?, ?) RETURNING id", (name, role, kind)
    )
    add_aliases(
        session=session,
        speaker_id=speaker_id,
        alias=name,
        keys=[alias_key(name) if key is None else key],
    )
    return SpeakerRow(speaker_id, name, role, kind), True


def update_speaker(
    *,
    session: Session,
    speaker_id: int,
    name: str | Unset = UNSET,
    role: str | Unset | None = UNSET,
    kind: SpeakerKind | Unset = UNSET,
) -> None:
    """Change the given fields of a speaker."""
    if kind is not UNSET and kind not in SPEAKER_KINDS:
        raise ValueError(f"speaker kind must be one of {SPEAKER_KINDS}, not {kind!r}")
    changes = {
        column: value
        for column, value in (("name", name), ("role", role), ("kind", kind))
        if value is not UNSET
    }
    assignments = ", ".join(f"{column} = ?" for column in changes) or "id = id"
    updated = Driver(session).rows(
        f"UPDATE speaker SET {assignments} WHERE id = ? RETURNING id",
        (*changes.values(), speaker_id),
    )
    if not updated:
        raise NotFoundError("speaker", speaker_id)


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
    Driver(session).execute_many(
        "INSERT INTO speaker_alias (speaker_id, alias, key) VALUES (?, ?, ?) "
        "ON CONFLICT (speaker_id, key) DO NOTHING",
        [(speaker_id, alias, key) for key in dict.fromkeys(keys)],
    )


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
) -> list[tuple[SpeakerRow, list[AliasRow]]]:
    """Every speaker known by any of these alias keys, oldest first, with all its aliases.

    One query (speakers joined to their aliases): identity resolution needs both.
    """
    if not keys:
        return []
    driver = Driver(session)
    sql = (
        "SELECT s.id, s.name, s.role, s.kind, a.alias, a.key FROM speaker AS s "
        "JOIN speaker_alias AS a ON a.speaker_id = s.id WHERE s.id IN "
        "(SELECT speaker_id FROM speaker_alias WHERE key IN (...)) ORDER BY s.id, a.id"
    )
    rows = driver.rows(*driver.in_list(sql, keys))
    found: dict[int, tuple[SpeakerRow, list[AliasRow]]] = {}
    for speaker_id, name, role, kind, alias, key in rows:
        entry = found.setdefault(speaker_id, (SpeakerRow(speaker_id, name, role, kind), []))
        entry[1].append(AliasRow(alias, key))
    return list(found.values())


def speaker_names(*, session: Session, speaker_ids: Collection[int]) -> dict[int, str]:
    """The name of each of these speakers, by id; unknown ids are left out."""
    if not speaker_ids:
        return {}
    driver = Driver(session)
    rows = driver.rows(
        *driver.in_list("SELECT id, name FROM speaker WHERE id IN (...)", speaker_ids)
    )
    return {speaker_id: name for speaker_id, name in rows}


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
