"""Every error as RFC 9457 problem details (application/problem+json), mapped in one place."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from quotetrail.db.errors import NotFoundError

PROBLEM_JSON = "application/problem+json"
# Seconds a client should wait before retrying when the database is away.
DB_RETRY_AFTER = 5
# Validation errors listed in one problem: enough to fix a request, bounded for hostile ones.
MAX_LISTED_ERRORS = 20

log = logging.getLogger("quotetrail.api")


class ProblemError(Exception):
    """An error the API answers with a problem document (raise it anywhere in a request)."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.title = title
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `type` stays about:blank, so `title` is the status phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


async def _problem_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return problem_response(
        request,
        error.status,
        error.detail,
        title=error.title,
        headers=error.headers,
        **error.extensions,
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail: str | None = error.detail if isinstance(error.detail, str) else None
    if detail == HTTPStatus(error.status_code).phrase:
        detail = None  # Starlette's default detail repeats the title
    return problem_response(request, error.status_code, detail, headers=error.headers)


def _error_entry(error: Mapping[str, Any]) -> dict[str, Any]:
    # Never echo the input back: it may be megabytes, or a key.
    return {
        "loc": [str(part) for part in error.get("loc", ())],
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = list(error.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(request, 400, "The request body is not valid JSON.")
    return problem_response(
        request,
        422,
        "The request is well-formed but some of its values are not acceptable.",
        errors=[_error_entry(e) for e in errors[:MAX_LISTED_ERRORS]],
    )


async def _not_found(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotFoundError)
    return problem_response(request, 404, f"No {error.entity} with id {error.id}.")


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The message may name hosts and users: log it, tell the client only that it is temporary.
    log.warning("database unavailable: %s", type(error).__name__)
    return problem_response(
        request,
        503,
        "The database is unavailable; try again shortly.",
        headers={"Retry-After": str(DB_RETRY_AFTER)},
    )


async def _database_refused(request: Request, error: Exception) -> JSONResponse:
    # A value the database cannot store or compare (out of range, invalid encoding): the
    # request's fault, since validation lets only such edge cases through.
    log.info("database refused a value: %s", type(error).__name__)
    return problem_response(request, 422, "A value in the request cannot be processed.")


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "An unexpected error occurred.")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error the app can raise answer with problem+json."""
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(DataError, _database_refused)
    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
