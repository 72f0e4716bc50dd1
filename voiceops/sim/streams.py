"""Streaming answers for the simulators: SSE framing, request bodies, and the bookkeeping
of a stream that its client may close midway.

    entry = state.record(path, body, outcome="streaming")
    return ClosingStream(tracked(events(), entry), media_type=SSE)

`tracked` marks the recorded request "done" when the stream ends and "disconnected" when
its client went away first, so a test can assert that cancelling a client closed the
request. `ClosingStream` closes the body generator as soon as the response ends (a send to
a closed connection fails), rather than whenever the garbage collector gets to it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from voiceops.sim.knobs import Received

__all__ = ["SSE", "ClosingStream", "ErrorFactory", "JsonBody", "json_body", "sse", "tracked"]

SSE = "text/event-stream"
T = TypeVar("T")
#: (status, message) -> the provider's error response, for bodies that cannot be read.
ErrorFactory = Callable[[int, str], Response]


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event: `event:` (when given) and `data:` lines, then a blank line."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


class JsonBody:
    """A JSON object body, or the error response to send instead."""

    def __init__(self, data: dict[str, Any] | None, error: Response | None) -> None:
        self.data = data or {}
        self.error = error


async def json_body(request: Request, error: ErrorFactory) -> JsonBody:
    """The request's JSON object, or the provider's 400 when it is not one."""
    try:
        data = json.loads(await request.body())
    except ClientDisconnect:  # the client gave up (a test's timeout): nobody reads this
        return JsonBody(None, error(400, "The client disconnected."))
    except ValueError:
        return JsonBody(None, error(400, "The request body is not valid JSON."))
    if not isinstance(data, dict):
        return JsonBody(None, error(400, "The request body must be a JSON object."))
    return JsonBody(data, None)


async def authorized_body(request: Request, authorize: Callable[[Request], Response | None],
                          error: ErrorFactory) -> JsonBody:
    """`json_body`, after the provider's auth check (whose refusal comes first, as the
    real APIs answer a bad key before they read the body)."""
    denied = authorize(request)
    if denied is not None:
        return JsonBody(None, denied)
    return await json_body(request, error)


async def tracked(chunks: AsyncIterator[T], entry: Received) -> AsyncIterator[T]:
    """`chunks`, marking `entry` done or disconnected as the stream ends."""
    try:
        async for chunk in chunks:
            yield chunk
    except (asyncio.CancelledError, GeneratorExit, OSError):
        entry.finish("disconnected")
        raise
    entry.finish("done")


class ClosingStream(StreamingResponse):
    """A `StreamingResponse` that closes its body generator as soon as the response ends."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                await close()
