"""Stopping the child processes voiceops starts for tests, benchmarks and scripts (the
daemon, the simulators): ask politely, then insist."""

from __future__ import annotations

import signal
import subprocess

__all__ = ["stop_child"]


def stop_child(proc: subprocess.Popen[str], sig: signal.Signals,
               timeout_s: float = 10.0) -> int:
    """Send `sig` unless `proc` has exited; kill it if it has not stopped within
    `timeout_s`. Returns its exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode
