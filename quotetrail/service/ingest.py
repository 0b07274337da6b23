"""Ingestion: an article's text -> pipeline -> database.

Extraction (pure, the slow part) runs first; then, under the matching lock, every utterance is
matched against the canonical quotes the index offers and attached to one, or becomes a new one;
a longer version absorbs the shorter ones it contains. Last, the verdict of every quote touched is
decided again. The caller owns the transaction: one per article, so a failure leaves nothing
half-written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session

from quotetrail.db.articles import content_hash, get_article_by_hash, get_or_create_article
from quotetrail.db.index import SqlQuoteIndex, lock_for_matching
from quotetrail.db.models import ARTICLE_KINDS, Appearance, Article, ArticleKind, Quote
from quotetrail.db.quotes import (
    add_appearances,
    get_quotes,
    list_appearances,
    merge_quotes,
    primary_quote_ids,
    set_appearance_statuses,
    update_appearance,
    update_quote,
    verdict_rows,
)
from quotetrail.db.quotes import create_quote as db_create_quote
from quotetrail.db.speakers import get_speakers
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.match import Candidate, Wording, canonical_text, find_matches, index_keys
from quotetrail.pipeline.normalize import normalize
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.types import Quotation
from quotetrail.pipeline.utterances import group_utterances, utterance_text
from quotetrail.pipeline.verdicts import AppearanceFacts, decide
from quotetrail.service.lookup import shortlist
from quotetrail.service.speakers import SpeakerBook

# Canonical quotes confirmed with the matcher per utterance: the index ranks them by shared
# keys, so the same utterance is near the top; more only costs time.
MATCH_CANDIDATES = 32
# Of those, the first MATCH_SHORTLIST are confirmed, and any further one whose index score is
# near the best's (service.lookup.shortlist): the others share only a few common keys.
MATCH_SHORTLIST = 12


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ingesting one article did."""

    article: Article
    created: bool  # False: the same text was already stored, nothing was written
    quotations: int = 0
    appearances: int = 0
    new_quotes: int = 0
    merged_quotes: int = 0
    quote_ids: tuple[int, ...] = ()  # canonical quotes the article appears in


def ingest_article(
    *,
    session: Session,
    text: str,
    origin: str,
    title: str | None = None,
    outlet: str | None = None,
    published: date | None = None,
    kind: ArticleKind = "news",
) -> IngestResult:
    """Store an article and its quotations as appearances of canonical quotes (idempotent)."""
    if kind not in ARTICLE_KINDS:
        raise ValueError(f"article kind must be one of {ARTICLE_KINDS}, not {kind!r}")
    existing = get_article_by_hash(session=session, content_hash=content_hash(text))
    if existing is not None:
        return IngestResult(article=existing, created=False)
    document = document_from_text(text)
    quotations = extract_quotations(document)
    utterances = group_utterances(document, quotations)

    lock_for_matching(session=session)
    article, created = get_or_create_article(
        session=session,
        text=text,
        origin=origin,
        title=title,
        outlet=outlet,
        published_at=published,
        kind=kind,
    )
    if not created:  # stored by a concurrent writer meanwhile
        return IngestResult(article=article, created=False)
    run = _Ingestion(session, article)
    for parts in utterances:
        run.add_utterance(parts)
    refresh_verdicts(session=session, quote_ids=run.touched, speakers=run.speakers)
    return IngestResult(
        article=article,
        created=True,
        quotations=len(quotations),
        appearances=run.appearances,
        new_quotes=run.new_quotes,
        merged_quotes=run.merged_quotes,
        quote_ids=tuple(sorted(run.touched)),
    )


def similarity(text: str, canonical: str) -> float:
    """How closely an appearance's words follow the canonical text, in [0, 1]."""
    found = find_matches(text, [Candidate(0, canonical)])
    if found:
        return found[0].score
    # Too short or too loose for the matcher (a short part of a split quotation): letters.
    return round(fuzz.partial_ratio(normalize(text), normalize(canonical)) / 100, 4)


