"""`voiceops run` stops on SIGINT/SIGTERM at any moment after it says it is serving: the
"serving" line is what scripts and people wait for before they may stop it."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM] * 3)
def test_a_signal_right_after_serving_stops_the_daemon(tmp_path: Path,
                                                       sig: signal.Signals) -> None:
    scaffold(tmp_path)
    daemon = DaemonProcess(tmp_path, ["support_hi", "--sim"]).start()
    assert daemon.proc is not None
    daemon.proc.send_signal(sig)  # at once: no wait for /healthz
    try:
        code = daemon.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        daemon.proc.kill()
        pytest.fail(f"the daemon ignored {sig.name}:\n{daemon.output}")
    assert code in (0, 130, -sig), daemon.output
    assert "Traceback" not in daemon.output
