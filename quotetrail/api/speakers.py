"""/v1/speakers: the people and organisations quotes are credited to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from quotetrail.api.cursors import decode_cursor, next_page
from quotetrail.api.deps import SessionDep, rate_limited
from quotetrail.api.etag import etag_response
from quotetrail.api.openapi import problems
from quotetrail.api.quotes import CleanQuery, text_query
from quotetrail.api.schemas import SpeakerDetail, SpeakerPage, SpeakerSummary
from quotetrail.api.views import quote_summaries
from quotetrail.db.browse import (
    count_quotes_by_speaker,
    list_quotes_credited_elsewhere,
    list_quotes_page,
)
from quotetrail.db.errors import NotFoundError
from quotetrail.db.models import Speaker
from quotetrail.db.speakers import get_speaker, list_aliases, list_speakers

MAX_ID = 2**31 - 1
MAX_PAGE = 100
DEFAULT_PAGE = 20
# Quotes listed on a speaker's page; the rest are a /v1/quotes?speaker= query away.
SPEAKER_QUOTES = 100

router = APIRouter(
    prefix="/v1/speakers", tags=["speakers"], dependencies=[Depends(rate_limited("read"))]
)


def _summary(speaker: Speaker, quote_count: int) -> SpeakerSummary:
    assert speaker.id is not None
    return SpeakerSummary(
        id=speaker.id,
        name=speaker.name,
        role=speaker.role,
        kind=speaker.kind,
        quote_count=quote_count,
    )


@router.get(
    "",
    response_model=SpeakerPage,
    summary="Speakers",
    responses=problems(400, 422, 429, 503),
)
def list_speakers_endpoint(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[CleanQuery, text_query("Part of the speaker's name (any case).")] = None,
    cursor: Annotated[
        str | None, Query(max_length=512, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> SpeakerPage:
    """Speakers in id order, optionally those whose name contains `q`."""
    filters = {"q": q}
    after_id = None
    if cursor is not None:
        (after_id,) = decode_cursor(cursor, "speakers", filters, ["int"])
    speakers = list_speakers(session=session, q=q or None, after_id=after_id, limit=limit + 1)
    speakers, next_cursor = next_page(
        speakers,
        limit,
        scope="speakers",
        filters=filters,
        position=lambda speaker: [speaker.id or 0],
        request=request,
        response=response,
    )
    counts = count_quotes_by_speaker(
        session=session, speaker_ids=[s.id for s in speakers if s.id is not None]
    )
    return SpeakerPage(
        items=[_summary(s, counts.get(s.id or 0, 0)) for s in speakers], next_cursor=next_cursor
    )


@router.get(
    "/{speaker_id}",
    response_model=SpeakerDetail,
    summary="A speaker with aliases and quotes",
    responses={
        304: {"description": "Not modified (If-None-Match)."},
        **problems(404, 422, 429, 503),
    },
)
def read_speaker(
    speaker_id: Annotated[int, Path(ge=1, le=MAX_ID)], request: Request, session: SessionDep
) -> Response:
    """The speaker's names as sources write them, role, and the quotes credited to them."""
    speaker = get_speaker(session=session, speaker_id=speaker_id)
    if speaker is None:
        raise NotFoundError("speaker", speaker_id)
    aliases = list(
        dict.fromkeys(alias.alias for alias in list_aliases(session=session, speaker_id=speaker_id))
    )
    quotes = list_quotes_page(session=session, speaker_ids=[speaker_id], limit=SPEAKER_QUOTES)
    elsewhere = list_quotes_credited_elsewhere(
        session=session, speaker_id=speaker_id, limit=SPEAKER_QUOTES
    )
    count = count_quotes_by_speaker(session=session, speaker_ids=[speaker_id])[speaker_id]
    detail = SpeakerDetail(
        **_summary(speaker, count).model_dump(),
        aliases=aliases,
        quotes=quote_summaries(session, quotes),
        also_credited=quote_summaries(session, elsewhere),
        quotes_url=f"/v1/quotes?speaker={speaker_id}",
    )
    return etag_response(request, detail)
