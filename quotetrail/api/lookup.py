"""/v1/lookup: the fact-checker's "who said this?" for pasted words, cuts and light rewording."""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Response
from sqlalchemy.exc import DBAPIError

from quotetrail.api.deps import AppState, StateDep, rate_limited
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import LookupRequest, LookupResponse
from quotetrail.db.engine import session_scope
from quotetrail.db.lookups import prepare_for_lookup
from quotetrail.service.lookup_records import lookup_records

router = APIRouter(prefix="/v1", tags=["lookup"])

# Lookups run in at most this many threads per worker process. Matching is CPU work under the
# GIL: more threads only take turns (under wrk with 16 connections on 2 workers, about 8
# lookups at once per process cost 25% more CPU each than 2), while two let one thread compute
# while the other waits for the database.
LOOKUP_THREADS = 2
_limiter: anyio.CapacityLimiter | None = None


def _lookup_limiter() -> anyio.CapacityLimiter:
    # Created on first use: a limiter belongs to the event loop of the process serving.
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(LOOKUP_THREADS)
    return _limiter


def _compute(state: AppState, text: str, limit: int) -> bytes:
    """The answer as JSON bytes, computed (in a thread: matching is CPU work)."""
    try:
        matches = _matches(state, text, limit)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # A pooled connection found dead (the lookup pool does not pre-ping): once more, on a
        # new one; a database that is away fails again.
        matches = _matches(state, text, limit)
    return json.dumps({"matches": matches}, ensure_ascii=False, separators=(",", ":")).encode()


def _matches(state: AppState, text: str, limit: int) -> list[dict[str, Any]]:
    with session_scope(state.lookup_sessions) as session:
        prepare_for_lookup(session)
        return lookup_records(session=session, text=text, limit=limit)


@router.post(
    "/lookup",
    response_model=LookupResponse,
    summary="Who said this?",
    dependencies=[Depends(rate_limited("read"))],
    responses=problems(400, 413, 422, 429, 503),
)
async def lookup_endpoint(body: LookupRequest, state: StateDep) -> Response:
    """The canonical quotes best matching `text`, best first, each with every appearance.

    Tolerant of cuts (a fragment of a longer quote), ellipses, editorial brackets and light
    rewording. Matching runs in the thread pool, never on the event loop; the records are built
    in the shape `quotetrail lookup` prints. Answers are reused while the database is unchanged.
    """
    cache = state.lookup_cache
    # Read on the event loop before anything is computed: a repeated text is answered from the
    # cache without a thread or a pooled session (api/lookup_cache.py).
    key = (await state.change_marker.read(), body.text, body.limit)
    epoch = cache.epoch
    answer = cache.get(key)
    if answer is None:
        answer = await anyio.to_thread.run_sync(
            _compute, state, body.text, body.limit, limiter=_lookup_limiter()
        )
        cache.put(key, answer, epoch)
    return Response(answer, media_type="application/json")
