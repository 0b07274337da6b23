"""URL ingestion: public targets only (also after redirects and DNS tricks), caps on everything."""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from apitools import AUTH, assert_problem, make_settings
from fastapi.testclient import TestClient

from quotetrail.api.app import create_app
from quotetrail.api.fetch import FetchError, check_url, fetch_article, is_public
from quotetrail.settings import Settings

PAGE = (
    "<html><body><article><h1>Ferry vote</h1><p>“We will not let the ferry die on our "
    "watch,” said Councillor Miriam Okafor.</p><p>The vote is on Tuesday.</p></article>"
    "</body></html>"
)
PUBLIC = "93.184.216.34"


# --- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.9.9.9",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2001:db8::1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def _resolver(table: dict[str, list[str]]) -> object:
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OSError("no such host")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "file:///etc/passwd",
        "gopher://example.org/",
        "javascript:alert(1)",
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://localhost.test/",  # resolves to loopback
        "http://mixed.test/",  # one public, one private address: refused
        "http://unknown.test/",
        "http:///nohost",
    ],
)
def test_refused_urls(url: str) -> None:
    resolve = _resolver({"localhost.test": ["127.0.0.1"], "mixed.test": [PUBLIC, "10.0.0.7"]})
    with pytest.raises(FetchError):
        check_url(httpx.URL(url), allow_private=False, resolver=resolve)  # type: ignore[arg-type]


def test_private_targets_when_allowed() -> None:
    resolve = _resolver({"intranet.test": ["10.0.0.7"]})
    url = httpx.URL("http://intranet.test/")
    assert check_url(url, allow_private=True, resolver=resolve) == "10.0.0.7"  # type: ignore[arg-type]


# --- fetching with a stub resolver and transport -------------------------------------------------


def _settings(**overrides: object) -> Settings:
    return make_settings("sqlite://", **overrides)


def test_the_connection_goes_to_the_checked_address() -> None:
    # A rebinding resolver answers public first, loopback afterwards: only the first answer is
    # used, once, and the request goes to that address with the name in the Host header.
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    resolutions: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        resolutions.append(host)
        return next(answers)

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"content-type": "text/html"}, text=PAGE)

    fetched = fetch_article(
        "http://news.test/story",
        _settings(),
        resolver=resolve,
        transport=httpx.MockTransport(handler),
    )
    assert resolutions == ["news.test"]
    (request,) = seen
    assert request.url.host == PUBLIC
    assert request.headers["host"] == "news.test"
    assert fetched.is_html and "ferry" in fetched.text
    assert fetched.url == "http://news.test/story"


def test_a_redirect_to_a_private_address_is_refused() -> None:
    resolve = _resolver({"news.test": [PUBLIC], "internal.test": ["10.1.2.3"]})
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(302, headers={"location": "http://internal.test/admin"})

    with pytest.raises(FetchError, match="non-public"):
        fetch_article(
            "http://news.test/",
            _settings(),
            resolver=resolve,
            transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        )
    assert seen == [PUBLIC]  # never connected to the private address


def test_a_redirect_to_a_literal_loopback_or_another_scheme_is_refused() -> None:
    resolve = _resolver({"news.test": [PUBLIC]})
    for location in ("http://127.0.0.1:8000/", "http://[::ffff:7f00:1]/", "file:///etc/passwd"):

        def handler(request: httpx.Request, location: str = location) -> httpx.Response:
            return httpx.Response(301, headers={"location": location})

        with pytest.raises(FetchError):
            fetch_article(
                "http://news.test/",
                _settings(),
                resolver=resolve,
                transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
            )


