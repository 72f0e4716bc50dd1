"""The one retry an idempotent provider call (TTS, STT) gets; LLM streams get none.

A caller is waiting on the line, so the budget is small: one more try, 100-300 ms later,
only after a quick failure (429, a 5xx other than 501, no connection). A timeout already
cost the whole timeout and a `Retry-After` of seconds is too long to wait: both go to the
caller at once, whose fallback provider is the faster way out. LLM streams are never
retried here because a reply may already be half spoken; the fallback chain decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from voiceops.catalog.live.http import RetryPolicy
from voiceops.errors import ProviderError, ProviderUnavailable, RateLimitError

__all__ = ["ONE_RETRY", "retry_idempotent", "retryable_status"]

T = TypeVar("T")

#: One retry, 100-300 ms later; never more than half a second of waiting in all.
ONE_RETRY = RetryPolicy(attempts=2, base_delay=0.15, max_delay=0.3, max_total_wait=0.5,
                        jitter=0.3)


def retryable_status(status: int) -> bool:
    """True for an HTTP status a second try may well not get (408, 429, most 5xx)."""
    # 501 Not Implemented will not change on a retry.
    return status in (408, 429) or (status >= 500 and status != 501)


def _wait_for(error: ProviderError, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying after `error`, or None when it is not worth it."""
    if isinstance(error, RateLimitError):
        return error.retry_after if error.retry_after is not None else policy.backoff(attempt)
    if isinstance(error, ProviderUnavailable) and (
            error.status is None or retryable_status(error.status)):
        return policy.backoff(attempt)
    return None


async def retry_idempotent(
    attempt: Callable[[], Awaitable[T]], policy: RetryPolicy = ONE_RETRY,
) -> T:
    """`await attempt()`, tried again per `policy` after a quick `ProviderError`."""
    waited = 0.0
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt()
        except ProviderError as error:
            delay = _wait_for(error, tries, policy)
            if (delay is None or tries >= policy.attempts
                    or waited + delay > policy.max_total_wait):
                raise
        await policy.sleep(delay)
        waited += delay
