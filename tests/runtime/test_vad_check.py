"""What `validate` says about `session.vad`: the schema's rules, the older key it replaces,
and a Silero engine that cannot run where the profile is checked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from voiceops.config.loader import LoadedProfile, ProfileLoader
from voiceops.config.schema import check_schema
from voiceops.runtime.vad.check import check_listening
from voiceops.runtime.vad.model import ENV


def load(tmp_path: Path, session: str) -> LoadedProfile:
    (tmp_path / "p.yaml").write_text(f"version: 1\nsession:\n{session}")
    profile, found = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None and found == []
    return profile


def codes(found: list) -> list[tuple[str, int, str]]:
    return [(d.code, d.line, d.severity) for d in found]


def test_the_schema_takes_the_vad_block_and_refuses_unknown_engines_and_keys(
        tmp_path: Path) -> None:
    good = load(tmp_path, "  vad: {engine: silero, endpointing: true, min_speech_ms: 150,\n"
                          "        min_silence_ms: 500, max_silence_ms: 1200, threshold: 0.6}\n")
    assert {d.code for d in check_schema(good)} == {"VO202"}  # llm, tts...: not here
    bad = load(tmp_path, "  vad: {engine: rnnoise, min_silence: 500}\n")
    assert {d.code for d in check_schema(bad)} == {"VO200", "VO201", "VO202"}


def test_the_older_end_of_turn_silence_is_a_warning_naming_its_replacement(
        tmp_path: Path) -> None:
    found = check_listening(load(tmp_path, "  barge_in: true\n  end_of_turn_silence_ms: 700\n"))
    assert codes(found) == [("VO340", 4, "warning")]
    assert "min_silence_ms: 700" in (found[0].hint or "")


def test_a_max_silence_under_min_silence_is_a_warning(tmp_path: Path) -> None:
    found = check_listening(load(tmp_path, "  vad:\n    min_silence_ms: 800\n"
                                           "    max_silence_ms: 400\n"))
    assert codes(found) == [("VO343", 5, "warning")]


def test_silero_without_onnxruntime_or_the_model_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load(tmp_path, "  vad:\n    engine: silero\n")
    missing = {ENV: str(tmp_path / "none.onnx")}
    found = check_listening(profile, missing)
    assert codes(found) == [("VO342", 4, "warning")] and ENV in found[0].message
    model = tmp_path / "silero.onnx"
    model.write_bytes(b"x")
    assert check_listening(profile, {ENV: str(model)}) == []
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # find_spec: not installed
    found = check_listening(profile, {ENV: str(model)})
    assert codes(found) == [("VO341", 4, "warning")]
    assert "voiceops[silero]" in (found[0].hint or "")
