"""The `openai` and `anthropic` SDKs' exceptions mapped to `voiceops.errors`, as `wording`
maps httpx's: the same failure reads the same whichever client met it.

    except Exception as exc:
        raise from_sdk(exc, OPENAI_ERRORS, call) from exc
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from voiceops.errors import ProviderError, ProviderUnavailable
from voiceops.providers.transport.policy import retry_after
from voiceops.providers.transport.retryable import is_transport_error
from voiceops.providers.transport.wording import Call, Refine, redact

__all__ = ["SdkErrors", "from_sdk"]


@dataclass(frozen=True)
class SdkErrors:
    """An SDK's exception classes (the `openai` and `anthropic` SDKs share the design)."""

    status: type[BaseException]  # APIStatusError: .status_code, .response, .body
    timeout: type[BaseException]  # APITimeoutError
    connection: type[BaseException]  # APIConnectionError (timeouts are a subclass)
    api: type[BaseException]  # APIError, the base: e.g. an error line inside a stream


def from_sdk(exc: BaseException, classes: SdkErrors, call: Call,
             refine: Refine | None = None, *, in_body: bool = False,
             attempts: int = 1) -> ProviderError:
    """`exc` from an SDK call mapped to a `ProviderError` (`raise from_sdk(...) from exc`).
    When it is neither one of the SDK's API errors nor a transport error, `exc` itself is
    raised again: a bug (or a `ProviderError` already) stays as it is. `in_body`: it was
    raised while a stream was read, so a broken connection means a cut answer
    (`TruncatedResponseError`). `attempts`: how many tries the request has had."""
    if isinstance(exc, classes.status):
        status = int(getattr(exc, "status_code", 0))
        response: Any = getattr(exc, "response", None)
        headers = response.headers if response is not None else {}
        return call.refused(status, _body_of(exc), wait=retry_after(headers),
                            attempts=attempts, refine=refine)
    if isinstance(exc, classes.timeout):
        return call.timed_out(attempts=attempts)
    if isinstance(exc, classes.connection):
        return call.unreachable(exc.__cause__ or exc, in_body=in_body, attempts=attempts)
    if is_transport_error(exc):  # some SDK versions let these through while streaming
        return call.unreachable(exc, in_body=in_body, attempts=attempts)
    if isinstance(exc, classes.api):  # the server reported a failure inside the stream
        detail = redact(str(getattr(exc, "message", "") or exc), call.secret)
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
