"""Faults a simulator injects on request, planned by a test while the server runs.

    sim.faults.fail(429, times=2, retry_after=1)  # the next 2 requests answer 429
    sim.faults.fail(500, path="/v1/models")       # only a request under that path
    sim.faults.delay(2.0)                         # the next response starts 2 s late
    sim.faults.delay(2.0, before="body")          # ... or stalls after its headers
    sim.faults.truncate()                         # the next body stops short of Content-Length
    sim.faults.truncate(mode="cut")               # ... or is cut JSON with a matching length
    sim.faults.latency = 0.1                      # every request waits 100 ms first

Planned faults are used in the order they were planned, each by the next `times` requests
whose path starts with its `path` (any path when None); `latency` applies to every request.
The test thread plans and the server thread applies, so the plan is guarded by a lock.
`FaultMiddleware` is the ASGI layer that applies them, in front of any provider app, so
endpoints added later (streaming chat, TTS) get every fault for free.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "Delay",
    "ErrorBody",
    "Fail",
    "Fault",
    "FaultMiddleware",
    "Faults",
    "Truncate",
]

Stage = Literal["headers", "body"]
TruncateMode = Literal["short", "cut"]
#: A provider's error JSON for (status, message): each provider shapes errors its own way.
ErrorBody = Callable[[int, str], dict[str, Any]]
Pause = Callable[[float], Awaitable[None]]

_DEFAULT_MESSAGES = {
    401: "Invalid API key (simulated fault)",
    403: "Forbidden (simulated fault)",
    429: "Rate limit reached (simulated fault)",
    500: "Internal server error (simulated fault)",
    502: "Bad gateway (simulated fault)",
    503: "Service unavailable (simulated fault)",
}
#: Bytes kept by `truncate()` when the body length is not declared (a streamed body).
_STREAM_KEEP = 16


@dataclass(frozen=True)
class Fail:
    """Answer with `status` (and a `Retry-After` header when given) instead of the endpoint."""

    status: int
    retry_after: float | None = None
    message: str | None = None


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` before the response starts ("headers") or after its headers ("body")."""

    seconds: float
    before: Stage = "headers"


@dataclass(frozen=True)
class Truncate:
    """Send only part of the body.

    mode "short": headers keep the full Content-Length, the connection drops mid-body.
    mode "cut": Content-Length matches what is sent, so HTTP is fine but the JSON is cut.
    """

    mode: TruncateMode = "short"
    keep_bytes: int | None = None  # default: half the declared length


Fault = Fail | Delay | Truncate


@dataclass
class _Planned:
    fault: Fault
    remaining: int
    path: str | None


class Faults:
    """The faults planned for one simulator, and the latency added to all its requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: list[_Planned] = []
        #: Seconds every request waits before it is handled (a slow network).
        self.latency: float = 0.0

    def fail(
        self, status: int, *, times: int = 1, retry_after: float | None = None,
        message: str | None = None, path: str | None = None,
    ) -> None:
        """Answer the next `times` requests with HTTP `status` (a 4xx or 5xx)."""
        if not 400 <= status <= 599:
            raise ValueError(f"a failure status must be 4xx or 5xx, not {status}")
        self.add(Fail(status, retry_after, message), times=times, path=path)

    def delay(
        self, seconds: float, *, times: int = 1, before: Stage = "headers",
        path: str | None = None,
    ) -> None:
        """Hold the next `times` responses for `seconds`, before headers or before the body."""
        self.add(Delay(seconds, before), times=times, path=path)

    def truncate(
        self, *, times: int = 1, mode: TruncateMode = "short", keep_bytes: int | None = None,
        path: str | None = None,
    ) -> None:
        """Cut the body of the next `times` responses (see `Truncate` for the modes)."""
        self.add(Truncate(mode, keep_bytes), times=times, path=path)

    def add(self, fault: Fault, *, times: int = 1, path: str | None = None) -> None:
        """Plan `fault` for the next `times` requests under `path`."""
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        with self._lock:
            self._plan.append(_Planned(fault, times, path))

    def take(self, path: str) -> Fault | None:
        """The fault for a request to `path`, using up one of its `times`; None for none."""
        with self._lock:
            for planned in self._plan:
                if planned.path is None or path.startswith(planned.path):
                    planned.remaining -= 1
                    if planned.remaining == 0:
                        self._plan.remove(planned)
                    return planned.fault
        return None

    @property
    def pending(self) -> int:
        """How many requests still have a fault waiting for them."""
        with self._lock:
            return sum(p.remaining for p in self._plan)

    def clear(self) -> None:
        """Forget every planned fault and the added latency."""
        with self._lock:
            self._plan.clear()
        self.latency = 0.0


class FaultMiddleware:
    """ASGI middleware that applies a `Faults` plan to the HTTP requests of an app.

    `pause` sleeps but wakes early when the server stops, so a stalled response never holds
    up a test's teardown.
    """

    def __init__(self, app: ASGIApp, faults: Faults, error_body: ErrorBody, pause: Pause) -> None:
        self.app = app
        self.faults = faults
        self.error_body = error_body
        self.pause = pause

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.faults.latency > 0:
            await self.pause(self.faults.latency)
        fault = self.faults.take(scope["path"])
        if isinstance(fault, Fail):
            await self._fail(fault, scope, receive, send)
        elif isinstance(fault, Delay) and fault.before == "headers":
            await self.pause(fault.seconds)
            await self.app(scope, receive, send)
        elif isinstance(fault, Delay):
            await self.app(scope, receive, _stall_body(send, fault.seconds, self.pause))
        elif isinstance(fault, Truncate):
            await self.app(scope, receive, _Truncating(send, fault))
        else:
            await self.app(scope, receive, send)

    async def _fail(self, fault: Fail, scope: Scope, receive: Receive, send: Send) -> None:
        message = fault.message or _DEFAULT_MESSAGES.get(fault.status, "Simulated failure")
        headers = {}
        if fault.retry_after is not None:
            # Whole seconds when whole, as most servers send it; fractions stay for fast tests.
            after = fault.retry_after
            headers["retry-after"] = str(int(after)) if after == int(after) else str(after)
        response = JSONResponse(self.error_body(fault.status, message), fault.status, headers)
        await response(scope, receive, send)


def _stall_body(send: Send, seconds: float, pause: Pause) -> Send:
    stalled = False

    async def stalling(message: Message) -> None:
        nonlocal stalled
        if message["type"] == "http.response.body" and not stalled:
            stalled = True
            await pause(seconds)
        await send(message)

    return stalling


class _Truncating:
    """A `send` that passes the headers and only part of the body."""

    def __init__(self, send: Send, fault: Truncate) -> None:
        self.send = send
        self.fault = fault
        self.keep = 0
        self.sent = 0
        self.done = False

    async def __call__(self, message: Message) -> None:
        if self.done:
            return  # the rest of the body is dropped
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message["headers"]))
            declared = headers.get("content-length")
            default = int(declared) // 2 if declared is not None else _STREAM_KEEP
            self.keep = self.fault.keep_bytes if self.fault.keep_bytes is not None else default
            if self.fault.mode == "cut" and declared is not None:
                headers["content-length"] = str(min(self.keep, int(declared)))
            await self.send({**message, "headers": headers.raw})
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        body: bytes = message.get("body", b"")
        room = self.keep - self.sent
        if len(body) < room and message.get("more_body", False):
            self.sent += len(body)
            await self.send(message)
            return
        self.done = True
        # "short": leave the response unfinished; the server then drops the connection, so the
        # client sees fewer bytes than Content-Length promised. "cut": end it cleanly.
        await self.send({
            "type": "http.response.body",
            "body": body[:room],
            "more_body": self.fault.mode == "short",
        })
