"""How late the event loop runs what is due: the runner's own queueing, as a number.

Every session shares one event loop, so a burst of work (hundreds of turns at once) makes
everything wait its turn, and no per-turn stage timer sees it: the wait happens before the
frame reaches the session. A sleeper that notes how late it wakes measures exactly that
wait. `/metrics` exposes it as `voiceops_event_loop_lag_seconds`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["watch_lag"]


async def watch_lag(observe: Callable[[float], None], interval_s: float = 0.05) -> None:
    """Until cancelled: every `interval_s`, `observe` how many seconds late the loop woke."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval_s
        await asyncio.sleep(interval_s)
        observe(max(loop.time() - due, 0.0))
