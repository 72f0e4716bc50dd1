"""Hot reload in the real daemon (`voiceops run --sim`, a child process): signals stop it
even while a rebuild is stuck, and a storm of edits leaves it serving what is on disk."""

from __future__ import annotations

import asyncio
import errno
import itertools
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from voiceops.harness.daemon import DaemonProcess
from voiceops.harness.soak import PROFILE, soak
from voiceops.project.scaffold import scaffold


@pytest.fixture
def root(tmp_path: Path) -> Path:
    scaffold(tmp_path)
    return tmp_path


def hold_open_once_read(fifo: Path, daemon: DaemonProcess, since: int,
                        timeout_s: float = 30) -> int | None:
    """The write end of `fifo`, opened once a reader has opened it (and so is now blocked
    reading it, as long as this end stays open); None when the daemon refused to read it
    (special files are not read, so no rebuild can get stuck on it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        if any(fifo.name in line for line in daemon.lines[since:]):
            return None  # the rebuild named it in its rejection: it never opened it
        time.sleep(0.02)
    raise AssertionError(f"the daemon neither read nor rejected {fifo.name}:\n"
                         f"{daemon.output}")


def watch_is_up(daemon: DaemonProcess, root: Path, timeout_s: float = 30) -> None:
    """Edit a template until the daemon reloads it: its watch is up from then on."""
    template = root / "prompts" / "customer_support.j2"
    deadline = time.monotonic() + timeout_s
    for n in itertools.count():
        mark = len(daemon.lines)
        template.write_text(template.read_text() + f"\nEdit {n}.\n")
        try:
            daemon.wait_for_line("is live", timeout_s=2, since=mark)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_daemon_while_a_rebuild_is_stuck(root: Path,
                                                          sig: signal.Signals) -> None:
    daemon = DaemonProcess(root, [PROFILE, "--sim"]).start()
    assert daemon.proc is not None
    watch_is_up(daemon, root)
    fifo = root / "configs" / "stuck.yaml"
    mark = len(daemon.lines)
    os.mkfifo(fifo)
    held = hold_open_once_read(fifo, daemon, mark)
    try:
        daemon.proc.send_signal(sig)
        try:
            daemon.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.proc.kill()
            daemon.proc.wait(10)
            pytest.fail(f"{sig.name} did not stop the daemon:\n{daemon.output}")
    finally:
        if held is not None:
            os.close(held)
        daemon.stop()


@pytest.mark.slow
def test_soak_of_edits_leaves_the_files_on_disk_live_and_every_session_up(root: Path) -> None:
    with DaemonProcess(root, [PROFILE, "--sim", "--log-level", "warning"]) as daemon:
        result = asyncio.run(soak(root, daemon.ws_url, daemon.http_url, edits=40,
                                  sessions=3, seed=7))
    assert result.matches_disk, result.figures()
    assert result.reloader == "watching"
    assert result.failed == 0
    assert result.dropped == 0
