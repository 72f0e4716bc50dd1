"""`voiceops import`: panel records become valid profiles, or nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import render_prompt
from voiceops.review.legacy.importer import import_sessions
from voiceops.review.legacy.writing import SCHEMA_LINE, jinja_literal, slug
from voiceops.validation.validator import default_validator

HINDI = {"name": "Hindi Support", "llm_provider": "OpenAI", "llm_model": "gpt-5.4-mini",
         "tts_provider": "sarvam", "tts_voice_id": "priya", "voice_tuning": {"pace": 1.1},
         "system_prompt_id": "customer_support", "optimization_level": "balanced",
         "target_language": "hi-IN", "enable_rag": False, "metadata": {"team": "support"},
         "is_default": True, "user_id": "u-17"}
ENGLISH = {"name": "backup_sales", "llm_provider": "anthropic", "llm_model": "claude-haiku-4-5",
           "tts_provider": "elevenlabs", "tts_voice_id": "EXAVITQu4vr4xnSDxMaL",
           "voice_tuning": {"pitch": 0.0, "pace": 1.1, "loudness": 1.0},
           "system_prompt_text": "You sell backups. Say ${price} and {{ literally }} this.",
           "optimization_level": "latency", "target_language": "en-US"}


def write_json(root: Path, name: str, content: Any) -> Path:
    path = root / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def profile(root: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((root / "configs" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_fields_map_to_the_profile_format(make_project: MakeProject) -> None:
    root = make_project()
    outcome = import_sessions([write_json(root, "s.json", HINDI)])

    assert outcome.problems == [] and outcome.warnings == []
    target = root / "configs" / "hindi_support.yaml"
    assert outcome.written == [target]
    assert target.read_text().startswith(SCHEMA_LINE + "version: 1\n")
    assert profile(root, "hindi_support") == {
        "version": 1,
        "language": "hi-IN",
        "llm": {"provider": "openai", "model": "gpt-5.4-mini"},
        "tts": {"provider": "sarvam", "model": "bulbul:v3", "voice": "priya",
                "tuning": {"pace": 1.1}},
        "stt": {"provider": "sarvam", "model": "saaras:v3"},
        "prompt": {"template": "customer_support"},
        "optimization": "balanced",
        "rag": {"enabled": False},
        "metadata": {"team": "support", "imported_from": "s.json", "legacy_name":
                     "Hindi Support", "is_default": True, "user_id": "u-17"},
    }
    assert any(n.startswith("hindi_support: tts.model not in the panel's record; using "
                            "bulbul:v3 (voice Priya works with it, speaks hi-IN")
               for n in outcome.notes)
    assert any(n.startswith("hindi_support: stt not in the panel's record; using sarvam "
                            "saaras:v3") for n in outcome.notes)
    # the template needs company_name and product_name, which the panel never stored
    assert outcome.validation is not None
    assert {d.code for d in outcome.validation.diagnostics} == {"VO501"}


def test_elevenlabs_pace_is_speed_and_literal_text_stays_literal(
        make_project: MakeProject) -> None:
    root = make_project()
    outcome = import_sessions([write_json(root, "s.json", [ENGLISH])])

    data = profile(root, "backup_sales")
    assert data["tts"]["tuning"] == {"speed": 1.1}
    assert data["tts"]["model"] == "eleven_flash_v2"  # no lock here: the first low-latency one
    # the low-latency live-audio models are not offered: voiceops sends recorded turns
    assert data["stt"] == {"provider": "openai", "model": "gpt-transcribe"}
    assert data["metadata"] == {"imported_from": "s.json#0"}
    assert any("voice_tuning.pitch 0.0 dropped" in n and "neutral" in n for n in outcome.notes)
    assert outcome.validation is not None and outcome.validation.errors == 0
    checked = default_validator([root / "configs"]).check(root / "configs/backup_sales.yaml")
    assert checked.profile is not None
    library = TemplateLibrary([root / "prompts"])
    system = render_prompt("backup_sales", checked.profile.data, library).system
    assert system == ENGLISH["system_prompt_text"]


def test_tuning_a_model_cannot_take_is_dropped_with_a_warning(
        make_project: MakeProject) -> None:
    root = make_project()
    record = {**HINDI, "tts_voice_id": "shubh", "voice_tuning": {"pitch": 0.3, "pace": 1.2}}
    outcome = import_sessions([write_json(root, "s.json", record)])
    assert profile(root, "hindi_support")["tts"] == {
        "provider": "sarvam", "model": "bulbul:v3", "voice": "shubh", "tuning": {"pace": 1.2}}
    assert outcome.warnings == ["s.json: record 0: hindi_support: voice_tuning.pitch 0.3 "
                                "dropped: bulbul:v3 has no pitch"]


def test_prompt_templates_option_writes_a_template(make_project: MakeProject) -> None:
    root = make_project()
    import_sessions([write_json(root, "s.json", ENGLISH)], prompt_templates=True)

    assert profile(root, "backup_sales")["prompt"] == {"template": "backup_sales"}
    template, problems = TemplateLibrary([root / "prompts"]).get("backup_sales")
    assert problems == [] and template is not None
    assert template.description == "System prompt of 'backup_sales', imported from s.json"
    assert template.variables == {}
    assert template.compiled.render() == ENGLISH["system_prompt_text"]


def test_refuses_to_overwrite_without_force(make_project: MakeProject) -> None:
    root = make_project()
    source = write_json(root, "s.json", {**ENGLISH, "name": "sales_en"})
    before = (root / "configs/sales_en.yaml").read_text()

    outcome = import_sessions([source])
    assert outcome.written == []
    assert outcome.problems == ["configs/sales_en.yaml exists (from s.json: record 0); "
                                "--force overwrites it"]
    assert (root / "configs/sales_en.yaml").read_text() == before

    assert import_sessions([source], force=True).written == [root / "configs/sales_en.yaml"]


def test_nothing_is_written_when_any_record_has_a_problem(make_project: MakeProject) -> None:
    root = make_project()
    good = {**HINDI, "name": "good one"}
    bad = {**HINDI, "name": "bad one", "system_prompt_id": "custmer_support"}
    outcome = import_sessions([write_json(root, "s.json", [good, bad])])
    assert outcome.written == [] and not (root / "configs/good_one.yaml").exists()
    assert outcome.problems == ["s.json: record 1: system_prompt_id 'custmer_support' names "
                                "no template in prompts/; did you mean 'customer_support' or "
                                "'technical_support'?"]


def test_two_records_for_one_file(make_project: MakeProject) -> None:
    root = make_project()
    outcome = import_sessions([write_json(root, "s.json", [HINDI, {**HINDI, "name":
                                                                   "hindi-support"}])])
    assert outcome.problems == ["s.json: record 1: would write configs/hindi_support.yaml, "
                                "as s.json: record 0 does; rename one of them"]


def test_cli_import(make_project: MakeProject) -> None:
    root = make_project()
    write_json(root, "s.json", {**ENGLISH, "name": "Backup Sales", "id": 3})
    code, out, err = invoke("import", "s.json")
    assert code == 0, err
    assert "warning: s.json: record 0: unknown fields ignored: id" in err
    assert "note: backup_sales: tts.model not in the panel's record; using" in err
    assert f"  created {root / 'configs/backup_sales.yaml'}" in out
    assert out.rstrip().endswith("1 profile valid")


def test_cli_import_errors_are_one_line(make_project: MakeProject) -> None:
    root = make_project()
    (root / "notes.json").write_text("hello")
    code, out, err = invoke("import", "notes.json")
    assert (code, out) == (1, "")
    assert err == ("error: notes.json: not JSON: Expecting value (line 1, column 1); "
                   "nothing imported\n")

    write_json(root, "s.json", [{"name": "x"}])
    code, _, err = invoke("import", "s.json")
    assert code == 1
    assert err.splitlines() == [
        "error: s.json: record 0: missing required field 'llm_provider'",
        "error: s.json: record 0: missing required field 'llm_model'",
        "error: s.json: record 0: missing required field 'tts_provider'",
        "error: s.json: record 0: missing required field 'tts_voice_id'",
        "error: nothing imported: 4 problems",
    ]


def test_cli_import_outside_a_project(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path, "s.json", ENGLISH)
    code, _, err = invoke("import", "s.json")
    assert code == 2
    assert err == ("error: no configs/ folder here or above; `voiceops init` creates a "
                   "project to import into\n")


def test_names_and_jinja_escaping() -> None:
    assert slug("Hindi Support – Line 2") == "hindi_support_line_2"
    assert slug("Café") == "cafe" and slug("हिंदी") == ""
    assert jinja_literal("plain") == "plain"
    tricky = "{{ x }} and {% endraw %} and {# c #}"
    rendered = TemplateLibrary([]).env.from_string(jinja_literal(tricky)).render()
    assert rendered == tricky
