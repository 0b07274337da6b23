"""The FastAPI application: create_app(settings) wires routers, errors, limits and the database.

The schema is never created here: `quotetrail serve` (or the operator) migrates it first.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from quotetrail import api
from quotetrail.api import articles, conflicts, export, health, lookup, quotes, speakers
from quotetrail.api.bodylimit import BodyLimitMiddleware
from quotetrail.api.deps import AppState
from quotetrail.api.errors import install_error_handlers
from quotetrail.api.openapi import install_openapi
from quotetrail.db.engine import create_db_engine
from quotetrail.settings import Settings, get_settings
from quotetrail.web import install_pages

DESCRIPTION = """Quotation attribution database: who said this, where, in which words, and is that
right? Errors are RFC 9457 problem documents (`application/problem+json`). Writes need an API key
(`Authorization: Bearer <key>`)."""

# How long a thread may hold the GIL before another may run (Python's default: 5 ms). Answers
# from the cache are served on the event loop while computed lookups run in threads; with the
# default, a cached answer could wait a whole interval behind a computing thread. At 0.5 ms the
# mix of benchmarks.http_lookup on the 1M PostgreSQL database had a lower p99 in each of five
# interleaved pairs of runs (by 8 to 37 ms) at the same throughput (benchmarks/RESULTS.md).
GIL_SWITCH_INTERVAL_S = 0.0005


def create_app(settings: Settings | None = None) -> FastAPI:
    """A Quotetrail app over the settings' database (default: from the environment)."""
    settings = settings or get_settings()
    engine = create_db_engine(settings.database_url)
    state = AppState(settings=settings, engine=engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up built (modules, the app, its routes and schemas) lives as long as the
        # process: frozen out of the garbage collector, it is no longer walked by every full
        # collection, whose pauses are a lookup's worst latencies under load.
        gc.freeze()
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        try:
            yield
        finally:
            sys.setswitchinterval(switch_interval)
            state.change_marker.close()
            state.lookup_engine.dispose()
            engine.dispose()

    app = FastAPI(
        title="Quotetrail",
        version=api.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.quotetrail = state
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # A request is matched against the routes in order: the lookup, which fact-checking tools
    # call for every sentence, first (a cached answer's Python work in process: 0.26-0.34 ->
    # 0.20-0.25 ms). No two routers share a path, so the order changes nothing else.
    for module in (lookup, health, articles, quotes, speakers, conflicts, export):
        app.include_router(module.router)
    install_pages(app)  # HTML pages for people; after the error handlers it renders as pages
    return app
