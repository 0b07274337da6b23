"""OpenAPI details: problem+json error responses declared on every operation."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from quotetrail.api.errors import PROBLEM_JSON
from quotetrail.api.schemas import Problem

_DESCRIPTIONS = {
    400: "Malformed request (invalid JSON, invalid cursor).",
    401: "Missing or invalid API key.",
    404: "No such resource.",
    413: "Request body too large.",
    422: "Invalid values; `errors` lists them.",
    429: "Rate limit exceeded; see Retry-After.",
    503: "Database unavailable; see Retry-After.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries declaring these error statuses as problem documents."""
    return {
        code: {"model": Problem, "description": _DESCRIPTIONS.get(code, HTTPStatus(code).phrase)}
        for code in codes
    }


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with error responses as application/problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for code, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if code.isdigit() and int(code) >= 400 and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
