"""Turn what went wrong on the wire into voiceops' provider exceptions, with one-line messages.

Every message names the provider and the request; none contains the API key. The key is
redacted from any text a server sends back, and a 401's body is not quoted at all: OpenAI,
for one, echoes the refused key with only its middle starred out.
"""

from __future__ import annotations

import json
import re
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from voiceops.errors import (
    AuthError,
    BadResponseError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)

__all__ = [
    "auth_error",
    "invalid_json",
    "redact",
    "retry_after",
    "status_error",
    "transport_error",
    "truncated",
]

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


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks us to wait (`retry-after-ms`, `Retry-After`), or None."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def auth_error(
    title: str, provider: str, request: str, status: int, body: bytes, secret: str | None,
    env_var: str | None,
) -> AuthError:
    """401/403: the key was refused. The message says where the key came from, never the key."""
    source = f"the key in {env_var}" if env_var else "the api_key given"
    if status == 401:
        message = (f"{title} refused the API key (HTTP 401 from {request}): "
                   f"check that {source} is current and complete")
    else:
        message = (f"{title} refused access with this API key (HTTP 403 from {request}: "
                   f"{detail(body, secret)}): the key may lack permission for this endpoint; "
                   f"check {source}")
    return AuthError(message, provider=provider, status=status)


def status_error(
    title: str, provider: str, request: str, status: int, body: bytes, secret: str | None,
    *, attempts: int, wait: float | None,
) -> ProviderError:
    """The error for an answer that is neither success nor an auth refusal."""
    why = detail(body, secret)
    tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
    if status == 429:
        hint = f"; it asks to wait {wait:g} s" if wait is not None else ""
        return RateLimitError(f"{title} is rate-limiting requests (HTTP 429 from {request})"
                              f"{tries}{hint}: {why}", provider=provider, retry_after=wait)
    if status >= 500:
        return ProviderUnavailable(f"{title} is unavailable (HTTP {status} from {request})"
                                   f"{tries}: {why}", provider=provider, status=status)
    if status == 408:
        return ProviderTimeout(f"{title} timed out on {request} (HTTP 408){tries}",
                               provider=provider, status=status)
    hint = "; check base_url" if status == 404 else ""
    return ProviderRequestError(f"{title} rejected {request} with HTTP {status}: {why}{hint}",
                                provider=provider, status=status)


def transport_error(
    title: str, provider: str, request: str, exc: httpx.TransportError, *,
    attempts: int, timeout: httpx.Timeout,
) -> ProviderError:
    """No usable answer at all: a timeout, or no connection."""
    tries = f" (after {attempts} attempt{'s' if attempts != 1 else ''})"
    if isinstance(exc, httpx.TimeoutException):
        connecting = isinstance(exc, httpx.ConnectTimeout)
        limit = timeout.connect if connecting else timeout.read
        within = f" within {limit:g} s" if limit is not None else ""
        what = "accept a connection for" if connecting else "answer"
        return ProviderTimeout(f"{title} did not {what} {request}{within}{tries}",
                               provider=provider)
    reason = str(exc) or type(exc).__name__
    return ProviderUnavailable(f"{title} cannot be reached for {request}: {reason}{tries}",
                               provider=provider)


def truncated(title: str, provider: str, request: str, exc: Exception) -> TruncatedResponseError:
    """The connection dropped in the middle of the body."""
    return TruncatedResponseError(
        f"{title} sent a truncated response to {request}: {exc}", provider=provider
    )


def invalid_json(
    title: str, provider: str, request: str, body: bytes, exc: ValueError,
) -> BadResponseError:
    """A complete HTTP answer whose body is not JSON (often cut by a proxy) or not UTF-8."""
    where = (f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError)
             else str(exc))
    return BadResponseError(
        f"{title} sent invalid JSON for {request} ({len(body)} bytes): {where}",
        provider=provider,
    )
