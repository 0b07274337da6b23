"""/v1/conflicts: quotes whose attribution is disputed, misattributed or uncertain."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from quotetrail.api.cursors import decode_cursor, next_page
from quotetrail.api.deps import SessionDep, rate_limited
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import (
    CONFLICT_STATUSES,
    Conflict,
    ConflictPage,
    Credit,
    CreditAppearance,
)
from quotetrail.api.views import article_ref, evidence, load_speakers, quote_summary, speaker_ref
from quotetrail.db.browse import list_quotes_page
from quotetrail.db.models import Appearance, Article
from quotetrail.db.quotes import list_appearances_with_articles

MAX_PAGE = 100
DEFAULT_PAGE = 20
ConflictStatus = Literal["disputed", "misattributed", "uncertain"]

router = APIRouter(prefix="/v1/conflicts", tags=["conflicts"])


@router.get(
    "",
    response_model=ConflictPage,
    summary="Disputed, misattributed and uncertain quotes",
    dependencies=[Depends(rate_limited("read"))],
    responses=problems(400, 422, 429, 503),
)
def list_conflicts(
    request: Request,
    response: Response,
    session: SessionDep,
    status: Annotated[
        list[ConflictStatus] | None,
        Query(description="Only these statuses (repeatable; default: all three)."),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=512, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> ConflictPage:
    """Every quote whose sources disagree on, or leave open, who said it; newest quotes last.

    Each lists its verdict's evidence and the appearances grouped by the speaker they credit.
    """
    statuses = sorted(set(status)) if status else list(CONFLICT_STATUSES)
    filters = {"status": statuses}
    after = None
    if cursor is not None:
        (after_id,) = decode_cursor(cursor, "conflicts", filters, ["int"])
        after = (after_id, after_id)
    quotes = list_quotes_page(session=session, statuses=statuses, after=after, limit=limit + 1)
    quotes, next_cursor = next_page(
        quotes,
        limit,
        scope="conflicts",
        filters=filters,
        position=lambda quote: [quote.id or 0],
        request=request,
        response=response,
    )
    rows = list_appearances_with_articles(
        session=session, quote_ids=[q.id for q in quotes if q.id is not None]
    )
    speakers = load_speakers(session, quotes, [a for a, _ in rows])
    by_quote: dict[int, dict[int | None, list[tuple[Appearance, Article]]]] = defaultdict(dict)
    for appearance, article in rows:
        by_quote[appearance.quote_id].setdefault(appearance.speaker_id, []).append(
            (appearance, article)
        )
    items = []
    for quote in quotes:
        credits = [
            Credit(
                speaker=speaker_ref(speakers, speaker_id),
                appearances=[
                    CreditAppearance(
                        id=a.id or 0,
                        article=article_ref(article),
                        text=a.text,
                        speaker_as_written=a.speaker_as_written,
                        status=a.status,
                        competing_speakers=list(a.competing_speakers),
                    )
                    for a, article in group
                ],
            )
            for speaker_id, group in by_quote.get(quote.id or 0, {}).items()
        ]
        items.append(
            Conflict(
                quote=quote_summary(quote, speakers),
                status_evidence=evidence(quote),
                credits=credits,
            )
        )
    return ConflictPage(items=items, next_cursor=next_cursor)
