"""Templates -> HTML responses, every one with the pages' security headers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
# A cut of more words than this at either end of an appearance shows as a count, not struck words.
CUT_WORDS = 12

# No script runs on the pages and nothing loads from elsewhere: the policy says so.
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def web_link(origin: str | None) -> str | None:
    """`origin` if it is an http(s) URL a page may link to, else None (never javascript: etc.)."""
    if not origin:
        return None
    parts = urlsplit(origin.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return origin.strip()
    return None


def percent(value: float | None) -> str:
    """A score or confidence in [0, 1] as a whole percentage."""
    return "–" if value is None else f"{round(value * 100)}%"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """'1 appearance', '3 appearances'."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


environment = Environment(
    loader=PackageLoader("quotetrail.web", "templates"),
    autoescape=True,  # every page shows user-supplied text: queries, article text, names
    undefined=StrictUndefined,
    lstrip_blocks=True,
)
environment.filters.update(percent=percent, web_link=web_link)
environment.globals.update(plural=plural, cut_words=CUT_WORDS)


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template rendered as a page, with the security headers."""
    html = environment.get_template(template).render(
        root=request.scope.get("root_path", ""), **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers.update(SECURITY_HEADERS)
    return response


class SecureStaticFiles(StaticFiles):
    """Static files with the pages' security headers (nosniff matters most for CSS)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response
