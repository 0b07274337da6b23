"""Canonical quotes and appearances: counts, filters, pagination, merges and integrity."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from quotetrail.db.articles import get_article, insert_article
from quotetrail.db.errors import NotFoundError
from quotetrail.db.index import SqlQuoteIndex, count_quote_keys
from quotetrail.db.models import Article, Quote
from quotetrail.db.quotes import (
    QuoteRow,
    add_appearance,
    appearance_similarities,
    count_appearances,
    count_quotes,
    create_quote,
    get_appearance,
    get_quote,
    get_quotes,
    list_appearances,
    list_appearances_with_articles,
    list_quotes,
    merge_quotes,
    quote_rows,
    set_appearance_statuses,
    set_similarities,
    update_quote,
)
from quotetrail.db.speakers import get_or_create_speaker

SHAME = "Is there nothing that can shame you?"


def _article(
    session: Session, name: str, published: date | None = None, outlet: str | None = None
) -> Article:
    article_id = insert_article(
        session=session, text=f"text of {name}", origin=name, published_at=published, outlet=outlet
    )
    assert article_id is not None
    article = get_article(session=session, article_id=article_id)
    assert article is not None
    return article


def _quote(session: Session, text: str, speaker_id: int | None = None) -> Quote:
    quote_id = create_quote(
        session=session, text=text, normalized=text.lower(), speaker_id=speaker_id
    )
    quote = get_quote(session=session, quote_id=quote_id)
    assert quote is not None
    return quote


def _appear(session: Session, quote: Quote, article: Article, start: int = 0) -> int:
    assert quote.id is not None and article.id is not None
    appearance = add_appearance(
        session=session,
        quote_id=quote.id,
        article_id=article.id,
        start=start,
        end=start + 5,
        text=quote.text[:5],
    )
    assert appearance.id is not None
    return appearance.id


def test_create_read_and_update_a_quote(session: Session) -> None:
    power, _ = get_or_create_speaker(session=session, name="Samantha Power")
    quote_id = create_quote(
        session=session,
        text=SHAME,
        normalized=SHAME.lower(),
        speaker_id=power.id,
        status_evidence={"speakers": {"Samantha Power": 3}, "note": "ünïcode ok"},
    )
    session.commit()
    session.expunge_all()

    stored = get_quote(session=session, quote_id=quote_id)
    assert stored is not None
    assert (stored.text, stored.normalized, stored.speaker_id) == (SHAME, SHAME.lower(), power.id)
    assert stored.attribution_status == "consistent"
    assert stored.status_evidence == {"speakers": {"Samantha Power": 3}, "note": "ünïcode ok"}
    assert (stored.appearance_count, stored.first_seen) == (0, None)
    assert get_quote(session=session, quote_id=quote_id + 1) is None
    assert quote_rows(session=session, quote_ids=[quote_id, quote_id + 1]) == {
        quote_id: QuoteRow(
            quote_id,
            SHAME,
            power.id,
            "consistent",
            {"speakers": {"Samantha Power": 3}, "note": "ünïcode ok"},
            None,
            0,
        )
    }

    update_quote(
        session=session, quote_id=quote_id, attribution_status="disputed", status_evidence=[1, 2]
    )
    assert quote_rows(session=session, quote_ids=[quote_id])[quote_id].speaker_id == power.id
    update_quote(session=session, quote_id=quote_id, speaker_id=None, text=SHAME + "!")
    session.commit()
    session.expunge_all()
    stored = get_quote(session=session, quote_id=quote_id)
    assert stored is not None
    assert (stored.text, stored.speaker_id, stored.attribution_status) == (
        SHAME + "!",
        None,
        "disputed",
    )
    assert stored.status_evidence == [1, 2]
    with pytest.raises(NotFoundError):
        update_quote(session=session, quote_id=quote_id + 1, text="x")


def test_get_quotes_keeps_the_order_given(session: Session) -> None:
    quotes = [_quote(session, f"quote {i}") for i in range(3)]
    ids = [q.id for q in quotes]
    assert [q.id for q in get_quotes(session=session, quote_ids=[ids[2], 999, ids[0]])] == [
        ids[2],
        ids[0],
    ]
    assert get_quotes(session=session, quote_ids=[]) == []


def test_appearances_keep_count_and_first_seen(session: Session) -> None:
    quote = _quote(session, SHAME)
    late = _article(session, "late", date(2016, 12, 14))
    undated = _article(session, "undated")
    early = _article(session, "early", date(2016, 12, 13))
    _appear(session, quote, late)
    assert (quote.appearance_count, quote.first_seen) == (1, date(2016, 12, 14))
    _appear(session, quote, undated)
    _appear(session, quote, early, start=10)
    session.commit()
    session.expunge_all()

    assert quote.id is not None
    stored = get_quote(session=session, quote_id=quote.id)
    assert stored is not None
    assert (stored.appearance_count, stored.first_seen) == (3, date(2016, 12, 13))
    assert count_appearances(session=session, quote_id=quote.id) == 3

    pairs = list_appearances_with_articles(session=session, quote_ids=[quote.id])
    assert [article.origin for _, article in pairs] == ["early", "late", "undated"]
    assert all(appearance.article_id == article.id for appearance, article in pairs)
    assert list_appearances_with_articles(session=session, quote_ids=[]) == []


def test_appearance_fields_round_trip(session: Session) -> None:
    speaker, _ = get_or_create_speaker(session=session, name="Recep Tayyip Erdogan")
    quote = _quote(session, "war crimes")
    article = _article(session, "002")
    assert quote.id is not None and article.id is not None
    made = add_appearance(
        session=session,
        quote_id=quote.id,
        article_id=article.id,
        start=120,
        end=180,
        text="war crimes",
        kind="fragment",
        speaker_id=speaker.id,
        speaker_as_written="Erdogan",
        cue="said",
        confidence=0.75,
        status="uncertain",
        competing_speakers=("Zeid Ra'ad Al Hussein",),
        similarity=0.93,
    )
    session.commit()
    session.expunge_all()
    assert made.id is not None
    stored = get_appearance(session=session, appearance_id=made.id)
    assert stored is not None
    assert (stored.quote_id, stored.article_id, stored.start, stored.end) == (
        quote.id,
        article.id,
        120,
        180,
    )
    assert (stored.kind, stored.speaker_id, stored.speaker_as_written, stored.cue) == (
        "fragment",
        speaker.id,
        "Erdogan",
        "said",
    )
    assert (stored.confidence, stored.status, stored.similarity) == (0.75, "uncertain", 0.93)
    assert stored.competing_speakers == ["Zeid Ra'ad Al Hussein"]

    set_appearance_statuses(session=session, statuses={made.id: "misattributed"})
    set_similarities(session=session, similarities={made.id: 0.5})
    session.commit()
    session.expunge_all()
    stored = get_appearance(session=session, appearance_id=made.id)
    assert stored is not None
    assert (stored.status, stored.speaker_id, stored.similarity) == (
        "misattributed",
        speaker.id,
        0.5,
    )
    assert stored.competing_speakers == ["Zeid Ra'ad Al Hussein"]
    assert appearance_similarities(session=session, quote_id=quote.id) == [
        (made.id, "war crimes", 0.5)
    ]


def test_list_appearances_by_quote_or_article(session: Session) -> None:
    one, two = _quote(session, "one"), _quote(session, "two")
    a, b = _article(session, "a"), _article(session, "b")
    ids = [_appear(session, one, a), _appear(session, two, a, 10), _appear(session, one, b)]
    assert [x.id for x in list_appearances(session=session, quote_id=one.id)] == [ids[0], ids[2]]
    assert [x.id for x in list_appearances(session=session, article_id=a.id)] == ids[:2]
    assert [x.id for x in list_appearances(session=session, quote_id=one.id, article_id=a.id)] == [
        ids[0]
    ]
    with pytest.raises(ValueError):
        list_appearances(session=session)


def test_add_appearance_refuses_unknown_rows_and_kinds(session: Session) -> None:
    quote, article = _quote(session, "q"), _article(session, "a")
    assert quote.id is not None and article.id is not None
    with pytest.raises(NotFoundError):
        add_appearance(
            session=session, quote_id=quote.id + 1, article_id=article.id, start=0, end=1, text="q"
        )
    with pytest.raises(NotFoundError):
        add_appearance(
            session=session, quote_id=quote.id, article_id=article.id + 1, start=0, end=1, text="q"
        )
    with pytest.raises(ValueError):
        add_appearance(
            session=session,
            quote_id=quote.id,
            article_id=article.id,
            start=0,
            end=1,
            text="q",
            kind="paraphrase",  # type: ignore[arg-type]
        )


def test_a_span_of_an_article_is_one_appearance(session: Session) -> None:
    quote, article = _quote(session, SHAME), _article(session, "a")
    _appear(session, quote, article)
    session.commit()
    with pytest.raises(IntegrityError):
        _appear(session, quote, article)


def test_a_quote_with_appearances_cannot_be_deleted_but_an_article_takes_its_spans(
    session: Session,
) -> None:
    quote, article = _quote(session, SHAME), _article(session, "a")
    _appear(session, quote, article)
    session.commit()

    session.delete(quote)
    with pytest.raises(IntegrityError):  # ON DELETE RESTRICT
        session.commit()
    session.rollback()

    session.delete(article)  # ON DELETE CASCADE
    session.commit()
    assert count_appearances(session=session) == 0
    assert count_quotes(session=session) == 1


def test_list_quotes_filters(session: Session) -> None:
    power, _ = get_or_create_speaker(session=session, name="Samantha Power")
    shame = _quote(session, SHAME, speaker_id=power.id)
    percent = _quote(session, "100% sure, said nobody")
    war = _quote(session, "These may amount to war crimes")
    update_quote(session=session, quote_id=war.id or 0, attribution_status="disputed")
    dec13 = _article(session, "cnn", date(2016, 12, 13), outlet="CNN")
    dec15 = _article(session, "fox", date(2016, 12, 15), outlet="Fox")
    _appear(session, shame, dec13)
    _appear(session, war, dec15)
    _appear(session, percent, dec15, start=10)
    session.commit()

    def ids(**filters: object) -> list[int | None]:
        return [q.id for q in list_quotes(session=session, **filters)]  # type: ignore[arg-type]

    assert ids() == [shame.id, percent.id, war.id]
    assert ids(q="NOTHING that") == [shame.id]
    assert ids(q="100%") == [percent.id]  # % is literal, not a wildcard
    assert ids(q="%") == [percent.id]
    assert ids(q="_") == []
    assert ids(speaker_id=power.id) == [shame.id]
    assert ids(status="disputed") == [war.id]
    assert ids(status=["disputed", "consistent"]) == [shame.id, percent.id, war.id]
    assert ids(outlet="CNN") == [shame.id]
    assert ids(published_from=date(2016, 12, 14)) == [percent.id, war.id]
    assert ids(published_to=date(2016, 12, 13)) == [shame.id]
    assert ids(published_from=date(2016, 12, 13), published_to=date(2016, 12, 13)) == [shame.id]
    assert ids(outlet="CNN", status="disputed") == []


def test_list_quotes_cursor_pagination(session: Session) -> None:
    made = [_quote(session, f"quote {i}").id for i in range(7)]
    session.commit()
    seen: list[int | None] = []
    cursor = None
    while True:
        page = list_quotes(session=session, after_id=cursor, limit=3)
        seen += [q.id for q in page]
        if len(page) < 3:
            break
        cursor = page[-1].id
    assert seen == made

    newest = list_quotes(session=session, descending=True, limit=2)
    assert [q.id for q in newest] == made[::-1][:2]
    older = list_quotes(session=session, descending=True, after_id=newest[-1].id, limit=10)
    assert [q.id for q in older] == made[::-1][2:]


def test_merge_quotes_moves_appearances_and_postings(session: Session) -> None:
    full = _quote(session, SHAME + " Are you truly incapable of shame?")
    cut = _quote(session, SHAME)
    other = _quote(session, "Aleppo will join the ranks")
    assert full.id is not None and cut.id is not None and other.id is not None
    index = SqlQuoteIndex(session)
    index.add(full.id, ["nothing shame", "truly incapable"])
    index.add(cut.id, ["nothing shame", "can shame"])
    index.add(other.id, ["join ranks"])
    a = _article(session, "001", date(2016, 12, 14))
    b = _article(session, "002", date(2016, 12, 13))
    _appear(session, full, a)
    moved = [_appear(session, cut, b), _appear(session, cut, a, start=100)]
    session.commit()

    merge_quotes(session=session, keep_id=full.id, absorb_id=cut.id)
    session.commit()
    session.expunge_all()

    assert get_quote(session=session, quote_id=cut.id) is None
    stored = get_quote(session=session, quote_id=full.id)
    assert stored is not None
    assert (stored.appearance_count, stored.first_seen) == (3, date(2016, 12, 13))
    by_quote = list_appearances(session=session, quote_id=full.id)
    assert set(moved) <= {x.id for x in by_quote}
    assert list_appearances(session=session, quote_id=cut.id) == []
    assert index.keys_of(full.id) == {"nothing shame", "truly incapable", "can shame"}
    assert count_quote_keys(session=session, quote_id=cut.id) == 0
    assert index.candidate_ids(["can shame"], limit=5) == [full.id]
    assert index.keys_of(other.id) == {"join ranks"}  # bystanders untouched
    assert count_quotes(session=session) == 2

    with pytest.raises(ValueError):
        merge_quotes(session=session, keep_id=full.id, absorb_id=full.id)
    with pytest.raises(NotFoundError):
        merge_quotes(session=session, keep_id=full.id, absorb_id=cut.id)
