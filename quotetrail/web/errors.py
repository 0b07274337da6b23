"""HTML error pages for people: the API's own error mapping, answered as a page.

The API maps every error to problem+json in one place (quotetrail.api.errors). A request for a
page (or any non-API path from a browser) gets the same status, title, detail and headers, as a
friendly HTML page instead.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from quotetrail.web.render import render

# Paths that belong to the JSON API and its docs: they always answer as the API does.
API_PATHS = ("/v1", "/healthz", "/readyz", "/openapi.json", "/docs", "/redoc")
PAGE_PATHS = ("/search", "/quotes", "/speakers", "/conflicts", "/static")
# Headers of the API's answer worth keeping on the page (the rest describe the JSON body).
KEPT_HEADERS = ("retry-after", "allow", "www-authenticate")

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def wants_page(request: Request) -> bool:
    """Whether an error on this request should answer as an HTML page."""
    path = request.url.path
    if _under(path, API_PATHS):
        return False
    if path == "/" or _under(path, PAGE_PATHS):
        return True
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request, status: int, detail: str | None, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A friendly page for an error status."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return render(
        request,
        "error.html",
        status_code=status,
        headers=headers,
        status=status,
        title=title,
        detail=detail,
    )


def _as_page(handler: Handler) -> Handler:
    async def handle(request: Request, error: Exception) -> Response:
        answer = handler(request, error)
        response = await answer if inspect.isawaitable(answer) else answer
        if not wants_page(request):
            return response
        detail = None
        try:
            body: Any = json.loads(bytes(response.body))
            if isinstance(body, dict) and isinstance(body.get("detail"), str):
                detail = body["detail"]
        except ValueError:
            pass
        kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        return error_page(request, response.status_code, detail, kept)

    return handle


def install_page_errors(app: FastAPI) -> None:
    """Wrap every installed error handler so that page requests get HTML pages."""
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _as_page(handler)
