"""A daemon that started with every key it needed must not take, by hot reload, a profile
whose key is not set: the edit is rejected (naming the variable) and the last good config
stays, as `voiceops run` refuses to start without it. Simulated daemons need no keys."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from voiceops.project import Project
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.server.app import create_app
from voiceops.server.state import Runner, Settings
from voiceops.sim.stack import SimStack

NEWBIE = ("version: 1\nextends: support_hi\nllm:\n  provider: openai\n  model: gpt-5.4-mini\n"
          "  api_key: ${NEWBIE_OPENAI_KEY}\n")


def _status_after_edit(project: Project, sims: SimStack, simulated: bool) -> dict[str, Any]:
    build = build_version(project, 1)
    assert build.version is not None, build.diagnostics
    runner = Runner(project, LiveRegistry(build.version), ProviderPool(), resolve_target,
                    sims.env(), Settings(default_profile="support_hi", simulated=simulated))
    with TestClient(create_app(runner)) as client:
        deadline = time.monotonic() + 30
        while client.get("/v1/status").json()["reloader"] != "watching":
            assert time.monotonic() < deadline, "the reloader never started watching"
            time.sleep(0.05)
        (project.configs / "newbie.yaml").write_text(NEWBIE)
        while True:
            status: dict[str, Any] = client.get("/v1/status").json()
            if status["reloads"]["accepted"] or status["reloads"]["rejected"]:
                return status
            assert time.monotonic() < deadline, "the edit was never rebuilt"
            time.sleep(0.05)


@pytest.mark.slow
def test_a_reloaded_profile_without_its_key_is_rejected(project: Project,
                                                        sims: SimStack) -> None:
    status = _status_after_edit(project, sims, simulated=False)
    assert "newbie" not in status["profiles"]
    problems = status["last_rejection"]["diagnostics"]
    assert [d["code"] for d in problems] == ["VO330"]
    assert "NEWBIE_OPENAI_KEY" in problems[0]["message"]
    assert problems[0]["path"].endswith("newbie.yaml")


@pytest.mark.slow
def test_a_simulated_daemon_takes_it(project: Project, sims: SimStack) -> None:
    assert "newbie" in _status_after_edit(project, sims, simulated=True)["profiles"]
