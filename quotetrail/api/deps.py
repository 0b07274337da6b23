"""Dependencies shared by the routers: settings, database sessions, API keys, rate limits."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from quotetrail.api.errors import ProblemError
from quotetrail.api.lookup_cache import LookupCache
from quotetrail.api.ratelimit import RateLimiter
from quotetrail.db.engine import create_session_factory
from quotetrail.db.lookups import ChangeMarker, create_lookup_engine
from quotetrail.settings import Settings


@dataclass
class AppState:
    """What one app instance holds: its settings, database engine, rate limiter and caches."""

    settings: Settings
    engine: Engine
    limiter: RateLimiter = field(default_factory=RateLimiter)
    lookup_cache: LookupCache = field(default_factory=LookupCache)
    read_sessions: sessionmaker[Session] = field(init=False)
    write_sessions: sessionmaker[Session] = field(init=False)
    change_marker: ChangeMarker = field(init=False)  # read by every lookup
    lookup_engine: Engine = field(init=False)  # computed lookups' (db.lookups)
    lookup_sessions: sessionmaker[Session] = field(init=False)
    # Digests of the accepted keys: compared in constant time, the keys themselves not kept.
    key_digests: tuple[bytes, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.read_sessions = create_session_factory(self.engine)
        self.write_sessions = create_session_factory(self.engine, write=True)
        self.change_marker = ChangeMarker(self.engine)
        self.lookup_engine = create_lookup_engine(self.engine)
        self.lookup_sessions = create_session_factory(self.lookup_engine)
        self.key_digests = tuple(_digest(key) for key in self.settings.api_keys)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


async def get_state(request: Request) -> AppState:
    """The AppState of the app serving this request (async: no thread hop for a lookup)."""
    state: AppState = request.app.state.quotetrail
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: StateDep) -> Settings:
    """The app's settings."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A read session in one transaction, closed after the response is built."""
    with state.read_sessions() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key from QUOTETRAIL_API_KEYS, as `Authorization: Bearer <key>`.",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def key_id(state: AppState, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """A stable, non-secret id of the presented key if it is valid, else None."""
    if credentials is None or not credentials.credentials:
        return None
    presented = _digest(credentials.credentials)
    valid = False
    for digest in state.key_digests:  # no early exit: the time does not tell which key matched
        valid |= hmac.compare_digest(presented, digest)
    return presented.hex()[:16] if valid else None


def client_address(request: Request) -> str:
    """The client's address as the server sees it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "unknown"


def _limit_for(settings: Settings, kind: str) -> int:
    if kind == "read":
        return settings.rate_limit_per_minute
    return settings.write_rate_limit_per_minute  # writes and exports share the stricter limit


def _take(state: AppState, kind: str, client: str) -> None:
    wait = state.limiter.hit(kind, client, _limit_for(state.settings, kind))
    if wait > 0:
        raise ProblemError(
            429,
            "Too many requests; slow down and retry after the time given.",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )


def rate_limited(kind: str) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency spending one token of `kind` (read, write, export) per address and key."""

    # The state is read from the request rather than through StateDep: FastAPI solves each
    # sub-dependency again at every request, and this one runs for nearly every request.
    async def dependency(request: Request, credentials: BearerDep) -> None:
        state: AppState = request.app.state.quotetrail
        _take(state, kind, f"ip:{client_address(request)}")
        identity = key_id(state, credentials)
        if identity is not None:
            _take(state, kind, f"key:{identity}")

    return dependency


async def require_write_key(state: StateDep, credentials: BearerDep) -> str:
    """The id of a valid API key in `Authorization: Bearer`, else 401."""
    if credentials is None:
        raise ProblemError(
            401,
            "Writes need an API key: send `Authorization: Bearer <key>`.",
            headers={"WWW-Authenticate": 'Bearer realm="quotetrail"'},
        )
    identity = key_id(state, credentials)
    if identity is None:
        raise ProblemError(
            401,
            "The API key is not valid.",
            headers={"WWW-Authenticate": 'Bearer realm="quotetrail", error="invalid_token"'},
        )
    return identity


WriteKeyDep = Annotated[str, Depends(require_write_key)]
