"""The daemon as a real process (`voiceops run`), real sockets, a real WebSocket client:
startup checks, `--sim`, `voiceops talk`, hot reload (valid and invalid edits) and tokens."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websockets

from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow  # each test runs the daemon as a child process


@pytest.fixture
def root(tmp_path: Path) -> Path:
    scaffold(tmp_path)
    return tmp_path


def get(url: str, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}
                                     if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


async def ready_of(url: str, **start: Any) -> dict[str, Any]:
    async with websockets.connect(url) as ws:
        # a server that refuses the connection may already have closed it: what it said
        # before closing is still there to read
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(json.dumps({"type": "start", **start}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if frame["type"] in ("ready", "error"):
                return dict(frame)


def talk(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voiceops.cli", "talk", url, *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1"})


def test_sim_daemon_talk_and_http(root: Path) -> None:
    with DaemonProcess(root, ["support_hi", "--sim"]) as daemon:
        assert "SIMULATED" in daemon.output
        assert "default profile support_hi" in daemon.output
        done = talk(daemon.ws_url, "--say", "What plans do you have?", "--say", "Thanks")
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert "connected: profile support_hi" in out and "(simulated providers)" in out
        assert "agent> Namaste!" in out
        assert "agent> You said: What plans do you have?" in out or "What plans" in out
        assert out.count("first audio") == 2
        status, profiles = get(daemon.http_url + "/v1/profiles")
        assert status == 200 and "support_hi" in {p["name"] for p in profiles}
        status, health = get(daemon.http_url + "/healthz")
        assert status == 200 and health["status"] == "ok"
        with urllib.request.urlopen(daemon.http_url + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
        assert "voiceops_turns_total 2.0" in metrics
        assert "sk-sim" not in metrics and "sk_sim" not in metrics
    assert "sk-sim" not in daemon.output and "sk_sim" not in daemon.output
    assert "Traceback" not in daemon.output  # clients that hang up first are normal
    assert "HTTP Request:" not in daemon.output  # no per-request client logging


def test_audio_turn_from_a_wav_file(root: Path, tmp_path: Path) -> None:
    from voiceops.providers.audio import pcm_to_wav

    wav = tmp_path / "question.wav"
    wav.write_bytes(pcm_to_wav(b"\x10\x27\xf0\xd8" * 8000, 16000))
    with DaemonProcess(root, ["support_hi", "--sim"]) as daemon:
        done = talk(daemon.ws_url, "--wav", str(wav), "--save-audio", str(tmp_path / "a.wav"))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "heard> " in done.stdout and "stt" in done.stdout
        assert (tmp_path / "a.wav").read_bytes()[:4] == b"RIFF"


def test_hot_reload_valid_then_invalid_edit(root: Path) -> None:
    with DaemonProcess(root, ["support_hi", "--sim"]) as daemon:
        before = asyncio.run(ready_of(daemon.ws_url))["config_version"]
        template = root / "prompts" / "customer_support.j2"
        mark = len(daemon.lines)
        template.write_text(template.read_text() + "\nMention the festival offer.\n")
        daemon.wait_for_line("is live", since=mark)
        after = asyncio.run(ready_of(daemon.ws_url))["config_version"]
        assert after != before and after.startswith("v2-")
        _, prompt = get(daemon.http_url + "/v1/profiles/support_hi/prompt")
        assert "festival offer" in prompt["system"]

        profile = root / "configs" / "support_hi.yaml"
        mark = len(daemon.lines)
        profile.write_text(profile.read_text().replace("voice: priya", "voice: priyaa"))
        daemon.wait_for_line("reload rejected", since=mark)
        line = daemon.wait_for_line("VO402", since=mark)
        assert "support_hi.yaml" in line
        assert asyncio.run(ready_of(daemon.ws_url))["config_version"] == after
        _, state = get(daemon.http_url + "/v1/status")
        assert state["last_rejection"]["diagnostics"][0]["code"] == "VO402"

        # an editor's atomic save: write a temp file, rename it over the profile
        fixed = profile.read_text().replace("priyaa", "ritu")
        temp = profile.with_name(".support_hi.yaml.swp")
        temp.write_text(fixed)
        mark = len(daemon.lines)
        temp.replace(profile)
        daemon.wait_for_line("is live", since=mark)
        _, detail = get(daemon.http_url + "/v1/profiles/support_hi")
        assert detail["profile"]["tts"]["voice"] == "ritu"


def test_refuses_to_start_on_invalid_profiles(root: Path) -> None:
    profile = root / "configs" / "support_hi.yaml"
    profile.write_text(profile.read_text().replace("model: gpt-5.4-mini", "model: gpt-5.4-mni"))
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "run", "--sim", "--port", "0"],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "support_hi.yaml:8:10: VO401" in proc.stderr and "nothing was started" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_public_address_needs_a_token(root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "run", "--host", "0.0.0.0",
                           "--port", "0"], cwd=root, capture_output=True, text=True,
                          timeout=60, env={k: v for k, v in os.environ.items()
                                           if k != "VOICEOPS_TOKEN"})
    assert proc.returncode == 2 and "VOICEOPS_TOKEN" in proc.stderr


def test_token_is_required_when_set(root: Path) -> None:
    with DaemonProcess(root, ["support_hi", "--sim"], env={"VOICEOPS_TOKEN": "s3cret"}) as d:
        assert get(d.http_url + "/v1/profiles")[0] == 401
        assert get(d.http_url + "/v1/profiles", token="s3cret")[0] == 200
        assert get(d.http_url + "/healthz")[0] == 200
        refused = asyncio.run(ready_of(d.ws_url))
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
        assert asyncio.run(ready_of(d.ws_url + "?token=s3cret"))["type"] == "ready"
        done = talk(d.ws_url, "--say", "hi", "--token", "s3cret")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "s3cret" not in d.output


def test_unknown_profile_and_bad_frames_leave_the_server_up(root: Path) -> None:
    async def scenario(url: str) -> list[dict[str, Any]]:
        async with websockets.connect(url) as ws:
            out = []
            for frame in (b"\x00" * 10, "{nope", '{"type": "start", "profile": "supprt_hi"}',
                          '{"type": "text", "text": "hi"}', '{"type": "zap"}'):
                await ws.send(frame)
                out.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            await ws.send(json.dumps({"type": "start", "profile": "support_hi",
                                      "vars": {"company_nam": "X"}}))
            out.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            return out

    with DaemonProcess(root, ["--sim"]) as daemon:
        errors = asyncio.run(scenario(daemon.ws_url))
        assert [e["code"] for e in errors] == ["not_started", "bad_json", "unknown_profile",
                                               "not_started", "unknown_type", "bad_vars"]
        assert "did you mean 'support_hi'" in errors[2]["message"]
        assert asyncio.run(ready_of(daemon.ws_url, profile="sales_en"))["type"] == "ready"
