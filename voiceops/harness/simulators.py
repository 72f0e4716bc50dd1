"""`voiceops sim` as a child process: the simulators in their own interpreter.

    with SimProcess(["--llm-ttft", "0.3"]) as sims:
        env = {**os.environ, **sims.env()}

`SimStack` serves from threads of the calling process, which is simplest for tests. A
benchmark that also drives hundreds of clients from that process would make the simulators
wait for its GIL, and count the wait as provider latency; this keeps them apart.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Sequence

from voiceops.harness.children import stop_child
from voiceops.sim.server import Startable

__all__ = ["SimProcess"]


class SimProcess(Startable):
    """`voiceops sim ARGS` started, its environment read, stopped with SIGTERM."""

    def __init__(self, args: Sequence[str] = ()) -> None:
        self.args = list(args)
        self.proc: subprocess.Popen[str] | None = None
        self._env: dict[str, str] = {}

    def start(self) -> SimProcess:
        """Start the simulators and return once they serve (their environment is printed)."""
        command = [sys.executable, "-m", "voiceops.cli", "sim", *self.args]
        self.proc = subprocess.Popen(command, text=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.strip():  # the blank line that ends the environment
                return self
            name, _, value = line.rstrip("\n").partition("=")
            self._env[name] = value
        code = self.proc.wait()
        raise RuntimeError(f"voiceops sim exited with {code} before it served")

    def env(self) -> dict[str, str]:
        """`<PROVIDER>_API_KEY` and `<PROVIDER>_BASE_URL` for each simulated provider."""
        return dict(self._env)

    def stop(self) -> None:
        """Stop the simulators (SIGTERM; killed if they do not stop in time)."""
        if self.proc is not None:
            stop_child(self.proc, signal.SIGTERM)

    @property
    def returncode(self) -> int | None:
        """The exit code once stopped (0: a clean stop), None while running."""
        return None if self.proc is None else self.proc.poll()
