"""/v1/lookup: the fact-checker's "who said this?" for pasted words, cuts and light rewording."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from quotetrail.api.deps import AppState, StateDep, rate_limited
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import LookupRequest, LookupResponse
from quotetrail.db.engine import session_scope
from quotetrail.service.lookup_records import lookup_records

router = APIRouter(prefix="/v1", tags=["lookup"])


def _lookup(state: AppState, text: str, limit: int) -> list[dict[str, Any]]:
    with session_scope(state.read_sessions) as session:
        return lookup_records(session=session, text=text, limit=limit)


@router.post(
    "/lookup",
    response_model=LookupResponse,
    summary="Who said this?",
    dependencies=[Depends(rate_limited("read"))],
    responses=problems(400, 413, 422, 429, 503),
)
async def lookup_endpoint(body: LookupRequest, state: StateDep) -> JSONResponse:
    """The canonical quotes best matching `text`, best first, each with every appearance.

    Tolerant of cuts (a fragment of a longer quote), ellipses, editorial brackets and light
    rewording. Matching runs in the thread pool, never on the event loop; the records are built
    in the shape `quotetrail lookup` prints, and sent as they are.
    """
    matches = await run_in_threadpool(_lookup, state, body.text, body.limit)
    return JSONResponse({"matches": matches})
