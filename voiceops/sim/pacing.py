"""Time a simulated answer: a stream's first item after a delay and then one per interval,
or a whole answer held back as long as streaming it would take.

A streaming body is cancelled with its request when the client disconnects (starlette
watches for that), so `paced` needs nothing more. A handler that holds a plain answer back
(`hold`) watches for the disconnect itself: a client that timed out is gone, and the
server must not keep a task sleeping for it (it would also hold up the server's stop).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

from starlette.requests import Request

__all__ = ["hold", "paced", "stream_time"]

T = TypeVar("T")


async def paced(items: Sequence[T], first_after: float, interval: float) -> AsyncIterator[T]:
    """`items`, the first after `first_after` seconds, then one every `interval` seconds."""
    if first_after > 0:
        await asyncio.sleep(first_after)
    for index, item in enumerate(items):
        if index and interval > 0:
            await asyncio.sleep(interval)
        yield item


def stream_time(count: int, first_after: float, interval: float) -> float:
    """Seconds `paced` takes to yield `count` items."""
    return max(first_after, 0.0) + max(interval, 0.0) * max(count - 1, 0)


async def _disconnected(request: Request) -> None:
    # The body was read already, so the next message is the disconnect, whenever it comes.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def hold(request: Request, seconds: float) -> bool:
    """Wait `seconds`; False (at once) if the client disconnects first."""
    if seconds <= 0:
        return True
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait_for(asyncio.shield(watcher), seconds)
    except TimeoutError:
        return True
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return False
