"""What went wrong on the wire, as `voiceops.errors` exceptions with one-line messages.

    401/403                  -> AuthError            (names where the key came from)
    429                      -> RateLimitError       (with the server's Retry-After)
    5xx, no connection       -> ProviderUnavailable  (with a 503's Retry-After)
    408, no answer in time   -> ProviderTimeout
    other 4xx                -> ProviderRequestError (a client may refine it: `refine=`)
    body cut in the middle   -> TruncatedResponseError (a BadResponseError)
    not JSON                 -> BadResponseError
    bad URL or scheme        -> ProviderSetupError

A catalog fetch and a voice turn say the same thing about the same failure: both describe
their request as a `Call`. Every message names the provider and the request; none holds
the API key. The key is redacted from any text a server sends back, and a 401's body is not
quoted at all: OpenAI, for one, echoes the refused key with only its middle starred out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from voiceops.errors import (
    AuthError,
    BadResponseError,
    ProviderError,
    ProviderRequestError,
    ProviderSetupError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.provider_facts import title as provider_title
from voiceops.providers.transport.retryable import is_timeout

__all__ = ["Call", "Refine", "detail", "redact"]

#: A client's own reading of a refusal (status, body) before the generic mapping, or None.
Refine = Callable[[int, bytes], ProviderError | None]

_DETAIL_LIMIT = 300
# A key the server masked ("sk-ab****wxyz") still shows some of its characters.
_MASKED = re.compile(r"\S*\*{3,}\S*")


def redact(text: str, secret: str | None) -> str:
    """`text` without `secret` or anything that looks like a masked key."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return _MASKED.sub("[redacted]", text)


def detail(body: bytes, secret: str | None) -> str:
    """The human part of an error body (each provider nests it differently), redacted."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        found = text
    else:
        found = _message_in(data) or text
    found = " ".join(redact(found, secret).split())
    return found[:_DETAIL_LIMIT] + ("..." if len(found) > _DETAIL_LIMIT else "")


def _message_in(data: Any) -> str | None:
    # OpenAI/Sarvam {"error": {"message"}}, Anthropic {"type": "error", "error": {...}},
    # ElevenLabs {"detail": {"status", "message"}} or {"detail": [{"msg"}]} or {"detail": "..."}
    if not isinstance(data, dict):
        return None
    for key in ("error", "detail"):
        inner = data.get(key)
        if isinstance(inner, str):
            return inner
        if isinstance(inner, dict):
            message = inner.get("message") or inner.get("msg")
            return str(message) if message else None
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):
            return "; ".join(str(i.get("msg", i)) for i in inner)
    message = data.get("message")
    return str(message) if message else None


def _tries(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _named(exc: BaseException, name: str) -> bool:
    """True when `exc` is an instance of a class called `name` in `httpx` or `httpx2`
    (same hierarchy, separate classes)."""
    return any(k.__name__ == name and k.__module__.startswith("httpx") for k in type(exc).__mro__)


@dataclass(frozen=True)
class Call:
    """One request as errors describe it: who, what, and the key to keep out of messages."""

    provider: str
    request: str  # "POST https://api.sarvam.ai/text-to-speech/stream"
    secret: str | None = field(repr=False)
    env_var: str | None  # where the key came from by convention, named in auth errors
    timeout: httpx.Timeout

    @property
    def title(self) -> str:
        return provider_title(self.provider)

    def refused(self, status: int, body: bytes, *, wait: float | None = None,
                attempts: int = 1, refine: Refine | None = None) -> ProviderError:
        """The error for a non-2xx answer; `wait` is what its Retry-After asked."""
        if refine is not None:
            refined = refine(status, body)
            if refined is not None:
                return refined
        if status in (401, 403):
            return self._auth(status, body)
        why = detail(body, self.secret)
        tries = _tries(attempts)
        asks = f"; it asks to wait {wait:g} s" if wait is not None else ""
        if status == 429:
            return RateLimitError(
                f"{self.title} is rate-limiting requests (HTTP 429 from {self.request})"
                f"{tries}{asks}: {why}", provider=self.provider, retry_after=wait)
        if status >= 500:
            return ProviderUnavailable(
                f"{self.title} is unavailable (HTTP {status} from {self.request}){tries}"
                f"{asks}: {why}", provider=self.provider, status=status, retry_after=wait)
        if status == 408:
            return ProviderTimeout(f"{self.title} timed out on {self.request} (HTTP 408){tries}",
                                   provider=self.provider, status=status)
        hint = "; check base_url" if status == 404 else ""
        return ProviderRequestError(
            f"{self.title} rejected {self.request} with HTTP {status}: {why}{hint}",
            provider=self.provider, status=status)

    def _auth(self, status: int, body: bytes) -> AuthError:
        source = f"the key in {self.env_var}" if self.env_var else "the api_key given"
        if status == 401:
            message = (f"{self.title} refused the API key (HTTP 401 from {self.request}): "
                       f"check that {source} is current and complete")
        else:
            message = (f"{self.title} refused access with this API key (HTTP 403 from "
                       f"{self.request}: {detail(body, self.secret)}): the key may lack "
                       f"permission for this endpoint; check {source}")
        return AuthError(message, provider=self.provider, status=status)

    def unreachable(self, exc: BaseException, *, attempts: int = 1,
                    in_body: bool = False) -> ProviderError:
        """The error for a transport failure (`httpx` or `httpx2`): before the answer, or
        (`in_body`) while its body was read, when a dropped connection means a cut answer."""
        if is_timeout(exc):
            return self.timed_out(connecting=_named(exc, "ConnectTimeout"), attempts=attempts)
        if _named(exc, "UnsupportedProtocol"):
            return self.bad_url(exc)
        if in_body:
            return TruncatedResponseError(
                f"{self.title} sent a truncated response to {self.request}: {_reason(exc)}",
                provider=self.provider)
        return ProviderUnavailable(
            f"{self.title} cannot be reached for {self.request}: {_reason(exc)}"
            f"{_tries(attempts)}", provider=self.provider)

    def timed_out(self, *, connecting: bool = False, attempts: int = 1) -> ProviderTimeout:
        """No byte in time: for a connection, the answer, or the next part of it."""
        limit = self.timeout.connect if connecting else self.timeout.read
        within = f" within {limit:g} s" if limit is not None else ""
        what = "accept a connection for" if connecting else "answer"
        return ProviderTimeout(f"{self.title} did not {what} {self.request}{within}"
                               f"{_tries(attempts)}", provider=self.provider)

    def bad_url(self, exc: BaseException) -> ProviderSetupError:
        """The request cannot be sent as set up: an invalid URL, or not http(s)."""
        return ProviderSetupError(f"{self.title}: cannot request {self.request}: {exc}",
                                  provider=self.provider)

    def invalid_json(self, body: bytes, exc: ValueError) -> BadResponseError:
        """A complete answer whose body is not JSON (often cut by a proxy) or not UTF-8."""
        where = (f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError)
                 else str(exc))
        return BadResponseError(
            f"{self.title} sent invalid JSON for {self.request} ({len(body)} bytes): {where}",
            provider=self.provider)
