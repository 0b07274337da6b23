"""Fetching an article by URL without letting the service be turned against its own network.

Every hop (the URL given and each redirect) is resolved once, every address it resolves to must
be a public one (unless the settings allow private targets), and the request then goes to the
checked address itself, with the host name kept for the Host header and TLS: a resolver that
answers differently on the second lookup (DNS rebinding) cannot redirect the connection.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from quotetrail.settings import Settings

ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "Quotetrail/0.1 (+quotation attribution; article fetcher)"
_REDIRECTS = (301, 302, 303, 307, 308)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


class FetchError(Exception):
    """The URL cannot be fetched, or is not allowed; the message says why (safe to show)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document: its final URL, whether it is HTML, and its text."""

    url: str
    is_html: bool
    text: str


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: IpAddress) -> bool:
    """Whether an address is on the public internet (not loopback, private, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv4 embedded in IPv6 (::ffff:127.0.0.1, 6to4, Teredo) is judged as that IPv4.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return is_public(address.teredo[1])
    return address.is_global and not address.is_multicast


def check_url(url: httpx.URL, *, allow_private: bool, resolver: Resolver) -> str:
    """The address to connect to for `url`, after checking its scheme and every address."""
    if url.scheme not in ("http", "https"):
        raise FetchError("only http and https URLs can be fetched")
    host = url.host
    if not host:
        raise FetchError("the URL has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: Sequence[str] = [str(literal)]
    else:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"cannot resolve {host}: {type(error).__name__}") from None
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    parsed: list[IpAddress] = []
    for address in addresses:
        try:
            parsed.append(ipaddress.ip_address(address.split("%", 1)[0]))
        except ValueError:
            raise FetchError(f"{host} resolves to an invalid address") from None
    if not allow_private:
        for checked in parsed:
            if not is_public(checked):
                raise FetchError(f"{host} resolves to a non-public address; refused")
    return str(parsed[0])


def fetch_article(
    url: str,
    settings: Settings,
    *,
    resolver: Resolver = system_resolver,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """GET an HTML or plain-text page within the settings' timeouts, size and redirect caps."""
    if not settings.url_fetch_enabled:
        raise FetchError("URL ingestion is disabled on this server")
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError("not a valid URL") from None
    deadline = time.monotonic() + settings.url_fetch_timeout_seconds
    timeout = httpx.Timeout(settings.url_fetch_timeout_seconds)
    with httpx.Client(
        timeout=timeout, follow_redirects=False, transport=transport, trust_env=False
    ) as client:
        for _ in range(settings.url_fetch_max_redirects + 1):
            address = check_url(
                current, allow_private=settings.url_fetch_allow_private, resolver=resolver
            )
            pinned = current.copy_with(host=address)
            headers = {"Host": _host_header(current), "User-Agent": USER_AGENT}
            headers["Accept"] = "text/html, application/xhtml+xml, text/plain;q=0.9"
            extensions: dict[str, Any] = {}
            if current.scheme == "https":
                extensions["sni_hostname"] = current.host
            try:
                with client.stream(
                    "GET", pinned, headers=headers, extensions=extensions
                ) as response:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError("a redirect without a Location")
                        try:
                            current = current.join(location)
                        except (httpx.InvalidURL, ValueError):
                            raise FetchError("a redirect to an invalid URL") from None
                        continue
                    return _read(response, current, settings, deadline)
            except httpx.HTTPError as error:
                raise FetchError(f"fetching failed: {type(error).__name__}") from None
        raise FetchError(f"more than {settings.url_fetch_max_redirects} redirects")


def _host_header(url: httpx.URL) -> str:
    host = url.host if ":" not in url.host else f"[{url.host}]"
    return host if url.port is None else f"{host}:{url.port}"


def _read(response: httpx.Response, url: httpx.URL, settings: Settings, deadline: float) -> Fetched:
    if response.status_code != 200:
        raise FetchError(f"the server answered {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in ALLOWED_TYPES:
        raise FetchError(f"not an HTML or plain-text page ({content_type or 'no content type'})")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.url_fetch_max_bytes:
        raise FetchError(f"the page is larger than {settings.url_fetch_max_bytes} bytes")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > settings.url_fetch_max_bytes:
            raise FetchError(f"the page is larger than {settings.url_fetch_max_bytes} bytes")
        if time.monotonic() > deadline:  # a page dripping bytes slowly
            raise FetchError("fetching took too long")
    encoding = response.charset_encoding or "utf-8"
    try:
        text = bytes(body).decode(encoding, errors="replace")
    except LookupError:
        text = bytes(body).decode("utf-8", errors="replace")
    return Fetched(url=str(url), is_html=content_type != "text/plain", text=text)
