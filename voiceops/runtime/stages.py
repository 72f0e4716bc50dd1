"""The pieces a turn is made of: its stages run as one unit, and the small helpers around
them (fixed text as a queue of pieces, closing a stream now, work that must finish)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Coroutine, Sequence
from typing import Any

from voiceops.errors import ProviderError

__all__ = ["TurnFailed", "close", "queued", "shielded", "stage", "together"]


class TurnFailed(Exception):
    """Raised inside a turn when a stage failed for good; `code` names the stage."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def stage(code: str, work: Awaitable[None]) -> None:
    """`work`, its provider failures raised as the stage's `TurnFailed`."""
    try:
        await work
    except ProviderError as exc:
        raise TurnFailed(code, str(exc)) from exc


async def together(*work: Coroutine[Any, Any, None]) -> TurnFailed | None:
    """Run the stages of a turn as one unit: the first to fail cancels the others. Returns
    that failure; anything else that goes wrong is raised (as an ExceptionGroup)."""
    failure: TurnFailed | None = None
    try:
        async with asyncio.TaskGroup() as group:
            for stage in work:
                group.create_task(stage)
    except* TurnFailed as failed:
        failure = next(e for e in failed.exceptions if isinstance(e, TurnFailed))
    return failure


def queued(pieces: Sequence[str]) -> asyncio.Queue[str | None]:
    """Fixed text for `Turns._speak`: its pieces, then the end marker."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for piece in (*pieces, None):
        queue.put_nowait(piece)
    return queue


async def close(stream: AsyncIterator[Any]) -> None:
    """Close a provider stream now (its HTTP request with it), not when it is collected."""
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()


async def shielded(work: Awaitable[None]) -> None:
    """Run `work` to the end even when the turn is being cancelled (the client must still
    hear that the reply stopped)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise
