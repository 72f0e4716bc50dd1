"""Start `voiceops run` as a child process and learn its URL: for tests, benchmarks and
scripts that need a real daemon (its own process, its own event loop, real sockets)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from voiceops.harness.children import stop_child
from voiceops.project.scaffold import scaffold

_SERVING = re.compile(r"serving ws://(\S+?)/v1/sessions")


class DaemonProcess:
    """`with DaemonProcess(project, ["support_hi", "--sim"]) as daemon: daemon.ws_url`."""

    def __init__(self, project: Path, args: Sequence[str] = (),
                 env: Mapping[str, str] | None = None, start_timeout_s: float = 30) -> None:
        self.project = project
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen[str] | None = None
        self.address = ""
        self.lines: list[str] = []
        self._seen = threading.Condition()

    @property
    def ws_url(self) -> str:
        return f"ws://{self.address}/v1/sessions"

    @property
    def http_url(self) -> str:
        return f"http://{self.address}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> DaemonProcess:
        command = [sys.executable, "-m", "voiceops.cli", "run", "--port", "0", *self.args]
        self.proc = subprocess.Popen(command, cwd=self.project, env=self.env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + self.start_timeout_s
        with self._seen:
            while not self.address:
                if self.proc.poll() is not None:
                    raise RuntimeError("voiceops run exited with "
                                       f"{self.proc.returncode}:\n{self.output}")
                if not self._seen.wait(timeout=max(deadline - time.monotonic(), 0)):
                    self.stop()
                    raise RuntimeError(f"voiceops run did not start:\n{self.output}")
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                if not self.address and (match := _SERVING.search(line)):
                    self.address = match.group(1)
                self._seen.notify_all()

    def wait_for_line(self, pattern: str, timeout_s: float = 10, since: int = 0) -> str:
        """The first output line at index `since` or later that matches `pattern`."""
        start = since
        deadline = time.monotonic() + timeout_s
        with self._seen:
            while True:
                for line in self.lines[start:]:
                    if re.search(pattern, line):
                        return line
                if not self._seen.wait(timeout=max(deadline - time.monotonic(), 0)):
                    raise TimeoutError(f"no line like {pattern!r}:\n{self.output}")

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> int | None:
        return None if self.proc is None else stop_child(self.proc, signal.SIGINT)

    def __enter__(self) -> DaemonProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@contextlib.contextmanager
def starter_project(quiet_profile: str | None = None) -> Iterator[Path]:
    """`voiceops init`'s project in a temporary folder, removed afterwards. With
    `quiet_profile`, that profile lets a caller stay silent for 120 s, for benchmarks whose
    sessions pause longer than a caller may (reminders and hang-ups are not measured)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scaffold(root)
        if quiet_profile is not None:
            profile = root / "configs" / f"{quiet_profile}.yaml"
            profile.write_text(profile.read_text() + "session:\n  silence_timeout_s: 120\n")
        yield root
