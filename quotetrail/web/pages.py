"""The pages: search, a quote with every appearance, a speaker, the conflicts.

Each page reads through the same db functions and view builders as the JSON API, so a page and
its /v1 twin always agree (the word-level differences come from the API's own `word_diff`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from rapidfuzz import fuzz

from quotetrail.api.deps import SessionDep, rate_limited
from quotetrail.api.schemas import (
    CONFLICT_STATUSES,
    MAX_LOOKUP_CHARS,
    AppearanceDetail,
    QuoteSummary,
    SpeakerRef,
    clean_text,
)
from quotetrail.api.speakers import SPEAKER_QUOTES
from quotetrail.api.views import (
    appearance_detail,
    evidence,
    load_speakers,
    quote_summaries,
    quote_summary,
    speaker_ref,
)
from quotetrail.db.browse import (
    count_quotes_by_speaker,
    list_quotes_credited_elsewhere,
    list_quotes_page,
)
from quotetrail.db.quotes import get_quote, list_appearances_with_articles
from quotetrail.db.speakers import get_speaker, list_aliases
from quotetrail.service.lookup import lookup
from quotetrail.web.errors import error_page
from quotetrail.web.render import render

MAX_ID = 2**31 - 1
SEARCH_RESULTS = 10
EXCERPT_CHARS = 140  # of canonical text shown on each side of the matching words
MARK_MIN_SCORE = 60  # weaker alignments are not marked: the words are not really there
MAX_STEPS = 40  # moves of the marked span's ends while the match improves (bounds the cost)
CONFLICTS_PER_PAGE = 25
EXAMPLES = (
    "Is there nothing that can shame you?",
    "almost certainly a violation of international law",
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limited("read"))])


def _page_id(raw: str) -> int | None:
    """A path segment as a row id, or None when it cannot be one (the page is then a 404)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= MAX_ID:
        return int(raw)
    return None


def _not_found(request: Request, what: str, raw: str) -> HTMLResponse:
    detail = f"There is no {what} with the id “{raw[:40]}”."
    if what == "quote":
        detail += " Quotes can merge when a new article joins two versions of the same words."
    return error_page(request, 404, detail)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The search box."""
    return render(request, "home.html", q="", examples=EXAMPLES, max_chars=MAX_LOOKUP_CHARS)


@dataclass(frozen=True)
class Excerpt:
    """The part of a canonical text that matches the words searched, with some text around."""

    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Result:
    """One search result: a canonical quote and how well it matches the words searched."""

    score: float
    quote: QuoteSummary
    excerpt: Excerpt


def _words_matching(text: str, words: str) -> tuple[int, int] | None:
    """The run of whole words of `text` closest to `words`: where a search matched, or None."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    query = " ".join(words.lower().split())
    if not spans or not query:
        return None
    found = fuzz.partial_ratio_alignment(query, text.lower())
    if found is None or found.score < MARK_MIN_SCORE:
        return None
    inside = [k for k, (a, b) in enumerate(spans) if a < found.dest_end and b > found.dest_start]
    if not inside:
        return None

    def score(first: int, last: int) -> float:
        return fuzz.ratio(query, text[spans[first][0] : spans[last][1]].lower())

    # The alignment has the query's length; the words said may be a few more or fewer.
    best = (inside[0], inside[-1])
    best_score = score(*best)
    for _ in range(MAX_STEPS):
        first, last = best
        moves = [
            move
            for k in (1, 2, 3)  # a word or two more on one side can score less on its own
            for move in ((first - k, last), (first, last + k), (first + k, last), (first, last - k))
        ]
        scored = [(score(a, b), (a, b)) for a, b in moves if 0 <= a <= b < len(spans)]
        top = max(scored, default=(best_score, best))
        if top[0] <= best_score:
            break
        best_score, best = top
    return spans[best[0]][0], spans[best[1]][1]


