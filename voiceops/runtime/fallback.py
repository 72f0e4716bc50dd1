"""Fallback chains: a stage's provider choices (the main one, then its `fallbacks`), tried
in order until one answers.

    chain = Chain("tts", chain_of(profile.section("tts")), health, observer, "session 3f2a")
    choice, answer = await first_answer(chain, open_voice)

"Answers" means the first token, byte or transcript arrived: until then a failing choice
hands over to the next. After it, nothing can hand over (part of the answer is out), so a
failure midway is raised as `FailedMidway`. Every failure is counted in the shared
`ProviderHealth` (choices failing often are tried last), in the metrics and the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from voiceops.errors import ProviderError
from voiceops.runtime.health import ProviderHealth, choice_key

__all__ = ["AllFailed", "Chain", "Choice", "Dead", "FailedMidway", "chain_of", "first_answer",
           "name"]

log = logging.getLogger("voiceops.session")

Stage = Literal["llm", "tts", "stt"]
Choice = Mapping[str, Any]
#: The choices that failed during one turn (by `choice_key`): not asked again in it.
Dead = set[tuple[str, ...]]
T = TypeVar("T")

_WHAT = {"llm": "LLM", "tts": "voice", "stt": "speech recogniser"}


class AllFailed(ProviderError):
    """Raised when a chain's main choice and every fallback failed before answering."""


class FailedMidway(ProviderError):
    """Raised when a choice fails after it started answering (too late for a fallback)."""


class FailureObserver(Protocol):
    """Where provider failures are counted (the server's Prometheus counters)."""

    def provider_failed(self, stage: str, provider: str) -> None: ...


@dataclass
class Chain:
    """One stage's choices in order of preference, with whom to tell about failures."""

    stage: Stage
    choices: list[Choice]
    health: ProviderHealth  # the runner's, shared by its sessions
    observer: FailureObserver
    owner: str  # who calls, for the log ("session 3f2a...")
    #: A fallback that answered stays first for this chain's owner (a voice should not
    #: change back and forth within a conversation).
    sticky: bool = False

    def failed(self, choice: Choice, error: ProviderError) -> str:
        """Count and log a failure of `choice`; returns the line the error frame quotes."""
        self.health.failed(choice, error)
        self.observer.provider_failed(self.stage, str(choice.get("provider")))
        log.warning("%s: %s %s failed: %s", self.owner, self.stage.upper(), name(choice), error)
        return f"{name(choice)}: {error}"

    def midway(self, choice: Choice, error: ProviderError) -> FailedMidway:
        """Count and log `choice` failing after it started answering; the error to raise."""
        return FailedMidway(f"{self.failed(choice, error)} (midway)", provider=self.stage)

    def answered(self, choice: Choice) -> None:
        """`choice` answered: it is healthy, and first from now on when sticky."""
        self.health.succeeded(choice)
        if self.sticky and choice is not self.choices[0]:
            self.choices = [choice, *(c for c in self.choices if c is not choice)]


async def first_answer(chain: Chain, call: Callable[[Choice], Awaitable[T]],
                       dead: Dead | None = None) -> tuple[Choice, T]:
    """`call(choice)` for the chain's choices (healthy ones first, `dead` ones skipped) until
    one returns without a `ProviderError`: that choice and what it returned.

    Choices that fail are added to `dead` (when given). Raises AllFailed, quoting each
    failure, when none answers.
    """
    failures: list[str] = []
    for choice in chain.health.order(chain.choices):
        if dead is not None and choice_key(choice) in dead:
            continue
        try:
            answer = await call(choice)
        except ProviderError as exc:
            failures.append(chain.failed(choice, exc))
            if dead is not None:
                dead.add(choice_key(choice))
            continue
        chain.answered(choice)
        return choice, answer
    what = _WHAT[chain.stage]
    raise AllFailed(f"every {what} failed: " + "; ".join(failures) if failures else
                    f"no {what} left to try: each failed earlier in this turn",
                    provider=chain.stage)


def chain_of(section: Choice) -> list[Choice]:
    """The section's main choice, then its fallbacks (which inherit its timeout)."""
    main = {k: v for k, v in section.items() if k != "fallbacks"}
    timeout = {"timeout_s": section["timeout_s"]} if "timeout_s" in section else {}
    fallbacks: Sequence[Any] = section.get("fallbacks") or ()
    return [main, *[{**timeout, **f} for f in fallbacks if isinstance(f, Mapping)]]


def name(choice: Choice) -> str:
    """provider/voice (or model): how logs, errors and metrics name a choice."""
    named = choice.get("voice_name") or choice.get("voice") or choice.get("model")
    return f"{choice.get('provider')}/{named}"
