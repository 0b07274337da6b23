"""Tests for quotetrail.pipeline.normalize."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotetrail.pipeline.normalize import normalize, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # case folding and whitespace
        ("  Hello\tWORLD \n", "hello world"),
        ("stra\u00dfe", "strasse"),
        # NBSP, narrow NBSP, ideographic and zero-width characters
        ("air\u00a0strikes\u202fnow\u3000here", "air strikes now here"),
        ("cease\u200bfire\u00adless", "ceasefireless"),
        # NFKC: ligatures and full-width forms
        ("\ufb01nal \uff21\uff22", "final ab"),
        # quote marks and apostrophes
        ("\u201cIt\u2019s done,\u201d she said", "it's done she said"),
        ("'It's done,' she said", "it's done she said"),
        ("the rebels\u2019 guns", "the rebels guns"),
        ("\u00abBonjour\u00bb", "bonjour"),
        # hyphens join, dashes separate (with or without spaces)
        ("cease\u2010fire", "cease-fire"),
        ("noose \u2013 three", "noose three"),
        ("noose\u2014three", "noose three"),
        ("noose -- three", "noose three"),
        # bracketed editorial insertions, nested too
        ("Perhaps he's [Erdogan] looking", "perhaps he's looking"),
        ("a [b [c] d] e", "a e"),
        # ellipses of every spelling
        ("Is there\u2026 nothing... that . . . can", "is there nothing that can"),
        ("We will [...] fight", "we will fight"),
        # initialisms and numbers
        ("three member states of the U.N.", "three member states of the un"),
        ("the U.S. and the UK", "the us and the uk"),
        ("6,000 people; 3.5 percent.", "6000 people 3.5 percent"),
        ("", ""),
        ("?!\u2026", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_punctuation_variants_normalise_alike() -> None:
    a = "It is your noose \u2013 three member states of the U.N. \u2013 contributing."
    b = "It is your noose. Three Member States of the UN contributing"
    assert normalize(a) == normalize(b)


def test_sentence_end_is_not_an_initialism() -> None:
    assert normalize("the end.A new day") == "the end a new day"


def test_tokens_join_hyphenated_compounds_and_elisions() -> None:
    assert tokens("The cease-fire held") == ["the", "ceasefire", "held"]
    assert tokens("The ceasefire held") == ["the", "ceasefire", "held"]
    assert tokens("Ban Ki\u2011moon's office") == ["ban", "kimoons", "office"]
    assert tokens("It\u2019s") == tokens("It's") == ["its"]


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        # "\u00b4", an acute accent typed for an apostrophe, included: NFKC splits it.
        ("\u2018\u2019\u201a\u201b\u2032\u2035`\u00b4\u02bc\u02bb\u02bd\uff07", "it's done"),
        ("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\u301f\uff02", "it s done"),
        ("\u2010\u2011\u2212\ufe63\uff0d", "it-s done"),
        ("\u2012\u2013\u2014\u2015\u2043\u2e3a\u2e3b\ufe58", "it s done"),
    ],
)
def test_every_typographic_mark_is_unified(marks: str, expected: str) -> None:
    # Each mark alone, in an otherwise ASCII text and next to other non-ASCII letters.
    for mark in marks:
        assert normalize(f"It{mark}s done") == expected
        assert normalize(f"It{mark}s done, café") == f"{expected} café"


def test_tokens_keep_split_compounds_split() -> None:
    # Spaced compounds are the matcher's business (it compares with spaces removed).
    assert tokens("air strikes") == ["air", "strikes"]


def test_tokens_of_nothing() -> None:
    assert tokens(" \u2026 [note] ") == []


@settings(max_examples=500)
@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=500)
@given(
    st.text(
        alphabet=st.sampled_from(list("aZé.-'\u2019[] \u2026,1\u0301\u200b\u0130\u00df\u2014\""))
    )
)
def test_normalize_is_idempotent_on_tricky_characters(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_tokens_are_non_empty_words(text: str) -> None:
    assert all(word and " " not in word for word in tokens(text))
