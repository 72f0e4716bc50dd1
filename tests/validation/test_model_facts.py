"""Provider facts in the bundled catalog that decide whether a profile can work at all:
models offered only for live audio, realtime-only LLMs, retired models. `validate` must
refuse them on the profile's own line, with a hint naming a model that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeProject
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.project import Project
from voiceops.validation.validator import Validator

PROFILE = """version: 1
language: {language}
llm: {{provider: {llm_provider}, model: {llm}}}
tts: {{provider: sarvam, model: {tts}, voice: {voice}, tuning: {tuning}}}
stt:
  provider: {stt_provider}
  model: {stt}
prompt: {{text: "You answer questions about the weather."}}
"""
GOOD = {"language": "en-IN", "llm_provider": "openai", "llm": "gpt-5.4-mini",
        "tts": "bulbul:v3", "voice": "shubh", "tuning": "{pace: 1.0}",
        "stt_provider": "sarvam", "stt": "saaras:v3"}


def validate(root: Path, **choices: str) -> list[tuple[str, int, str, str]]:
    (root / "configs" / "p.yaml").write_text(PROFILE.format(**(GOOD | choices)))
    validator = Validator(Project(root), Catalog([BundledSnapshot()]), env={}, strict=True)
    checked = validator.check(root / "configs" / "p.yaml")
    return [(d.code, d.line, d.message, d.hint or "") for d in checked.diagnostics]


@pytest.fixture
def root(make_project: MakeProject) -> Path:
    return make_project(starter=False)


def test_the_good_choices_pass(root: Path) -> None:
    assert validate(root) == []


@pytest.mark.parametrize(("provider", "live", "file_model"), [
    ("openai", "gpt-live-transcribe", "gpt-transcribe"),
    ("openai", "gpt-realtime-whisper", "gpt-transcribe"),
    ("sarvam", "saaras:v3-realtime", "saaras:v3"),
])
def test_live_audio_stt_models_are_refused(root: Path, provider: str, live: str,
                                           file_model: str) -> None:
    found = validate(root, stt_provider=provider, stt=live)
    assert [(code, line) for code, line, _, _ in found] == [("VO401", 7)]
    _, _, message, hint = found[0]
    assert live in message and "file" in message
    assert file_model in hint


def test_realtime_llm_is_refused(root: Path) -> None:
    found = validate(root, llm="gpt-realtime-2.1")
    assert [(code, line) for code, line, _, _ in found] == [("VO401", 3)]
    assert "gpt-realtime-2.1" in found[0][2] and "chat" in found[0][2]
    assert "gpt-" in found[0][3]


def test_bulbul_v2_is_retired_with_its_replacement(root: Path) -> None:
    model = Catalog([BundledSnapshot()]).model("sarvam", "bulbul:v2")
    assert model is not None and model.retired and model.replaced_by == "bulbul:v3"
    assert "Model 'bulbul:v2' has been deprecated" in (model.deprecated or "")
    found = validate(root, tts="bulbul:v2", voice="anushka", tuning="{pace: 1.0}")
    assert [(code, line) for code, line, _, _ in found] == [("VO401", 4)]
    assert "no longer serves bulbul:v2" in found[0][2] and "bulbul:v3" in found[0][3]


def test_the_replacement_takes_only_its_own_tuning(root: Path) -> None:
    found = validate(root, tuning="{pitch: 0.0, pace: 1.05, loudness: 1.0}")
    assert sorted(message for _, _, message, _ in found) == [
        "bulbul:v3 does not accept 'loudness'", "bulbul:v3 does not accept 'pitch'"]
