"""The latest few of something a simulator sees per request, never all of them.

A simulator serving a daemon under `voiceops run --sim` answers requests for days, so what
it records per request must stay bounded: tests look at the last few requests, nobody at
the ten-thousandth. `Recent` keeps the latest `keep` items (0: none) and counts them all.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["KEEP_REQUESTS", "Recent"]

#: Requests a simulator keeps by default: far more than a test sends, a few MB at most.
KEEP_REQUESTS = 1000

T = TypeVar("T")


class Recent(Generic[T]):
    """The latest `keep` items added, oldest first, and how many were added in all.

    The server thread adds and the test thread reads, so both go through a lock (iterating
    a deque while another thread appends to it raises).
    """

    def __init__(self, keep: int = KEEP_REQUESTS) -> None:
        self._lock = threading.Lock()
        self._items: deque[T] = deque(maxlen=_checked(keep))
        self._total = 0

    @property
    def keep(self) -> int:
        """How many items are kept (0: none)."""
        return self._items.maxlen or 0

    @property
    def total(self) -> int:
        """How many items were added since this was made or cleared, kept or not."""
        return self._total

    def add(self, item: T) -> None:
        """Add `item`, dropping the oldest kept one when `keep` are kept already."""
        with self._lock:
            self._total += 1
            self._items.append(item)  # maxlen 0: dropped at once

    def items(self) -> list[T]:
        """A copy of the kept items, oldest first."""
        with self._lock:
            return list(self._items)

    def latest(self, match: Callable[[T], bool]) -> T | None:
        """The newest kept item for which `match` is true, or None."""
        with self._lock:
            return next((item for item in reversed(self._items) if match(item)), None)

    def resize(self, keep: int) -> None:
        """Keep at most `keep` items from now on (the newest of those kept stay)."""
        with self._lock:
            self._items = deque(self._items, maxlen=_checked(keep))

    def clear(self) -> None:
        """Forget every item and the count; the size stays."""
        with self._lock:
            self._items.clear()
            self._total = 0

    def __repr__(self) -> str:
        return f"Recent(keep={self.keep}, kept={len(self._items)}, total={self._total})"


def _checked(keep: int) -> int:
    if keep < 0:
        raise ValueError(f"keep must be 0 or more, not {keep}")
    return keep
