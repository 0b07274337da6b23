"""Extraction and attribution, one quotation or attribution form per test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.types import Quotation


def quotes(text: str) -> list[Quotation]:
    found = extract_quotations(document_from_text(text))
    for quote in found:
        assert text[quote.start : quote.end] == quote.text
    return found


def only(text: str) -> Quotation:
    found = quotes(text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


# --- quotation marks -------------------------------------------------------------------------


def test_straight_marks_with_said_after_name() -> None:
    quote = only('"We will rebuild the bridge by spring," Maria Lopez said.')
    assert quote.text == "We will rebuild the bridge by spring,"
    assert quote.speaker == "Maria Lopez"
    assert quote.kind == "direct"
    assert quote.cue == "said"


def test_curly_marks_with_said_before_name() -> None:
    quote = only("“The numbers do not add up,” said Hannah Okafor, the city’s auditor.")
    assert quote.speaker == "Hannah Okafor"


def test_british_single_marks() -> None:
    quote = only("‘We’re not asking for miracles, we’re asking for a wall,’ Gareth Pryce said.")
    assert quote.text.startswith("We’re not asking")
    assert quote.speaker == "Gareth Pryce"


def test_single_quotes_inside_double_stay_inside() -> None:
    text = "\"He told me 'never again,' and he meant it,\" said Rosa Klein."
    quote = only(text)
    assert quote.text == "He told me 'never again,' and he meant it,"
    assert quote.speaker == "Rosa Klein"


def test_straight_quote_nested_in_curly_quote() -> None:
    text = '“My father used to say "the river always wins," and he was right,” said Ada Voss.'
    quote = only(text)
    assert quote.text.startswith("My father used to say")
    assert quote.text.endswith("he was right,")


def test_plural_possessive_inside_single_quotes() -> None:
    text = "Union leader Kate Moss accused managers of ‘gambling with patients’ lives’ on Monday."
    quote = only(text)
    assert quote.text == "gambling with patients’ lives"
    assert quote.kind == "fragment"
    assert quote.speaker == "Kate Moss"


def test_quotation_over_several_paragraphs() -> None:
    text = (
        "Mayor Lena Brandt spoke for an hour.\n\n"
        '"We promised a library and we built one.\n\n'
        '"We promised a pool and we are building one," Brandt said.'
    )
    found = quotes(text)
    assert [q.text for q in found] == [
        "We promised a library and we built one.",
        "We promised a pool and we are building one,",
    ]
    assert {q.speaker for q in found} == {"Lena Brandt"}


def test_quote_split_by_attribution() -> None:
    text = '"The ice is going," Nadia Farouk said. "It is going faster than our models said."'
    found = quotes(text)
    assert len(found) == 2
    assert all(q.speaker == "Nadia Farouk" for q in found)
    assert found[1].cue == "continuation"


def test_stray_mark_does_not_lose_the_rest() -> None:
    text = (
        'The board said "it would look again at the plan.\n\n'
        'Tom Reyes disagreed. "We heard you," he said.\n\n'
        '"The vote stands," said Ana Ruiz.'
    )
    assert [q.speaker for q in quotes(text)] == ["Tom Reyes", "Ana Ruiz"]


def test_block_quotation_after_introducing_sentence() -> None:
    text = (
        "Here is Governor Ruth Adler at the hearing yesterday.\n\n"
        "We have asked our people to carry this for too long. You have heard their stories, "
        "and I will not ask them to wait another year for a decision that is ours to make."
    )
    quote = only(text)
    assert quote.kind == "block"
    assert quote.speaker == "Ruth Adler"


def test_transcript_turns_are_block_quotations() -> None:
    text = (
        "ANNA BELL, HOST: Welcome back.\n\n"
        "OMAR DIAZ: Thank you. The harvest was the worst we have had in twenty years.\n\n"
        "BELL: Why?\n\n"
        "DIAZ: No rain in April, then too much in June."
    )
    found = quotes(text)
    speakers = {q.text[:10]: q.speaker for q in found}
    assert speakers["Thank you."] == "Omar Diaz"
    assert speakers["No rain in"] == "Omar Diaz"
    assert all(q.kind == "block" for q in found)


# --- what is not a quotation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Critics call the plan a "reform" in name only.',  # one-word scare quote
        'She reviewed "The Salt Orchard" for the paper.',  # a title
        'Dwayne "The Rock" Johnson arrived late.',  # a nickname
        'Residents keep hearing about "streets full of bodies" from afar.',  # unattributed
        'The sign read "EVAC CENTER — PETS WELCOME" in red letters.',  # capitals: a sign
        "The answers are: “No,” “no,” “no” and “no.”",  # the author's rhetoric
        'Locals call it "the Sleeping Giant" because of its shape.',  # a name, not speech
    ],
)
def test_not_quotations(text: str) -> None:
    assert quotes(text) == []


def test_fragment_in_the_authors_sentence_is_attributed() -> None:
    quote = only('Judge Ellen Marsh called the ruling "a disgrace to the court" on Friday.')
    assert quote.kind == "fragment"
    assert quote.text == "a disgrace to the court"
    assert quote.speaker == "Ellen Marsh"


def test_fragment_repeating_a_fuller_quotation_takes_its_speaker() -> None:
    text = (
        'The group condemned "what it sees as a cover-up" in the report.\n\n'
        '"This is what it sees as a cover-up of the worst kind," said Ivan Petrov.'
    )
    fragment = quotes(text)[0]
    assert fragment.kind == "fragment"
    assert fragment.speaker == "Ivan Petrov"


# --- attribution forms -----------------------------------------------------------------------


def test_titles_are_split_into_a_role() -> None:
    quote = only('"The ceasefire is holding," Foreign Minister Sergei Orlov told reporters.')
    assert quote.speaker == "Sergei Orlov"
    assert quote.role == "Foreign Minister"
    assert quote.speaker_as_written == "Foreign Minister Sergei Orlov"


def test_surname_gives_the_fullest_name() -> None:
    text = 'Reporter Nick Paul Ward was at the scene.\n\n"It is quiet now," Ward said.'
    assert only(text).speaker == "Nick Paul Ward"


def test_according_to() -> None:
    quote = only('According to Priya Shah, "the data were never shared with us."')
    assert quote.speaker == "Priya Shah"


def test_dash_trailer_with_affiliation() -> None:
    text = "“Markets hate uncertainty more than bad news.” – Leo Brandt, Northgate Capital"
    quote = only(text)
    assert quote.speaker == "Leo Brandt"
    assert quote.cue == "dash"


def test_colon_introduction_in_the_paragraph_before() -> None:
    text = (
        "At the meeting, council member Joan Feld criticised the budget:\n\n"
        "“This budget cuts the parks and calls it savings. It is nothing of the sort.”"
    )
    quote = only(text)
    assert quote.speaker == "Joan Feld"
    assert "paragraph before" in (quote.cue or "")


def test_pronoun_agrees_in_gender() -> None:
    text = (
        "Tomas Berg and Helena Ruiz both spoke at the meeting. Berg said the plan was late.\n\n"
        '"We should have started a year ago," she said.'
    )
    assert only(text).speaker == "Helena Ruiz"


def test_pronoun_prefers_the_subject_of_recent_sentences() -> None:
    text = (
        "Coach Daniel Webb praised his team. Striker Aaron Cole scored twice.\n\n"
        '"I just kept running," he said.'
    )
    assert only(text).speaker == "Aaron Cole"


def test_person_named_only_inside_a_quotation_is_never_the_speaker() -> None:
    text = (
        'Senator Paul Grey was blunt. "Frank Mills should resign," Grey said.\n\n'
        '"He has lost the trust of the house," he added.'
    )
    assert [q.speaker for q in quotes(text)] == ["Paul Grey", "Paul Grey"]


def test_role_noun_resolves_to_the_holder() -> None:
    text = (
        "Police Chief Rosa Vega held a news conference on Monday.\n\n"
        '"We have two people in custody," the chief said.'
    )
    assert only(text).speaker == "Rosa Vega"


def test_organisation_speakers() -> None:
    text = (
        "BC Hydro said power had been restored to most homes. "
        '"Crews will work through the night," the utility said.\n\n'
        '"We thank customers for their patience," it said.'
    )
    assert [q.speaker for q in quotes(text)] == ["BC Hydro", "BC Hydro"]


def test_indefinite_sources_stay_as_written() -> None:
    text = '"The water came up in minutes," a witness said.'
    assert only(text).speaker == "a witness"


def test_definite_role_after_an_indefinite_source_is_that_source() -> None:
    text = (
        '"He had a plan," a senior official said.\n\n'
        "Mayor Jo Tran declined to comment.\n\n"
        '"He had a list, too," the official said.'
    )
    assert [q.speaker for q in quotes(text)] == ["a senior official", "a senior official"]


def test_spokesperson_for_an_organisation_credits_the_organisation() -> None:
    quote = only('"We share the frustration," a spokesperson for Cerrig County Council said.')
    assert quote.speaker == "Cerrig County Council"


def test_competing_speaker_named_in_the_introduction() -> None:
    text = (
        "Commissioner Anna Weiss said the shelling was a crime, a view Minister Karl Brun "
        "echoed:\n\n"
        "“The shelling of civilians is a crime under international law.” – Minister Brun"
    )
    quote = only(text)
    assert quote.speaker == "Karl Brun"
    assert quote.competing_speakers == ("Anna Weiss",)


# --- robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        '"' * 20_000,
        "“" * 10_000 + "”" * 10_000,
        "’" * 20_000,
        "a" * 100_000,
        'He said, "yes," and "no," she said. ' * 2_000,  # no newline at all
        "\u00a0“Hi\u00a0there\u00a0friend,”\u00a0she\u00a0said.",
        "Nobody Important Said Anything " * 5_000,
    ],
)
def test_adversarial_inputs_do_not_raise(text: str) -> None:
    quotes(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,:\n\"'“”‘’—SaidHe")), max_size=300))
def test_offsets_always_slice_the_document(text: str) -> None:
    quotes(text)


def test_according_to_later_in_the_sentence() -> None:
    text = 'The talks were a "good exchange of ideas" on Friday, according to a senior aide.'
    assert only(text).speaker == "a senior aide"


def test_two_fragments_of_one_sentence_share_its_cue() -> None:
    text = 'Councillor Ada Holm said she was "in tears" at the "scale of the damage" in town.'
    assert [q.speaker for q in quotes(text)] == ["Ada Holm", "Ada Holm"]


def test_places_in_an_appositive_never_speak() -> None:
    text = 'Paul Rhys-Evans, of Loftus, on Teesside, said he was "really frustrated" by it.'
    assert only(text).speaker == "Paul Rhys-Evans"


def test_role_phrase_headed_by_its_last_noun() -> None:
    text = (
        "The deal was praised, according to a senior administration official.\n\n"
        '"The president enjoyed the dinner," the administration official said.'
    )
    assert only(text).speaker == "a senior administration official"


def test_title_of_state_is_a_role() -> None:
    quote = only('Secretary of State Ana Lind said: "We are working around the clock."')
    assert (quote.speaker, quote.role) == ("Ana Lind", "Secretary of State")


def test_place_and_lowercase_title_before_a_name_are_the_role() -> None:
    quote = only('"It is scary," said Arizona state Sen. Karla Finn, who lives nearby.')
    assert quote.speaker == "Karla Finn"


def test_participle_takes_the_subject_of_the_sentence() -> None:
    text = (
        "Fire chief Jeremy Pike had some good news, saying at midday that the front was "
        '"looking really good" for now.'
    )
    assert only(text).speaker == "Jeremy Pike"


def test_lowercase_role_before_a_name_is_remembered_for_role_nouns() -> None:
    text = (
        "U.N. human rights chief Zeid Ra'ad al-Hussein condemned the killings. Foreign "
        "Minister Sergei Lavrov rejected the claims.\n\n"
        '"We are getting reports of civilians shot in their homes," the U.N. rights chief said.'
    )
    assert only(text).speaker == "Zeid Ra'ad al-Hussein"


def test_speaker_is_the_fullest_name_even_when_it_comes_later() -> None:
    text = '"We held the line," Okafor said.\n\nColonel Grace Okafor led the defence for a week.'
    assert only(text).speaker == "Grace Okafor"


def test_a_role_named_only_in_the_next_sentences() -> None:
    text = (
        'The U.S. ambassador on Tuesday blamed three states, asking them, "Are you truly '
        'incapable of shame?"\n\n'
        "Ambassador Rita Holm told the council the killing had to stop."
    )
    assert only(text).speaker == "Rita Holm"


def test_statement_from_an_organisation_credits_the_organisation() -> None:
    text = (
        "According to a statement from the Ministry of Trade and Industry, the negotiators "
        '"made progress on rules of origin" but could not agree on quotas.'
    )
    assert only(text).speaker == "Ministry of Trade and Industry"


def test_according_to_the_named_organisation() -> None:
    text = 'The scheme has been "studied to death", according to the Cerrig Flood Forum.'
    assert only(text).speaker == "Cerrig Flood Forum"


def test_decimal_point_is_no_sentence_end() -> None:
    text = 'Ray Pruitt called the shift of $3.2 million "a shell game with the parks budget."'
    assert only(text).speaker == "Ray Pruitt"


def test_a_dateline_is_not_a_speaker() -> None:
    text = (
        "WELLSTEAD, Feb 6 (Wire) - The Bank of Aldermere held its rate on Thursday, saying "
        'inflation remained "uncomfortably sticky."'
    )
    assert only(text).speaker == "Bank of Aldermere"


def test_block_after_a_colon_needs_one_personal_word() -> None:
    text = (
        "Ines Varga wrote many books. Her best-known poem ends with lines read at funerals:\n\n"
        "I own the hour before the tide,\nthe gull's complaint, the drowned post,\n"
        "and nothing else, and nothing else."
    )
    quote = only(text)
    assert (quote.kind, quote.speaker) == ("block", "Ines Varga")


def test_links_to_other_stories_are_not_this_storys_quotes() -> None:
    text = (
        "Mayor Ana Ruiz said the budget was balanced after a long night of talks.\n\n"
        '"We did the hard work," Ruiz said.\n\n'
        'RELATED: Governor says "we will not raise taxes this year"\n\n'
        "The council meets again next week."
    )
    assert only(text).text == "We did the hard work,"


def test_any_lowercase_description_after_said_belongs_to_the_name() -> None:
    quotes_found = quotes(
        '"We did not execute," said quarterback Jake Hale.\n\n'
        '"Small things cost us," said senior offensive tackle Matt Rey.'
    )
    assert [q.speaker for q in quotes_found] == ["Jake Hale", "Matt Rey"]


def test_topic_headings_between_answers_are_skipped() -> None:
    text = (
        "Quarterback Tom Bray spoke to the media after the game on Sunday night.\n\n"
        "On offensive execution\n\n"
        '"Poor execution is what it comes down to. We just did not execute well."\n\n'
        "On coach Josh Mack\n\n"
        '"Josh is a great coach, he has obviously learned a lot."'
    )
    assert [q.speaker for q in quotes(text)] == ["Tom Bray", "Tom Bray"]


def test_the_ledes_unnamed_subject_is_the_person_named_next() -> None:
    text = (
        'A councillor whose town was cut off by floods said she was "in tears" at the damage.\n\n'
        "Heather Towns said Flitwick had suffered badly after the rain."
    )
    assert only(text).speaker == "Heather Towns"
