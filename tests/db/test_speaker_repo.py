"""Speakers and aliases: one row per person, found again under every alias."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from quotetrail.db.articles import insert_article
from quotetrail.db.errors import NotFoundError
from quotetrail.db.models import SpeakerAlias
from quotetrail.db.quotes import add_appearance, create_quote, get_quote, list_appearances
from quotetrail.db.speakers import (
    add_alias,
    alias_key,
    count_speakers,
    find_speakers_by_alias,
    get_or_create_speaker,
    get_speaker,
    list_aliases,
    list_speakers,
    list_speakers_with_aliases,
    merge_speakers,
    update_speaker,
)


def test_alias_key() -> None:
    assert alias_key("  Samantha   POWER ") == "samantha power"
    assert alias_key("Zeid Ra'ad Al Hussein") == "zeid ra ad al hussein"
    assert alias_key("Recep Tayyip Erdoğan") == "recep tayyip erdogan"
    assert alias_key("U.N.") == "u n"


def test_get_or_create_speaker(session: Session) -> None:
    power, created = get_or_create_speaker(session=session, name="Samantha Power")
    assert created and power.id is not None and power.kind == "person"
    same, created = get_or_create_speaker(
        session=session, name="Samantha Power", role="US Ambassador to the UN"
    )
    assert (same.id, created) == (power.id, False)
    assert same.role == "US Ambassador to the UN"  # a missing role is filled in ...
    again, _ = get_or_create_speaker(session=session, name="Samantha Power", role="Author")
    assert again.role == "US Ambassador to the UN"  # ... a known one is never overwritten
    hydro, _ = get_or_create_speaker(session=session, name="BC Hydro", kind="organisation")
    session.commit()
    session.expunge_all()

    stored = get_speaker(session=session, speaker_id=power.id)
    assert stored is not None and stored.name == "Samantha Power"
    assert stored.role == "US Ambassador to the UN"
    assert [a.alias for a in list_aliases(session=session, speaker_id=power.id)] == [
        "Samantha Power"
    ]
    assert hydro.id is not None
    hydro_stored = get_speaker(session=session, speaker_id=hydro.id)
    assert hydro_stored is not None and hydro_stored.kind == "organisation"
    assert count_speakers(session=session) == 2
    with pytest.raises(ValueError):
        get_or_create_speaker(session=session, name="X", kind="robot")  # type: ignore[arg-type]


def test_aliases_resolve_and_may_be_shared(session: Session) -> None:
    samantha, _ = get_or_create_speaker(session=session, name="Samantha Power")
    jonathan, _ = get_or_create_speaker(session=session, name="Jonathan Power")
    assert samantha.id is not None and jonathan.id is not None
    first = add_alias(session=session, speaker_id=samantha.id, alias="Power")
    again = add_alias(session=session, speaker_id=samantha.id, alias="POWER")
    assert again.id == first.id  # idempotent per key
    add_alias(session=session, speaker_id=jonathan.id, alias="Power")
    add_alias(session=session, speaker_id=samantha.id, alias="Ms Power", key="custom-key")
    session.commit()

    found = find_speakers_by_alias(session=session, key=alias_key("Power"))
    assert [s.id for s in found] == [samantha.id, jonathan.id]  # shared surname: both, not merged
    assert [s.id for s in find_speakers_by_alias(session=session, key="custom-key")] == [
        samantha.id
    ]
    assert find_speakers_by_alias(session=session, key="nobody") == []
    with pytest.raises(NotFoundError):
        add_alias(session=session, speaker_id=samantha.id + jonathan.id + 100, alias="Ghost")


def test_alias_key_is_unique_per_speaker_in_the_schema(session: Session) -> None:
    speaker, _ = get_or_create_speaker(session=session, name="Samantha Power")
    session.commit()
    assert speaker.id is not None
    session.add(SpeakerAlias(speaker_id=speaker.id, alias="Samantha Power!", key="samantha power"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_list_and_update_speakers(session: Session) -> None:
    names = ["Samantha Power", "Zeid Ra'ad Al Hussein", "Recep Tayyip Erdogan", "Ban Ki-moon"]
    made = [get_or_create_speaker(session=session, name=name)[0] for name in names]
    session.commit()
    page = list_speakers(session=session, limit=2)
    assert [s.name for s in page] == names[:2]
    assert [s.name for s in list_speakers(session=session, after_id=page[-1].id)] == names[2:]
    assert [s.name for s in list_speakers(session=session, q="ERDOGAN")] == [names[2]]
    assert list_speakers(session=session, q="%") == []  # wildcards are literal

    update_speaker(session=session, speaker_id=made[1].id, role="UN rights chief")
    session.expunge_all()  # update_speaker writes on the driver: read the row, not the cache
    updated = get_speaker(session=session, speaker_id=made[1].id)
    assert updated is not None
    assert (updated.name, updated.role) == (names[1], "UN rights chief")
    update_speaker(session=session, speaker_id=made[1].id, role=None)
    session.expunge_all()
    cleared = get_speaker(session=session, speaker_id=made[1].id)
    assert cleared is not None and (cleared.name, cleared.role) == (names[1], None)
    with pytest.raises(NotFoundError):
        update_speaker(session=session, speaker_id=10_000, name="x")


def test_merge_speakers_moves_aliases_quotes_and_credits(session: Session) -> None:
    full, _ = get_or_create_speaker(session=session, name="Samantha Power")
    short, _ = get_or_create_speaker(session=session, name="Power")
    assert full.id is not None and short.id is not None
    add_alias(session=session, speaker_id=short.id, alias="Samantha Power")  # both have this key
    article_id = insert_article(session=session, text="t", origin="a.txt")
    assert article_id is not None
    quote_id = create_quote(session=session, text="shame", normalized="shame", speaker_id=short.id)
    add_appearance(
        session=session,
        quote_id=quote_id,
        article_id=article_id,
        start=0,
        end=1,
        text="t",
        speaker_id=short.id,
    )
    session.commit()

    kept = merge_speakers(session=session, keep_id=full.id, absorb_id=short.id)
    session.commit()
    session.expunge_all()

    assert kept.id == full.id
    assert get_speaker(session=session, speaker_id=short.id) is None
    assert sorted(a.key for a in list_aliases(session=session, speaker_id=full.id)) == [
        "power",
        "samantha power",
    ]
    stored_quote = get_quote(session=session, quote_id=quote_id)
    assert stored_quote is not None and stored_quote.speaker_id == full.id
    assert [a.speaker_id for a in list_appearances(session=session, quote_id=quote_id)] == [full.id]
    with pytest.raises(ValueError):
        merge_speakers(session=session, keep_id=full.id, absorb_id=full.id)
    with pytest.raises(NotFoundError):
        merge_speakers(session=session, keep_id=full.id, absorb_id=short.id)


def test_list_speakers_with_aliases(session: Session) -> None:
    power, _ = get_or_create_speaker(session=session, name="Samantha Power")
    zeid, _ = get_or_create_speaker(session=session, name="Zeid Ra'ad Al Hussein")
    assert power.id is not None and zeid.id is not None
    add_alias(session=session, speaker_id=power.id, alias="Power")
    session.commit()

    every = list_speakers_with_aliases(session=session)
    assert [(s.id, [a.alias for a in aliases]) for s, aliases in every] == [
        (power.id, ["Samantha Power", "Power"]),
        (zeid.id, ["Zeid Ra'ad Al Hussein"]),
    ]
    some = list_speakers_with_aliases(session=session, speaker_ids=[zeid.id])
    assert [s.id for s, _ in some] == [zeid.id]
    assert list_speakers_with_aliases(session=session, speaker_ids=[]) == []
