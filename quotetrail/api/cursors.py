"""Opaque pagination cursors: a position in a list, valid only for the query that made it.

A cursor is URL-safe base64 of a small JSON document holding the position and a fingerprint of
the filters and order; anything else (junk, a cursor of another query, a tampered position of the
wrong type) is refused with 400. Positions are only ever compared with, never trusted as ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response

from quotetrail.api.errors import ProblemError

MAX_CURSOR_CHARS = 512
_VERSION = 1
# The types a position may hold, one per field of the position.
PositionType = Literal["int", "date"]
_MAX_INT = 2**63 - 1
T = TypeVar("T")


def _fingerprint(scope: str, filters: Mapping[str, Any]) -> str:
    canonical = json.dumps([scope, filters], sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(scope: str, filters: Mapping[str, Any], position: Sequence[int | date]) -> str:
    """The cursor of the page after `position` in the list `scope` filtered by `filters`."""
    values = [value.isoformat() if isinstance(value, date) else value for value in position]
    document = {"v": _VERSION, "f": _fingerprint(scope, filters), "p": values}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(
    cursor: str,
    scope: str,
    filters: Mapping[str, Any],
    types: Sequence[PositionType],
) -> tuple[Any, ...]:
    """The position in a cursor made by `encode_cursor` for the same list and filters."""
    invalid = ProblemError(
        400, "The cursor is not valid for this query; start from the first page."
    )
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(document, dict) or set(document) != {"v", "f", "p"}:
        raise invalid
    if document["v"] != _VERSION or document["f"] != _fingerprint(scope, filters):
        raise invalid
    values = document["p"]
    if not isinstance(values, list) or len(values) != len(types):
        raise invalid
    position: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        if kind == "int":
            if type(value) is not int or not 0 <= value <= _MAX_INT:
                raise invalid
            position.append(value)
        else:
            try:
                position.append(date.fromisoformat(value))
            except (TypeError, ValueError):
                raise invalid from None
    return tuple(position)


def next_page(
    rows: Sequence[T],
    limit: int,
    *,
    scope: str,
    filters: Mapping[str, Any],
    position: Callable[[T], Sequence[int | date]],
    request: Request,
    response: Response,
) -> tuple[list[T], str | None]:
    """A page of `rows` (read with `limit + 1`, so that one more says there is a next page),
    and the cursor of the next page, if any, also given in the response's Link header."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    cursor = encode_cursor(scope, filters, position(page[-1]))
    response.headers["Link"] = next_link(request.url, cursor)
    return page, cursor


def next_link(url: URL, cursor: str) -> str:
    """A Link header value pointing at the next page."""
    return f'<{url.include_query_params(cursor=cursor)}>; rel="next"'
