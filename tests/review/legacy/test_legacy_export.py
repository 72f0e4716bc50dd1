"""`voiceops export`: the effective profile in the panel's shape, with what it cannot hold."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli
from voiceops.errors import ConfigError, UsageError
from voiceops.review.legacy.exporter import export_profile
from voiceops.review.legacy.records import FIELDS

PLAIN = """version: 1
extends: base
language: hi-IN
llm: {provider: openai, model: gpt-5.4-mini}
tts: {provider: sarvam, model: bulbul:v3, voice: Priya, tuning: {pace: 1.2}}
stt: {provider: sarvam, model: saaras:v3}
prompt: {template: general_assistant}
metadata: {imported_from: old.json, legacy_name: Plain Agent, user_id: 9, is_default: true}
"""


def test_sarvam_profile(make_project: MakeProject) -> None:
    make_project({"configs/plain.yaml": PLAIN})
    exported = export_profile("plain")

    assert exported.record == {
        "name": "Plain Agent",
        "llm_provider": "openai",
        "llm_model": "gpt-5.4-mini",
        "tts_provider": "sarvam",
        "tts_voice_id": "priya",  # the catalog's id for the name
        "voice_tuning": {"pace": 1.2},
        "system_prompt_id": "general_assistant",  # no vars: the name says it all
        "system_prompt_text": None,
        "optimization_level": "balanced",
        "target_language": "hi-IN",
        "enable_rag": False,
        "metadata": {"owner": "voice-platform"},
        "is_default": True,
        "user_id": 9,
    }
    assert exported.notes == []
    assert exported.warnings == ["plain: the panel's shape cannot hold description, "
                                 "llm.max_tokens, llm.timeout_s, tts.model, "
                                 "stt, session; not exported"]


def test_template_with_vars_exports_the_rendered_prompt(make_project: MakeProject) -> None:
    make_project()
    exported = export_profile("sales_en")
    record = exported.record

    assert tuple(record) == FIELDS
    assert record["tts_voice_id"] == "EXAVITQu4vr4xnSDxMaL"
    assert record["voice_tuning"] == {"pace": 1.0}  # ElevenLabs speed is the panel's pace
    assert record["system_prompt_id"] is None
    assert record["system_prompt_text"].startswith("You are Rohan, a friendly sales assistant "
                                                   "for Acme Cloud")
    assert exported.notes == ["sales_en: template sales_assistant rendered with its "
                              "prompt.vars into system_prompt_text (the panel has no prompt "
                              "variables)"]
    (warning,) = exported.warnings
    assert "tts.tuning.stability, tts.tuning.similarity_boost, tts.tuning.style" in warning
    assert "first_message" in warning and "prompt" not in warning


def test_abstract_and_invalid_profiles_are_refused(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": PLAIN.replace("gpt-5.4-mini", "gpt-nope")})
    with pytest.raises(UsageError, match="base is an abstract base profile"):
        export_profile("base")
    with pytest.raises(ConfigError, match="bad has errors; fix them to export it") as caught:
        export_profile("bad")
    assert caught.value.diagnostics[0].code == "VO401"
    with pytest.raises(UsageError, match="no profile 'nothing'"):
        export_profile("nothing")


def test_cli_export(make_project: MakeProject) -> None:
    root = make_project()
    result = CliRunner().invoke(cli, ["export", "support_hi"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "support_hi"
    assert result.stderr.startswith("warning: support_hi: the panel's shape cannot hold ")

    result = CliRunner().invoke(cli, ["export", "configs/support_hi.yaml", "-o", "out.json"])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((root / "out.json").read_text())["llm_model"] == "gpt-5.4-mini"

    result = CliRunner().invoke(cli, ["export", "support_hi", "-o", "missing/out.json"])
    assert result.exit_code == 2
    assert result.stderr.endswith("error: cannot write missing/out.json: No such file or "
                                  "directory\n")


def test_cli_export_of_an_invalid_profile(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": PLAIN.replace("gpt-5.4-mini", "gpt-nope")})
    result = CliRunner().invoke(cli, ["export", "bad"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "configs/bad.yaml:4:32: VO401 unknown OpenAI chat model 'gpt-nope'" in result.stderr
    assert result.stderr.endswith("error: bad has errors; fix them to export it\n")
