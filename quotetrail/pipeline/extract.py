"""Stage 2 and 3 together: the attributable quotations of a document, with their speakers.

Marked spans are classified (quotation, fragment, or not a quotation at all: titles, scare
quotes, single words, names), unmarked block quotations are found after an introducing
paragraph, and every quotation is attributed by pipeline.speakers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import regex
from rapidfuzz import fuzz

from quotetrail.pipeline.lexicon import REPORTING_VERBS
from quotetrail.pipeline.marks import MarkedSpan, pair_marks
from quotetrail.pipeline.speakers import Attribution, Attributor, QuoteSlot
from quotetrail.pipeline.types import Document, Quotation, QuoteKind, Span

_MARKS = regex.compile(r"[\"“”‘’«»]")
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")
_FIRST_SECOND_PERSON = frozenset(
    ("i we us our ours my me you your yours i'm we're i've we've").split()
)
# Words right before an opening mark that make the marked words a name, title or term.
_NAMING_WORDS = frozenset(
    (
        "word words term terms phrase titled entitled headlined hashtag nicknamed dubbed "
        "named so-called known slogan motto label labelled labeled tagline caption banner "
        "sign signs placard placards reading read headline album song film movie book novel "
        "show series play podcast documentary programme program episode column article essay "
        "poem exhibition brand moniker acronym"
    ).split()
)
_NAMING_VERBS = frozenset("call calls called calling dub dubs dubbed nickname nicknamed".split())
_SMALL_WORDS = frozenset(("a an the of and or in on at to for by with from as but nor is").split())
# Quotations this short are scare quotes or terms unless the text credits them explicitly.
_MIN_UNCUED_DIRECT_WORDS = 4
_MIN_FRAGMENT_WORDS = 2
_MIN_PARAGRAPHS_WITH_HEADLINE = 3
# A fragment that repeats words of a fuller quotation in the same document is that speaker's.
_ECHO_MIN_WORDS = 3
_ECHO_MIN_SCORE = 88.0


@dataclass(slots=True)
class _Candidate:
    span: MarkedSpan | None  # None for a block quotation
    inner: Span
    outer: Span
    paragraph: int
    chain: int | None
    kind: QuoteKind
    words: int
    attribution: Attribution | None = None
    form: str | None = None  # how the attribution was found


def extract_quotations(document: Document) -> list[Quotation]:
    """Every attributable quotation of the document, in reading order."""
    text, paragraphs = document.text, document.paragraphs
    marked = [s for s in pair_marks(text, paragraphs) if s.depth == 0]
    # Only an article with a body has a headline; its quotes repeat the body's.
    top = min(3, len(paragraphs)) if len(paragraphs) > _MIN_PARAGRAPHS_WITH_HEADLINE else 0
    headlines = {i for i in range(top) if _is_headline(text, paragraphs[i])}
    headlines |= {
        i
        for i, paragraph in enumerate(paragraphs)
        if _LINK_LABEL.match(text, paragraph.start, paragraph.end) and _is_headline(text, paragraph)
    }
    turns = _transcript_turns(text, paragraphs)
    candidates: list[_Candidate] = []
    rejected: dict[int, list[Span]] = defaultdict(list)
    for span in marked:
        candidate = _classify(text, paragraphs, span)
        if candidate is None or span.paragraph in headlines or span.paragraph in turns:
            rejected[span.paragraph].append(span.outer)
        else:
            candidates.append(candidate)

    quoted: dict[int, list[Span]] = defaultdict(list)
    for span in marked:
        quoted[span.paragraph].append(span.outer)
    attributor = Attributor(text, paragraphs, quoted, headlines)
    by_paragraph: dict[int, list[int]] = defaultdict(list)
    for k, candidate in enumerate(candidates):
        by_paragraph[candidate.paragraph].append(k)
    blocks: list[_Candidate] = []
    last_direct: dict[int, _Candidate] = {}
    for index in range(len(paragraphs)):
        members = by_paragraph.get(index, [])
        if index in turns:
            # The label is not a mention in the text: it is the turn's attribution.
            label = Span(paragraphs[index].start, turns[index][1])
            attributor.attribute_paragraph(index, [], [label, *rejected.get(index, [])])
            turn = _transcript_turn(text, paragraphs[index], turns[index], attributor)
            if turn is not None:
                blocks.append(turn)
            continue
        if not members and not rejected.get(index):
            block = _block_quotation(text, paragraphs, index, attributor)
            if block is not None:
                blocks.append(block)
        slots = [
            QuoteSlot(
                index=k,
                outer=candidates[k].outer,
                inner_text=text[candidates[k].inner.start : candidates[k].inner.end],
                fragment=candidates[k].kind == "fragment",
            )
            for k in members
        ]
        found = attributor.attribute_paragraph(index, slots, rejected.get(index, []))
        for k, (attribution, form) in found.items():
            candidates[k].attribution = attribution
            candidates[k].form = form
        _fill_from_context(candidates, members, index, attributor, last_direct)
        directs = [candidates[k] for k in members if candidates[k].kind == "direct"]
        if directs:
            last_direct[index] = directs[-1]

    lede = next((i for i in range(len(paragraphs)) if i not in headlines), 0)
    _name_roles_later(candidates, attributor, lede)
    _share_along_chains(candidates)
    _credit_echoes(text, candidates + blocks)
    kept = [c for c in candidates if _keep(c)] + blocks
    kept.sort(key=lambda c: c.inner.start)
    return [_to_quotation(text, c) for c in kept]


def _words(text: str) -> list[str]:
    words: list[str] = _WORD.findall(text)
    return words


# `RELATED: ...`, `Read more: ...`: links to other stories, whose quotes are not this story's.
_LINK_LABEL = regex.compile(
    r"(?i:related|read more|read also|also read|see also|more|watch|listen|video|photos|"
    r"recommended|recommended reading|trending|most read|opinion)\s*[:|»›>-]"
)


def _is_headline(text: str, paragraph: Span) -> bool:
    """A short line without closing punctuation near the top: a title, not reporting."""
    body = text[paragraph.start : paragraph.end].rstrip()
    return len(_words(body)) <= 25 and not body.endswith((".", "!", "?", ".”", '."', ":"))


def _classify(text: str, paragraphs: tuple[Span, ...], span: MarkedSpan) -> _Candidate | None:
    """A quotation candidate with its provisional kind, or None for titles, names and terms."""
    inner = text[span.inner.start : span.inner.end]
    words = _words(inner)
    if not words:
        return None
    paragraph = paragraphs[span.paragraph]
    before = text[paragraph.start : span.outer.start].rstrip()
    after = text[span.outer.end : paragraph.end].lstrip()
    previous_words = _words(before[-40:])
    previous_word = previous_words[-1].lower() if previous_words else ""
    if previous_word in _NAMING_WORDS or (
        len(previous_words) >= 2
        and previous_words[-2].lower() in ("known", "as")
        and previous_word == "as"
    ):
        return None
    naming_verb = any(w.lower() in _NAMING_VERBS for w in previous_words[-3:])
    proper = all(w[:1].isupper() for w in words if w.lower() not in _SMALL_WORDS)
    if len(words) <= 4 and naming_verb and proper and not before.endswith((",", ":")):
        return None  # `a group called "Friends of the Park"`, `locals call it "the Giant"`
    if _is_title(words, inner):
        return None
    if (
        len(words) <= 3
        and previous_words
        and previous_words[-1][:1].isupper()
        and after[:1].isupper()
        and not before.endswith((",", ":", ".", "—", "–"))
    ):
        return None  # a nickname inside a name: Dwayne "The Rock" Johnson
    previous_char = before[-1:] if before else ""
    starts_sentence = previous_char in ("", ":", ".", "!", "?", "”", '"', "’", "(", "—", "–")
    starts_upper = inner[:1].isupper() or inner[:1].isdigit() or inner[:1] in "…[.'‘\"“"
    opens_sentence_after_comma = previous_char in (",", ";") and (
        starts_upper or previous_word in REPORTING_VERBS  # `Trump said, "and we're ..."`
    )
    running = span.chain is not None or not span.closed
    direct = running or (starts_sentence and (starts_upper or previous_char == ":"))
    direct = direct or opens_sentence_after_comma
    return _Candidate(
        span=span,
        inner=span.inner,
        outer=span.outer,
        paragraph=span.paragraph,
        chain=span.chain,
        kind="direct" if direct else "fragment",
        words=len(words),
    )


def _is_title(words: list[str], inner: str) -> bool:
    """Title Case or capitals without a sentence's shape: a headline, a sign, a work's title."""
    if len(words) < 2:
        return False
    if inner.isupper() and sum(len(w) for w in words) >= 4:
        return True  # `EVAC CENTER — PETS WELCOME`, `RATES ON HOLD AGAIN`
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content or not words[0][:1].isupper():
        return False
    if not all(w[:1].isupper() or w[:1].isdigit() for w in content):
        return False
    # A short capitalised sentence ending in a full stop can be speech (`"Thank You All."`);
    # three or more capitalised content words are a title even before a comma.
    return not inner.rstrip().endswith(".") and (len(content) >= 3 or not inner.endswith(","))


def _fill_from_context(
    candidates: list[_Candidate],
    members: list[int],
    index: int,
    attributor: Attributor,
    last_direct: dict[int, _Candidate],
) -> None:
    """Quotations without a cue in their sentence: split quotes and quote-only paragraphs."""
    following: list[_Candidate | None] = [None] * len(members)
    upcoming: _Candidate | None = None
    for position in range(len(members) - 1, -1, -1):
        following[position] = upcoming
        if candidates[members[position]].attribution is not None:
            upcoming = candidates[members[position]]
    preceding: _Candidate | None = None
    for position, k in enumerate(members):
        candidate = candidates[k]
        weak = candidate.form == "previous sentence"
        if (candidate.attribution is None or weak) and candidate.kind != "fragment":
            source = preceding or following[position]
            if source is not None and source.attribution is not None:
                candidate.attribution = replace(
                    source.attribution,
                    cue="continuation",
                    confidence=source.attribution.confidence * 0.95,
                    competing=list(source.attribution.competing),
                )
                candidate.form = "continuation"
            elif weak:
                pass
            elif position == 0 and _opens_paragraph(attributor, candidate):
                before = index - 1
                if before > 0 and _is_topic_heading(attributor.text, attributor.paragraphs[before]):
                    before -= 1  # `On the Broncos defense` between a transcript's answers
                previous = _previous_paragraph_speaker(
                    last_direct.get(before), before + 1, attributor
                )
                if previous is not None:
                    candidate.attribution, candidate.form = previous
        if candidate.attribution is not None and candidate.form != "echo":
            preceding = candidate


def _is_topic_heading(text: str, paragraph: Span) -> bool:
    """A short line without closing punctuation or quotations: a heading inside the story."""
    body = text[paragraph.start : paragraph.end]
    return _is_headline(text, paragraph) and len(_words(body)) <= 15 and not _MARKS.search(body)


def _opens_paragraph(attributor: Attributor, candidate: _Candidate) -> bool:
    paragraph = attributor.paragraphs[candidate.paragraph]
    return not attributor.text[paragraph.start : candidate.outer.start].strip()


def _previous_paragraph_speaker(
    last: _Candidate | None, index: int, attributor: Attributor
) -> tuple[Attribution, str] | None:
    """The speaker of the quotation ending the paragraph before, or whom that paragraph intros."""
    if index == 0:
        return None
    paragraph = attributor.paragraphs[index - 1]
    if last is not None and last.attribution is not None and last.attribution.speaker:
        tail = attributor.text[last.outer.end : paragraph.end]
        if len(tail) < 80:
            attribution = replace(
                last.attribution, cue="continuation (paragraph before)", competing=[]
            )
            attribution.confidence *= 0.85
            return attribution, "continuation"
    return attributor.previous_paragraph_cue(index)


def _name_roles_later(candidates: list[_Candidate], attributor: Attributor, lede: int) -> None:
    """`the U.S. ambassador said` before the ambassador is named, or a lede's `a councillor
    said` (the story is about her): the person named next."""
    for candidate in candidates:
        pending = candidate.attribution
        if pending is None:
            continue
        # Only the lede's subject is introduced this way; an anonymous source (`an official
        # said`, `according to an official`) stays anonymous.
        cue = pending.cue or ""
        subject = cue.endswith("(intro)") and not cue.startswith("according to")
        introduced = pending.introduced and candidate.paragraph == lede and subject
        if not (pending.unresolved_role or introduced):
            continue
        named = attributor.person_named_next(candidate.outer.start)
        if named is not None:
            pending.entity = named
            pending.cue = f"{pending.cue} (named later)"
            pending.confidence *= 0.8


