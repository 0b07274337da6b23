"""Ingestion end to end on SQLite and PostgreSQL: the seeds, a primary source, idempotency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.models import Appearance, Article, Quote, QuoteKey, Speaker, SpeakerAlias
from quotetrail.db.quotes import list_appearances
from quotetrail.db.speakers import find_speakers_by_alias
from quotetrail.service import ingest as ingest_module
from quotetrail.service.ingest import IngestResult, ingest_article
from quotetrail.service.lookup import lookup

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"
SEED_DATES = {"000": date(2016, 12, 14)}
WAR_CRIMES = "almost certainly a violation of international law"


def _ingest(engine: Engine, path: Path, *, kind: str = "news") -> IngestResult:
    with session_scope(create_session_factory(engine, write=True)) as session:
        return ingest_article(
            session=session,
            text=path.read_text(encoding="utf-8"),
            origin=path.name,
            published=SEED_DATES.get(path.name[:3]),
            kind=kind,  # type: ignore[arg-type]
        )


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """A database holding the five seed articles."""
    for path in SEEDS:
        _ingest(engine, path)
    return engine


def _read(engine: Engine, query: Callable[[Session], object]) -> object:
    with session_scope(create_session_factory(engine)) as session:
        return query(session)


def _appearances(session: Session, origin_prefix: str) -> list[Appearance]:
    article = session.exec(select(Article).where(Article.origin.startswith(origin_prefix))).one()
    assert article.id is not None
    return list_appearances(session=session, article_id=article.id)


def _containing(session: Session, origin_prefix: str, words: str) -> Appearance:
    (found,) = [a for a in _appearances(session, origin_prefix) if words in a.text]
    return found


def _counts(session: Session) -> dict[str, int]:
    tables = {
        "articles": Article,
        "quotes": Quote,
        "appearances": Appearance,
        "speakers": Speaker,
        "aliases": SpeakerAlias,
        "keys": QuoteKey,
    }
    return {
        name: session.exec(select(func.count()).select_from(table)).one()
        for name, table in tables.items()
    }


def test_power_cuts_in_three_articles_are_one_quote(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        noose = _containing(session, "001", "It is your noose")
        shame = _containing(session, "002", "Is there nothing that can shame you?")
        block = _containing(session, "003", "Aleppo will join the ranks")
        assert noose.quote_id == shame.quote_id == block.quote_id
        quote = session.get(Quote, noose.quote_id)
        assert quote is not None
        # The most complete wording is canonical: 003's block.
        assert quote.text == block.text
        assert quote.appearance_count == 3
        speaker = session.get(Speaker, quote.speaker_id)
        assert speaker is not None and speaker.name == "Samantha Power"
        assert 0.8 <= shame.similarity < 1.0
        assert block.similarity == 1.0


def test_walsh_fragment_joins_his_full_sentence(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        fragment = _containing(session, "000", "what they consider to be a massacre")
        full = _containing(session, "000", "We are already hearing the Taliban")
        assert fragment.kind == "fragment"
        assert fragment.quote_id == full.quote_id
        quote = session.get(Quote, full.quote_id)
        assert quote is not None and quote.text == full.text


def test_split_quotations_join(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        first = _containing(session, "000", "Well, Turkey has made it clear")
        second = _containing(session, "000", "Now, that's partly because")
        assert first.quote_id == second.quote_id
        quote = session.get(Quote, first.quote_id)
        assert quote is not None
        assert quote.text.startswith(first.text) and quote.text.endswith(second.text)


def test_different_quotes_stay_apart(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        quote_ids = {a.quote_id for a in _appearances(session, "002")}
        assert len(quote_ids) == 4  # Erdogan/Zeid, Ban, Power, French


def test_erdogan_credited_sentence_is_uncertain_with_zeid_competing(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        appearance = _containing(session, "002", WAR_CRIMES)
        assert appearance.status == "uncertain"
        assert any("Zeid" in name for name in appearance.competing_speakers)
        quote = session.get(Quote, appearance.quote_id)
        assert quote is not None
        assert quote.attribution_status == "uncertain"
        speaker = session.get(Speaker, quote.speaker_id)
        assert speaker is not None and "Erdogan" in speaker.name
        assert any("Zeid" in sentence for sentence in quote.status_evidence)


def test_a_primary_source_makes_it_a_misattribution(seeded: Engine) -> None:
    result = _ingest(seeded, PRIMARY, kind="primary")
    assert result.created and result.appearances == 1 and result.new_quotes == 0
    with session_scope(create_session_factory(seeded)) as session:
        news = _containing(session, "002", WAR_CRIMES)
        primary = _containing(session, "ohchr", WAR_CRIMES)
        assert news.quote_id == primary.quote_id
        quote = session.get(Quote, news.quote_id)
        assert quote is not None
        assert quote.attribution_status == "disputed"
        speaker = session.get(Speaker, quote.speaker_id)
        assert speaker is not None and speaker.name.startswith("Zeid Ra")
        assert news.status == "misattributed"
        assert primary.status == "consistent"
        assert quote.text == primary.text  # the primary source's wording wins
        assert any("primary source" in sentence for sentence in quote.status_evidence)


def test_reingesting_changes_nothing(seeded: Engine) -> None:
    before = _read(seeded, _counts)
    for path in SEEDS:
        result = _ingest(seeded, path)
        assert not result.created
        assert result.appearances == 0
    assert _read(seeded, _counts) == before


def test_a_failing_article_leaves_nothing_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**_: object) -> None:
        raise RuntimeError("disk on fire")

    # Everything but the verdicts is written by then: article, speakers, quotes, appearances.
    monkeypatch.setattr(ingest_module, "refresh_verdicts", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _ingest(engine, SEEDS[2])
    assert set(_read(engine, _counts).values()) == {0}  # type: ignore[union-attr]


def test_lookup_finds_power_first_with_her_three_appearances(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        found = lookup(session=session, text="Is there nothing that can shame you?", limit=5)
        assert found
        best = found[0]
        assert best.score >= 0.8
        # 002 cut Power's words down to this sentence; the canonical quote is 003's block.
        assert best.quote.text.startswith("Aleppo will join the ranks")
        speaker = session.get(Speaker, best.quote.speaker_id)
        assert speaker is not None and speaker.name == "Samantha Power"
        origins = sorted(article.origin[:3] for _, article in best.appearances)
        assert origins == ["001", "002", "003"]
        assert all(match.score < best.score for match in found[1:])


def test_lookup_of_unknown_words_finds_nothing(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        assert lookup(session=session, text="zebras prefer marmalade sandwiches", limit=5) == []


def test_speaker_aliases_resolve_to_one_speaker(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded)) as session:
        # Power is credited in three articles, as three different mentions.
        (power,) = find_speakers_by_alias(session=session, key="samantha power")
        aliases = {a.alias for a in session.exec(select(SpeakerAlias)) if a.speaker_id == power.id}
        assert "UN Ambassador Samantha Power" in aliases
        assert "he" not in {a.alias for a in session.exec(select(SpeakerAlias))}
        walsh = find_speakers_by_alias(session=session, key="nick paton walsh")
        assert len(walsh) == 1
        assert walsh[0].name == "Nick Paton Walsh"


def test_a_fuller_name_later_names_the_speaker(engine: Engine) -> None:
    texts = [
        '"We will open the corridor tomorrow morning," said Turkish President Recep Erdogan.',
        '"The corridor stays open for civilians until everyone is out," said Recep Tayyip '
        "Erdogan, the Turkish president.",
    ]
    factory = create_session_factory(engine, write=True)
    for number, text in enumerate(texts):
        with session_scope(factory) as session:
            ingest_article(session=session, text=text, origin=f"test-{number}")
    with session_scope(create_session_factory(engine)) as session:
        speakers = list(session.exec(select(Speaker)))
        assert [s.name for s in speakers] == ["Recep Tayyip Erdogan"]
        assert speakers[0].role


def test_same_surname_different_people_stay_apart(engine: Engine) -> None:
    texts = [
        '"The harbour will reopen in the spring," said Ada Quill, the harbour master.',
        '"Our orchard lost half of its apple trees," said Bertram Quill, a farmer.',
    ]
    factory = create_session_factory(engine, write=True)
    for number, text in enumerate(texts):
        with session_scope(factory) as session:
            ingest_article(session=session, text=text, origin=f"test-{number}")
    with session_scope(create_session_factory(engine)) as session:
        names = sorted(s.name for s in session.exec(select(Speaker)))
        assert names == ["Ada Quill", "Bertram Quill"]


def test_a_longer_version_absorbs_every_quote_it_contains_however_few_keys_are_read(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every key of both shorter quotes is equally rare; the first one's sort first, so the
    # rarest keys read for the longer version are all its own.
    first = "Ambitious budgets create durable bridges and decent clinics."
    second = "Stronger unions support wage talks throughout winter."
    monkeypatch.setattr(ingest_module, "MATCH_KEYS", 4)
    factory = create_session_factory(engine, write=True)
    results = []
    for number, said in enumerate(
        (first, second, f"{first[:-1]}, and {second[0].lower()}{second[1:]}")
    ):
        with session_scope(factory) as session:
            text = f'Dana Whitfield, the mayor, said: "{said}"'
            results.append(ingest_article(session=session, text=text, origin=f"test-{number}"))
    assert [r.new_quotes for r in results] == [1, 1, 0]
    assert results[2].merged_quotes == 1
    with session_scope(create_session_factory(engine)) as session:
        (quote,) = session.exec(select(Quote))
        assert quote.text.startswith("Ambitious") and quote.text.endswith("throughout winter.")
        assert quote.appearance_count == 3


def test_a_reprint_sharing_no_word_pair_with_its_quote_still_joins_it(engine: Engine) -> None:
    # Two typos break each of the four word pairs of this quotation, and the matcher takes them
    # for one change of a content word: offered by word pairs alone, it would be a new quote.
    said = ["Farmers rebuilt fourteen wooden bridges.", "Farmers rebuolt fourteen woiden bridges."]
    factory = create_session_factory(engine, write=True)
    results = []
    for number, words in enumerate(said):
        with session_scope(factory) as session:
            text = f'Dana Whitfield, the mayor, said: "{words}"'
            results.append(ingest_article(session=session, text=text, origin=f"test-{number}"))
    assert [r.new_quotes for r in results] == [1, 0]
    with session_scope(create_session_factory(engine)) as session:
        (quote,) = session.exec(select(Quote))
        assert quote.appearance_count == 2


def test_concurrent_ingestions_create_one_canonical_quote(engine: Engine) -> None:
    words = "We will not leave anyone behind in the flooded valley tonight"
    texts = [f'"{words}," the governor, Ada Quill, said on {day}.' for day in ("Monday", "Tuesday")]
    factory = create_session_factory(engine, write=True)
    barrier = threading.Barrier(len(texts))
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            with session_scope(factory) as session:
                ingest_article(session=session, text=texts[number], origin=f"t{number}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = _read(engine, _counts)
    assert counts["quotes"] == 1 and counts["appearances"] == 2  # type: ignore[index]
