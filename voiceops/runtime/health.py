"""Which provider choices have been failing, across every session of the runner.

A fallback chain alone makes each turn of each session try the broken provider first and
wait for it to fail (up to its whole timeout) before the fallback answers. So failures are
counted per choice (provider, model, voice, server): after `threshold` in a row the choice
is "down" for `cooldown_s`, and sessions try the others in their chain first; it is still
tried when nothing else answers. When the cool-down ends the next call tries it again (one
failure then puts it straight back down, one success clears it).

Refusals of one request (a 4xx other than a key or rate problem) say nothing about the
provider's health and are not counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voiceops.errors import ProviderError, ProviderRequestError

log = logging.getLogger("voiceops.health")

__all__ = ["ProviderHealth", "choice_key"]

Choice = Mapping[str, Any]


def choice_key(choice: Choice) -> tuple[str, ...]:
    """What identifies a provider choice for its health: the same service with the same
    settings that matter for reaching it."""
    return tuple(str(choice.get(field) or "") for field in
                 ("provider", "model", "voice", "base_url"))


@dataclass
class _Record:
    failures: int = 0
    down_until: float = 0.0


class ProviderHealth:
    """Failure counts per choice; `order()` puts the ones that are down last."""

    def __init__(self, threshold: int = 2, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._records: dict[tuple[str, ...], _Record] = {}

    def order(self, chain: Sequence[Choice]) -> list[Choice]:
        """`chain` with the choices that are down moved to the end (order kept otherwise)."""
        now = self._clock()
        return sorted(chain, key=lambda choice: self._is_down(choice, now))

    def down(self) -> list[dict[str, Any]]:
        """The choices that are down now, for status pages: what, since how many failures,
        and for how many more seconds."""
        now = self._clock()
        return [{"provider": key[0], "model": key[1] or None, "voice": key[2] or None,
                 "failures": record.failures, "retry_in_s": round(record.down_until - now, 1)}
                for key, record in sorted(self._records.items()) if record.down_until > now]

    def failed(self, choice: Choice, error: ProviderError) -> None:
        """Count a failure of `choice` (unless it was the request's fault, not the provider's)."""
        if isinstance(error, ProviderRequestError):
            return
        key = choice_key(choice)
        record = self._records.setdefault(key, _Record())
        record.failures += 1
        if record.failures >= self.threshold:
            was_down = record.down_until > self._clock()
            record.down_until = self._clock() + self.cooldown_s
            if not was_down:
                log.warning("%s is failing (%d in a row, last: %s); sessions try their "
                            "fallbacks first for %.0f s", "/".join(filter(None, key[:3])),
                            record.failures, error, self.cooldown_s)

    def succeeded(self, choice: Choice) -> None:
        """`choice` answered: it is healthy again."""
        if self._records.pop(choice_key(choice), None) is not None:
            log.info("%s answers again", "/".join(filter(None, choice_key(choice)[:3])))

    def _is_down(self, choice: Choice, now: float) -> bool:
        record = self._records.get(choice_key(choice))
        return record is not None and record.down_until > now
