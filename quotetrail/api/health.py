"""/healthz (the process is up) and /readyz (it can reach its database)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from quotetrail.api.deps import StateDep
from quotetrail.api.errors import ProblemError
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """200 while the process serves requests; touches nothing else."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, summary="Readiness", responses=problems(503))
def readyz(state: StateDep) -> Health:
    """200 when the database answers a query; 503 otherwise."""
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver or network failure means not ready
        raise ProblemError(
            503, "The database is unavailable.", headers={"Retry-After": "5"}
        ) from None
    return Health(status="ok", details={"database": state.engine.dialect.name})
