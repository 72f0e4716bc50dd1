"""ProviderHealth: choices that keep failing go to the back of every chain for a cool-down,
one success clears them, and a refused request does not count against the provider."""

from __future__ import annotations

from voiceops.errors import ProviderRequestError, ProviderTimeout, ProviderUnavailable
from voiceops.runtime.health import ProviderHealth, choice_key

MAIN = {"provider": "openai", "model": "gpt-5.4-mini", "timeout_s": 5}
FALLBACK = {"provider": "anthropic", "model": "claude-haiku-4-5"}
SLOW = ProviderTimeout("OpenAI did not answer in 5 s", provider="openai")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_two_failures_in_a_row_put_a_choice_last_for_the_cool_down() -> None:
    clock = Clock()
    health = ProviderHealth(threshold=2, cooldown_s=30, clock=clock)
    health.failed(MAIN, SLOW)
    assert health.order([MAIN, FALLBACK]) == [MAIN, FALLBACK]  # one failure is not a trend
    health.failed(MAIN, SLOW)
    assert health.order([MAIN, FALLBACK]) == [FALLBACK, MAIN]  # still tried, but last
    assert health.down() == [{"provider": "openai", "model": "gpt-5.4-mini", "voice": None,
                              "failures": 2, "retry_in_s": 30.0}]
    clock.now += 31
    assert health.order([MAIN, FALLBACK]) == [MAIN, FALLBACK]  # tried first again
    health.failed(MAIN, ProviderUnavailable("503", provider="openai"))
    assert health.order([MAIN, FALLBACK]) == [FALLBACK, MAIN]  # one more failure: down again
    health.succeeded(MAIN)
    assert health.order([MAIN, FALLBACK]) == [MAIN, FALLBACK] and health.down() == []


def test_a_refused_request_is_not_the_providers_health() -> None:
    health = ProviderHealth(threshold=1)
    health.failed(MAIN, ProviderRequestError("400: text too long", provider="openai"))
    assert health.order([MAIN, FALLBACK]) == [MAIN, FALLBACK]


def test_choices_are_told_apart_by_what_reaches_them_not_by_timeouts() -> None:
    assert choice_key(MAIN) == choice_key({**MAIN, "timeout_s": 9})
    assert choice_key(MAIN) != choice_key({**MAIN, "model": "gpt-5.4"})
    assert choice_key(MAIN) != choice_key({**MAIN, "base_url": "http://proxy/v1"})
