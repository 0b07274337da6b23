"""Entity tags for reads: a strong ETag from the response body, 304 when the client has it."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from pydantic import BaseModel


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    # Weak comparison (RFC 9110 §13.1.2): W/ prefixes do not matter for If-None-Match.
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in tags


def etag_response(request: Request, model: BaseModel) -> Response:
    """The model as JSON with its ETag, or an empty 304 when If-None-Match names that ETag."""
    body = model.model_dump_json().encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
