"""How often, and how long, a failed provider request is tried again; the one retry loop.

    result = await policy.run(lambda attempt: send(attempt))

`send` raises the mapped `ProviderError` (see `wording`); `run` tries again while
`retryable.worth_retrying` says so, the attempts last and the waiting stays within the
policy's cap. A `Retry-After` (or `retry-after-ms`) is waited as asked; one that would pass
the cap is not waited at all: the error goes to the caller at once, naming the wait.
`RetryPolicy(sleep=..., rand=...)` makes tests fast and exact.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

from voiceops.errors import ProviderError
from voiceops.providers.transport.retryable import worth_retrying

__all__ = ["CATALOG_RETRY", "ONE_RETRY", "RetryPolicy", "retry_after"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed request.

    `attempts` counts the first try. The n-th retry waits `base_delay * 2**(n-1)` seconds
    (at most `max_delay`), less up to `jitter` of it at random, or what `Retry-After` asks.
    Waiting stops once the next wait would pass `max_total_wait` in all. `retry_timeouts`:
    whether a request that timed out is tried again (see `retryable`).
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total_wait: float = 20.0
    jitter: float = 0.25
    retry_timeouts: bool = True
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rand: Callable[[], float] = random.random

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return delay * (1 - self.jitter * self.rand())

    def wait_after(self, error: ProviderError, attempt: int, waited: float) -> float | None:
        """Seconds to wait before trying again after try `attempt` failed with `error`,
        `waited` seconds having been waited already; None to give up."""
        if attempt >= self.attempts or not worth_retrying(error, timeouts=self.retry_timeouts):
            return None
        delay = error.retry_after if error.retry_after is not None else self.backoff(attempt)
        return delay if waited + delay <= self.max_total_wait else None

    async def run(self, send: Callable[[int], Awaitable[T]]) -> T:
        """`await send(attempt)` (attempt 1, 2, ...) until it returns or the policy gives up,
        when its last `ProviderError` is raised."""
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                return await send(attempt)
            except ProviderError as error:
                delay = self.wait_after(error, attempt, waited)
                if delay is None:
                    raise
            await self.sleep(delay)
            waited += delay


#: A command fetching catalogs: three tries, up to 20 s of waiting, timeouts retried.
CATALOG_RETRY = RetryPolicy()
#: A call while a caller is on the line: one retry, 100-300 ms later, never more than half
#: a second of waiting, no retry after a timeout; the fallback provider is the faster way out.
ONE_RETRY = RetryPolicy(attempts=2, base_delay=0.15, max_delay=0.3, max_total_wait=0.5,
                        jitter=0.3, retry_timeouts=False)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait (`retry-after-ms`, `Retry-After`), or None.
    `headers` may be `httpx` or `httpx2` headers (both match names case-insensitively)."""
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
