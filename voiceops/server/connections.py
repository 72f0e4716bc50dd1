"""Connection limits below HTTP: a cap on open sockets and a deadline for request headers.

uvicorn waits forever for a request's headers and accepts sockets until the process runs
out of file descriptors, logging a traceback per failed accept(): 400 slowloris sockets took
/healthz down and wrote 141 MB of log in 45 s. Here each connection must finish its headers
within `header_timeout_s`, connections past `max_connections` are closed at once, and
refusals are logged once per interval, never a traceback per socket.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("voiceops.server")

Refused = Callable[[str], None]


class RefusalLog:
    """One warning per `interval_s` however many refusals, with the count since the last."""

    def __init__(self, interval_s: float = 10.0) -> None:
        self.interval_s = interval_s
        self._last = 0.0
        self._pending: dict[str, int] = {}

    def note(self, reason: str) -> None:
        self._pending[reason] = self._pending.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self._last = now
            counts = ", ".join(f"{n} {why}" for why, n in sorted(self._pending.items()))
            self._pending.clear()
            log.warning("connections refused (%s); see voiceops_refused_connections_total",
                        counts)


def guarded_protocol(max_connections: int, header_timeout_s: float,
                     refused: Refused) -> type[H11Protocol]:
    """An HTTP/1.1 protocol class for uvicorn with the cap and the header deadline."""
    notes = RefusalLog()

    def refuse(reason: str) -> None:
        refused(reason)
        notes.note(reason)

    class GuardedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # the set counts WebSocket connections too: they replace this protocol on upgrade
            if len(self.connections) > max_connections:
                refuse("over_cap")
                transport.abort()
                return
            self._deadline = self.loop.call_later(header_timeout_s, self._headers_late)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._deadline is not None and self.scope is not None:
                self._deadline.cancel()  # the first request's headers are complete
                self._deadline = None

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            super().connection_lost(exc)

        def _headers_late(self) -> None:
            self._deadline = None
            if self.scope is None and not self.transport.is_closing():
                refuse("header_timeout")
                self.transport.abort()

    return GuardedH11Protocol


def raise_file_limit() -> int:
    """Lift the soft open-files limit to the hard one (sessions are sockets); the new soft."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


class QuietAcceptErrors(logging.Filter):
    """asyncio logs a traceback for every accept() that fails for want of descriptors;
    keep one line per interval instead."""

    def __init__(self, interval_s: float = 10.0) -> None:
        super().__init__()
        self.notes = RefusalLog(interval_s)

    def filter(self, record: logging.LogRecord) -> bool:
        if "accept" in str(record.msg) and "out of system resource" in str(record.msg):
            self.notes.note("out_of_descriptors")
            return False
        return True


def install_quiet_accept_errors() -> None:
    """Once per process: the filter on asyncio's logger."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, QuietAcceptErrors) for f in logger.filters):
        logger.addFilter(QuietAcceptErrors())


def uvicorn_limits(max_connections: int, header_timeout_s: float,
                   refused: Refused) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.Config` that apply these limits."""
    install_quiet_accept_errors()
    return {"http": guarded_protocol(max_connections, header_timeout_s, refused),
            "timeout_keep_alive": 5, "h11_max_incomplete_event_size": 16 * 1024}
