"""Which failures are worth another try: one rule for catalog fetches and provider calls.

- Statuses: 408, 429 and every 5xx but 501 (Not Implemented will not change on a retry;
  529, Anthropic's "overloaded", will). Other 4xx are the request's own fault.
- No connection, or a server error reported inside an answer: yes.
- A timeout (no byte in time): only when the policy says so. It already cost the whole
  timeout, which a caller on the line cannot afford twice; a catalog fetch can.
- A refused key, a setup mistake, a cut or malformed answer: never.
"""

from __future__ import annotations

import sys
from typing import Any

import httpx

from voiceops.errors import (
    AuthError,
    BadResponseError,
    ProviderError,
    ProviderSetupError,
    ProviderTimeout,
)

__all__ = ["is_timeout", "is_transport_error", "retryable_status", "worth_retrying"]


def retryable_status(status: int) -> bool:
    """True for an HTTP status a second try may well not get (408, 429, 5xx but 501)."""
    return status in (408, 429) or (status >= 500 and status != 501)


def worth_retrying(error: ProviderError, *, timeouts: bool) -> bool:
    """True when the request that failed with `error` may succeed if sent again."""
    if isinstance(error, AuthError | ProviderSetupError | BadResponseError):
        return False
    if error.status is not None:
        return retryable_status(error.status)
    if isinstance(error, ProviderTimeout):
        return timeouts
    return True  # no connection, or the server failed midway through its answer


def _transport_modules() -> list[Any]:
    modules: list[Any] = [httpx]
    loaded = sys.modules.get("httpx2")  # the SDKs' transport, loaded only once one is used
    if loaded is not None:
        modules.append(loaded)
    return modules


def is_timeout(exc: BaseException) -> bool:
    """True for a timeout of `httpx` or `httpx2` (no byte arrived in time)."""
    return any(isinstance(exc, m.TimeoutException) for m in _transport_modules())


def is_transport_error(exc: BaseException) -> bool:
    """True for any transport failure of `httpx` or `httpx2` (timeouts included)."""
    return any(isinstance(exc, m.TransportError) for m in _transport_modules())
