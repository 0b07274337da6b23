"""The bar, checked from outside: `quotetrail serve` (uvicorn, 2 workers) on a fresh database."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from apitools import AUTH, POWER_LINE, ROOT, WAR_CRIMES, Server, assert_problem

ARTICLE = (
    "Lighthouse keepers protest\n\n"
    '"The light has never once gone out in two hundred years," said Tomasz Wielgosz, the keeper.'
    "\n"
)


@pytest.fixture(scope="module")
def http(live_server: Server) -> httpx.Client:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        yield client  # type: ignore[misc]


def test_health_readiness_and_docs(http: httpx.Client) -> None:
    assert http.get("/healthz").json()["status"] == "ok"
    assert http.get("/readyz").status_code == 200
    assert http.get("/openapi.json").json()["info"]["title"] == "Quotetrail"
    assert "swagger" in http.get("/docs").text.lower()


def test_serve_loaded_the_seeds_and_power_has_three_appearances(http: httpx.Client) -> None:
    (match,) = http.post("/v1/lookup", json={"text": POWER_LINE, "limit": 1}).json()["matches"]
    assert match["quote"]["speaker"] == "Samantha Power"
    assert len(match["appearances"]) == 3


def test_conflicts_show_the_erdogan_credit(http: httpx.Client) -> None:
    items = http.get("/v1/conflicts").json()["items"]
    (conflict,) = [c for c in items if WAR_CRIMES in c["quote"]["text"]]
    assert any("Erdogan" in (c["speaker"] or {}).get("name", "") for c in conflict["credits"])


def test_writes_idempotency_and_immediate_lookup(http: httpx.Client) -> None:
    # Both workers answer (and keep) the lookup before the article exists.
    for _ in range(6):
        before = http.post("/v1/lookup", json={"text": "has never once gone out"}).json()
        assert all(m["quote"]["speaker"] != "Tomasz Wielgosz" for m in before["matches"])
    assert_problem(http.post("/v1/articles", json={"text": ARTICLE}), 401)
    first = http.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH)
    assert first.status_code in (200, 201)  # 200 when the other database variant ran first
    second = http.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH)
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    # Whichever worker answers, the new quote is found at once.
    for _ in range(6):
        found = http.post("/v1/lookup", json={"text": "has never once gone out"}).json()
        assert found["matches"][0]["quote"]["speaker"] == "Tomasz Wielgosz"


def test_client_junk_is_4xx_problem_json(http: httpx.Client) -> None:
    assert_problem(
        http.post("/v1/lookup", content=b'{"text": ', headers={"content-type": "application/json"}),
        400,
    )
    assert_problem(http.get("/v1/quotes/987654"), 404)
    assert_problem(http.get("/v1/quotes", params={"limit": -1}), 422)
    assert_problem(http.get("/v1/quotes", params={"limit": 10**30}), 422)
    assert_problem(http.get("/v1/quotes", params={"cursor": "not-a-cursor"}), 400)
    injected = http.get("/v1/quotes", params={"q": "'; DROP TABLE quote; --"})
    assert injected.status_code == 200 and injected.json()["items"] == []
    assert_problem(http.get("/v1/quotes/1;DROP TABLE quote"), 422)
    assert http.post("/v1/lookup", json={"text": POWER_LINE}).status_code == 200


def test_a_12_mb_body_is_413_over_a_real_socket(http: httpx.Client) -> None:
    body = json.dumps({"text": "x" * (12 * 1024 * 1024)}).encode()
    response = http.post(
        "/v1/articles", content=body, headers={**AUTH, "content-type": "application/json"}
    )
    assert_problem(response, 413)
    # A chunked body (no Content-Length) is counted as it arrives.
    chunks = (b"y" * 65536 for _ in range(200))
    response = http.post("/v1/lookup", content=chunks, headers={"content-type": "application/json"})
    assert_problem(response, 413)
    assert http.get("/healthz").status_code == 200


def test_a_long_ingestion_does_not_block_other_requests(
    http: httpx.Client, live_server: Server
) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    long_text = "Long article\n\n" + "\n\n".join(p.read_text(encoding="utf-8") for p in seeds) * 8
    with ThreadPoolExecutor(max_workers=1) as pool:
        posted = pool.submit(
            httpx.post,
            f"{live_server.base_url}/v1/articles",
            json={"text": long_text},
            headers=AUTH,
            timeout=120,
        )
        time.sleep(0.3)  # the ingestion is under way
        slowest = 0.0
        while not posted.done():
            started = time.monotonic()
            assert http.get("/healthz").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
        assert posted.result().status_code in (200, 201)
    assert slowest < 1.0


def test_raw_garbage_on_the_socket_does_not_kill_the_server(live_server: Server) -> None:
    host, port = live_server.base_url.removeprefix("http://").split(":")
    for garbage in (b"\x00\xff\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(garbage)
            with contextlib.suppress(OSError):
                raw.recv(1024)
    assert httpx.get(f"{live_server.base_url}/healthz", timeout=5).status_code == 200


def test_concurrent_lookups_and_writes(http: httpx.Client, live_server: Server) -> None:
    def lookup(_: int) -> int:
        response = httpx.post(
            f"{live_server.base_url}/v1/lookup", json={"text": POWER_LINE}, timeout=30
        )
        return response.status_code

    def write(index: int) -> int:
        text = f'Item {index}\n\n"Number {index} is the loneliest number," said Harry Nilsson.\n'
        response = httpx.post(
            f"{live_server.base_url}/v1/articles", json={"text": text}, headers=AUTH, timeout=30
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        lookups = list(pool.map(lookup, range(40)))
        writes = list(pool.map(write, range(8)))
    assert set(lookups) == {200}
    assert set(writes) <= {200, 201}
    assert "Traceback" not in live_server.log.read_text()
