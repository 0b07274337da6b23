"""Request bodies over the size limit get 413, whether announced (Content-Length) or streamed."""

from __future__ import annotations

import json
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quotetrail.api.errors import PROBLEM_JSON

# An oversized body announced by Content-Length is read and dropped up to this many times the
# limit before answering, so that a client still sending it reads the 413 instead of a reset.
DRAIN_FACTOR = 4


class BodyTooLarge(Exception):
    """The request body went past the limit while the app was reading it."""


class BodyLimitMiddleware:
    """Answer 413 problem+json to requests whose body is larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = _content_length(scope)
        if announced is not None and announced > self.max_bytes:
            if not _expects_continue(scope):
                await _drain(receive, self.max_bytes * DRAIN_FACTOR)
            await self._reject(scope, send)
            return

        received = 0
        too_large = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app answered its own way after a failed read: 413 wins
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await self._reject(scope, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase,
                "status": 413,
                "detail": f"The request body is larger than {self.max_bytes} bytes.",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _expects_continue(scope: Scope) -> bool:
    return any(
        name == b"expect" and value.lower() == b"100-continue"
        for name, value in scope.get("headers", ())
    )


async def _drain(receive: Receive, budget: int) -> None:
    read = 0
    while read <= budget:
        message = await receive()
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
