"""A cheaper "is this idle connection still alive?" for the httpx connection pools.

Before it hands out a connection, and again when one is returned, httpcore's pool asks
every idle connection whether its socket is readable (an idle socket that is readable has
been closed by the server). Through anyio that question costs ~9 us: it rebuilds the
stream's attribute table, which calls getpeername(), before the poll. With a few hundred
sessions the pools hold dozens of idle connections each, and this check was the largest
single cost of a turn's HTTP requests (measured with py-spy at 200 sessions). Here each
stream keeps its socket, so the check is the poll alone (~1.3 us), with the same meaning.

httpx offers no way to choose the pool's network backend, so `lighten(client)` swaps it in
on the pool httpx built (keeping httpx's proxies, TLS and limits); if a future httpx is
built differently it leaves the client untouched, and `lightened(client)` says so.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable
from typing import Any, TypeVar

__all__ = ["LivenessBackend", "lighten", "lightened"]

Client = TypeVar("Client")


def _readable(sock: socket.socket | None) -> bool:
    """True when a read would not block: for an idle HTTP connection, the server closed it."""
    if sock is None or sock.fileno() == -1:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])  # Windows has no poll


class _Stream:
    """A network stream that remembers its socket; everything else goes to the wrapped one."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._sock: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = await self._inner.read(max_bytes, timeout)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> _Stream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._sock)
        return self._inner.get_extra_info(info)


class LivenessBackend:
    """Wraps an httpcore (or httpcore2) network backend: its streams answer `is_readable`
    from a kept socket. Duck-typed, so one class serves both libraries."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> _Stream:
        return _Stream(await self.inner.connect_tcp(host, port, timeout, local_address,
                                                    socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> _Stream:
        return _Stream(await self.inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _pool(client: Any) -> Any:
    return getattr(getattr(client, "_transport", None), "_pool", None)


def lighten(client: Client) -> Client:
    """Give `client` (an httpx or httpx2 AsyncClient) the cheap liveness check; returns it."""
    pool = _pool(client)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, LivenessBackend):
        pool._network_backend = LivenessBackend(backend)
    return client


def lightened(client: Any) -> bool:
    """Whether `lighten` took effect on `client`."""
    return isinstance(getattr(_pool(client), "_network_backend", None), LivenessBackend)
