"""/v1/quotes: browse canonical quotes; one quote with every appearance and its differences."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import AfterValidator
from sqlmodel import Session

from quotetrail.api.cursors import PositionType, decode_cursor, next_page
from quotetrail.api.deps import SessionDep, rate_limited
from quotetrail.api.etag import etag_response
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import QuoteDetail, QuotePage, StatusFilter, clean_text
from quotetrail.api.views import appearance_detail, evidence, load_speakers, quote_summaries
from quotetrail.db.browse import QuoteSort, list_quotes_page, quote_position
from quotetrail.db.errors import NotFoundError
from quotetrail.db.models import Quote
from quotetrail.db.quotes import get_quote, list_appearances_with_articles
from quotetrail.db.speakers import alias_key, find_speakers_by_alias

MAX_ID = 2**31 - 1
MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_QUERY_CHARS = 500

router = APIRouter(
    prefix="/v1/quotes", tags=["quotes"], dependencies=[Depends(rate_limited("read"))]
)


def _clean_optional(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


CleanQuery = Annotated[str | None, AfterValidator(_clean_optional)]


def text_query(description: str) -> Any:
    """A free-text query parameter: bounded length, no NUL characters."""
    return Query(max_length=MAX_QUERY_CHARS, description=description)


def speaker_ids_for(session: Session, speaker: str) -> list[int]:
    """The speakers a `speaker` filter names: an id, or a name or alias as written."""
    if speaker.isascii() and speaker.isdigit():
        # Ids are 32-bit: a larger number names nobody (PostgreSQL would refuse to compare it).
        return [int(speaker)] if len(speaker) <= 10 and int(speaker) <= MAX_ID else []
    key = alias_key(speaker)
    if not key:
        return []
    return [s.id for s in find_speakers_by_alias(session=session, key=key) if s.id is not None]


def _position_types(sort: QuoteSort) -> list[PositionType]:
    return ["date" if sort.endswith("first_seen") else "int", "int"]


def _position(quote: Quote, sort: QuoteSort) -> list[Any]:
    return list(quote_position(quote, sort))


@router.get(
    "",
    response_model=QuotePage,
    summary="Canonical quotes",
    responses=problems(400, 422, 429, 503),
)
def list_quotes(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[
        CleanQuery, text_query("Words of the canonical text (substring, any case).")
    ] = None,
    speaker: Annotated[
        CleanQuery, text_query("A speaker's id, or a name or alias as sources write it.")
    ] = None,
    status: Annotated[
        list[StatusFilter] | None, Query(description="Attribution status (repeatable).")
    ] = None,
    outlet: Annotated[CleanQuery, text_query("Appears in an article of this outlet.")] = None,
    published_from: Annotated[
        date | None, Query(description="Appears in an article published on or after this date.")
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Appears in an article published on or before this date.")
    ] = None,
    sort: Annotated[
        QuoteSort,
        Query(description="id (oldest first), -id, first_seen, -first_seen, -appearance_count."),
    ] = "id",
    cursor: Annotated[
        str | None, Query(max_length=512, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> QuotePage:
    """Canonical quotes matching every filter given, a page at a time."""
    filters = {
        "q": q,
        "speaker": speaker,
        "status": sorted(set(status)) if status else None,
        "outlet": outlet,
        "from": published_from,
        "to": published_to,
        "sort": sort,
    }
    after = None
    if cursor is not None:
        after = decode_cursor(cursor, "quotes", filters, _position_types(sort))
    speaker_ids = speaker_ids_for(session, speaker) if speaker else None
    quotes = list_quotes_page(
        session=session,
        q=q or None,
        speaker_ids=speaker_ids,
        statuses=status or None,
        outlet=outlet or None,
        published_from=published_from,
        published_to=published_to,
        sort=sort,
        after=after,
        limit=limit + 1,
    )
    quotes, next_cursor = next_page(
        quotes,
        limit,
        scope="quotes",
        filters=filters,
        position=lambda quote: _position(quote, sort),
        request=request,
        response=response,
    )
    return QuotePage(items=quote_summaries(session, quotes), next_cursor=next_cursor)


@router.get(
    "/{quote_id}",
    response_model=QuoteDetail,
    summary="A canonical quote with every appearance",
    responses={
        304: {"description": "Not modified (If-None-Match)."},
        **problems(404, 422, 429, 503),
    },
)
def read_quote(
    quote_id: Annotated[int, Path(ge=1, le=MAX_ID)], request: Request, session: SessionDep
) -> Response:
    """Canonical text, best-supported speaker, status with evidence, first appearance, and every
    appearance with its context and word-level difference from the canonical text."""
    quote = get_quote(session=session, quote_id=quote_id)
    if quote is None:
        raise NotFoundError("quote", quote_id)
    rows = list_appearances_with_articles(session=session, quote_ids=[quote_id])
    speakers = load_speakers(session, [quote], [a for a, _ in rows])
    appearances = [appearance_detail(a, article, quote, speakers) for a, article in rows]
    (summary,) = quote_summaries(session, [quote])
    detail = QuoteDetail(
        **summary.model_dump(),
        status_evidence=evidence(quote),
        first_appearance=appearances[0] if appearances else None,
        appearances=appearances,
    )
    return etag_response(request, detail)
