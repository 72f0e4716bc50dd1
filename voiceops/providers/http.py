"""The connection pools every provider client of one process shares.

A voice turn makes three or four requests, one per provider, and each costs a TCP and TLS
handshake (50-150 ms to a distant API) unless a kept-alive connection is reused. So clients
never own HTTP clients: a `SharedHttp` (held by `registry.ProviderPool`) owns them.

There are two, because the official SDKs moved to `httpx2` (the `anthropic` SDK accepts
nothing else as `http_client`): `.httpx` serves voiceops' own clients (Sarvam, ElevenLabs),
`.sdk()` the `openai` and `anthropic` SDKs. `httpx2` is imported on the first `.sdk()` call,
so a process that never builds an SDK client never loads it.
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from voiceops.providers.liveness import lighten

if TYPE_CHECKING:
    import httpx2

__all__ = ["SharedHttp", "SharedTls", "sdk_timeout", "timeout_for"]

#: Connections held open per process: plenty for many sessions at once.
_MAX_CONNECTIONS = 200
_MAX_KEEPALIVE = 50
#: Seconds an idle connection is kept: a caller's pause between turns is often 5-20 s.
_KEEPALIVE_EXPIRY = 60.0
#: Never wait longer than this for a connection, whatever the read timeout.
_CONNECT_CAP_S = 5.0


def timeout_for(seconds: float) -> httpx.Timeout:
    """A per-request timeout: `seconds` between bytes (and to the first byte), connect capped.

    It bounds each wait, not the whole body: a long reply streaming steadily is fine, a
    provider that goes silent for `seconds` is not.
    """
    return httpx.Timeout(seconds, connect=min(seconds, _CONNECT_CAP_S))


def sdk_timeout(seconds: float) -> httpx2.Timeout:
    """`timeout_for(seconds)` as the SDKs take it (an `httpx2.Timeout`)."""
    import httpx2  # deferred: only SDK clients need it

    return httpx2.Timeout(seconds, connect=min(seconds, _CONNECT_CAP_S))


class SharedTls:
    """One TLS context for every client of a process, made on first use: building one
    costs ~20 ms (it loads the CA bundle), and a pool of many clients would pay it each."""

    def __init__(self) -> None:
        self._context: ssl.SSLContext | None = None

    def context(self) -> ssl.SSLContext:
        """The context (httpx's defaults: certifi, or SSL_CERT_FILE / SSL_CERT_DIR)."""
        if self._context is None:
            self._context = httpx.create_ssl_context()
        return self._context


class SharedHttp:
    """The HTTP clients shared by all provider clients; close it once, at the end."""

    def __init__(self, tls: SharedTls | None = None) -> None:
        self._tls = tls or SharedTls()
        # Both are made on first use: a process may never need one of them.
        self._httpx: httpx.AsyncClient | None = None
        self._sdk: httpx2.AsyncClient | None = None
        self._closed = False

    @property
    def httpx(self) -> httpx.AsyncClient:
        """The `httpx` client for voiceops' own provider clients, made on first use."""
        if self._httpx is None:
            self._check_open()
            self._httpx = lighten(httpx.AsyncClient(
                verify=self._tls.context(),
                limits=httpx.Limits(max_connections=_MAX_CONNECTIONS,
                                    max_keepalive_connections=_MAX_KEEPALIVE,
                                    keepalive_expiry=_KEEPALIVE_EXPIRY),
                # Each request passes its own timeout; this guards one that forgets.
                timeout=timeout_for(30.0),
            ))
        return self._httpx

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("SharedHttp is closed")

    @property
    def closed(self) -> bool:
        """True once `aclose()` ran."""
        return self._closed

    def sdk(self) -> httpx2.AsyncClient:
        """The `httpx2` client for the official SDKs (`http_client=`), made on first use."""
        if self._sdk is None:
            self._check_open()
            import httpx2  # deferred: only SDK clients need it

            self._sdk = lighten(httpx2.AsyncClient(
                verify=self._tls.context(),
                limits=httpx2.Limits(max_connections=_MAX_CONNECTIONS,
                                     max_keepalive_connections=_MAX_KEEPALIVE,
                                     keepalive_expiry=_KEEPALIVE_EXPIRY),
                timeout=httpx2.Timeout(30.0, connect=_CONNECT_CAP_S),
                follow_redirects=True,
            ))
        return self._sdk

    async def aclose(self) -> None:
        """Close every connection; the clients built on this cannot be used afterwards."""
        self._closed = True
        if self._httpx is not None:
            await self._httpx.aclose()
        if self._sdk is not None:
            await self._sdk.aclose()

    async def __aenter__(self) -> SharedHttp:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
