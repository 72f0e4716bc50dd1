"""RetryPolicy.run, the one retry loop: what it retries, how long it waits (recorded, not
slept), and where it stops."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest

from voiceops.errors import (
    AuthError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.providers.transport.policy import CATALOG_RETRY, ONE_RETRY, RetryPolicy


def attempts_and_waits(policy: RetryPolicy, *failures: ProviderError) -> tuple[int, list[float]]:
    """Run `policy` over a request failing with `failures` in turn, then succeeding: how many
    tries it made and the waits it asked for."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    tries: list[int] = []

    async def send(attempt: int) -> str:
        tries.append(attempt)
        if attempt <= len(failures):
            raise failures[attempt - 1]
        return "ok"

    recorded = replace(policy, sleep=sleep, rand=lambda: 0.0)
    with contextlib.suppress(ProviderError):  # raised once the policy gives up
        asyncio.run(recorded.run(send))
    return len(tries), waits


def busy(wait: float | None = None, status: int = 503) -> ProviderUnavailable:
    return ProviderUnavailable("busy", provider="p", status=status, retry_after=wait)


def test_a_retry_after_is_waited_as_asked_whatever_the_status() -> None:
    assert attempts_and_waits(CATALOG_RETRY, busy(2.0), RateLimitError("slow", provider="p",
                                                                       retry_after=3.0)) \
        == (3, [2.0, 3.0])


def test_without_retry_after_the_backoff_doubles() -> None:
    assert attempts_and_waits(CATALOG_RETRY, busy(), busy()) == (3, [0.5, 1.0])


def test_a_wait_past_the_cap_is_not_waited_and_attempts_are_capped() -> None:
    assert attempts_and_waits(ONE_RETRY, busy(0.6)) == (1, [])
    assert attempts_and_waits(ONE_RETRY, busy(), busy(), busy()) == (2, [0.15])


@pytest.mark.parametrize(("policy", "retried"), [(CATALOG_RETRY, True), (ONE_RETRY, False)])
def test_timeouts_are_retried_only_where_the_policy_says(policy: RetryPolicy,
                                                         retried: bool) -> None:
    tries, _ = attempts_and_waits(policy, ProviderTimeout("slow", provider="p"))
    assert tries == (2 if retried else 1)
    # A 408 is a quick answer, not a spent timeout: every policy retries it.
    assert attempts_and_waits(policy, ProviderTimeout("408", provider="p", status=408))[0] == 2


@pytest.mark.parametrize("error", [
    AuthError("no", provider="p", status=401),
    TruncatedResponseError("cut", provider="p"),
    busy(status=501),
])
def test_what_a_retry_cannot_fix_is_raised_at_once(error: ProviderError) -> None:
    assert attempts_and_waits(CATALOG_RETRY, error) == (1, [])