class _Ingestion:
    """The matching of one new article's utterances, inside the caller's transaction."""

    def __init__(self, session: Session, article: Article) -> None:
        assert article.id is not None
        self.session = session
        self.article = article
        self.article_id = article.id
        self.index = SqlQuoteIndex(session)
        self.speakers = SpeakerBook(session)
        self.touched: set[int] = set()
        self.spans: set[tuple[int, int]] = set()
        self.appearances = 0
        self.new_quotes = 0
        self.merged_quotes = 0

    def add_utterance(self, parts: Sequence[Quotation]) -> None:
        # A span of an article is one appearance (the table says so too).
        parts = [p for p in parts if (p.start, p.end) not in self.spans]
        if not parts:
            return
        self.spans.update((p.start, p.end) for p in parts)
        text = utterance_text(parts)
        speaker_id = self.speakers.credit(parts[0])  # the parts share one attribution
        keys = index_keys(text)
        # Texts only: most candidates share topic words and are rejected by the matcher, so
        # loading them as full rows would be wasted.
        found = self.index.candidates_with_texts(keys, limit=MATCH_CANDIDATES)
        texts = {quote_id: quote_text for quote_id, _, quote_text in found}
        ids = shortlist([(i, score) for i, score, _ in found], keep=MATCH_SHORTLIST)
        matches = find_matches(text, [Candidate(i, texts[i]) for i in ids])
        if matches:
            contained = [m.id for m in matches[1:] if m.relation == "contains"]
            by_id = {
                q.id: q
                for q in get_quotes(session=self.session, quote_ids=[matches[0].id, *contained])
            }
            quote = by_id[matches[0].id]
            # A longer version makes one quote of every shorter one it contains.
            absorbed = [by_id[i] for i in contained]
            changed = self._absorb(quote, absorbed, text)
            self.index.add(_id(quote), keys)  # every wording's keys find the quote
        else:
            quote = db_create_quote(
                session=self.session, text=text, normalized=normalize(text), speaker_id=speaker_id
            )
            self.index.add_new(_id(quote), keys)
            self.new_quotes += 1
            changed = False
        add_appearances(
            session=self.session,
            quote_id=_id(quote),
            article_id=self.article_id,
            published=self.article.published_at,
            appearances=[
                {
                    "start": part.start,
                    "end": part.end,
                    "text": part.text,
                    "kind": part.kind,
                    "speaker_id": speaker_id,
                    "speaker_as_written": part.speaker_as_written,
                    "cue": part.cue,
                    "confidence": part.confidence,
                    "competing_speakers": part.competing_speakers,
                    "similarity": similarity(part.text, quote.text),
                }
                for part in parts
            ],
        )
        self.appearances += len(parts)
        if changed:
            self._rescore(quote)
        self.touched.add(_id(quote))

    def _absorb(self, quote: Quote, absorbed: Sequence[Quote], text: str) -> bool:
        """Merge `absorbed` into `quote` and pick the canonical wording; True if it changed."""
        new = Wording(text, self.article.kind == "primary", self.article.published_at)
        # The usual case, a news cut of a known quote: if the current text wins even as a news
        # wording, whether a primary source backs it does not matter.
        current = Wording(quote.text, False, quote.first_seen)
        if not absorbed and not new.primary and canonical_text([current, new]) == quote.text:
            return False
        primary = primary_quote_ids(
            session=self.session, quote_ids=[_id(quote), *(_id(q) for q in absorbed)]
        )
        wordings = [Wording(q.text, q.id in primary, q.first_seen) for q in (quote, *absorbed)]
        wordings.append(new)
        for other in absorbed:
            merge_quotes(session=self.session, keep_id=_id(quote), absorb_id=_id(other))
            self.touched.discard(_id(other))
            self.merged_quotes += 1
        best = canonical_text(wordings)
        if best != quote.text:
            update_quote(
                session=self.session, quote_id=_id(quote), text=best, normalized=normalize(best)
            )
            return True
        return bool(absorbed)

    def _rescore(self, quote: Quote) -> None:
        for appearance in list_appearances(session=self.session, quote_id=_id(quote)):
            score = similarity(appearance.text, quote.text)
            if appearance.id is not None and score != appearance.similarity:
                update_appearance(
                    session=self.session, appearance_id=appearance.id, similarity=score
                )


def refresh_verdicts(
    *, session: Session, quote_ids: Collection[int], speakers: SpeakerBook | None = None
) -> None:
    """Decide the attribution status of these quotes again and store it with its evidence."""
    if not quote_ids:
        return
    book = speakers or SpeakerBook(session)
    # Plain rows of the columns verdicts need: no ORM objects, no article texts.
    rows = verdict_rows(session=session, quote_ids=quote_ids)
    # Competing names the database knows become their speakers; the others get a stand-in id
    # (negative, never stored) so that the verdict can still name them.
    stand_ins: dict[str, int] = {}
    competitors: dict[str, int] = {}
    for row in rows:
        for name in row["competing_speakers"]:
            if name not in competitors:
                found = book.resolve(name)
                if found is None:
                    found = stand_ins.setdefault(name, -1 - len(stand_ins))
                competitors[name] = found
    credited = {r["speaker_id"] for r in rows if r["speaker_id"] is not None}
    stored = get_speakers(
        session=session, speaker_ids=credited | {i for i in competitors.values() if i > 0}
    )
    names = {speaker_id: speaker.name for speaker_id, speaker in stored.items()}
    names.update({stand_in: name for name, stand_in in stand_ins.items()})

    by_quote: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_quote[row["quote_id"]].append(row)
    quotes = {_id(q): q for q in get_quotes(session=session, quote_ids=list(by_quote))}
    changed: dict[int, str] = {}
    for quote_id, group in by_quote.items():
        facts = [
            AppearanceFacts(
                appearance_id=row["id"],
                speaker_id=row["speaker_id"],
                article_kind=row["article_kind"],
                published=row["published"],
                article_id=row["article_id"],
                competing_speaker_ids=tuple(
                    dict.fromkeys(competitors[n] for n in row["competing_speakers"])
                ),
            )
            for row in group
        ]
        verdict = decide(facts, names=names)
        quote = quotes[quote_id]
        current = (quote.speaker_id, quote.attribution_status, quote.status_evidence)
        if current != (verdict.speaker_id, verdict.status, list(verdict.evidence)):
            update_quote(
                session=session,
                quote_id=quote_id,
                speaker_id=verdict.speaker_id,
                attribution_status=verdict.status,
                status_evidence=list(verdict.evidence),
            )
        for row in group:
            status = verdict.appearance_status.get(row["id"], row["status"])
            if status != row["status"]:
                changed[row["id"]] = status
    set_appearance_statuses(session=session, statuses=changed)


def _id(row: Quote | Appearance | Article) -> int:
    assert row.id is not None
    return row.id
