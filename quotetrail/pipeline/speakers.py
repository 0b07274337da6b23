"""Stage 3: who the text credits with each quotation.

For each quotation the attribution cue is looked for in this order: the rest of its sentence
("...," Walsh said / said Walsh / – Walsh, affiliation / according to Walsh), the start of its
sentence (Walsh said: "..."), the quotation it continues (split quotes, quotations running over
several paragraphs, a quote-only paragraph after a quote), and the paragraph before (a colon
introduction, or the person it is about). Pronouns and role nouns resolve to an entity of the
document, preferring the subject of recent sentences and agreeing in gender; people named only
inside quotations are never candidates, because the registry only sees the author's text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from quotetrail.pipeline.cues import (
    SAYING,
    SUBJECT_PRONOUNS,
    Who,
    according_to_later,
    dateline_end,
    descriptor_before,
    intro,
    is_speech_subject,
    main_clause_start,
    mentions_in,
    only_modifiers,
    subject_of_verb,
    trailer,
    who_at_right,
)
from quotetrail.pipeline.entities import (
    Entity,
    Mention,
    Registry,
    is_name_word,
    is_possessive,
    is_title_only,
    run_right,
    split_title,
)
from quotetrail.pipeline.lexicon import DEFINITE_DETERMINERS, ORG_ROLE_NOUNS
from quotetrail.pipeline.tokens import Token, sentence_starts, tokenize
from quotetrail.pipeline.types import Span

_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
# How far back a pronoun or role noun looks for its antecedent: characters, and mentions.
_PRONOUN_WINDOW = 6000
_PRONOUN_MENTIONS = 80
# How far ahead an unresolved role noun looks for the person it introduces, in characters.
_CATAPHORA_WINDOW = 1500


@dataclass(slots=True)
class Attribution:
    """The result of attributing one quotation."""

    speaker: str | None = None
    speaker_as_written: str | None = None
    role: str | None = None
    cue: str | None = None
    confidence: float = 0.0
    entity: Entity | None = None
    competing: list[str] = field(default_factory=list)
    unresolved_role: bool = False  # `the ambassador said` before any ambassador is named
    introduced: bool = False  # `a councillor said`: a lede may name her in the next sentences


@dataclass(frozen=True, slots=True)
class QuoteSlot:
    """A quotation candidate as the attributor sees it."""

    index: int
    outer: Span
    inner_text: str
    fragment: bool


def _org_like(entity: Entity) -> bool:
    """An organisation, or a several-word name that is no person's (`Halvorsen Robotics`)."""
    if entity.kind == "org":
        return True
    return entity.kind == "unknown" and len(entity.name) >= 2


