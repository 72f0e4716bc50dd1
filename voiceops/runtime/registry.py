"""The live-profile registry: the one piece of shared mutable state, swapped atomically.

Readers take `registry.current` once and keep that version for as long as they need it (a
session, a request); a reload replaces the reference in one assignment, so nobody ever sees
half a version. Listeners hear about every swap, every rejected build and every rebuild
that failed outright.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from voiceops.diagnostics import Diagnostic
from voiceops.runtime.config import BuildResult, ConfigVersion


@dataclass(frozen=True)
class Rejection:
    """A build that did not go live because the files have errors, and which."""

    at: float
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Failure:
    """A rebuild that raised instead of answering: the reloader's own trouble (a bug, too
    many open files), not the files'. The reloader keeps watching; the next change retries."""

    at: float
    error: str  # one line: "OSError: [Errno 24] Too many open files"
    since: float  # when this same error was first seen, of a run of them
    times: int  # how often in a row


Outcome = ConfigVersion | Rejection | Failure
Listener = Callable[[Outcome], None]


class LiveRegistry:
    def __init__(self, initial: ConfigVersion) -> None:
        self._current = initial
        self._lock = threading.Lock()  # orders swaps from the watcher thread and tests
        self.last_rejection: Rejection | None = None
        self.last_failure: Failure | None = None
        self.accepted = 0
        self.rejected = 0
        self.failed = 0
        self._listeners: list[Listener] = []

    @property
    def current(self) -> ConfigVersion:
        return self._current

    def next_number(self) -> int:
        return self._current.number + 1

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def offer(self, build: BuildResult) -> bool:
        """Swap to the build's version if it has one; else record the rejection. A build
        that answered at all, either way, ends a run of failures."""
        outcome: Outcome
        with self._lock:
            self.last_failure = None
            if build.version is None:
                self.rejected += 1
                self.last_rejection = outcome = Rejection(time.time(), build.diagnostics)
            elif build.version.digest == self._current.digest:
                self.last_rejection = None
                return False  # a save that changed nothing
            else:
                self._current = outcome = build.version
                self.accepted += 1
                self.last_rejection = None
        self._tell(outcome)
        return isinstance(outcome, ConfigVersion)

    def fail(self, error: BaseException) -> Failure:
        """Record a rebuild that raised `error`; the live version stays."""
        line = f"{type(error).__name__}: {error}"
        now = time.time()
        with self._lock:
            self.failed += 1
            previous = self.last_failure
            if previous is not None and previous.error == line:
                failure = Failure(now, line, previous.since, previous.times + 1)
            else:
                failure = Failure(now, line, now, 1)
            self.last_failure = failure
        self._tell(failure)
        return failure

    def _tell(self, outcome: Outcome) -> None:
        for listener in self._listeners:
            listener(outcome)