def _share_along_chains(candidates: list[_Candidate]) -> None:
    """The paragraphs of a quotation running over several paragraphs share its speaker."""
    by_chain: dict[int, Attribution] = {}
    for candidate in candidates:
        if candidate.chain is not None and candidate.attribution is not None:
            by_chain.setdefault(candidate.chain, candidate.attribution)
    for candidate in candidates:
        if candidate.chain is None or candidate.chain not in by_chain:
            continue
        if candidate.attribution is None or candidate.form in (
            "continuation",
            "previous paragraph",
        ):
            candidate.attribution = replace(by_chain[candidate.chain], cue="continuation")
            candidate.form = "continuation"


def _trigrams(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + 3]) for i in range(len(words) - 2)]


def _credit_echoes(text: str, candidates: list[_Candidate]) -> None:
    """A fragment that repeats a fuller quotation of the document is credited to its speaker."""
    index: dict[tuple[str, ...], set[int]] = defaultdict(set)
    fulls = [c for c in candidates if c.kind != "fragment" and c.attribution is not None]
    for k, full in enumerate(fulls):
        words = [w.lower() for w in _words(text[full.inner.start : full.inner.end])]
        for gram in _trigrams(words):
            index[gram].add(k)
    for candidate in candidates:
        if candidate.kind != "fragment" or candidate.words < _ECHO_MIN_WORDS:
            continue
        fragment = text[candidate.inner.start : candidate.inner.end]
        grams = _trigrams([w.lower() for w in _words(fragment)])
        counts: dict[int, int] = defaultdict(int)
        for gram in grams:
            for k in index.get(gram, ()):
                counts[k] += 1
        for k, shared in sorted(counts.items(), key=lambda item: -item[1]):
            if shared * 2 < len(grams):
                break
            full = fulls[k]
            score = fuzz.partial_ratio(
                fragment.lower(), text[full.inner.start : full.inner.end].lower()
            )
            if score >= _ECHO_MIN_SCORE and full.attribution is not None:
                candidate.attribution = replace(
                    full.attribution,
                    cue="repeats a quotation of the same speaker",
                    confidence=full.attribution.confidence * 0.9,
                    competing=[],
                )
                candidate.form = "echo"
                break