class Attributor:
    """Attributes the quotations of one document, paragraph by paragraph, in reading order."""

    def __init__(
        self,
        text: str,
        paragraphs: Sequence[Span],
        quoted: Mapping[int, Sequence[Span]],
        headlines: Collection[int] = (),
    ) -> None:
        self.text = text
        self.paragraphs = paragraphs
        self.quoted = quoted  # every quoted span of each paragraph, attributed or not
        # Names in headlines and bylines are known, but nobody there is a sentence's subject.
        self.headlines = frozenset(headlines)
        self.registry = Registry()
        # Words the document also writes in lower case are common words when they open a
        # sentence (`Public comment ran late`), not names.
        self.lower_words = frozenset(_LOWER_WORD.findall(text))
        self.indefinites: list[tuple[int, Who]] = []

    # --- resolution ------------------------------------------------------------------------
    def resolve(self, who: Who, position: int) -> Attribution:
        """Turn a speaker phrase into an attribution with the entity's fullest name."""
        if who.kind == "name":
            parts = split_title(who.words)
            entity = self.registry.entity_for(
                parts.name, role=parts.role, honorific=parts.honorific
            )
            return Attribution(
                speaker=entity.display,
                speaker_as_written=who.text,
                role=parts.role,
                confidence=0.95,
                entity=entity,
            )
        if who.kind == "pronoun":
            antecedent = self._antecedent(who.words[0], position)
            if antecedent is None:
                return Attribution(speaker_as_written=who.text, confidence=0.2)
            return Attribution(
                speaker=antecedent.display,
                speaker_as_written=who.text,
                confidence=0.8,
                entity=antecedent,
            )
        if who.kind == "role":
            earlier = self._indefinite_with_head(who, position)
            if earlier is not None:
                return Attribution(
                    speaker=earlier.text, speaker_as_written=who.text, confidence=0.7
                )
            holder = self._role_holder(who, position)
            if holder is None:
                return Attribution(
                    speaker=who.text,
                    speaker_as_written=who.text,
                    confidence=0.5,
                    unresolved_role=who.words[-1].lower() not in ORG_ROLE_NOUNS,
                )
            return Attribution(
                speaker=holder.display, speaker_as_written=who.text, confidence=0.75, entity=holder
            )
        self.indefinites.append((position, who))
        singular_person = who.words[0].lower() in ("a", "an") and who.words[-1].lower() not in (
            ORG_ROLE_NOUNS
        )
        return Attribution(
            speaker=who.text,
            speaker_as_written=who.text,
            confidence=0.7,
            introduced=singular_person,
        )

    def _indefinite_with_head(self, who: Who, position: int) -> Who | None:
        """`the official said` after `a law enforcement official said`: the same source."""
        head = who.words[-1].lower()
        for seen_at, earlier in reversed(self.indefinites):
            if position - seen_at > _PRONOUN_WINDOW:
                return None
            if earlier.words[-1].lower() == head and seen_at < position:
                return earlier
        return None

    def _candidates(self, position: int) -> list[Mention]:
        nearest = self.registry.mentions_before(position, window=_PRONOUN_WINDOW)
        return list(islice(nearest, _PRONOUN_MENTIONS))

    def _antecedent(self, pronoun: str, position: int) -> Entity | None:
        mentions = self._candidates(position)
        if pronoun in ("he", "she"):
            wanted = "m" if pronoun == "he" else "f"

            def person(entity: Entity) -> bool:
                return entity.kind == "person" or (entity.kind == "unknown" and entity.speaks)

            # A gender the first name tells outweighs recency; a subject outweighs an object.
            for gender in (wanted, None):
                for subject_only in (True, False):
                    for mention in mentions:
                        entity = mention.entity
                        if subject_only and not mention.subject:
                            continue
                        if person(entity) and entity.gender == gender:
                            return entity
            return None
        # `it` and `they`: an organisation or a group the text made a speaker.
        for mention in mentions:
            entity = mention.entity
            if _org_like(entity) or (mention.subject and mention.speech):
                if pronoun == "it" and not (_org_like(entity) or entity.kind == "unknown"):
                    continue  # `it` is never a person; `Microsoft said ... it added` is fine
                return entity
        return None

    def _role_holder(self, who: Who, position: int) -> Entity | None:
        head = who.words[-1].lower()
        mentions = self._candidates(position)
        want_org = head in ORG_ROLE_NOUNS
        words = {w.lower().replace(".", "").replace("’s", "") for w in who.words[:-1]}
        words -= DEFINITE_DETERMINERS
        best: tuple[int, Entity] | None = None
        for mention in mentions:
            entity = mention.entity
            if _org_like(entity) != want_org or (not want_org and entity.kind == "unknown"):
                continue
            role_words = {
                w.lower().replace(".", "")
                for role in entity.roles
                for w in role.replace("-", " ").split()
            }
            name_words = {w.lower() for w in entity.name}
            overlap = len(({head} | words) & (role_words | name_words))
            if best is None or overlap > best[0]:
                best = (overlap, entity)
        if best is None:
            return None
        if best[0] == 0:
            # No role word matches: the nearest subject of the right kind.
            for mention in mentions:
                entity = mention.entity
                if want_org and mention.subject and _org_like(entity):
                    return entity
                if not want_org and entity.kind == "person" and mention.subject:
                    return entity
            return None
        return best[1]

    # --- mentions --------------------------------------------------------------------------
    def _register_names(
        self, tokens: Sequence[Token], starts: Sequence[int], *, topical: bool = True
    ) -> None:
        """Record every name run of the author's text, with subject and speech flags."""
        # Only capitalised words and subject pronouns matter here; visiting just those keeps
        # this per-word pass cheap.
        interesting = [
            k
            for k, t in enumerate(tokens)
            if t.kind == "word" and (t.lower in SUBJECT_PRONOUNS or is_name_word(t))
        ]
        ends = [*starts[1:], len(tokens)]
        sentence = -1
        sentence_start = sentence_end = main = 0
        subject_open = True
        free = dateline_end(tokens)
        for i in interesting:
            if i < free:
                continue
            while i >= sentence_end:
                sentence += 1
                sentence_start, sentence_end = starts[sentence], ends[sentence]
                main = main_clause_start(tokens, sentence_start, sentence_end)
                subject_open = True
            token = tokens[i]
            if token.lower in SUBJECT_PRONOUNS:
                subject_open = subject_open and i < main
                continue
            end = min(run_right(tokens, i) or i, sentence_end - 1)
            free = end + 1
            words = tuple(t.text for t in tokens[i : end + 1])
            parts = split_title(words)
            common = (
                len(words) == 1 and i in (sentence_start, main) and token.lower in self.lower_words
            )
            if not parts.name or is_title_only(words) or common:
                continue
            role = parts.role or descriptor_before(tokens, i)
            entity = self.registry.entity_for(parts.name, role=role, honorific=parts.honorific)
            subject = topical and subject_open and i >= main and only_modifiers(tokens, main, i)
            speech = is_speech_subject(tokens, i, end)
            mention = Mention(
                entity, tokens[i].start, tokens[end].end, " ".join(words), subject or speech, speech
            )
            self.registry.add_mention(mention)
            if i >= main and entity.kind != "org" and not is_possessive(tokens[end]):
                subject_open = False  # `Alder Quinlan's niece, Brigid Quinlan,`: not the owner

    # --- attribution -----------------------------------------------------------------------
    def attribute_paragraph(
        self, index: int, slots: Sequence[QuoteSlot], others: Sequence[Span]
    ) -> dict[int, tuple[Attribution, str]]:
        """Attribute the quotation slots of one paragraph; returns slot index -> (result, form).

        `others` are the paragraph's other quoted spans (scare quotes, titles): they are single
        tokens of the author's text but are not attributed.
        """
        paragraph = self.paragraphs[index]
        items = [(slot.index, slot.outer) for slot in slots]
        offset = 1_000_000  # other spans get indexes that cannot clash with slot indexes
        items += [(offset + k, span) for k, span in enumerate(others)]
        tokens = tokenize(self.text, paragraph, items)
        inner_by_index = {slot.index: slot.inner_text for slot in slots}
        inner_by_index.update({offset + k: "" for k in range(len(others))})
        starts = sentence_starts(tokens, inner_by_index)
        self._register_names(tokens, starts, topical=index not in self.headlines)
        self._register_pronoun_subjects(tokens, starts)
        self._register_indefinite_sources(tokens)
        slot_by_index = {slot.index: slot for slot in slots}
        results: dict[int, tuple[Attribution, str]] = {}
        sentence_cue: tuple[int, tuple[Who, str]] | None = None
        for q, token in enumerate(tokens):
            if token.kind != "quote" or token.quote not in slot_by_index:
                continue
            slot = slot_by_index[token.quote]
            sentence = bisect.bisect_right(starts, q) - 1
            sent_start = starts[sentence] if sentence >= 0 else 0
            sent_end = starts[sentence + 1] if sentence + 1 < len(starts) else len(tokens)
            next_quote = next(
                (k for k in range(q + 1, sent_end) if tokens[k].kind == "quote"), sent_end
            )
            found = trailer(tokens, q, next_quote)
            form = "trailer"
            if found is None:
                found = intro(tokens, q, sent_start, fragment=slot.fragment)
                form = "intro"
            if found is None and q > sent_start and tokens[q - 1].text == ":":
                found = self._colon_subject(tokens, sent_start, q)
                form = "intro"
            if found is None:
                found = according_to_later(tokens, q, sent_end)
                form = "trailer"
            if found is None and sentence_cue is not None and sentence_cue[0] == sentence:
                # `said she was "in tears" at the "enormity of the distress"`: one cue for both.
                found = sentence_cue[1]
                form = "intro"
            if found is None and not slot.fragment and sentence > 0 and q == sent_start:
                # `When I repeat this to Moreau, he laughs. “She is being kind.”`
                found = intro(tokens, q, starts[sentence - 1], fragment=True)
                form = "previous sentence"
            if found is None:
                continue
            who, cue = found
            if form in ("trailer", "intro"):
                sentence_cue = (sentence, found)
            attribution = self.resolve(who, who.start)
            if form == "previous sentence":
                if attribution.entity is None:
                    continue
                attribution.confidence *= 0.7
            attribution.cue = cue if form == "trailer" else f"{cue} ({form})"
            if form == "intro" and slot.fragment:
                attribution.confidence *= 0.9
            if attribution.entity is not None:
                # Whoever just spoke is the likeliest antecedent of the next `he` or `she`.
                self.registry.add_mention(
                    Mention(attribution.entity, who.start, who.end, who.text, True, True)
                )
            attribution.competing = self._competing(
                tokens, q, sent_start, index, attribution.entity
            )
            results[slot.index] = (attribution, form)
        return results

    def _register_indefinite_sources(self, tokens: Sequence[Token]) -> None:
        """`A Sundlandic official said ...`: a later `the official said` is the same source."""
        cues = [v for v, t in enumerate(tokens) if v > 0 and (t.lower in SAYING or t.lower == "to")]
        for v in cues:
            token = tokens[v]
            who = None
            if token.lower in SAYING:
                who = subject_of_verb(tokens, v, 0)
            elif token.lower == "to" and tokens[v - 1].lower == "according":
                who = who_at_right(tokens, v + 1, len(tokens))
            if who is not None and who.kind == "indefinite":
                self.indefinites.append((who.start, who))

    def person_named_next(self, position: int) -> Entity | None:
        """The first person the text names as a speaker or subject after `position`: a lede's
        `the U.S. ambassador said` is often named only in the next sentences."""
        for mention in self.registry.mentions_after(position, window=_CATAPHORA_WINDOW):
            if mention.entity.kind == "person" and (mention.subject or mention.speech):
                return mention.entity
        return None

    def first_person(self) -> Entity | None:
        """The first person the document names (the subject of an interview)."""
        return next((e for e in self.registry.entities if e.kind == "person"), None)

    def _colon_subject(self, tokens: Sequence[Token], start: int, q: int) -> tuple[Who, str] | None:
        """`a supervisor sent a text message that read: "..."`: the sentence's speaker-like
        subject introduces the quotation after the colon."""
        for who in mentions_in(tokens, start, q):
            if who.kind in ("indefinite", "pronoun"):
                return who, "colon"
            attribution = self.resolve(who, who.start)
            if attribution.entity is not None and attribution.entity.kind != "unknown":
                return who, "colon"
        return None

    def _register_pronoun_subjects(self, tokens: Sequence[Token], starts: Sequence[int]) -> None:
        """`He then described ...`: a pronoun subject keeps its antecedent the topic."""
        for s, e in zip(starts, [*starts[1:], len(tokens)], strict=True):
            k = main_clause_start(tokens, s, e)
            if k < e and tokens[k].lower in ("he", "she"):
                entity = self._antecedent(tokens[k].lower, tokens[k].start)
                if entity is not None:
                    self.registry.add_mention(
                        Mention(entity, tokens[k].start, tokens[k].end, tokens[k].text, True, False)
                    )

    def _competing(
        self,
        tokens: Sequence[Token],
        q: int,
        sent_start: int,
        paragraph: int,
        speaker: Entity | None,
    ) -> list[str]:
        """People the introducing text credits with speech, other than the speaker."""
        zone_start = tokens[sent_start].start
        zone_end = tokens[q].start
        previous = self.paragraphs[paragraph - 1] if paragraph > 0 else None
        if q == 0 and previous is not None and self.text[: previous.end].endswith(":"):
            # A quotation opening its paragraph is introduced by a colon-ended paragraph before.
            last = self.text.rfind(". ", previous.start, previous.end)
            zone_start = previous.start if last < 0 else last + 2
            zone_end = previous.end
        names: list[str] = []
        for entity in self.registry.speech_between(zone_start, zone_end):
            if entity is not speaker and entity.kind != "unknown" and entity.display not in names:
                names.append(entity.display)
        return names

    def previous_paragraph_cue(self, index: int) -> tuple[Attribution, str] | None:
        """The speaker a paragraph-opening quotation gets from the paragraph before it."""
        if index == 0:
            return None
        paragraph = self.paragraphs[index - 1]
        body = self.text[paragraph.start : paragraph.end].rstrip()
        colon = body.endswith(":")
        spans = self.quoted.get(index - 1, ())
        tokens = tokenize(self.text, paragraph, list(enumerate(spans)))
        starts = sentence_starts(tokens, {k: "" for k in range(len(spans))})
        if not tokens:
            return None
        last_start = starts[-1] if starts else 0
        found = intro(tokens, len(tokens), last_start, fragment=True)
        options = [found] if found is not None else []
        main = main_clause_start(tokens, last_start, len(tokens))
        options += [(who, "subject") for who in mentions_in(tokens, main, len(tokens))]
        chosen: tuple[Attribution, str] | None = None
        for who, cue in options:
            attribution = self.resolve(who, who.start)
            entity = attribution.entity
            if (entity is not None and entity.kind != "unknown") or who.kind == "indefinite":
                chosen = attribution, cue
                break
        if chosen is None:
            return None
        attribution, cue = chosen
        attribution.cue = f"{cue} (paragraph before{', colon' if colon else ''})"
        attribution.confidence *= 0.9 if colon else 0.65
        return attribution, "previous paragraph"
