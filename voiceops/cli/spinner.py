"""A spinner on stderr for work that takes longer than a moment (a tty only; else one line)."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Spinner:
    """`with Spinner() as spin: spin.update("fetching ...")` shows what is happening.

    Nothing appears for the first `delay_s`, so quick work stays quiet; on a terminal the
    line animates and is cleared at the end, elsewhere (CI logs) each update is one line.
    """

    def __init__(self, stream: TextIO | None = None, delay_s: float = 0.3) -> None:
        self.stream = stream or sys.stderr
        self.delay_s = delay_s
        self.text = ""
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tty = self.stream.isatty()

    def update(self, text: str) -> None:
        self.text = text
        if not self._tty:
            print(f"voiceops: {text}", file=self.stream, flush=True)

    def _spin(self) -> None:
        if self._stop.wait(self.delay_s):
            return
        for frame in itertools.cycle(_FRAMES):
            self.stream.write(f"\r{frame} {self.text}\033[K")
            self.stream.flush()
            if self._stop.wait(0.08):
                break
        self.stream.write("\r\033[K")
        self.stream.flush()

    def __enter__(self) -> Spinner:
        if self._tty:
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started
