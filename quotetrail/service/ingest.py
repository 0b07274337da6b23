"""Ingestion: an article's text -> pipeline -> database, one article or a stream of them.

Preparation (extraction, utterances, index keys: pure, the slow part) runs first, in worker
processes when a stream is ingested. Then, under the matching lock, every utterance is matched
against the canonical quotes the index offers and attached to one, or becomes a new one; a
longer version absorbs the shorter ones it contains. Last, the verdict of every quote touched is
decided again. Articles are matched one after the other, each seeing the ones before it, so a
batch stores exactly what ingesting its articles one by one would.

Transactions: `ingest_article` joins the caller's (the API's: one per article). A stream
(`ingest_stream`, the CLI's and benchmarks') commits a batch of articles at a time; if anything
in a batch fails, the batch is rolled back and its articles are ingested again one transaction
each, so a failure costs only its own article and nothing is ever half-written. On SQLite its
checkpoints (copying the committed log into the database file) run in a thread beside the
writer (db/checkpoints.py). While a stream stores, the garbage collector runs less often
(STREAM_GC_THRESHOLD).

The statements run on the driver (db/driver.py) and read plain rows: SQLAlchemy's overhead per
statement was most of an article's cost.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from quotetrail.db.articles import content_hash, insert_article, stored_article_ids
from quotetrail.db.checkpoints import BackgroundCheckpoints
from quotetrail.db.engine import session_scope
from quotetrail.db.index import CandidateQuote, SqlQuoteIndex, lock_for_matching
from quotetrail.db.quotes import (
    add_appearances,
    appearance_similarities,
    create_quote,
    merge_quotes,
    primary_quote_ids,
    quote_rows,
    set_appearance_statuses,
    set_similarities,
    set_verdicts,
    update_quote,
    verdict_rows,
)
from quotetrail.db.speakers import speaker_names
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.match import (
    Candidate,
    Match,
    Wording,
    canonical_text,
    find_matches,
    index_keys,
    pair_keys,
)
from quotetrail.pipeline.normalize import normalize
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.types import Quotation
from quotetrail.pipeline.utterances import group_utterances, utterance_text
from quotetrail.pipeline.verdicts import AppearanceFacts, decide
from quotetrail.service.speakers import SpeakerBook
from quotetrail.sources import ArticleInput, parse_kind

# Canonical quotes the index offers per utterance, ranked by shared keys: the same utterance
# is at the top; more only costs time (8 store the same database as 32 did on the benchmark
# corpus at 100k and 1M quotes).
MATCH_CANDIDATES = 8
# Of those, the first MATCH_SHORTLIST are confirmed, and any further one whose index score is
# near the best's (db.index.CANDIDATE_SCORE_SHARE): the others share only a few common keys.
# On the benchmark corpus every one of 1,015 matches at 100k quotes was the index's first
# candidate. 1 stores the same database as 4 did (600 articles into copies of the 10k and 1M
# databases, and with a second seed at 1M) and as 12 before that; the matcher then analyses
# 2.0 candidates an utterance at 1M instead of 3.6: 5.18-5.34 ms of writer CPU an article there
# instead of 5.85-6.27, 3.07-3.23 instead of 3.21-3.54 at 10k (benchmarks/RESULTS.md).
MATCH_SHORTLIST = 1
# Keys an utterance's candidate statement reads, at most, the rarest first (db.index.MAX_KEYS,
# 16, serves lookups). Beyond the first few, the rarest keys left are common single words, and
# their postings were most of the statement's cost: at 1M quotes, 8 keys read 288 postings a
# statement where 16 read 553. The same 2,000 articles ingested into copies of the 10k, 100k
# and 1M databases stored identical rows with 16, 8 and 4 (benchmarks/RESULTS.md); 8, not 4,
# because at 1M the first candidate differed from 16's for 7 of 1,319 utterances with 8, for 24
# with 4. A longer version looks again for the quotes it contains (_also_contained).
MATCH_KEYS = 8
# An utterance with at least this many word-pair keys (pipeline.match.pair_keys) is offered the
# quotes sharing them first, and the quotes sharing any of its keys only if none of those is
# confirmed. A printed quotation shares word pairs with its quote unless typos or compounds
# break every one (then the second offer finds it); a single word's postings run to hundreds at
# 1M quotes, a pair's to a few, and a quote sharing rare single words can outrank the one
# sharing the pairs. 600 articles into copies of the databases: the same rows at 10k and 1M
# with one seed, and at 100k with another; with that other at 1M, one quotation of 2,624
# joined the stored quote it respells (one word) instead of becoming a duplicate. Writer CPU
# 5.26-5.31 -> 5.03-5.11 ms an article at 1M, 2.97-3.02 -> 2.89-2.99 at 10k.
MATCH_PAIR_KEYS = 3
# Articles per transaction in a stream: enough to spread a commit's cost, few enough that a
# failure's retry one by one stays short and the write lock is never held long.
BATCH_ARTICLES = 64
# Articles a worker process prepares per task (ingest_stream): few enough that the writer
# soon finds one done, enough that handing them over costs little.
TASK_ARTICLES = 8
# A stream prepares articles in worker processes only when it is at least this long: starting
# them costs about a second.
PROCESS_MIN_ARTICLES = 200
# The youngest generation of the cyclic garbage collector, while a stream stores: collected when
# this many more container objects (tuples, lists, dicts...) have been made than freed (Python's
# default: 700). With the default, the writer ran 253 collections of it, 23 of the next
# generation and 2 full ones in 1,000 articles at 10k quotes: 0.39-0.51 ms of CPU an article,
# about 5% of its work (timed by gc.callbacks; in perf's samples of the writer, 7%). With
# this: one while it stores (4 in all, counting those just before and at its end), 0.126-0.129
# ms an article.
# Reference counting frees almost every object at once anyway; what waits for a collection (in
# reference cycles) stays under this many objects, a few megabytes at most.
STREAM_GC_THRESHOLD = 50_000


@dataclass(frozen=True, slots=True)
class PreparedUtterance:
    """An utterance's quotations, its text and the index keys it is matched by."""

    parts: tuple[Quotation, ...]
    text: str
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """What ingestion needs of an article's text, computed without the database."""

    content_hash: str
    quotations: int
    utterances: tuple[PreparedUtterance, ...]