def _keep(candidate: _Candidate) -> bool:
    """Whether a candidate is an attributable quotation."""
    cued = candidate.form in ("trailer", "intro", "echo", "previous sentence")
    if candidate.kind == "fragment":
        return cued and candidate.words >= _MIN_FRAGMENT_WORDS
    if candidate.words == 1:
        return candidate.form == "trailer"
    if candidate.words < _MIN_UNCUED_DIRECT_WORDS:
        return cued or candidate.form == "continuation"
    return True


def _block_quotation(
    text: str, paragraphs: tuple[Span, ...], index: int, attributor: Attributor
) -> _Candidate | None:
    """A paragraph set off without marks after a paragraph that introduces a speaker."""
    if index == 0:
        return None
    previous = paragraphs[index - 1]
    intro = text[previous.start : previous.end].rstrip()
    cut = intro.rfind(". ", 0, len(intro) - 1)
    last_sentence = intro[cut + 2 :] if cut >= 0 else intro
    if not (intro.endswith(":") or _introduces(last_sentence)):
        return None
    paragraph = paragraphs[index]
    body = text[paragraph.start : paragraph.end]
    words = [w.lower().replace("’", "'") for w in _words(body)]
    if len(words) < 8:
        return None
    # Words in the first or second person mark speech; after a colon one is enough.
    personal = sum(1 for w in words if w in _FIRST_SECOND_PERSON)
    if personal < (1 if intro.endswith(":") else 2):
        return None
    found = attributor.previous_paragraph_cue(index)
    if found is None or found[0].entity is None or found[0].entity.kind != "person":
        return None
    attribution, _ = found
    attribution.cue = f"block after: {last_sentence[:60]}"
    return _Candidate(
        span=None,
        inner=paragraph,
        outer=paragraph,
        paragraph=index,
        chain=None,
        kind="block",
        words=len(words),
        attribution=attribution,
        form="block",
    )


