"""The event-loop lag sampler: a loop blocked by work shows up as lag, an idle one does not,
and the daemon exposes it in /metrics."""

from __future__ import annotations

import asyncio
import time

from tests.server.conftest import MakeClient
from voiceops.server.looplag import watch_lag


def test_a_blocked_loop_is_seen_as_lag_and_an_idle_one_is_not() -> None:
    async def go() -> list[float]:
        seen: list[float] = []
        watcher = asyncio.create_task(watch_lag(seen.append, interval_s=0.01))
        await asyncio.sleep(0.05)  # idle: the sampler wakes on time
        idle = len(seen)
        time.sleep(0.2)  # one callback hogging the loop, as a burst of work would
        await asyncio.sleep(0.03)
        watcher.cancel()
        return [*seen[:idle], -1.0, *seen[idle:]]

    seen = asyncio.run(go())
    idle, busy = seen[:seen.index(-1.0)], seen[seen.index(-1.0) + 1:]
    assert idle and max(idle) < 0.2
    assert max(busy) >= 0.15


def test_metrics_expose_the_lag(make_client: MakeClient) -> None:
    text = make_client().get("/metrics").text
    assert "voiceops_event_loop_lag_seconds_bucket" in text
