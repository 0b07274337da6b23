"""Property tests the pipeline tests (tests/pipeline) did not have yet: extraction over any
Unicode and over generated news prose (never raises; offsets slice the stored text to the
returned text; utterances group without losing a quotation), and re-ingesting any article
changes nothing in the database. Normalisation idempotence and matching symmetry are in
tests/pipeline/test_normalize.py and test_match.py."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reltools import snapshot  # first: it puts tests/api (apitools) on the path
from sqlalchemy import Engine

from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.utterances import group_utterances
from quotetrail.service.ingest import ingest_article

NAMES = ["Ada Quill", "Samantha Power", "the minister", "a witness", "BC Hydro", "He", "she"]
CUES = ["said", "told reporters", "added", "wrote", "according to"]
WORDS = "we will not leave anyone behind in the flooded valley tonight nor tomorrow".split()
MARKS = [('"', '"'), ("“", "”"), ("‘", "’"), ("'", "'"), ("«", "»"), ("“", "")]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14)))
    opening, closing = draw(st.sampled_from(MARKS))
    name, cue = draw(st.sampled_from(NAMES)), draw(st.sampled_from(CUES))
    form = draw(st.integers(0, 4))
    if form == 0:
        return f"{opening}{words.capitalize()},{closing} {name} {cue}."
    if form == 1:
        return f"{name} {cue}: {opening}{words.capitalize()}.{closing}"
    if form == 2:
        return f"{opening}{words},{closing} {cue} {name}. {opening}{words}.{closing}"
    if form == 3:
        return f"{name.capitalize()} called it {opening}{words}{closing} on Monday."
    return words.capitalize() + "."


@st.composite
def articles(draw: st.DrawFn) -> str:
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=3), max_size=6))
    separator = draw(st.sampled_from(["\n\n", "\n", "\n \u00a0\n", "\r\n\r\n"]))
    return separator.join(" ".join(p) for p in paragraphs)


ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=400,
)


def _check_extraction(text: str) -> None:
    document = document_from_text(text)
    found = extract_quotations(document)
    for quotation in found:
        assert 0 <= quotation.start < quotation.end <= len(text)
        assert text[quotation.start : quotation.end] == quotation.text
        assert 0.0 <= quotation.confidence <= 1.0
    grouped = [q for parts in group_utterances(document, found) for q in parts]
    assert sorted((q.start, q.end) for q in grouped) == sorted((q.start, q.end) for q in found)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_extraction_of_any_unicode_slices_the_text(text: str) -> None:
    _check_extraction(text)


@settings(max_examples=150, deadline=None)
@given(articles())
def test_extraction_of_generated_news_prose_slices_the_text(text: str) -> None:
    _check_extraction(text)


@pytest.fixture(scope="module")
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'properties.db'}"
        upgrade_to_head(url)
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=articles().filter(lambda t: t.strip() != ""), kind=st.sampled_from(["news", "primary"]))
def test_reingesting_any_article_changes_nothing(
    sqlite_engine: Engine, text: str, kind: str
) -> None:
    factory = create_session_factory(sqlite_engine, write=True)
    with session_scope(factory) as session:
        ingest_article(session=session, text=text, origin="first", kind=kind)  # type: ignore[arg-type]
    before = snapshot(sqlite_engine)
    with session_scope(factory) as session:
        again = ingest_article(session=session, text=text, origin="second", kind=kind)  # type: ignore[arg-type]
    assert not again.created and again.appearances == 0
    assert snapshot(sqlite_engine).checksums() == before.checksums()
