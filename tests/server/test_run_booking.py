"""The starter's booking tools where `voiceops run` serves them: under `--sim` they point at
the simulated booking service; without it, a header variable they need that is not set
stops the daemon from starting, naming the tool and the variable (every call of the tool
would otherwise be refused by the service)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from voiceops.errors import ConfigError
from voiceops.harness.daemon import DaemonProcess
from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.runtime.config import ConfigVersion, build_version
from voiceops.server.preflight import check_keys, key_diagnostics

KEYS = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "SARVAM_API_KEY": "k",
        "ELEVENLABS_API_KEY": "k"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("booking-project")
    scaffold(root)
    return root


@pytest.fixture(scope="module")
def version(project: Path) -> ConfigVersion:
    built = build_version(Project(project), 1, knowledge_cache=project / ".cache")
    assert built.version is not None, [d.format() for d in built.diagnostics]
    return built.version


def test_an_unset_tool_header_variable_is_named_with_the_tool_and_its_request(
        version: ConfigVersion) -> None:
    with pytest.raises(ConfigError) as raised:
        check_keys(version, KEYS)
    message = str(raised.value)
    assert "appointments_en: tool check_availability (POST http://127.0.0.1:8090/" \
           "availability) needs BOOKING_API_TOKEN" in message
    assert "appointments_en: tool book_appointment (POST http://127.0.0.1:8090/" \
           "appointments) needs BOOKING_API_TOKEN" in message
    assert "--sim" in message
    check_keys(version, {**KEYS, "BOOKING_API_TOKEN": "t"})  # set: nothing to say


def test_a_reload_that_brings_in_such_a_tool_is_reported_on_the_profile(
        version: ConfigVersion) -> None:
    found = [d for d in key_diagnostics(version, KEYS) if "BOOKING_API_TOKEN" in d.message]
    assert [(d.code, Path(d.path).name) for d in found] == [("VO330", "appointments_en.yaml")] * 2


@pytest.mark.slow
def test_run_without_the_token_refuses_to_start_saying_why(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "voiceops.cli", "run", "appointments_en",
                           "--port", "0"], cwd=project, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **KEYS}, timeout=60)
    assert done.returncode != 0
    assert "needs BOOKING_API_TOKEN" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_under_sim_the_tools_call_the_simulated_booking_service(project: Path) -> None:
    with DaemonProcess(project, ["appointments_en", "--sim"],
                       env={"BOOKING_API_URL": "", "BOOKING_API_TOKEN": ""}) as daemon:
        line = daemon.wait_for_line(r"example booking service: SIMULATED, (\S+)")
        booking_url = line.split("SIMULATED, ")[1].split()[0]
        profile = httpx.get(daemon.http_url + "/v1/profiles/appointments_en").json()
        text = str(profile)
        assert f"{booking_url}/availability" in text and f"{booking_url}/appointments" in text
        assert "sim_booking_token" not in text  # the header stays a reference
