"""Misspelt lookups: when the first result is not settled, the rarest words are respelt."""

from __future__ import annotations

from collections.abc import Callable, Collection

import pytest
from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy import Engine

from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.pipeline.match import (
    RESPELL_MAX_LENGTH,
    index_keys,
    one_edit_away,
    respellable_words,
    respelling_probes,
    respelt_keys,
)
from quotetrail.service import lookup as lookup_module
from quotetrail.service.lookup import (
    RESPELL_MAX_HELD,
    RESPELL_MAX_TEXT_WORDS,
    RESPELL_MAX_WORDS,
    TIE_POOL,
    known_respellings,
    lookup,
)
from quotetrail.service.lookup_records import lookup_records

# The conftest fixture storing canonical quotes.
Store = Callable[[list[str]], list[int]]

WANTED = "We must rebuild the harbour wall"
# A letter dropped: the only keys it shares with WANTED are "rebuild" and "wall".
QUERY = "We must rebuild the harbur wall"


def _first(engine: Engine, path: str, text: str) -> int | None:
    with session_scope(create_session_factory(engine)) as session:
        if path == "cli":
            found = lookup(session=session, text=text, limit=5)
            return found[0].quote.id if found else None
        records = lookup_records(session=session, text=text, limit=5)
        return records[0]["quote"]["id"] if records else None


@pytest.fixture
def hidden(store_quotes: Store) -> int:
    """The quote meant, stored after more look-alikes than a tied lookup reads (TIE_POOL): the
    words the query shares with it are theirs too, so without its misspelt word it is not found."""
    look_alikes = [f"We must rebuild the dock{n} wall" for n in range(TIE_POOL + 1)]
    return store_quotes([*look_alikes, WANTED])[-1]


@pytest.mark.parametrize("path", ["cli", "api"])
def test_a_misspelt_word_is_respelt_to_find_the_quote(
    engine: Engine, hidden: int, path: str
) -> None:
    assert _first(engine, path, QUERY) == hidden


@pytest.mark.parametrize("path", ["cli", "api"])
def test_without_respelling_the_quote_is_not_found(
    engine: Engine, hidden: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookup_module, "respelling_probes", lambda text, words: {})
    assert _first(engine, path, QUERY) != hidden


@pytest.mark.parametrize("path", ["cli", "api"])
def test_a_confirmed_first_result_is_not_respelt(
    engine: Engine, hidden: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(text: str, words: Collection[str]) -> dict[str, tuple[int, str]]:
        raise AssertionError("respelt although the first result was confirmed")

    monkeypatch.setattr(lookup_module, "respelling_probes", fail)
    assert _first(engine, path, WANTED) == hidden


def _respelt_words(engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """The words known_respellings respells in `text` (spied on: nothing is found)."""
    respelt: list[list[str]] = []

    def spy(text: str, words: Collection[str]) -> dict[str, tuple[int, str]]:
        respelt.append(list(words))
        return {}

    monkeypatch.setattr(lookup_module, "respelling_probes", spy)
    with session_scope(create_session_factory(engine)) as session:
        assert known_respellings(session=session, text=text) == frozenset()
    return respelt[0] if respelt else []


def test_the_rarest_words_are_respelt_first_in_the_text_on_a_tie(
    engine: Engine, store_quotes: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_quotes(["Tourists praised the restored lighthouse again"])
    text = "Tourists praised the resotred lighthuose yesterday evening"
    # The index holds keys of "tourists" and "praised", none of the four other words: the first
    # two of those in the text are respelt.
    assert RESPELL_MAX_WORDS == 2
    assert _respelt_words(engine, monkeypatch, text) == ["resotred", "lighthuose"]


@pytest.mark.parametrize("held", [RESPELL_MAX_HELD, RESPELL_MAX_HELD + 1])
def test_only_words_held_by_few_quotes_are_respelt(
    engine: Engine, store_quotes: Store, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    store_quotes([f"The lighthouse dock{n} reopened" for n in range(held)])
    respelt = _respelt_words(engine, monkeypatch, "The lighthouse resotred")
    assert respelt == (["resotred", "lighthouse"] if held <= RESPELL_MAX_HELD else ["resotred"])
    assert _respelt_words(engine, monkeypatch, "The lighthouse") == (
        ["lighthouse"] if held <= RESPELL_MAX_HELD else []
    )


@pytest.mark.parametrize("count", [RESPELL_MAX_TEXT_WORDS, RESPELL_MAX_TEXT_WORDS + 1])
def test_a_text_with_too_many_words_to_respell_is_not_respelt(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    # Made-up words no quote holds: each could be misspelt.
    words = [f"zorb{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(count)]
    respelt = _respelt_words(engine, monkeypatch, " ".join(words))
    assert respelt == (words[:2] if count <= RESPELL_MAX_TEXT_WORDS else [])


def test_one_edit_away_is_every_spelling_at_distance_one() -> None:
    spellings = one_edit_away("harbur")
    assert {"harbour", "harbor", "harbr", "hrabur", "harburs"} <= spellings
    assert "harbur" not in spellings
    assert all(DamerauLevenshtein.distance(s, "harbur") == 1 for s in spellings)
    # 6 letters dropped, 5 swapped, 25 changed per letter, 26 added per place, less repeats.
    assert len(spellings) <= 6 + 5 + 25 * 6 + 26 * 7


def test_respellable_words_are_long_letter_words_with_their_keys() -> None:
    text = "The 1984 plan for Newport harbour, by Smith, was abandoned " + "x" * 30
    words = respellable_words(text)
    assert set(words) == {"newport", "harbour", "smith", "abandoned"}  # no digits, short or long
    assert all(len(w) <= RESPELL_MAX_LENGTH for w in words)
    assert words["harbour"] == {"harbour", "newport harbour", "harbour smith"}
    assert set().union(*words.values()) <= index_keys(text)


def test_respelt_keys_are_the_keys_of_the_text_spelt_right() -> None:
    probes = respelling_probes(QUERY, ["harbur"])
    assert probes["harbour wall"] == (1, "harbour")  # of the content words rebuild, harbur, wall
    assert "rebuild harbour" not in probes  # one probe per spelling: its next word's pair
    assert respelt_keys(QUERY, [probes["harbour wall"]]) == index_keys(WANTED) - index_keys(QUERY)
    assert respelling_probes(QUERY, []) == {}
