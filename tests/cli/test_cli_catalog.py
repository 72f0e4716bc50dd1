"""`voiceops lock`, `validate --live`, `models` and `voices` against the provider simulators,
through the real CLI, the real clients and real HTTP on loopback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli
from voiceops.sim import anthropic, elevenlabs, openai
from voiceops.sim.server import SimServer

CUSTOM = """version: 1
extends: base
language: en-IN
llm: {provider: openai, model: gpt-5.4-mini}
tts: {provider: elevenlabs, model: eleven_multilingual_v2, voice: Acme Support Priya}
stt: {provider: openai, model: gpt-transcribe}
prompt: {template: general_assistant}
"""


class Sims:
    def __init__(self) -> None:
        self.state = elevenlabs.ElevenLabsState()
        self.servers: dict[str, SimServer] = {
            "openai": openai.serve(), "anthropic": anthropic.serve(),
            "elevenlabs": elevenlabs.serve(self.state)}

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.servers.values())

    def env(self, cache: Path) -> dict[str, str]:
        env = {"VOICEOPS_CACHE_URL": str(cache), "OPENAI_API_KEY": openai.API_KEY,
               "ANTHROPIC_API_KEY": anthropic.API_KEY, "ELEVENLABS_API_KEY": elevenlabs.API_KEY}
        for name, server in self.servers.items():
            env[f"{name.upper()}_BASE_URL"] = server.base_url
        return env


@pytest.fixture
def sims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sims]:
    running = Sims()
    for server in running.servers.values():
        server.start()
    for key, value in running.env(tmp_path / "cache").items():
        monkeypatch.setenv(key, value)
    yield running
    for server in running.servers.values():
        server.stop()


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lock_pins_a_custom_voice_from_the_live_account(make_project: MakeProject,
                                                       sims: Sims) -> None:
    root = make_project({"configs/custom_en.yaml": CUSTOM})
    code, out, _ = invoke("validate", "configs/custom_en.yaml")
    assert code == 1 and "no ElevenLabs voice 'Acme Support Priya'" in out
    code, out, err = invoke("lock")
    assert code == 0, out + err
    pinned = json.loads((root / "voiceops.lock").read_text())["providers"]["elevenlabs"]
    voice = next(v for v in pinned["voices"] if v["name"] == "Acme Support Priya")
    assert voice["category"] == "cloned" and pinned["source"] == "live"
    code, out, _ = invoke("validate", "--strict")
    assert code == 0, out  # offline now: the lock has the account's own voice
    code, out, _ = invoke("lock", "--check")
    assert code == 0 and "up to date" in out


def test_live_validation_uses_the_fresh_cache_and_reports_drift(make_project: MakeProject,
                                                                sims: Sims) -> None:
    make_project({"configs/custom_en.yaml": CUSTOM})
    assert invoke("lock")[0] == 0
    before = sims.requests
    code, out, err = invoke("validate", "--live")
    assert code == 0, out + err
    assert sims.requests == before  # the cache is fresh: no request at all
    sims.state.voices = [v for v in sims.state.voices if v.get("name") != "Acme Support Priya"]
    code, out, _ = invoke("validate", "--live", "--refresh")
    assert code == 1
    assert "VO402 no ElevenLabs voice 'Acme Support Priya'" in out
    assert "voiceops.lock:" in out and "VO411" in out and "no longer has the pinned voice" in out


def test_failing_provider_falls_back_to_cache_with_a_warning(make_project: MakeProject,
                                                             sims: Sims) -> None:
    make_project({"configs/custom_en.yaml": CUSTOM})
    assert invoke("lock")[0] == 0
    sims.servers["elevenlabs"].faults.fail(500, times=50)
    code, out, err = invoke("validate", "--live", "--refresh")
    assert code == 0, out + err
    assert "warning: ElevenLabs" in err and "cached" in err


def test_refused_key_is_named_without_the_key(make_project: MakeProject, sims: Sims,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_project()
    monkeypatch.setenv("ELEVENLABS_API_KEY", "sk_wrong_key_123456")
    code, out, err = invoke("voices", "--live", "-p", "elevenlabs", "--format", "json")
    assert code == 0
    assert "warning:" in err and "sk_wrong_key_123456" not in out + err
    assert "bundled snapshot" in err


def test_lock_check_fails_when_a_profile_changes(make_project: MakeProject, sims: Sims) -> None:
    root = make_project()
    assert invoke("lock")[0] == 0
    profile = root / "configs" / "support_hi.yaml"
    profile.write_text(profile.read_text().replace("voice: priya", "voice: ritu"))
    code, out, _ = invoke("lock", "--check")
    assert code == 1
    assert "missing sarvam voice 'ritu'" in out and "unused sarvam voice 'priya'" in out
    code, out, _ = invoke("validate")
    assert code == 1 and "VO410" in out and "run `voiceops lock`" in out


def test_live_listings(make_project: MakeProject, sims: Sims) -> None:
    make_project()
    code, out, _ = invoke("voices", "--live", "--custom", "-p", "elevenlabs", "--format",
                          "json")
    rows = json.loads(out)
    assert code == 0 and rows and all(r["custom"] for r in rows)
    assert {r["category"] for r in rows} <= {"cloned", "generated", "professional"}
    code, out, _ = invoke("models", "--live", "-p", "anthropic", "--format", "json")
    assert code == 0 and any(r["id"].startswith("claude") for r in json.loads(out))


def test_offline_listing_filters(make_project: MakeProject) -> None:
    make_project()
    code, out, _ = invoke("voices", "-p", "sarvam", "--gender", "female", "--search", "anu")
    assert code == 0 and "anushka" in out
    code, out, _ = invoke("models", "-p", "openia")
    assert code == 2


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def served_by(url: str, model: str) -> str:
    """A profile whose LLM is an OpenAI-compatible server at `url`."""
    return (f"version: 1\nextends: sales_en\nllm:\n  provider: openai_compatible\n"
            f"  model: {model}\n  base_url: {url}\n  api_key: ${{LOCAL_LLM_KEY}}\n")


@pytest.fixture
def local_llm(sims: Sims, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimServer]:
    """An OpenAI simulator of its own standing in for a self-hosted server (the providers'
    simulators still answer for the other profiles), with its own key variable."""
    monkeypatch.setenv("LOCAL_LLM_KEY", openai.API_KEY)
    with openai.serve() as server:
        yield server


def test_live_checks_models_on_openai_compatible_servers(make_project: MakeProject,
                                                         local_llm: SimServer) -> None:
    url = local_llm.base_url
    make_project({"configs/local_en.yaml": served_by(url, "gpt-4o-mini"),
                  "configs/typo_en.yaml": served_by(url, "gpt-4o-mni"),
                  "configs/embed_en.yaml": served_by(url, "text-embedding-3-small")})
    before = local_llm.log.count("/v1/models")
    code, out, _ = invoke("validate", "configs/local_en.yaml")
    assert code == 0 and local_llm.log.count("/v1/models") == before  # offline: not asked

    code, out, err = invoke("validate", "--live")
    assert code == 1, out + err
    assert local_llm.log.count("/v1/models") == before + 1  # one request per server
    assert "configs/local_en.yaml" not in out
    assert (f"configs/typo_en.yaml:5:10: VO401 the server at {url} serves no model "
            "'gpt-4o-mni'") in out and "did you mean 'gpt-4o-mini'" in out
    assert ("configs/embed_en.yaml:5:10: VO401 'text-embedding-3-small' is an embedding "
            "model, not a chat model") in out


def test_a_server_refusing_the_key_or_gone_is_a_warning_not_an_error(
        make_project: MakeProject, local_llm: SimServer, monkeypatch: pytest.MonkeyPatch,
        unused_port: int) -> None:
    make_project({"configs/local_en.yaml": served_by(local_llm.base_url, "gpt-4o-mini"),
                  "configs/gone_en.yaml": served_by(f"http://127.0.0.1:{unused_port}/v1",
                                                    "gpt-4o-mini")})
    monkeypatch.setenv("LOCAL_LLM_KEY", "sk-wrong-local-key")
    code, out, err = invoke("validate", "--live")
    assert code == 0, out + err
    assert "warning: OpenAI-compatible refused the API key" in err and local_llm.base_url in err
    assert "the profile takes it from $LOCAL_LLM_KEY" in err
    assert f"cannot be reached for GET http://127.0.0.1:{unused_port}/v1/models" in err
    assert err.count("its models are not checked") == 2
    assert "sk-wrong-local-key" not in out + err
