"""`voices` and `models` listings (hints for empty results, stable order) and `voiceops lock`
on a fresh clone (an unchanged lock left alone, a rewritten one keeping its mode)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceops.cli import cli

KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ELEVENLABS_API_KEY", "SARVAM_API_KEY",
        "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "ELEVENLABS_BASE_URL", "SARVAM_BASE_URL")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project as a fresh clone has it: files and a committed lock, no keys, no cache."""
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOICEOPS_CACHE_URL", str(tmp_path / "cache"))
    code, out, err = invoke("init", str(tmp_path / "agents"))
    assert code == 0, out + err
    monkeypatch.chdir(tmp_path / "agents")
    return tmp_path / "agents"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_voices_language_filter_says_bundled_voices_list_no_languages(clone: Path) -> None:
    code, _, err = invoke("voices", "--provider", "elevenlabs", "--language", "en-US")
    assert code == 0
    assert "hint: " in err and "ElevenLabs" in err and "--live" in err


def test_voices_custom_offline_says_custom_voices_need_live(clone: Path) -> None:
    code, _, err = invoke("voices", "--custom")
    assert code == 0
    assert "hint: " in err and "--live" in err and "ELEVENLABS_API_KEY" in err


def test_voices_with_results_give_no_hint(clone: Path) -> None:
    code, _, err = invoke("voices", "--provider", "sarvam", "--gender", "female")
    assert code == 0 and "hint" not in err


def test_models_are_sorted_by_provider_then_name(clone: Path) -> None:
    code, out, _ = invoke("models", "--format", "json")
    rows = [(r["provider"], r["id"]) for r in json.loads(out)]
    assert code == 0 and len(rows) > 10
    assert rows == sorted(rows)
    code, table, _ = invoke("models")
    lines = [line.split()[:2] for line in table.splitlines()[1:]]
    assert [tuple(line) for line in lines] == rows


@pytest.mark.parametrize("args", [(), ("--offline",)])
def test_lock_on_a_fresh_clone_leaves_the_committed_lock_alone(clone: Path,
                                                              args: tuple[str, ...]) -> None:
    lock = clone / "voiceops.lock"
    lock.chmod(0o644)  # as git checks it out
    before = lock.read_bytes()
    code, out, err = invoke("lock", *args)
    assert code == 0, out + err
    assert "unchanged" in out
    assert lock.read_bytes() == before and mode(lock) == 0o644


def test_a_rewritten_lock_keeps_its_mode_and_a_new_one_is_0644(clone: Path) -> None:
    lock = clone / "voiceops.lock"
    lock.chmod(0o640)
    profile = clone / "configs" / "support_hi.yaml"
    voice = next(v for v in ("shubh", "vidya", "aditya") if v not in lock.read_text())
    text = profile.read_text()
    current = next(line for line in text.splitlines() if line.strip().startswith("voice:"))
    profile.write_text(text.replace(current, current.split(":")[0] + f": {voice}"))
    code, out, err = invoke("lock", "--offline")
    assert code == 0 and "written" in out, out + err
    assert voice in lock.read_text() and mode(lock) == 0o640
    lock.unlink()
    previous = os.umask(0o022)
    try:
        code, out, err = invoke("lock", "--offline")
    finally:
        os.umask(previous)
    assert code == 0, out + err
    assert mode(lock) == 0o644


def test_missing_keys_say_which_variable_to_set(clone: Path) -> None:
    code, out, err = invoke("lock")
    assert code == 0, out + err
    assert "set ELEVENLABS_API_KEY" in err
    assert "pass api_key" not in err