def prepare_article(text: str) -> PreparedArticle:
    """Extract the quotations of a text and group them into utterances (pure)."""
    document = document_from_text(text)
    quotations = extract_quotations(document)
    utterances = []
    for parts in group_utterances(document, quotations):
        said = utterance_text(parts)
        utterances.append(PreparedUtterance(tuple(parts), said, frozenset(index_keys(said))))
    return PreparedArticle(content_hash(text), len(quotations), tuple(utterances))


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ingesting one article did."""

    article_id: int
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
    kind: str = "news",
) -> IngestResult:
    """Store an article and its quotations as appearances of canonical quotes (idempotent).

    The extraction runs before the first statement: on SQLite a write transaction holds the
    database's write lock from its start, and other writers should not wait for extraction.
    """
    item = ArticleInput(
        label=origin,
        text=text,
        origin=origin,
        title=title,
        outlet=outlet,
        published=published,
        kind=parse_kind(kind),
    )
    (result,) = ingest_batch(session=session, articles=[(item, prepare_article(text))])
    return result


def ingest_batch(
    *, session: Session, articles: Sequence[tuple[ArticleInput, PreparedArticle]]
) -> list[IngestResult]:
    """Store prepared articles in the caller's transaction, in order; a result for each."""
    for item, _ in articles:
        parse_kind(item.kind)  # the type says so; a caller's mistake must not reach the table
    stored = stored_article_ids(
        session=session, content_hashes=[prepared.content_hash for _, prepared in articles]
    )
    if len(stored) < len({prepared.content_hash for _, prepared in articles}):
        lock_for_matching(session=session)  # something to write
    batch = _Batch(session)
    runs: list[_Ingestion | int] = []  # an article's run, or the id of the stored one
    for item, prepared in articles:
        found = stored.get(prepared.content_hash)
        article_id = None
        if found is None:
            article_id = insert_article(
                session=session,
                text=item.text,
                origin=item.origin,
                title=item.title,
                outlet=item.outlet,
                published_at=item.published,
                kind=item.kind,
                digest=prepared.content_hash,
            )
        if article_id is None:  # stored before, earlier in this batch, or by a concurrent writer
            runs.append(
                found
                or stored_article_ids(session=session, content_hashes=[prepared.content_hash])[
                    prepared.content_hash
                ]
            )
            continue
        stored[prepared.content_hash] = article_id
        run = _Ingestion(batch, article_id, item, quotations=prepared.quotations)
        for utterance in prepared.utterances:
            run.add_utterance(utterance)
        runs.append(run)
    batch.refresh_verdicts()
    return [
        IngestResult(article_id=run, created=False)
        if isinstance(run, int)
        else run.result(batch.merged_away)
        for run in runs
    ]


