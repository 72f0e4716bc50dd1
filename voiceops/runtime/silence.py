"""Notice a caller who has gone quiet (the profile's `session.silence_timeout_s`).

The clock starts when the agent's last words have played out, not when their audio was
sent (it is sent faster than it plays), and stops at any sign of the caller: speech, a typed
turn, an interrupt. Each silence in a row is counted, so the session can remind the caller
first and hang up on the second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["SilenceWatch"]


class SilenceWatch:
    """Calls `on_silence(n)` when the caller has said nothing for `timeout_s` after the
    agent finished speaking, `n` being how many silences in a row that makes."""

    def __init__(self, timeout_s: float, on_silence: Callable[[int], Awaitable[None]]) -> None:
        self.timeout_s = timeout_s
        self._on_silence = on_silence
        self._in_a_row = 0
        self._waiting: asyncio.Task[None] | None = None

    @property
    def pending(self) -> bool:
        """Whether the clock is running."""
        return self._waiting is not None and not self._waiting.done()

    def after_speaking(self, still_playing_s: float) -> None:
        """The agent has finished; its audio plays for `still_playing_s` more seconds."""
        self.cancel()
        self._waiting = asyncio.ensure_future(self._wait(still_playing_s + self.timeout_s))

    def heard(self) -> None:
        """The caller did something: the clock stops and the count starts over."""
        self._in_a_row = 0
        self.cancel()

    def cancel(self) -> None:
        """Stop the clock (the agent is about to speak, or the session ends)."""
        if self._waiting is not None and not self._waiting.done():
            self._waiting.cancel()
        self._waiting = None

    async def _wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        self._in_a_row += 1
        await self._on_silence(self._in_a_row)
