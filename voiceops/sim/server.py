"""Run a simulator app on a real loopback HTTP server in a background thread.

    with openai.serve() as sim:                 # or: async with openai.serve() as sim:
        fetch(base_url=sim.base_url, api_key=openai.API_KEY)
        sim.faults.fail(503)
        assert sim.requests == 1

The server binds 127.0.0.1 on an ephemeral port (port 0) before its thread starts, so the
URL is known at once and parallel test runs never collide. uvicorn runs the app in its own
event loop in a daemon thread; `start()` returns once it accepts connections (a few ms) and
`stop()` wakes every stalled fault and joins the thread. `SimServer` wraps any ASGI app with
the request log and the fault layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceops.server.listen import listening_socket
from voiceops.sim.faults import ErrorBody, FaultMiddleware, Faults
from voiceops.sim.knobs import Recorder
from voiceops.sim.recent import KEEP_REQUESTS, Recent

__all__ = ["LoggedRequest", "RequestLog", "SimServer"]

_START_TIMEOUT = 5.0
_STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class LoggedRequest:
    """One request a simulator received (no headers: they hold the API key)."""

    method: str
    path: str
    query: str


class RequestLog:
    """The latest requests a simulator received (`keep` of them), and how many by path.

    The counts are exact however many requests came; the entries are only the latest, so a
    simulator serving a daemon for days holds a few of them, not every one.
    """

    def __init__(self, keep: int = KEEP_REQUESTS) -> None:
        self._recent: Recent[LoggedRequest] = Recent(keep)
        self._lock = threading.Lock()
        # One counter per distinct path: a handful per provider, whatever the traffic.
        self._by_path: Counter[str] = Counter()

    def record(self, entry: LoggedRequest) -> None:
        self._recent.add(entry)
        with self._lock:
            self._by_path[entry.path] += 1

    @property
    def entries(self) -> list[LoggedRequest]:
        """A copy of the latest requests received, oldest first."""
        return self._recent.items()

    def count(self, path: str | None = None) -> int:
        """How many requests were received, or how many under `path` when given."""
        if path is None:
            return self._recent.total
        with self._lock:
            return sum(n for p, n in self._by_path.items() if p.startswith(path))

    def keep(self, count: int) -> None:
        """Keep only the latest `count` requests from now on (0: none; counts go on)."""
        self._recent.resize(count)

    def reset(self) -> None:
        """Forget the requests received so far, and their counts."""
        self._recent.clear()
        with self._lock:
            self._by_path.clear()


class _Recorder:
    """ASGI middleware recording each HTTP request before anything else (faults included)."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            self.log.record(LoggedRequest(scope["method"], scope["path"], query))
        await self.app(scope, receive, send)


def plain_error(status: int, message: str) -> dict[str, Any]:
    """A provider-neutral error body, for apps that do not say how their errors look."""
    return {"error": {"status": status, "message": message}}


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, told when it is up, and stopped by an event rather than a poll."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready
        self.stopping = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; tests start and stop many servers, so wait
        # for the stop event instead and shut down as soon as it is set.
        if not self.should_exit:
            await self.stopping.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's shutdown pauses a fixed 0.1 s and then polls every 0.1 s. A simulator's
        # clients are local and its stalled faults are already awake (`stopping`), so the
        # same steps with a 5 ms poll stop it in a few ms instead of ~0.1 s per test.
        try:
            servers, state = self.servers, self.server_state
        except AttributeError:  # a uvicorn whose internals moved: use its own shutdown
            await super().shutdown(sockets)
            return
        for server in servers:
            server.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or _STOP_TIMEOUT)
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel()
        for server in servers:
            # Newer Pythons wait here for every connection to close; never wait forever.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 1.0)


class Startable:
    """`with` and `async with` for anything with blocking `start()` and `stop()`."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        # start() blocks for a few ms a server: keep it off the caller's event loop.
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


class SimServer(Startable):
    """A simulator app served on 127.0.0.1 in a background thread.

    `url` is the server root ("http://127.0.0.1:PORT"); `base_url` adds `api_prefix`, the
    part of the path a provider's SDK expects in its base URL (OpenAI's "/v1").
    `faults` plans failures, `log` records requests, `requests` counts them.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        name: str = "sim",
        error_body: ErrorBody = plain_error,
        api_prefix: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        websockets: bool = False,
    ) -> None:
        self.name = name
        self.app = app
        self.api_prefix = api_prefix
        self.faults = Faults()
        self.log = RequestLog()
        self._host = host
        self._port = port
        self._error_body = error_body
        self._websockets = websockets
        self._sock: socket.socket | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None
        self._server: _Uvicorn | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """The server root, e.g. "http://127.0.0.1:54321"; known once `start()` returned."""
        if self._url is None:
            raise RuntimeError(f"simulator {self.name!r} is not started")
        return self._url

    @property
    def base_url(self) -> str:
        """`url` plus the provider's API prefix: what a client or SDK takes as base URL."""
        return self.url + self.api_prefix

    @property
    def requests(self) -> int:
        """How many requests the server has received since it started (or `log.reset()`)."""
        return self.log.count()

    def keep_requests(self, count: int) -> None:
        """Keep only the latest `count` requests, in the log and, when the app records
        request bodies (a provider simulator's state), there too; 0 keeps none. Counts go
        on. A daemon under `voiceops run --sim` keeps none: nobody reads them there."""
        self.log.keep(count)
        state = getattr(getattr(self.app, "state", None), "sim", None)
        if isinstance(state, Recorder):
            state.keep_received(count)

    def start(self) -> SimServer:
        """Bind, start serving in a background thread, and return once connections work."""
        if self._thread is not None:
            raise RuntimeError(f"simulator {self.name!r} is already started")
        sock = listening_socket(self._host, self._port, backlog=128)
        self._sock = sock
        host, port = sock.getsockname()[:2]
        self._url = f"http://{host}:{port}"
        ready = threading.Event()
        config = uvicorn.Config(
            _Recorder(FaultMiddleware(self.app, self.faults, self._error_body, self._pause),
                      self.log),
            log_config=None,  # leave logging to the host program (pytest captures it)
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="auto" if self._websockets else "none",
            timeout_graceful_shutdown=2,
        )
        self._server = _Uvicorn(config, ready)
        self._thread = threading.Thread(target=self._run, name=f"sim-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not ready.wait(0.005):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"simulator {self.name!r} did not start") from self._failure
        return self

    def stop(self) -> None:
        """Stop serving: wake stalled responses, close connections, join the thread."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        deadline = time.monotonic() + _STOP_TIMEOUT
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            # Ask again on each turn: the loop may not exist yet when stop() follows a
            # failed start at once.
            self._wake(server)
            thread.join(0.05)
        if self._sock is not None:
            self._sock.close()
        self._thread = self._server = self._loop = None

    def _wake(self, server: _Uvicorn | None) -> None:
        loop = self._loop
        if server is None or loop is None or loop.is_closed():
            return
        # RuntimeError: the loop closed in between, so the server is already down.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(server.stopping.set)

    def _run(self) -> None:
        server, sock = self._server, self._sock
        assert server is not None and sock is not None

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await server.serve(sockets=[sock])

        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported by start(); a thread has nobody else to tell
            self._failure = exc

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less when the server is stopping (no teardown waits on it)."""
        server = self._server
        if server is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.stopping.wait(), seconds)

    def __repr__(self) -> str:
        where = self._url if self._thread is not None else "stopped"
        return f"SimServer({self.name!r}, {where})"