def excerpt(text: str, words: str, around: int = EXCERPT_CHARS) -> Excerpt:
    """`text` with the words closest to `words` marked, cut to `around` characters a side."""
    where = _words_matching(text, words)
    start, end = where if where else (0, 0)
    before, match, after = text[:start], text[start:end], text[end:]
    if not match:
        around *= 2
    if len(before) > around:
        cut = before[-around:]
        before = "…" + (cut[cut.index(" ") + 1 :] if " " in cut else cut)
    if len(after) > around:
        cut = after[:around]
        after = (cut[: cut.rindex(" ")] if " " in cut else cut) + "…"
    return Excerpt(before, match, after)


def _query_problem(q: str) -> str | None:
    """Why these words cannot be searched, or None."""
    if not q.strip():
        return "Paste or type some words of a quote to search for."
    if len(q) > MAX_LOOKUP_CHARS:
        return (
            f"That is {len(q):,} characters; search with at most {MAX_LOOKUP_CHARS:,} "
            "(a sentence or two is plenty)."
        )
    try:
        clean_text(q)
    except ValueError as error:
        return f"These words cannot be searched: the text {error}."
    return None


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    """Canonical quotes matching pasted words, best first."""
    problem = _query_problem(q)
    if problem is not None:
        shown = q if len(q) <= MAX_LOOKUP_CHARS else q[:MAX_LOOKUP_CHARS]
        return render(
            request,
            "search.html",
            status_code=400,
            q=shown,
            problem=problem,
            results=[],
            max_chars=MAX_LOOKUP_CHARS,
        )
    found = lookup(session=session, text=q, limit=SEARCH_RESULTS)
    speakers = load_speakers(session, [m.quote for m in found])
    results = [
        Result(m.score, quote_summary(m.quote, speakers), excerpt(m.quote.text, q)) for m in found
    ]
    return render(
        request, "search.html", q=q, problem=None, results=results, max_chars=MAX_LOOKUP_CHARS
    )


@dataclass(frozen=True)
class CreditCount:
    """How many appearances credit one speaker (None: nobody identified)."""

    speaker: SpeakerRef | None
    count: int


def _credit_counts(appearances: Sequence[AppearanceDetail]) -> list[CreditCount]:
    counts = Counter(a.speaker.id if a.speaker else None for a in appearances)
    refs = {a.speaker.id: a.speaker for a in appearances if a.speaker}
    return [CreditCount(refs.get(i) if i is not None else None, n) for i, n in counts.most_common()]


def _competitors(quote: QuoteSummary, appearances: Sequence[AppearanceDetail]) -> list[str]:
    """Everyone else credited with the words: by another source, or by an article's context."""
    best = quote.speaker.name if quote.speaker else None
    names: list[str] = []
    for appearance in appearances:
        if appearance.speaker is not None:
            names.append(appearance.speaker.name)
        names.extend(appearance.competing_speakers)
    return [name for name in dict.fromkeys(names) if name != best]


@router.get("/quotes/{quote_id}", response_class=HTMLResponse)
def quote_page(request: Request, quote_id: str, session: SessionDep) -> HTMLResponse:
    """A canonical quote: who said it, how sure we are, and every appearance with its wording."""
    number = _page_id(quote_id)
    quote = get_quote(session=session, quote_id=number) if number is not None else None
    if quote is None:
        return _not_found(request, "quote", quote_id)
    rows = list_appearances_with_articles(session=session, quote_ids=[quote.id or 0])
    speakers = load_speakers(session, [quote], [a for a, _ in rows])
    appearances = [appearance_detail(a, article, quote, speakers) for a, article in rows]
    summary = quote_summary(quote, speakers)
    best = speakers.get(quote.speaker_id) if quote.speaker_id is not None else None
    best_id = summary.speaker.id if summary.speaker else None
    supporting = [a for a in appearances if a.speaker and a.speaker.id == best_id]
    # Appearances that disagree with the verdict or leave it open: the warning lists them.
    dissent = [
        a
        for a in appearances
        if a.status != "consistent"
        or a.competing_speakers
        or a.speaker is None
        or a.speaker.id != best_id
    ]
    return render(
        request,
        "quote.html",
        quote=summary,
        role=best.role if best else None,
        evidence=evidence(quote),
        appearances=appearances,
        first=appearances[0] if appearances else None,
        credits=_credit_counts(appearances),
        supporting=supporting,
        dissent=dissent,
        competitors=_competitors(summary, appearances),
    )


