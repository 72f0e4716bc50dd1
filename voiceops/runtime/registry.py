"""The live-profile registry: the one piece of shared mutable state, swapped atomically.

Readers take `registry.current` once and keep that version for as long as they need it (a
session, a request); a reload replaces the reference in one assignment, so nobody ever sees
half a version. Listeners hear about every swap and every rejected build.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from voiceops.diagnostics import Diagnostic
from voiceops.runtime.config import BuildResult, ConfigVersion

log = logging.getLogger("voiceops.reload")


@dataclass(frozen=True)
class Rejection:
    """A build that did not go live, and why."""

    at: float
    diagnostics: tuple[Diagnostic, ...]


Listener = Callable[[ConfigVersion | None, Rejection | None], None]


class LiveRegistry:
    def __init__(self, initial: ConfigVersion) -> None:
        self._current = initial
        self._lock = threading.Lock()  # orders swaps from the watcher thread and tests
        self.last_rejection: Rejection | None = None
        self.accepted = 0
        self.rejected = 0
        self._listeners: list[Listener] = []

    @property
    def current(self) -> ConfigVersion:
        return self._current

    def next_number(self) -> int:
        return self._current.number + 1

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def offer(self, build: BuildResult) -> bool:
        """Swap to the build's version if it has one; else record the rejection."""
        with self._lock:
            if build.version is None:
                self.rejected += 1
                self.last_rejection = Rejection(time.time(), build.diagnostics)
                rejection: Rejection | None = self.last_rejection
                version: ConfigVersion | None = None
            elif build.version.digest == self._current.digest:
                self.last_rejection = None
                return False  # a save that changed nothing
            else:
                self._current = version = build.version
                self.accepted += 1
                self.last_rejection = rejection = None
        for listener in self._listeners:
            listener(version, rejection)
        return version is not None
