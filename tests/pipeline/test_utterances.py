"""Tests for quotetrail.pipeline.utterances: which quotations are parts of one utterance."""

from __future__ import annotations

from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.types import Document, Quotation
from quotetrail.pipeline.utterances import group_utterances, utterance_text


def _quote(text: str, part: str, speaker: str | None, **fields: object) -> Quotation:
    start = text.index(part)
    values: dict[str, object] = {"kind": "direct", "confidence": 0.8} | fields
    return Quotation(part, start, start + len(part), speaker=speaker, **values)  # type: ignore[arg-type]


def _groups(text: str, quotes: list[Quotation]) -> list[list[str]]:
    document = document_from_text(text)
    return [[q.text for q in group] for group in group_utterances(document, quotes)]


def test_a_quotation_split_by_its_attribution_is_one_utterance() -> None:
    text = '"We will rebuild," Mayor Ada Quill said on Monday. "Every house, every road."'
    quotes = [
        _quote(text, "We will rebuild,", "Ada Quill"),
        _quote(text, "Every house, every road.", "Ada Quill"),
    ]
    assert _groups(text, quotes) == [["We will rebuild,", "Every house, every road."]]


def test_an_abbreviation_in_the_attribution_is_no_sentence_end() -> None:
    text = "“We are ready,” Gov. Ada Quill said at 6 p.m. on Sunday. “The sea is not.”"
    quotes = [_quote(text, "We are ready,", "Ada Quill"), _quote(text, "The sea is not.", None)]
    assert len(_groups(text, quotes)) == 1


def test_narration_between_two_quotations_keeps_them_apart() -> None:
    text = (
        '"We will rebuild," the company said. The repairs will cost $40 million, it said. '
        '"Every house, every road."'
    )
    quotes = [
        _quote(text, "We will rebuild,", "Acme"),
        _quote(text, "Every house, every road.", "Acme"),
    ]
    assert len(_groups(text, quotes)) == 2


def test_different_speakers_are_different_utterances() -> None:
    text = '"We will rebuild," Quill said. "You will not," Reyes replied.'
    quotes = [_quote(text, "We will rebuild,", "Ada Quill"), _quote(text, "You will not,", "Bo")]
    assert len(_groups(text, quotes)) == 2


def test_a_paragraph_without_closing_mark_continues_into_the_next() -> None:
    text = '"First we count the damage.\n\n"Then we rebuild," Quill said.'
    quotes = [
        _quote(
            text, "First we count the damage.", "a resident", cue="continuation", confidence=0.4
        ),
        _quote(text, "Then we rebuild,", "Ada Quill", cue="said", confidence=0.9),
    ]
    document = document_from_text(text)
    (group,) = group_utterances(document, quotes)
    # One utterance, one speaker: the most confident attribution.
    assert [q.speaker for q in group] == ["Ada Quill", "Ada Quill"]
    assert [q.cue for q in group] == ["said", "said"]
    assert utterance_text(group) == "First we count the damage. Then we rebuild,"


def test_paragraphs_each_closed_by_their_mark_are_separate() -> None:
    text = '"First we count the damage."\n\n"Then we rebuild," Quill said.'
    quotes = [
        _quote(text, "First we count the damage.", "Ada Quill"),
        _quote(text, "Then we rebuild,", "Ada Quill"),
    ]
    assert len(_groups(text, quotes)) == 2


def test_fragments_and_blocks_are_never_parts() -> None:
    text = 'Quill called it "a long road" and said "We will rebuild," Quill said. "Soon."'
    quotes = [
        _quote(text, "a long road", "Ada Quill", kind="fragment"),
        _quote(text, "We will rebuild,", "Ada Quill"),
        _quote(text, "Soon.", "Ada Quill"),
    ]
    assert _groups(text, quotes) == [["a long road"], ["We will rebuild,", "Soon."]]


def test_seed_split_quotations_group() -> None:
    text = (
        '"Well, Turkey has made it clear that they want to ensure this humanitarian corridor '
        'goes through, that people get out," Walsh said. "Now, that\'s partly because of '
        "Turkey's regional role.\""
    )
    document = Document(text, document_from_text(text).paragraphs)
    groups = group_utterances(document, extract_quotations(document))
    assert len(groups) == 1 and len(groups[0]) == 2
