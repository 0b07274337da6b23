"""/v1/lookup: the fact-checker's "who said this?" for pasted words, cuts and light rewording."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from quotetrail.api.deps import StateDep, rate_limited
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import LookupRequest, LookupResponse
from quotetrail.db.engine import session_scope
from quotetrail.service.lookup import lookup
from quotetrail.service.records import appearance_record, quote_record, speakers_of

router = APIRouter(prefix="/v1", tags=["lookup"])


@router.post(
    "/lookup",
    response_model=LookupResponse,
    summary="Who said this?",
    dependencies=[Depends(rate_limited("read"))],
    responses=problems(400, 413, 422, 429, 503),
)
def lookup_endpoint(body: LookupRequest, state: StateDep) -> LookupResponse:
    """The canonical quotes best matching `text`, best first, each with every appearance.

    Tolerant of cuts (a fragment of a longer quote), ellipses, editorial brackets and light
    rewording. A sync endpoint: matching runs in the thread pool, never on the event loop.
    """
    with session_scope(state.read_sessions) as session:
        found = lookup(session=session, text=body.text, limit=body.limit)
        speakers = speakers_of(
            session=session,
            quotes=[m.quote for m in found],
            appearances=[a for m in found for a, _ in m.appearances],
        )
        matches = [
            {
                "score": m.score,
                "quote": quote_record(m.quote, speakers),
                "appearances": [appearance_record(a, art, speakers) for a, art in m.appearances],
            }
            for m in found
        ]
    return LookupResponse.model_validate({"matches": matches})
