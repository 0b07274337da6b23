"""Small parts of the API on their own: rate limiter, cursors, ETags."""

from __future__ import annotations

import gc
import sys
from datetime import date
from pathlib import Path

import pytest
from apitools import make_settings
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from quotetrail.api.app import GIL_SWITCH_INTERVAL_S, create_app
from quotetrail.api.cursors import decode_cursor, encode_cursor
from quotetrail.api.errors import ProblemError
from quotetrail.api.etag import etag_response
from quotetrail.api.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_evenly() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert all(limiter.hit("read", "a", 60) == 0.0 for _ in range(60))  # a minute's burst
    wait = limiter.hit("read", "a", 60)
    assert wait == pytest.approx(1.0)
    assert RateLimiter.retry_after(wait) == "1"
    assert limiter.hit("read", "b", 60) == 0.0  # another client, another bucket
    assert limiter.hit("write", "a", 60) == 0.0  # another kind, another bucket
    clock.now += 1.0
    assert limiter.hit("read", "a", 60) == 0.0
    assert limiter.hit("read", "a", 60) > 0
    clock.now += 3600
    assert sum(limiter.hit("read", "a", 60) == 0.0 for _ in range(100)) == 60  # capped burst
    assert limiter.hit("read", "a", 0) == 0.0  # 0: no limit


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = RateLimiter(max_buckets=100, clock=Clock())
    for index in range(1000):
        limiter.hit("read", f"client-{index}", 10)
    assert len(limiter._buckets) == 100


def test_cursor_round_trip_and_refusals() -> None:
    filters = {"q": "shame", "sort": "first_seen"}
    cursor = encode_cursor("quotes", filters, [date(2016, 12, 14), 42])
    assert decode_cursor(cursor, "quotes", filters, ["date", "int"]) == (date(2016, 12, 14), 42)
    for scope, other, types in (
        ("speakers", filters, ["date", "int"]),
        ("quotes", {"q": "other", "sort": "first_seen"}, ["date", "int"]),
        ("quotes", filters, ["int", "int"]),
        ("quotes", filters, ["date"]),
    ):
        with pytest.raises(ProblemError) as refused:
            decode_cursor(cursor, scope, other, types)  # type: ignore[arg-type]
        assert refused.value.status == 400
    negative = encode_cursor("quotes", {}, [-1])
    with pytest.raises(ProblemError):
        decode_cursor(negative, "quotes", {}, ["int"])
    boolean = encode_cursor("quotes", {}, [True])  # type: ignore[list-item]
    with pytest.raises(ProblemError):
        decode_cursor(boolean, "quotes", {}, ["int"])


class _Model(BaseModel):
    value: int


def _request(if_none_match: str | None) -> Request:
    headers = [] if if_none_match is None else [(b"if-none-match", if_none_match.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_etags() -> None:
    fresh = etag_response(_request(None), _Model(value=1))
    etag = fresh.headers["etag"]
    assert fresh.status_code == 200 and fresh.body == b'{"value":1}'
    assert etag_response(_request(etag), _Model(value=1)).status_code == 304
    assert etag_response(_request(f'"x", W/{etag}'), _Model(value=1)).status_code == 304
    assert etag_response(_request("*"), _Model(value=1)).status_code == 304
    assert etag_response(_request(etag), _Model(value=2)).status_code == 200


def test_start_up_freezes_what_it_built(tmp_path: Path) -> None:
    # A full garbage collection must not walk the app's long-lived objects under load.
    gc.unfreeze()
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'empty.db'}"))
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(app):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_serving_hands_the_gil_over_sooner_and_restores_it(tmp_path: Path) -> None:
    # Cached answers on the event loop must not wait a whole default interval behind a thread.
    # Other tests' apps may have left their lifespans open: start from Python's default.
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        app = create_app(make_settings(f"sqlite:///{tmp_path / 'empty.db'}"))
        with TestClient(app):
            assert sys.getswitchinterval() == GIL_SWITCH_INTERVAL_S
        assert sys.getswitchinterval() == 0.005
    finally:
        sys.setswitchinterval(before)
