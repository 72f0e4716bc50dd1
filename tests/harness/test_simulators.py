"""`voiceops sim` in its own process (SimProcess): the environment it prints points at
working simulators, its knobs take effect, and SIGTERM stops it cleanly."""

from __future__ import annotations

import time

import httpx
import pytest

from voiceops.harness.simulators import SimProcess

pytestmark = pytest.mark.slow


def test_the_printed_environment_points_at_simulators_with_the_knobs_set() -> None:
    with SimProcess(["--llm-ttft", "0.2", "--reply-sentences", "0"]) as sims:
        env = sims.env()
        assert {"OPENAI_API_KEY", "OPENAI_BASE_URL", "SARVAM_BASE_URL",
                "ELEVENLABS_API_KEY", "ANTHROPIC_BASE_URL"} <= set(env)
        started = time.perf_counter()
        reply = httpx.post(env["OPENAI_BASE_URL"] + "/chat/completions",
                           headers={"Authorization": f"Bearer {env['OPENAI_API_KEY']}"},
                           json={"model": "gpt-4o-mini",
                                 "messages": [{"role": "user", "content": "hello"}]},
                           timeout=10)
        waited = time.perf_counter() - started
        assert reply.status_code == 200
        # --reply-sentences 0: the echo alone; --llm-ttft: never sooner than asked
        assert reply.json()["choices"][0]["message"]["content"] == 'You said: "hello".'
        assert waited >= 0.2
        keyless = httpx.post(env["SARVAM_BASE_URL"] + "/text-to-speech", json={}, timeout=10)
        assert keyless.status_code == 403  # a real Sarvam simulator, checking keys as Sarvam does
    assert sims.returncode == 0


def test_a_bad_option_is_reported_before_anything_serves() -> None:
    with pytest.raises(RuntimeError, match="exited with 2"):
        SimProcess(["--llm-ttft", "-1"]).start()
