"""Tests for quotetrail.pipeline.match."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotetrail.pipeline import match
from quotetrail.pipeline.match import (
    MAX_KEYS,
    Candidate,
    Match,
    Wording,
    best_match,
    canonical_text,
    find_matches,
    index_keys,
    lookup_scores,
    pair_keys,
)

GOLD = Path(__file__).resolve().parents[2] / "seeds" / "seeds.gold.json"

# Synthetic quotes; none of the rules in match.py knows any of these words.
LONG = (
    "The city will be remembered as a place where the world looked away. Your artillery and "
    "your air strikes have trapped tens of thousands of families in a shrinking pocket. It "
    "should shame you. Is there literally nothing that can shame you? Is there no act of "
    "cruelty that makes you stop?"
)


def one(text: str, other: str) -> Match | None:
    return best_match(text, [Candidate(id=1, text=other)])


def relation(text: str, other: str) -> str | None:
    found = one(text, other)
    return None if found is None else found.relation


# --- relations that must join -----------------------------------------------------------------


def test_verbatim_ignores_case_punctuation_marks_and_dashes() -> None:
    a = "\u201cIt is your noose \u2013 three member states of the U.N. \u2013 contributing.\u201d"
    b = "It is your noose. Three Member States of the UN contributing"
    assert one(a, b) == Match(id=1, relation="verbatim", score=1.0)


def test_fragment_inside_a_longer_quote_with_a_changed_article() -> None:
    fragment = "what they consider to be a massacre"
    full = (
        "We are already hearing the militia in the north condemning what they consider to be "
        "the massacre in the city,"
    )
    found = one(fragment, full)
    assert found is not None and found.relation == "excerpt"
    assert relation(full, fragment) == "contains"


def test_cut_with_a_dropped_word() -> None:
    assert relation("Is there nothing that can shame you?", LONG) == "excerpt"
    assert relation(LONG, "Is there nothing that can shame you?") == "contains"


def test_cut_marked_with_ellipses() -> None:
    assert relation("... Is there literally nothing that can shame you? ...", LONG) == "excerpt"


def test_cut_that_elides_the_middle() -> None:
    cut = (
        "Your artillery and your air strikes have trapped tens of thousands \u2026 It should shame."
    )
    cut = cut.replace("shame.", "shame you.")
    assert relation(cut, LONG) == "excerpt"


def test_a_dropped_word_in_the_whole_sentence_is_a_rewording() -> None:
    a = "Is there literally nothing that can shame you?"
    b = "Is there nothing that can shame you?"
    assert relation(a, b) == "reworded"
    assert relation(b, a) == "reworded"


def test_spaced_and_closed_compounds() -> None:
    a = "Your artillery and your air strikes have trapped tens of thousands of families"
    b = "Your artillery and your airstrikes have trapped tens of thousands of families"
    found = one(a, b)
    assert found is not None and found.relation == "reworded" and found.score > 0.95
    assert (
        relation(
            "The cease-fire has broken down in the east",
            "The ceasefire has broken down in the east",
        )
        == "verbatim"
    )
    assert (
        relation(
            "The cease fire has broken down in the east",
            "The ceasefire has broken down in the east",
        )
        == "reworded"
    )


def test_contractions_and_spelled_out_negations_align() -> None:
    assert (
        relation("We don't accept this agreement at all", "We do not accept this agreement at all")
        == "reworded"
    )


def test_typo_in_a_long_word() -> None:
    a = "The massacre in the city must stop before more families die"
    b = "The masacre in the city must stop before more families die"
    found = one(a, b)
    assert found is not None and found.relation == "reworded" and 0.9 < found.score < 1.0
    # Two edits are a typo only in a long word.
    assert (
        relation(
            "This is a turning point, certianly, in terms of rebel losses",
            "This is a turning point, certainly, in terms of rebel losses",
        )
        == "reworded"
    )


def test_typo_in_a_short_word_is_a_different_word() -> None:
    # "held"/"hold" differ by one letter, but a four-letter word that changes is a new word.
    assert (
        one(
            "The agreement held for three days in the east",
            "The agreement hold for three days in the east",
        )
        is None
    )


# --- relations that must not join -------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # one topic, different sentences
        ("The ceasefire in the city has collapsed", "The ceasefire in the city has held"),
        (
            "The ceasefire must hold so that civilians can leave the eastern districts.",
            "The ceasefire has collapsed and civilians cannot leave the eastern districts.",
        ),
        (
            "Our neighbours are responsible for the collapse of the ceasefire.",
            "The militias are responsible for the collapse of the ceasefire.",
        ),
        (
            "We welcome the ceasefire agreement reached in the capital today.",
            "We welcome the evacuation agreement reached in the capital today.",
        ),
        # a flipped negation
        ("We will not negotiate with the armed groups", "We will negotiate with the armed groups"),
        (
            "We never accepted the terms of this agreement",
            "We accepted the terms of this agreement",
        ),
        # short common fragments
        ("the war", "This is a turning point in the war, certainly, for the rebels."),
        ("very important", "It is very important that the convoy leaves the city today."),
        ("at the end of the day", "At the end of the day, the ceasefire is the only hope."),
        ("in the years to come", "This will weigh on the minds of young men in the years to come."),
    ],
)
def test_does_not_join(a: str, b: str) -> None:
    assert one(a, b) is None
    assert one(b, a) is None


def test_short_texts_never_join_even_verbatim() -> None:
    # Three words equal in two articles are not evidence of one utterance (MIN_WORDS = 4).
    assert one("Aleppo is burning.", "Aleppo is burning!") is None
    assert one("Aleppo is burning tonight.", "Aleppo is burning tonight!") == Match(
        1, "verbatim", 1.0
    )


def test_no_candidates() -> None:
    assert best_match("Is there nothing that can shame you?", []) is None


# --- thresholds, both sides -------------------------------------------------------------------


def test_min_words() -> None:
    full = "Use every channel you have, through someone who knows someone, to stop this."
    assert match.MIN_WORDS == 4
    assert relation("someone who knows someone", full) == "excerpt"
    assert relation("who knows someone", full) is None


def test_min_content_words() -> None:
    full = "We have watched it and so it is with deep shame that we speak today."
    assert relation("and so it is with deep shame", full) == "excerpt"
    # Only one content word ("shame") in the fragment.
    assert (
        relation(
            "and so it is with shame",
            "We have watched it and so it is with shame that we speak today.",
        )
        is None
    )


def test_min_informative_words() -> None:
    assert (
        relation("at the end of the crisis", "At the end of the crisis, the city will be rebuilt.")
        == "excerpt"
    )
    # "end" and "day" are content words, but common ones.
    assert (
        relation("at the end of the day", "At the end of the day, the city will be rebuilt.")
        is None
    )


def test_informative_min_length() -> None:
    # Content words of three letters are too short to be informative on their own.
    assert (
        relation("the cat and the dog ran off", "Then the cat and the dog ran off at night.")
        is None
    )
    assert relation(
        "the lion and the wolf ran off", "Then the lion and the wolf ran off at night."
    ) == ("excerpt")


def test_min_similarity() -> None:
    full = "Crowds gathered condemning the massacre of civilians in the old city last night."
    # Five words, one changed: 2*4/(5+5) = 0.8.
    assert relation("condemning a massacre of civilians", full) == "excerpt"
    # Four words, one changed: 2*3/(4+4) = 0.75.
    assert relation("condemning a massacre of", full) is None


def test_content_differences_for_short_and_long_quotes() -> None:
    short_a = "Russia has imposed its will on the region and its allies."
    short_b = "Russia has imposed its will on the country and its allies."
    # One substituted content word is two differences; a short quote allows one.
    assert one(short_a, short_b) is None
    long_a = (
        "For those misguided few who somehow believe this power is a new guardian of the "
        "civilization, they should pay close attention to its allies, a genocidal dictator and "
        "a regime that is the leading state sponsor of terrorism."
    )
    long_b = long_a.replace("close attention", "careful attention")
    # With >= 14 content words, CONTENT_DIFF_RATE allows one substitution: a misquote.
    assert relation(long_a, long_b) == "reworded"
    long_c = long_b.replace("genocidal dictator", "brutal dictator")
    assert one(long_a, long_c) is None


def test_function_word_differences() -> None:
    a = "The rebels in the city will surrender to the army soon"
    # One function word substituted: two differences, allowed.
    assert relation(a, "The rebels in this city will surrender to the army soon") == "reworded"
    # Two substituted: four differences, too many even though similarity is still 0.8.
    assert one(a, "The rebels in this city will surrender to an army soon") is None


def test_function_difference_rate_for_long_quotes() -> None:
    base = (
        "The rebels in the old city said that they will surrender to the army and leave for "
        "the north by the end of the week"
    )
    three = (
        base.replace("in the old", "in this old")
        .replace("to the army", "to an army")
        .replace("for the north", "for a north")
    )
    # 25 words allow int(0.25 * 25) = 6 function differences: three substitutions...
    assert relation(base, three) == "reworded"
    # ...but not four (similarity would still be 0.84).
    assert one(base, three.replace("by the end", "by an end")) is None


def test_typo_cost() -> None:
    s = "Our convoy reached the shelled valley where hungry families waited for evacuation"
    two = s.replace("convoy", "convoi").replace("families", "famlies")
    # Eight content words allow one difference: two typos at half a difference each...
    assert relation(s, two) == "reworded"
    # ...but not three.
    assert one(s, two.replace("evacuation", "evacuaton")) is None


def test_typo_long_length() -> None:
    # Two edits make a typo in a word of nine letters or more, not in one of eight.
    assert (
        relation(
            "The families were evacuated from the valley overnight",
            "The families were evacauted from the valley overnight",
        )
        == "reworded"
    )
    assert (
        one(
            "The shelling kept hitting the shelters all night long",
            "The shleling kept hitting the shelters all night long",
        )
        is None
    )


def test_slack_finds_an_inserted_word_inside_the_span() -> None:
    long = (
        "First, a sentence about something else entirely. "
        + "We "
        + "truly " * 1
        + "must act now to protect every family in the valley. And then more words follow here."
    )
    assert relation("We must act now to protect every family in the valley.", long) == "excerpt"


# --- choosing among candidates ----------------------------------------------------------------


def test_best_match_prefers_the_closest_candidate() -> None:
    cands = [
        Candidate(1, "The ceasefire in the city has held for three days"),
        Candidate(2, "Is there nothing that can shame you?"),
        Candidate(3, LONG),
    ]
    found = best_match("Is there nothing that can shame you", cands)
    assert found == Match(id=2, relation="verbatim", score=1.0)
    assert [m.id for m in find_matches("Is there nothing that can shame you", cands)] == [2, 3]


def test_ties_prefer_verbatim_then_lower_id() -> None:
    cands = [
        Candidate(5, LONG),
        Candidate(4, "It should shame you. Is there literally nothing"),
        Candidate(3, "It should shame you. Is there literally nothing"),
    ]
    found = find_matches("It should shame you. Is there literally nothing", cands)
    assert [(m.id, m.relation) for m in found] == [(3, "verbatim"), (4, "verbatim"), (5, "excerpt")]


# --- index keys -------------------------------------------------------------------------------


def test_index_keys_of_a_fragment_are_shared_with_its_quote() -> None:
    full = index_keys(
        "We are hearing them condemn what they consider to be the massacre in the city"
    )
    assert index_keys("what they consider to be a massacre") & full
    assert index_keys("Is there nothing that can shame you?") & index_keys(LONG)
    assert index_keys("someone who knows someone") & index_keys(
        "Use every channel, through someone who knows someone."
    )


def test_index_keys_skip_function_words_and_merge_plurals() -> None:
    keys = index_keys("what they consider to be a massacre")
    assert keys == {"consider", "massacre", "consider massacre"}
    assert index_keys("the massacres continued") & index_keys("a massacre continued")


def test_pair_keys_are_the_keys_of_two_neighbouring_content_words() -> None:
    keys = index_keys("the massacres continued in the village")
    assert pair_keys(keys) == {"massacre continued", "continued village"}
    assert pair_keys(index_keys("massacre")) == frozenset()


def test_index_keys_of_function_words_only() -> None:
    assert index_keys("it is what it is") == frozenset()
    assert index_keys("") == frozenset()


def test_index_keys_are_bounded_and_deterministic() -> None:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(2000)]
    words = rng.sample(vocabulary, 600)
    text = " ".join(words)
    keys = index_keys(text)
    assert len(keys) <= MAX_KEYS
    assert keys == index_keys(text)
    # Winnowing keeps a shared key for any long enough run of the text.
    for start in range(0, 580, 37):
        fragment = " ".join(words[start : start + 14])
        assert index_keys(fragment) & keys


def test_index_keys_of_a_quote_below_the_cap_keep_every_bigram() -> None:
    words = [f"term{i}" for i in range(100)]
    keys = index_keys(" ".join(words))
    assert all(f"{a} {b}" in keys for a, b in itertools.pairwise(words))


# --- lookup -----------------------------------------------------------------------------------


def test_lookup_ranks_confirmed_matches_above_loose_ones() -> None:
    cands = [
        Candidate(1, "The ceasefire has collapsed and the shelling has resumed in the east."),
        Candidate(2, LONG),
        Candidate(3, "Nothing can shame them, the minister said of the shelling."),
        Candidate(4, "A completely unrelated remark about the weather and the harvest."),
    ]
    ranked = lookup_scores("is there nothing that can shame you", cands)
    assert [i for i, _ in ranked][:2] == [2, 3]
    scores = dict(ranked)
    assert scores[2] >= match.MIN_SIMILARITY > match.LOOKUP_UNCONFIRMED_CAP >= scores[3]
    assert 4 not in scores
    assert all(0.0 < s <= 1.0 for _, s in ranked)


def test_lookup_tolerates_light_rewording() -> None:
    ranked = lookup_scores(
        "your artillery and air strikes trapped tens of thousands of families",
        [Candidate(1, LONG), Candidate(2, "Tens of thousands of families have fled the city.")],
    )
    assert [i for i, _ in ranked] == [1, 2]


def test_lookup_of_nothing() -> None:
    assert lookup_scores("...", [Candidate(1, LONG)]) == []


# --- canonical wording ------------------------------------------------------------------------


def test_canonical_text_most_complete_wording_wins() -> None:
    wordings = [
        Wording(
            "Is there nothing that can shame you?", primary=False, published=date(2016, 12, 14)
        ),
        Wording(LONG, primary=False, published=date(2016, 12, 15)),
    ]
    assert canonical_text(wordings) == LONG


def test_canonical_text_primary_source_wins() -> None:
    wordings = [
        Wording(LONG, primary=False, published=date(2016, 12, 12)),
        Wording(
            "It should shame you. Is there literally nothing that can shame you?",
            primary=True,
            published=None,
        ),
    ]
    assert canonical_text(wordings).startswith("It should shame you.")


def test_canonical_text_ties_go_to_the_earliest_then_the_first() -> None:
    a = Wording("It should shame you, all of you.", primary=False, published=date(2016, 12, 14))
    b = Wording(
        "It should shame you \u2013 all of you", primary=False, published=date(2016, 12, 13)
    )
    c = Wording("It should shame you: all of you", primary=False, published=None)
    assert canonical_text([a, b, c]) == b.text
    assert canonical_text([c, a]) == a.text
    assert canonical_text([c, Wording(c.text + " ", primary=False, published=None)]) == c.text


def test_canonical_text_needs_a_wording() -> None:
    with pytest.raises(ValueError):
        canonical_text([])


# --- the seeds' variants as test data ---------------------------------------------------------


def _gold_quotes() -> list[dict[str, Any]]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    return [q for article in gold["articles"] for q in article["quotes"]]


def test_seed_variants_of_one_utterance_join() -> None:
    by_cluster: dict[str, list[str]] = {}
    for q in _gold_quotes():
        by_cluster.setdefault(q["cluster"], []).append(q["text"])
    # Clusters whose members are textual variants (the split quotes are joined by position,
    # not by text, so they are not the matcher's business).
    for cluster in ("power-noose", "power-every-channel", "walsh-taliban"):
        for a, b in itertools.combinations(by_cluster[cluster], 2):
            assert one(a, b) is not None, (a, b)


def test_seed_quotes_of_different_utterances_stay_apart() -> None:
    quotes = _gold_quotes()
    for qa, qb in itertools.combinations(quotes, 2):
        if qa["cluster"] != qb["cluster"]:
            assert one(qa["text"], qb["text"]) is None, (qa["text"], qb["text"])


# --- properties -------------------------------------------------------------------------------

_CONTENT = [
    *("ceasefire", "convoy", "shelling", "families", "valley", "rebels"),
    *("artillery", "evacuation", "civilians", "harbour", "bridge", "winter"),
]
_FUNCTION = ["the", "a", "of", "to", "and", "in", "that", "is", "was", "for", "on", "with"]
_word = st.sampled_from(_CONTENT + _FUNCTION)


def _edit(words: list[str], kind: int, at: int) -> list[str]:
    out = list(words)
    i = at % len(out)
    if kind == 0:  # punctuation and case only
        return [w.upper() if j == i else w for j, w in enumerate(out)] + ["!"]
    if kind == 1:  # swap an article
        out[i] = {"the": "a", "a": "the"}.get(out[i], out[i])
    elif kind == 2:  # drop a word
        del out[i]
    elif kind == 3:  # a typo in a long word
        if len(out[i]) >= 6:
            out[i] = out[i][:2] + out[i][3:]
    elif kind == 4:  # cut one to three words off the end
        out = out[: len(out) - 1 - i % 3]
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(_word, min_size=4, max_size=24), st.integers(0, 4), st.integers(0, 100))
def test_matching_is_symmetric(words: list[str], kind: int, at: int) -> None:
    a = " ".join(words)
    b = " ".join(_edit(words, kind, at))
    ab, ba = one(a, b), one(b, a)
    assert (ab is None) == (ba is None)
    if ab is not None and ba is not None:
        flipped = {"excerpt": "contains", "contains": "excerpt"}.get(ab.relation, ab.relation)
        assert ba.relation == flipped
        if ab.relation in ("verbatim", "reworded"):
            assert ab.score == ba.score
        assert 0.0 < ab.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_CONTENT), min_size=7, max_size=12, unique=True),
    st.integers(0, 2),
    st.integers(0, 100),
)
def test_light_edits_of_distinct_words_join_and_are_symmetric(
    words: list[str], kind: int, at: int
) -> None:
    a = " ".join(words)
    b = " ".join(_edit(words, kind + 2, at))  # drop a word, typo, cut the end
    ab, ba = one(a, b), one(b, a)
    assert ab is not None and ba is not None
    if ab.relation == "reworded":
        assert ba.relation == "reworded" and ab.score == ba.score


_EDIT_WORDS = [
    *("ceasefire", "cease", "fire", "air", "strikes", "airstrikes", "shelling", "shellings"),
    *("families", "famlies", "not", "the", "a", "of", "to", "is", "valley", "rebels", "convoy"),
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_EDIT_WORDS), min_size=4, max_size=16),
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 50), st.sampled_from(_EDIT_WORDS)),
        max_size=3,
    ),
)
def test_prefilter_never_rejects_an_accepted_pair(
    words: list[str], edits: list[tuple[int, int, str]]
) -> None:
    # The cheap set test in front of the alignment must not change any verdict.
    other = list(words)
    for kind, at, word in edits:
        if not other:
            break
        i = at % len(other)
        if kind == 0:
            other[i] = word
        elif kind == 1:
            other.insert(i, word)
        elif kind == 2:
            del other[i]
        else:
            other = other[i:] if at % 2 else other[: i + 1]
    a, b = match._analyse(" ".join(words)), match._analyse(" ".join(other))
    short, long = (a, b) if len(a.words) <= len(b.words) else (b, a)
    if match._accepted(match._align(short, long), short):
        assert match._could_match(short, long)
