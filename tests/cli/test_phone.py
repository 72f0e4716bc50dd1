"""`voiceops phone` on bad input and unreachable daemons: one line, the right exit code,
never a traceback (the calls themselves: tests/telephony/conformance, tests/harness)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceops.cli import cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["phone", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("keys", ["12x", "", "٣"])
def test_keys_that_are_not_on_a_keypad_are_a_usage_error(keys: str) -> None:
    code, output = _run("--exotel", "--dtmf", keys)
    assert code == 2 and "--dtmf takes keypad keys" in output
    assert "Traceback" not in output


def test_a_file_that_is_not_a_wav_is_a_usage_error(tmp_path: Path) -> None:
    fake = tmp_path / "speech.wav"
    fake.write_text("not audio")
    code, output = _run("--exotel", "--wav", str(fake))
    assert code == 2 and "speech.wav: not a readable WAV file" in output


@pytest.mark.parametrize("carrier", ["--twilio", "--exotel"])
def test_a_daemon_that_is_not_there_is_one_line(carrier: str) -> None:
    code, output = _run(f"http://127.0.0.1:{_free_port()}", carrier, "--dtmf", "1")
    assert code == 1, output
    assert output.startswith("error: cannot ") and output.count("\n") == 1
