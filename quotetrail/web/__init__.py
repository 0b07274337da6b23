"""Pages for people: server-rendered HTML (Jinja2) over the same data as the JSON API."""

from __future__ import annotations

from fastapi import FastAPI

from quotetrail.web.errors import install_page_errors
from quotetrail.web.pages import router
from quotetrail.web.render import STATIC_DIR, SecureStaticFiles


def install_pages(app: FastAPI) -> None:
    """Serve the pages, their stylesheet and HTML error pages from `app`.

    Call after the API's error handlers are installed: page requests get those handlers'
    answers as HTML pages, API requests keep problem+json.
    """
    app.include_router(router)
    app.mount("/static", SecureStaticFiles(directory=STATIC_DIR), name="static")
    install_page_errors(app)
