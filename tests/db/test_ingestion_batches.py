"""Ingestion's set-based writes and reads: appearances in one insert, verdict rows, statuses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from quotetrail.db.articles import get_article, insert_article
from quotetrail.db.index import SqlQuoteIndex, key_frequencies
from quotetrail.db.models import Article, ArticleKind
from quotetrail.db.quotes import (
    add_appearances,
    create_quote,
    get_quote,
    get_quote_texts,
    list_appearances,
    quote_rows,
    set_appearance_statuses,
    set_verdicts,
    verdict_rows,
)
from quotetrail.db.speakers import (
    AliasRow,
    SpeakerRow,
    add_aliases,
    find_speakers_with_aliases,
    get_or_create_speaker,
)


def _article(
    session: Session, text: str, published: date | None = None, kind: ArticleKind = "news"
) -> Article:
    article_id = insert_article(
        session=session, text=text, origin=text, published_at=published, kind=kind
    )
    assert article_id is not None
    article = get_article(session=session, article_id=article_id)
    assert article is not None
    return article


def test_add_appearances_keeps_counts_and_first_seen(session: Session) -> None:
    quote_id = create_quote(session=session, text="Words said once.", normalized="words said once")
    late = _article(session, "a", date(2020, 5, 1))
    early = _article(session, "b", date(2019, 1, 1))
    assert late.id and early.id
    add_appearances(
        session=session,
        quote_id=quote_id,
        article_id=late.id,
        published=late.published_at,
        appearances=[
            {"start": 0, "end": 5, "text": "Words", "competing_speakers": ("X",)},
            {"start": 6, "end": 10, "text": "said", "kind": "fragment", "similarity": 0.5},
        ],
    )
    stored = quote_rows(session=session, quote_ids=[quote_id])[quote_id]
    assert (stored.appearance_count, stored.first_seen) == (2, date(2020, 5, 1))
    add_appearances(
        session=session,
        quote_id=quote_id,
        article_id=early.id,
        published=early.published_at,
        appearances=[{"start": 0, "end": 5, "text": "Words"}],
    )
    add_appearances(  # undated: first_seen unchanged
        session=session, quote_id=quote_id, article_id=early.id, published=None,
        appearances=[{"start": 7, "end": 9, "text": "ds"}],
    )  # fmt: skip
    stored = quote_rows(session=session, quote_ids=[quote_id])[quote_id]
    assert (stored.appearance_count, stored.first_seen) == (4, date(2019, 1, 1))
    session.expunge_all()  # and as the ORM reads them back
    quote = get_quote(session=session, quote_id=quote_id)
    assert quote is not None
    assert (quote.appearance_count, quote.first_seen) == (4, date(2019, 1, 1))
    rows = list_appearances(session=session, quote_id=quote_id)
    assert [r.kind for r in rows] == ["direct", "fragment", "direct", "direct"]
    assert rows[0].competing_speakers == ["X"] and rows[1].similarity == 0.5
    with pytest.raises(ValueError):
        add_appearances(
            session=session, quote_id=quote_id, article_id=early.id, published=None,
            appearances=[{"start": 20, "end": 25, "text": "x", "kind": "scare"}],
        )  # fmt: skip


def test_verdict_rows_and_statuses(session: Session) -> None:
    quote_id = create_quote(session=session, text="Said words here.", normalized="said words here")
    other_id = create_quote(
        session=session, text="Other words here.", normalized="other words here"
    )
    undated = _article(session, "u", kind="primary")
    dated = _article(session, "d", date(2021, 1, 1))
    assert undated.id and dated.id
    for article in (undated, dated):
        add_appearances(
            session=session, quote_id=quote_id, article_id=article.id or 0,
            published=article.published_at, appearances=[{"start": 0, "end": 4, "text": "Said"}],
        )  # fmt: skip
    rows = verdict_rows(session=session, quote_ids=[quote_id])
    assert [(r["article_id"], r["article_kind"], r["published"]) for r in rows] == [
        (dated.id, "news", date(2021, 1, 1)),
        (undated.id, "primary", None),  # undated last
    ]
    assert verdict_rows(session=session, quote_ids=[]) == []
    set_appearance_statuses(session=session, statuses={rows[0]["id"]: "misattributed"})
    again = {r["id"]: r["status"] for r in verdict_rows(session=session, quote_ids=[quote_id])}
    assert again == {rows[0]["id"]: "misattributed", rows[1]["id"]: "consistent"}
    assert get_quote_texts(session=session, quote_ids=[other_id, 999]) == {
        other_id: "Other words here."
    }


def test_set_verdicts_stores_each_quotes_own_verdict(session: Session) -> None:
    speaker, _ = get_or_create_speaker(session=session, name="Ada Lovelace")
    first = create_quote(session=session, text="First words.", normalized="first words")
    second = create_quote(session=session, text="Second words.", normalized="second words")
    untouched = create_quote(session=session, text="Third words.", normalized="third words")
    set_verdicts(
        session=session,
        verdicts={
            second: (None, "uncertain", []),
            first: (speaker.id, "disputed", ["Two outlets credit someone else."]),
            9999: (None, "uncertain", []),  # unknown: changes nothing
        },
    )
    rows = quote_rows(session=session, quote_ids=[first, second, untouched])
    assert (rows[first].speaker_id, rows[first].attribution_status) == (speaker.id, "disputed")
    assert rows[first].status_evidence == ["Two outlets credit someone else."]
    assert (rows[second].speaker_id, rows[second].attribution_status) == (None, "uncertain")
    assert rows[second].status_evidence == []
    assert rows[untouched].attribution_status == "consistent"
    assert rows[untouched].status_evidence is None


def test_adding_keys_a_quote_has_counts_only_the_new_ones(session: Session) -> None:
    quote_id = create_quote(session=session, text="Some words.", normalized="some words")
    index = SqlQuoteIndex(session)
    index.add(quote_id, ["a b", "c d"])
    index.add(quote_id, ["c d", "e f"])
    assert index.keys_of(quote_id) == {"a b", "c d", "e f"}
    assert key_frequencies(session=session, keys=["a b", "c d", "e f"]) == {
        "a b": 1,
        "c d": 1,
        "e f": 1,
    }


def test_speakers_with_aliases_by_keys_in_one_query(session: Session) -> None:
    power, _ = get_or_create_speaker(session=session, name="Samantha Power", key="samantha power")
    other, _ = get_or_create_speaker(session=session, name="Boris Johnson")
    assert power.id and other.id
    add_aliases(session=session, speaker_id=power.id, alias="Power", keys=["power", "power"])
    add_aliases(session=session, speaker_id=power.id, alias="Power", keys=["power"])  # no-op
    found = find_speakers_with_aliases(session=session, keys=["power", "nobody"])
    assert [(s.id, sorted(a.key for a in aliases)) for s, aliases in found] == [
        (power.id, ["power", "samantha power"])
    ]
    assert found == [  # plain rows: the speaker's fields, its aliases oldest first
        (
            SpeakerRow(power.id, "Samantha Power", None, "person"),
            [AliasRow("Samantha Power", "samantha power"), AliasRow("Power", "power")],
        )
    ]
    assert find_speakers_with_aliases(session=session, keys=[]) == []
