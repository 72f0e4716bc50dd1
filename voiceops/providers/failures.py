"""Map what goes wrong in a provider call to `voiceops.errors`, for every client alike.

    401/403                  -> AuthError            (the message names the key's variable)
    429                      -> RateLimitError       (with the server's Retry-After)
    5xx, no connection       -> ProviderUnavailable
    no answer in time        -> ProviderTimeout
    other 4xx                -> ProviderRequestError (a client may refine it: `refine=`)
    body cut in the middle   -> TruncatedResponseError (a BadResponseError)

The wording comes from `voiceops.catalog.live.failures` (so a catalog fetch and a voice
turn say the same thing about the same failure); this module adds what calls need: errors
of `httpx2` (the SDKs' transport) as well as `httpx`, and the SDKs' own exception classes.
Keys are redacted from anything quoted; messages never hold one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from voiceops.catalog.live import failures
from voiceops.errors import (
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    TruncatedResponseError,
)
from voiceops.provider_facts import title as provider_title

__all__ = [
    "Call",
    "Refine",
    "SdkErrors",
    "from_sdk",
    "is_timeout",
    "is_transport_error",
    "refused",
    "retry_after",
]

#: A client's own reading of a refusal (status, body) before the generic mapping, or None.
Refine = Callable[[int, bytes], ProviderError | None]


@dataclass(frozen=True)
class Call:
    """One request as errors describe it: who, what, and the key to keep out of messages."""

    provider: str
    request: str  # "POST https://api.sarvam.ai/text-to-speech/stream"
    secret: str | None = field(repr=False)
    env_var: str | None
    timeout_s: float

    @property
    def title(self) -> str:
        return provider_title(self.provider)

    def refused(self, status: int, body: bytes, *, wait: float | None = None,
                attempts: int = 1, refine: Refine | None = None) -> ProviderError:
        """The error for a non-2xx answer."""
        return refused(self, status, body, wait=wait, attempts=attempts, refine=refine)

    def unreachable(self, exc: BaseException, *, in_body: bool = False,
                    attempts: int = 1) -> ProviderError:
        """The error for a transport failure: before the answer, or (`in_body`) during it."""
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        if is_timeout(exc):
            return ProviderTimeout(
                f"{self.title} did not answer {self.request} within {self.timeout_s:g} s{tries}",
                provider=self.provider)
        if in_body:
            return TruncatedResponseError(
                f"{self.title} cut its answer to {self.request} short: {_reason(exc)}",
                provider=self.provider)
        return ProviderUnavailable(
            f"{self.title} cannot be reached for {self.request}: {_reason(exc)}{tries}",
            provider=self.provider)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def refused(call: Call, status: int, body: bytes, *, wait: float | None = None,
            attempts: int = 1, refine: Refine | None = None) -> ProviderError:
    """A non-2xx answer as the most specific `ProviderError` (see the module docstring)."""
    if refine is not None:
        refined = refine(status, body)
        if refined is not None:
            return refined
    if status in (401, 403):
        return failures.auth_error(call.title, call.provider, call.request, status, body,
                                   call.secret, call.env_var)
    return failures.status_error(call.title, call.provider, call.request, status, body,
                                 call.secret, attempts=attempts, wait=wait)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked to wait, from `httpx` or `httpx2` headers."""
    return failures.retry_after(httpx.Headers(dict(headers.items())))


def _transport_modules() -> list[Any]:
    modules: list[Any] = [httpx]
    loaded = sys.modules.get("httpx2")  # loaded only once an SDK client exists
    if loaded is not None:
        modules.append(loaded)
    return modules


def is_timeout(exc: BaseException) -> bool:
    """True for a timeout of `httpx` or `httpx2` (no byte arrived in time)."""
    return any(isinstance(exc, m.TimeoutException) for m in _transport_modules())


def is_transport_error(exc: BaseException) -> bool:
    """True for any transport failure of `httpx` or `httpx2` (timeouts included)."""
    return any(isinstance(exc, m.TransportError) for m in _transport_modules())


@dataclass(frozen=True)
class SdkErrors:
    """An SDK's exception classes (the `openai` and `anthropic` SDKs share the design)."""

    status: type[BaseException]  # APIStatusError: .status_code, .response, .body
    timeout: type[BaseException]  # APITimeoutError
    connection: type[BaseException]  # APIConnectionError (timeouts are a subclass)
    api: type[BaseException]  # APIError, the base: e.g. an error line inside a stream


def from_sdk(exc: BaseException, classes: SdkErrors, call: Call,
             refine: Refine | None = None, *, in_body: bool = False) -> ProviderError:
    """`exc` from an SDK call mapped to a `ProviderError` (`raise from_sdk(...) from exc`).
    When it is neither one of the SDK's API errors nor a transport error, `exc` itself is
    raised again: a bug (or a `ProviderError` already) stays as it is. `in_body`: it was
    raised while a stream was read, so a broken connection means a cut answer
    (`TruncatedResponseError`)."""
    if isinstance(exc, classes.status):
        status = int(getattr(exc, "status_code", 0))
        response: Any = getattr(exc, "response", None)
        headers = response.headers if response is not None else {}
        return call.refused(status, _body_of(exc), wait=retry_after(headers), refine=refine)
    if isinstance(exc, classes.timeout):
        return ProviderTimeout(
            f"{call.title} did not answer {call.request} within {call.timeout_s:g} s",
            provider=call.provider)
    if isinstance(exc, classes.connection):
        return call.unreachable(exc.__cause__ or exc, in_body=in_body)
    if is_transport_error(exc):  # some SDK versions let these through while streaming
        return call.unreachable(exc, in_body=in_body)
    if isinstance(exc, classes.api):  # the server reported a failure inside the stream
        detail = failures.redact(str(getattr(exc, "message", "") or exc), call.secret)
        return ProviderUnavailable(f"{call.title} failed during {call.request}: {detail}",
                                   provider=call.provider)
    raise exc


def _body_of(exc: BaseException) -> bytes:
    # The SDKs keep the decoded JSON error as .body (None when it was not JSON): re-encode it
    # so the shared wording finds the message wherever the provider nests it.
    body = getattr(exc, "body", None)
    if body is not None:
        try:
            return json.dumps(body).encode()
        except (TypeError, ValueError):
            pass
    return str(getattr(exc, "message", "") or exc).encode()
