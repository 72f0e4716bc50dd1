"""Run a fetch's independent requests together, failing as one.

`asyncio.gather` leaves the other tasks running when one fails, and `TaskGroup` raises an
`ExceptionGroup`; callers here want neither: they want the first provider error itself (so
`except AuthError` works) and nothing left running against a closed HTTP client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Sequence
from typing import Any, TypeVar

__all__ = ["both", "together"]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


async def together(coros: Sequence[Coroutine[Any, Any, T]], limit: int | None = None) -> list[T]:
    """The results of `coros` run concurrently (at most `limit` at once), in order.

    On the first failure the others are cancelled and awaited, then the failure is raised.
    """
    gate = asyncio.Semaphore(limit) if limit else None

    async def gated(coro: Coroutine[Any, Any, T]) -> T:
        if gate is None:
            return await coro
        async with gate:
            return await coro

    tasks = [asyncio.ensure_future(gated(c)) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two awaitables of different types, run concurrently as in `together`."""
    tasks = (asyncio.ensure_future(first), asyncio.ensure_future(second))
    try:
        a, b = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return a, b