@router.get("/speakers/{speaker_id}", response_class=HTMLResponse)
def speaker_page(request: Request, speaker_id: str, session: SessionDep) -> HTMLResponse:
    """A speaker: the names sources use, role, and the quotes credited to them."""
    number = _page_id(speaker_id)
    speaker = get_speaker(session=session, speaker_id=number) if number is not None else None
    if speaker is None or number is None:
        return _not_found(request, "speaker", speaker_id)
    aliases = list(
        dict.fromkeys(alias.alias for alias in list_aliases(session=session, speaker_id=number))
    )
    quotes = list_quotes_page(session=session, speaker_ids=[number], limit=SPEAKER_QUOTES)
    elsewhere = list_quotes_credited_elsewhere(
        session=session, speaker_id=number, limit=SPEAKER_QUOTES
    )
    count = count_quotes_by_speaker(session=session, speaker_ids=[number])[number]
    return render(
        request,
        "speaker.html",
        speaker=speaker,
        aliases=[a for a in aliases if a != speaker.name],
        quote_count=count,
        quotes=quote_summaries(session, quotes),
        elsewhere=quote_summaries(session, elsewhere),
    )


@dataclass(frozen=True)
class CreditLine:
    """The sources crediting one speaker with a conflicting quote."""

    speaker: SpeakerRef | None
    sources: list[AppearanceDetail]


@dataclass(frozen=True)
class ConflictItem:
    """A disputed, misattributed or uncertain quote with its evidence and who credits whom."""

    quote: QuoteSummary
    evidence: list[str]
    credits: list[CreditLine]


ConflictStatus = Literal["disputed", "misattributed", "uncertain"]


@router.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(
    request: Request,
    session: SessionDep,
    status: ConflictStatus | None = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> HTMLResponse:
    """Every quote whose sources disagree on, or leave open, who said it."""
    statuses = [status] if status else list(CONFLICT_STATUSES)
    quotes = list_quotes_page(
        session=session, statuses=statuses, after=(after, after), limit=CONFLICTS_PER_PAGE + 1
    )
    more = len(quotes) > CONFLICTS_PER_PAGE
    quotes = quotes[:CONFLICTS_PER_PAGE]
    rows = list_appearances_with_articles(
        session=session, quote_ids=[q.id for q in quotes if q.id is not None]
    )
    speakers = load_speakers(session, quotes, [a for a, _ in rows])
    by_quote = {quote.id: quote for quote in quotes}
    grouped: dict[int, dict[int | None, list[AppearanceDetail]]] = {}
    for appearance, article in rows:
        detail = appearance_detail(appearance, article, by_quote[appearance.quote_id], speakers)
        grouped.setdefault(appearance.quote_id, {}).setdefault(appearance.speaker_id, []).append(
            detail
        )
    items = [
        ConflictItem(
            quote=quote_summary(quote, speakers),
            evidence=evidence(quote),
            credits=[
                CreditLine(speaker_ref(speakers, speaker_id), sources)
                for speaker_id, sources in grouped.get(quote.id or 0, {}).items()
            ],
        )
        for quote in quotes
    ]
    return render(
        request,
        "conflicts.html",
        items=items,
        status=status,
        statuses=CONFLICT_STATUSES,
        next_after=quotes[-1].id if more and quotes else None,
    )