def ingest_stream(
    factory: sessionmaker[Session],
    items: Iterable[ArticleInput],
    *,
    processes: int = 0,
    batch_articles: int = BATCH_ARTICLES,
) -> Iterator[tuple[ArticleInput, IngestResult | Exception]]:
    """Ingest articles a batch per transaction, each with its result or its error, in order.

    With `processes`, that many worker processes prepare the articles ahead of the writer.
    """
    if processes > 0:
        context = multiprocessing.get_context("forkserver")
        with context.Pool(processes) as pool:
            yield from ingest_prepared(factory, _prepared_in(pool, items), batch_articles)
    else:
        prepared = ((item, _prepare_or_error(item.text)) for item in items)
        yield from ingest_prepared(factory, prepared, batch_articles)


def stream_processes(articles: int) -> int:
    """Worker processes worth starting to prepare `articles` (none for a short stream)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if articles < PROCESS_MIN_ARTICLES or not cores or cores < 2:
        return 0
    return cores - 1  # the writer keeps a core


def _prepared_in(
    pool: Any, items: Iterable[ArticleInput]
) -> Iterator[tuple[ArticleInput, PreparedArticle | Exception]]:
    # Two batches' worth of tasks in the workers' hands while the writer stores the one before:
    # neither waits. But starting the workers takes a second or two (imports, name data), the
    # time to store a couple of hundred articles: until their first task is done, the writer
    # prepares the articles of a task that is not done yet itself rather than wait. The
    # workers' result for them, computed meanwhile on a core the writer does not use, is not
    # used.
    iterator = iter(items)
    pending: deque[tuple[list[ArticleInput], Any]] = deque()
    started = False
    while True:
        while len(pending) < 2 * BATCH_ARTICLES // TASK_ARTICLES and (
            task := list(islice(iterator, TASK_ARTICLES))
        ):
            texts = [item.text for item in task]
            pending.append((task, pool.map_async(_prepare_or_error, texts, len(texts))))
        if not pending:
            return
        task, prepared = pending.popleft()
        started = started or prepared.ready()
        if started:
            yield from zip(task, prepared.get(), strict=True)
        else:
            yield from ((item, _prepare_or_error(item.text)) for item in task)


def _prepare_or_error(text: str) -> PreparedArticle | Exception:
    try:
        return prepare_article(text)
    except Exception as error:  # reported for its article; the others go on
        return error


def ingest_prepared(
    factory: sessionmaker[Session],
    prepared: Iterable[tuple[ArticleInput, PreparedArticle | Exception]],
    batch_articles: int = BATCH_ARTICLES,
) -> Iterator[tuple[ArticleInput, IngestResult | Exception]]:
    """Store prepared articles as `ingest_stream` does (a batch per transaction), in order.

    An article whose preparation failed comes back with its error.
    """
    iterator = iter(prepared)
    with BackgroundCheckpoints() as checkpoints, _fewer_collections():
        while chunk := list(islice(iterator, batch_articles)):
            ready = [
                (n, item, p) for n, (item, p) in enumerate(chunk) if isinstance(p, PreparedArticle)
            ]
            results: dict[int, IngestResult | Exception] = {
                n: p for n, (_, p) in enumerate(chunk) if isinstance(p, Exception)
            }
            try:
                stored = _store(factory, checkpoints, [(i, p) for _, i, p in ready])
                results.update(zip((n for n, _, _ in ready), stored, strict=True))
            except Exception:
                # Rolled back: again one transaction per article, so only a failing one is lost.
                for n, item, p in ready:
                    try:
                        (results[n],) = _store(factory, checkpoints, [(item, p)])
                    except Exception as error:
                        results[n] = error
            for n, (item, _) in enumerate(chunk):
                yield item, results[n]


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect the youngest generation only every STREAM_GC_THRESHOLD objects until the end."""
    threshold = gc.get_threshold()
    gc.set_threshold(STREAM_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _store(
    factory: sessionmaker[Session],
    checkpoints: BackgroundCheckpoints,
    articles: Sequence[tuple[ArticleInput, PreparedArticle]],
) -> list[IngestResult]:
    """Ingest prepared articles in one transaction of their own."""
    with session_scope(factory) as session:
        checkpoints.defer(session)
        stored = ingest_batch(session=session, articles=articles)
    checkpoints.request()
    return stored


def similarity(text: str, canonical: str) -> float:
    """How closely an appearance's words follow the canonical text, in [0, 1]."""
    if text == canonical:
        return 1.0  # the matcher's score of a verbatim text (and a new quote's usual case)
    found = find_matches(text, [Candidate(0, canonical)])
    if found:
        return found[0].score
    # Too short or too loose for the matcher (a short part of a split quotation): letters.
    return round(fuzz.partial_ratio(normalize(text), normalize(canonical)) / 100, 4)


class _Batch:
    """What the articles of one transaction share: the index, and the quotes they touched."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.index = SqlQuoteIndex(session)
        self.touched: set[int] = set()
        self.merged_away: set[int] = set()

    def refresh_verdicts(self) -> None:
        refresh_verdicts(session=self.session, quote_ids=self.touched - self.merged_away)


class _Ingestion:
    """The matching of one new article's utterances, inside the batch's transaction."""

    def __init__(
        self, batch: _Batch, article_id: int, article: ArticleInput, *, quotations: int
    ) -> None:
        self.batch = batch
        self.session = batch.session
        self.article_id = article_id
        self.article = article
        self.quotations = quotations
        # Per article, as ingesting it alone would: names resolve against what is stored.
        self.speakers = SpeakerBook(batch.session)
        self.touched: set[int] = set()
        self.spans: set[tuple[int, int]] = set()
        self.appearances = 0
        self.new_quotes = 0
        self.merged_quotes = 0

    def result(self, merged_away: Collection[int]) -> IngestResult:
        return IngestResult(
            article_id=self.article_id,
            created=True,
            quotations=self.quotations,
            appearances=self.appearances,
            new_quotes=self.new_quotes,
            merged_quotes=self.merged_quotes,
            quote_ids=tuple(sorted(self.touched - set(merged_away))),
        )

    def add_utterance(self, utterance: PreparedUtterance) -> None:
        # A span of an article is one appearance (the table says so too).
        parts = [p for p in utterance.parts if (p.start, p.end) not in self.spans]
        if not parts:
            return
        self.spans.update((p.start, p.end) for p in parts)
        text = utterance.text if len(parts) == len(utterance.parts) else utterance_text(parts)
        keys = utterance.keys if len(parts) == len(utterance.parts) else index_keys(text)
        speaker_id = self.speakers.credit(parts[0])  # the parts share one attribution
        index = self.batch.index
        pairs = pair_keys(keys)  # MATCH_PAIR_KEYS: the pairs first, every key if need be
        first = pairs if len(pairs) >= MATCH_PAIR_KEYS else keys
        found, matches = self._matched(text, first)
        if not matches and len(first) < len(keys):
            found, matches = self._matched(text, keys)
        matched: float | None = None  # the matcher's score of `text` against the canonical text
        if matches:
            quote = found[matches[0].id]
            # A longer version makes one quote of every shorter one it contains.
            contained = [found[m.id] for m in matches[1:] if m.relation == "contains"]
            if any(m.relation == "contains" for m in matches):
                contained += self._also_contained(text, keys, found, matches)
            canonical, changed = self._absorb(quote, contained, text)
            # Every wording's keys find the quote. Its stored text is one of its wordings, so
            # its keys are there already: a cut or a repeat (nine matches in ten on the
            # benchmark corpus) has no other, and writes nothing.
            index.add(quote.id, keys - index_keys(quote.text))
            quote_id = quote.id
            if canonical == quote.text:
                matched = matches[0].score  # similarity() would compare the two texts again
        else:
            quote_id = create_quote(
                session=self.session, text=text, normalized=normalize(text), speaker_id=speaker_id
            )
            index.add_new(quote_id, keys)
            self.new_quotes += 1
            canonical, changed = text, False
        add_appearances(
            session=self.session,
            quote_id=quote_id,
            article_id=self.article_id,
            published=self.article.published,
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
                    "similarity": matched
                    if matched is not None and part.text == text
                    else similarity(part.text, canonical),
                }
                for part in parts
            ],
        )
        self.appearances += len(parts)
        if changed:
            self._rescore(quote_id, canonical)
        self.touched.add(quote_id)
        self.batch.touched.add(quote_id)

    def _matched(
        self, text: str, keys: Collection[str]
    ) -> tuple[dict[int, CandidateQuote], list[Match]]:
        """The candidates the index offers for these keys, by id, and the matcher's confirmed
        ones among them, best first."""
        found = {c.id: c for c in self._offered(keys)}
        return found, find_matches(text, [Candidate(c.id, c.text) for c in found.values()])

    def _offered(self, keys: Collection[str]) -> list[CandidateQuote]:
        """The candidates the index offers the matcher for these keys."""
        return self.batch.index.candidates(
            keys, limit=MATCH_CANDIDATES, keep=MATCH_SHORTLIST, max_keys=MATCH_KEYS
        )

    def _also_contained(
        self,
        text: str,
        keys: frozenset[str],
        found: dict[int, CandidateQuote],
        matches: Sequence[Match],
    ) -> list[CandidateQuote]:
        """Stored quotes a longer version contains besides those `matches` found in `found`.

        The candidate statement reads only the rarest MATCH_KEYS of a text's keys. When they
        all come from one of the shorter quotes it contains, the others are not offered: they
        are looked for again by the keys that the quotes found so far do not have.
        """
        seen = set(found)
        covered = set().union(*(index_keys(found[m.id].text) for m in matches))
        more: list[CandidateQuote] = []
        while rest := keys - covered:
            fresh = [c for c in self._offered(rest) if c.id not in seen]
            seen.update(c.id for c in fresh)
            by_id = {c.id: c for c in fresh}
            inside = [
                by_id[m.id]
                for m in find_matches(text, [Candidate(c.id, c.text) for c in fresh])
                if m.relation == "contains"
            ]
            if not inside:
                return more
            more += inside
            covered.update(*(index_keys(quote.text) for quote in inside))
        return more

    def _absorb(
        self, quote: CandidateQuote, absorbed: Sequence[CandidateQuote], text: str
    ) -> tuple[str, bool]:
        """Merge `absorbed` into `quote`: the canonical wording, and whether the quote changed."""
        new = Wording(text, self.article.kind == "primary", self.article.published)
        # The usual case, a news cut of a known quote: if the current text wins even as a news
        # wording, whether a primary source backs it does not matter.
        current = Wording(quote.text, False, quote.first_seen)
        if not absorbed and not new.primary and canonical_text([current, new]) == quote.text:
            return quote.text, False
        primary = primary_quote_ids(
            session=self.session, quote_ids=[quote.id, *(q.id for q in absorbed)]
        )
        wordings = [Wording(q.text, q.id in primary, q.first_seen) for q in (quote, *absorbed)]
        wordings.append(new)
        for other in absorbed:
            merge_quotes(session=self.session, keep_id=quote.id, absorb_id=other.id)
            self.batch.merged_away.add(other.id)
            self.merged_quotes += 1
        best = canonical_text(wordings)
        if best != quote.text:
            update_quote(
                session=self.session, quote_id=quote.id, text=best, normalized=normalize(best)
            )
            return best, True
        # The absorbed quotes' appearances were scored against their own texts.
        return best, bool(absorbed)

    def _rescore(self, quote_id: int, canonical: str) -> None:
        rows = appearance_similarities(session=self.session, quote_id=quote_id)
        changed = {
            appearance_id: score
            for appearance_id, text, stored in rows
            if (score := similarity(text, canonical)) != stored
        }
        set_similarities(session=self.session, similarities=changed)


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
    names = speaker_names(
        session=session, speaker_ids=credited | {i for i in competitors.values() if i > 0}
    )
    names.update({stand_in: name for name, stand_in in stand_ins.items()})

    by_quote: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_quote[row["quote_id"]].append(row)
    quotes = quote_rows(session=session, quote_ids=list(by_quote))
    verdicts: dict[int, tuple[int | None, str, list[str]]] = {}
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
        decided = (verdict.speaker_id, verdict.status, list(verdict.evidence))
        if (quote.speaker_id, quote.attribution_status, quote.status_evidence) != decided:
            verdicts[quote_id] = decided
        for row in group:
            status = verdict.appearance_status.get(row["id"], row["status"])
            if status != row["status"]:
                changed[row["id"]] = status
    set_verdicts(session=session, verdicts=verdicts)
    set_appearance_statuses(session=session, statuses=changed)
