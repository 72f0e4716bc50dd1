"""The reloader as the app runs it: its failures show in /v1/status and /metrics, and it
keeps watching."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.server.conftest import MakeClient
from voiceops.project import Project
from voiceops.server.state import Settings


def eventually(client: TestClient, condition: Callable[[dict[str, Any]], bool],
               timeout_s: float = 20) -> dict[str, Any]:
    """The first /v1/status that meets `condition`, polled until a generous deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        status: dict[str, Any] = client.get("/v1/status").json()
        if condition(status):
            return status
        assert time.monotonic() < deadline, f"never: {status}"
        time.sleep(0.02)


def test_a_failing_rebuild_is_shown_counted_and_the_watch_goes_on(
        make_client: MakeClient, project: Project, failing_rebuilds: threading.Event) -> None:
    broken = failing_rebuilds
    client = make_client(Settings(default_profile="support_hi", reload=True))
    profile = project.configs / "support_hi.yaml"
    profile.write_text(profile.read_text() + "# one\n")
    status = eventually(client, lambda s: s["reloads"]["failed"] >= 1)
    failure = status["last_reload_failure"]
    assert failure["error"] == "OSError: [Errno 24] Too many open files"
    assert failure["at"] >= failure["since"] > 0
    assert status["reloader"] == "watching"
    assert status["config_version"].startswith("v1-")
    metrics = client.get("/metrics").text
    failed = status["reloads"]["failed"]
    assert f"voiceops_reload_failures_total {float(failed)}" in metrics

    broken.clear()
    profile.write_text(profile.read_text() + "# two\n")
    status = eventually(client, lambda s: s["config_version"].startswith("v2-"))
    assert status["last_reload_failure"] is None
    assert status["reloader"] == "watching"
    assert 'voiceops_reloads_total{result="ok"} 1.0' in client.get("/metrics").text


def test_without_reload_the_status_says_so(make_client: MakeClient) -> None:
    status = make_client(Settings(default_profile="support_hi", reload=False)).get(
        "/v1/status").json()
    assert status["reloader"] == "off"
    assert status["reloads"] == {"accepted": 0, "rejected": 0, "failed": 0}
    assert status["last_reload_failure"] is None