def test_relative_redirects_are_followed_up_to_the_cap() -> None:
    resolve = _resolver({"news.test": [PUBLIC]})
    hops: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hops.append(request.url.path)
        if len(hops) < 3:
            return httpx.Response(302, headers={"location": f"/hop{len(hops)}"})
        return httpx.Response(200, headers={"content-type": "text/plain"}, text="plain words")

    fetched = fetch_article(
        "http://news.test/start",
        _settings(url_fetch_max_redirects=2),
        resolver=resolve,  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
    )
    assert hops == ["/start", "/hop1", "/hop2"]
    assert fetched.text == "plain words" and not fetched.is_html
    assert fetched.url == "http://news.test/hop2"
    hops.clear()
    with pytest.raises(FetchError, match="redirects"):
        fetch_article(
            "http://news.test/start",
            _settings(url_fetch_max_redirects=1),
            resolver=resolve,  # type: ignore[arg-type]
            transport=httpx.MockTransport(handler),
        )


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, headers={"content-type": "image/png"}, content=b"\x89PNG"), "HTML"),
        (httpx.Response(200, content=b"no type"), "content type"),
        (httpx.Response(404, headers={"content-type": "text/html"}, text="gone"), "404"),
        (httpx.Response(500, headers={"content-type": "text/html"}, text="boom"), "500"),
        (httpx.Response(302), "Location"),
        (
            httpx.Response(200, headers={"content-type": "text/html"}, content=b"x" * 3000),
            "larger",
        ),
    ],
)
def test_unacceptable_responses(response: httpx.Response, message: str) -> None:
    resolve = _resolver({"news.test": [PUBLIC]})
    with pytest.raises(FetchError, match=message):
        fetch_article(
            "http://news.test/",
            _settings(url_fetch_max_bytes=2000),
            resolver=resolve,  # type: ignore[arg-type]
            transport=httpx.MockTransport(lambda request: response),
        )


def test_fetching_can_be_disabled() -> None:
    with pytest.raises(FetchError, match="disabled"):
        fetch_article("http://news.test/", _settings(url_fetch_enabled=False))


# --- a real local server -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/article": (200, "text/html; charset=utf-8", PAGE.encode()),
            "/plain": (200, "text/plain", "“Plain words,” said Miriam Okafor.".encode()),
            "/binary": (200, "application/octet-stream", b"\x00\x01\x02"),
            "/huge": (200, "text/html", b"<p>" + b"x" * 200_000 + b"</p>"),
        }
        if self.path == "/slow":
            time.sleep(2)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        status, content_type, body = routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def local_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_ingestion_refuses_the_local_network_by_default(
    client: TestClient, local_site: str
) -> None:
    for url in (f"{local_site}/article", "http://localhost/", "file:///etc/passwd", "ftp://x/"):
        response = client.post("/v1/articles", json={"url": url}, headers=AUTH)
        assert "Cannot ingest the URL" in str(assert_problem(response, 422)["detail"])


def test_url_ingestion_from_an_allowed_local_site(seeded_url: str, local_site: str) -> None:
    settings = make_settings(
        seeded_url,
        url_fetch_allow_private=True,
        url_fetch_timeout_seconds=1.0,
        url_fetch_max_bytes=100_000,
        url_fetch_max_redirects=3,
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/articles", json={"url": f"{local_site}/article"}, headers=AUTH)
        assert response.status_code == 201, response.text
        article = response.json()
        assert article["origin"] == f"{local_site}/article"
        assert article["quotes"][0]["speaker"]["name"] == "Miriam Okafor"
        again = client.post("/v1/articles", json={"url": f"{local_site}/redirect"}, headers=AUTH)
        assert again.status_code == 200 and again.json()["id"] == article["id"]
        plain = client.post(
            "/v1/articles", json={"url": f"{local_site}/plain", "title": "Plain"}, headers=AUTH
        )
        assert plain.status_code == 201 and plain.json()["title"] == "Plain"
        for path, words in (
            ("/binary", "HTML"),
            ("/huge", "larger"),
            ("/loop", "redirects"),
            ("/missing", "404"),
            ("/slow", "failed"),
        ):
            started = time.monotonic()
            response = client.post("/v1/articles", json={"url": local_site + path}, headers=AUTH)
            assert words in str(assert_problem(response, 422)["detail"]), path
            assert time.monotonic() - started < 1.9