# `PRIYANKA DESAI: ...`, `RUTH KESSLER, HOST: ...`, `A: ...` opening a transcript's paragraph.
_TURN_LABEL = regex.compile(
    r"(?P<label>Q|A|\p{Lu}[\p{Lu}.'’\-]+(?:\s+\p{Lu}[\p{Lu}.'’\-]+){0,3})"
    r"(?:,\s*\p{Lu}[\p{Lu} ]+)?:(?:\s+|$)"
)
_MIN_TURNS = 2  # one label could be a heading; a transcript has several


def _transcript_turns(text: str, paragraphs: tuple[Span, ...]) -> dict[int, tuple[str, int]]:
    """Paragraphs of a transcript or Q&A: index -> (speaker label, offset where words begin)."""
    turns: dict[int, tuple[str, int]] = {}
    for index, paragraph in enumerate(paragraphs):
        match = _TURN_LABEL.match(text, paragraph.start, paragraph.end)
        if match:
            turns[index] = (match.group("label"), match.end())
    return turns if len(turns) >= _MIN_TURNS else {}


def _transcript_turn(
    text: str, paragraph: Span, turn: tuple[str, int], attributor: Attributor
) -> _Candidate | None:
    """A speaker's turn in a transcript, as a block quotation (questions are not quoted)."""
    label, start = turn
    if label == "Q" or start >= paragraph.end:
        return None
    if label == "A":
        # The answers are the interviewee's: the first person the introduction names.
        entity = attributor.first_person()
        if entity is None:
            return None
    else:
        name = tuple(word.capitalize() for word in label.split())
        entity = attributor.registry.entity_for(name, role=None, honorific=None)
    inner = Span(start, paragraph.end)
    return _Candidate(
        span=None,
        inner=inner,
        outer=inner,
        paragraph=-1,
        chain=None,
        kind="block",
        words=len(_words(text[inner.start : inner.end])),
        attribution=Attribution(
            speaker=entity.display,
            speaker_as_written=label,
            cue="transcript label",
            confidence=0.85,
            entity=entity,
        ),
        form="block",
    )


_INTRO_PATTERN = regex.compile(
    r"\b(?:here\s+is|here's|here’s|remarks|statement|speech|said|says|wrote|writes|told|"
    r"addressed|address|testimony|testified|declared|put\s+it|words|according)\b",
    regex.IGNORECASE,
)


def _introduces(sentence: str) -> bool:
    return bool(_INTRO_PATTERN.search(sentence))


def _to_quotation(text: str, candidate: _Candidate) -> Quotation:
    attribution = candidate.attribution or Attribution()
    return Quotation(
        text=text[candidate.inner.start : candidate.inner.end],
        start=candidate.inner.start,
        end=candidate.inner.end,
        kind=candidate.kind,
        # The entity's name may have grown since (`Walsh` before `Nick Paton Walsh`).
        speaker=attribution.entity.display if attribution.entity else attribution.speaker,
        speaker_as_written=attribution.speaker_as_written,
        role=attribution.role,
        cue=attribution.cue,
        confidence=round(attribution.confidence, 3),
        competing_speakers=tuple(attribution.competing),
    )
