"""Security: keys compared in constant time and never logged (also by a real server), writes and
exports rate-limited per address and per key, URL ingestion never reaches the local network
(names resolving to loopback, numeric address tricks; a local server counts what reaches it),
CORS closed, security headers on every page."""

from __future__ import annotations

import hmac
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient
from reltools import Target, snapshot  # first: it puts tests/api (apitools) on the path

from apitools import (  # isort: skip
    API_KEY,
    AUTH,
    assert_problem,
    free_port,
    make_settings,
    server_env,
    start_server,
    stop_server,
)
from quotetrail.api import deps
from quotetrail.api.app import create_app
from quotetrail.web.render import SECURITY_HEADERS

JSON_TYPE = {"content-type": "application/json"}
ARTICLE = '"We will keep the harbour lights on all winter," said Mayor Ines Abara.'


def test_keys_are_compared_in_constant_time(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every configured key is compared, by hmac.compare_digest over equal-length digests, and
    the first match does not stop the loop: the time does not tell which key or prefix fits."""
    keys = ["first-key-aaaaaaaaaaaa", API_KEY, "third-key-cccccccccc"]
    state = deps.AppState(settings=make_settings("sqlite://", api_keys=keys), engine=target.engine)
    assert all(key.encode() not in digest for digest in state.key_digests for key in keys)
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", counting)
    for presented in [keys[0], keys[2], "x", "first-key-aaaaaaaaaaa", "k" * 10_000]:
        compared.clear()
        credentials = deps.HTTPAuthorizationCredentials(scheme="Bearer", credentials=presented)
        found = deps.key_id(state, credentials)
        assert (found is not None) == (presented in keys)
        assert compared == [(32, 32)] * len(keys)


@pytest.fixture
def logged_server(tmp_path: Path) -> Iterator[str]:
    """A real server with its access log on, over a fresh SQLite database."""
    port = free_port()
    (tmp_path / "no-seeds").mkdir()
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--port", str(port)]
    command += ["--seeds", str(tmp_path / "no-seeds"), "--access-log"]
    env = server_env(f"sqlite:///{tmp_path / 'logged.db'}", QUOTETRAIL_LOG_LEVEL="debug")
    server = start_server(command, cwd=tmp_path, env=env, log=tmp_path / "server.log", port=port)
    try:
        yield server.base_url
    finally:
        stop_server(server)
        (tmp_path / "log.txt").write_text(server.log.read_text(errors="replace"))


def test_a_real_server_never_logs_a_key(logged_server: str, tmp_path: Path) -> None:
    guess = "guessed-secret-0123456789"
    with httpx.Client(base_url=logged_server, timeout=30) as http:
        assert http.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH).status_code == 201
        bad = http.post(
            "/v1/articles", json={"text": ARTICLE}, headers={"Authorization": f"Bearer {guess}"}
        )
        assert_problem(bad, 401)
        assert (
            http.post("/v1/articles", content=b"{", headers={**AUTH, **JSON_TYPE}).status_code
            == 400
        )
        assert http.get("/v1/quotes", headers=AUTH).status_code == 200
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "POST /v1/articles" in log  # the access log is on
    assert API_KEY not in log and guess not in log


# --- rate limits ---------------------------------------------------------------------------------


def test_a_key_is_limited_whatever_address_it_comes_from(target: Target) -> None:
    settings = make_settings(str(target.engine.url), write_rate_limit_per_minute=2)
    app = create_app(settings)
    statuses = []
    for number in range(3):  # three addresses, one key: the key's own bucket runs dry
        with TestClient(app, client=(f"203.0.113.{number}", 4000)) as client:
            before = snapshot(target.engine)
            response = client.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH)
            statuses.append(response.status_code)
    assert statuses[:2] in ([201, 200], [200, 200])
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert snapshot(target.engine).checksums() == before.checksums()


def test_writes_and_exports_answer_429_with_retry_after(target: Target) -> None:
    settings = make_settings(str(target.engine.url), write_rate_limit_per_minute=1)
    with TestClient(create_app(settings), client=("198.51.100.7", 4000)) as client:
        bad = {"text": "\x00"}  # refused by validation, after spending a token
        assert client.post("/v1/articles", json=bad, headers=AUTH).status_code == 422
        before = snapshot(target.engine)
        limited = client.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH)
        assert_problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert snapshot(target.engine).checksums() == before.checksums()  # nothing written
        assert client.get("/v1/export").status_code == 200
        assert_problem(client.get("/v1/export"), 429)


# --- URL ingestion never reaches the local network -----------------------------------------------


class _Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        body = b"<html><body><p>secret intranet page</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def intranet() -> Iterator[int]:
    """A local web server standing for the service's own network; yields its port."""
    _Counting.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_url_ingestion_never_reaches_the_local_network(
    target: Target, intranet: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def stub(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        # A public-looking name whose DNS answer is loopback, and one that answers loopback
        # among public addresses; everything else resolves locally (numeric forms) or fails.
        if host in ("news.example.test", "rebind.example.test"):
            addresses = ["127.0.0.1"] if host.startswith("news") else ["93.184.216.34", "127.0.0.1"]
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in addresses
            ]
        if any(c.isalpha() for c in str(host).replace("x", "")):
            raise socket.gaierror(socket.EAI_NONAME, "no such host (test resolver)")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stub)
    before = snapshot(target.engine)
    for host in [
        "news.example.test",
        "rebind.example.test",
        "127.0.0.1",
        "127.1",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "2130706433",
        "[::ffff:127.0.0.1]",
        "[::1]",
        "0.0.0.0",
        "localhost",
    ]:
        response = target.client.post(
            "/v1/articles", json={"url": f"http://{host}:{intranet}/page"}, headers=AUTH
        )
        assert "Cannot ingest the URL" in str(assert_problem(response, 422)["detail"]), host
    for url in ["file:///etc/passwd", f"ftp://127.0.0.1:{intranet}/", "gopher://x/"]:
        assert_problem(target.client.post("/v1/articles", json={"url": url}, headers=AUTH), 422)
    assert _Counting.hits == []  # not one request reached the local server
    assert snapshot(target.engine).checksums() == before.checksums()


# --- browsers ------------------------------------------------------------------------------------


def test_cors_is_closed_by_default(target: Target) -> None:
    origin = {"Origin": "https://evil.example"}
    preflight = target.client.options(
        "/v1/articles",
        headers={**origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization"},
    )  # fmt: skip
    assert preflight.status_code in (400, 405)
    for response in (
        preflight,
        target.client.get("/v1/quotes", headers=origin),
        target.client.post("/v1/lookup", json={"text": "shame"}, headers=origin),
    ):
        assert not any(name.lower().startswith("access-control-") for name in response.headers)


@pytest.mark.parametrize("path", ["/", "/search?q=shame", "/conflicts", "/quotes/1", "/nope"])
def test_pages_and_their_errors_carry_security_headers(target: Target, path: str) -> None:
    response = target.client.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (path, name)
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self'
