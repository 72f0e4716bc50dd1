"""The CLI through click's runner, and once through a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli

BAD = """version: 1
extends: base
language: hi-IN
llm: {provider: openai, modle: gpt-4o-mini}
tts: {provider: sarvam, model: bulbul:v3, voice: shubh}
stt: {provider: sarvam, model: saaras:v3}
prompt: {template: customer_support, vars: {company_name: A, product_name: B}}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_starter_project_passes(make_project: MakeProject) -> None:
    make_project()
    code, out, _ = invoke("validate", "--strict")
    assert code == 0, out
    assert out.strip().endswith("profiles valid")


def test_validate_reports_every_file_with_location_and_hint(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD, "configs/broken.yaml": "llm: [\n"})
    code, out, _ = invoke("validate", "configs")
    assert code == 1
    assert "configs/bad.yaml:4:25: VO201 unknown key 'modle' in llm" in out
    assert "    hint: did you mean 'model'?" in out
    assert "configs/broken.yaml:2:1: VO100" in out
    assert "errors" in out.splitlines()[-1]


def test_json_format(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD})
    code, out, _ = invoke("validate", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["errors"] >= 2
    first = data["diagnostics"][0]
    assert set(first) == {"path", "line", "col", "code", "message", "hint", "severity"}


def test_github_format_annotations(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD})
    _, out, _ = invoke("validate", "--format", "github")
    assert "::error file=configs/bad.yaml,line=4,col=25,title=VO201::unknown key" in out


def test_sarif_format(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD})
    _, out, _ = invoke("validate", "--format", "sarif")
    sarif = json.loads(out)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_strict_turns_warnings_into_errors(make_project: MakeProject) -> None:
    unused = BAD.replace("modle", "model").replace("product_name: B", "product_name: B, x: 1")
    make_project({"configs/warn.yaml": unused})
    assert invoke("validate")[0] == 0
    code, out, _ = invoke("validate", "--strict")
    assert code == 1 and "VO502" in out


def test_missing_path_is_a_usage_error(make_project: MakeProject) -> None:
    make_project()
    code, _, err = invoke("validate", "nope.yaml")
    assert code == 2 and err.strip() == "error: nope.yaml: no such file or folder"


def test_render_shows_merged_profile(make_project: MakeProject) -> None:
    make_project()
    code, out, _ = invoke("render", "support_hi", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["llm"]["max_tokens"] == 300  # from base.yaml
    assert "extends" not in data
    assert data["llm"]["api_key"] == "${OPENAI_API_KEY}"


def test_render_prompt(make_project: MakeProject) -> None:
    make_project()
    code, out, _ = invoke("render", "support_hi", "--prompt")
    assert code == 0
    assert "# system prompt" in out and "Speak Hindi." in out
    assert "# first message" in out and "Namaste!" in out


def test_render_unknown_profile_suggests(make_project: MakeProject) -> None:
    make_project()
    code, _, err = invoke("render", "support_h")
    assert code == 2 and "did you mean 'support_hi'" in err


def test_render_refuses_invalid_profile(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD})
    code, _, err = invoke("render", "bad")
    assert code == 1 and "VO201" in err and "has errors" in err


def test_prompts_lists_the_five_starters(make_project: MakeProject) -> None:
    make_project()
    code, out, _ = invoke("prompts", "--format", "json")
    names = [t["name"] for t in json.loads(out)]
    assert code == 0
    assert names == ["appointment_scheduler", "customer_support", "general_assistant",
                     "sales_assistant", "technical_support"]
    code, out, _ = invoke("prompts")
    assert "company_name" in out and "required" in out


def test_init_creates_then_keeps(tmp_path: Path) -> None:
    code, out, _ = invoke("init", str(tmp_path / "new"))
    assert code == 0 and "created" in out
    assert (tmp_path / "new/schemas/profile.schema.json").is_file()
    assert (tmp_path / "new/.github/workflows/voiceops.yml").is_file()
    code, out, _ = invoke("init", str(tmp_path / "new"))
    assert code == 0 and "created" not in out and "kept" in out


@pytest.mark.parametrize("command", ["validate", "render", "prompts", "init"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = invoke(command, "--help")
    assert code == 0 and "Example" in out


@pytest.mark.slow  # a real voiceops process
def test_real_process_exit_codes_and_no_traceback(make_project: MakeProject) -> None:
    make_project({"configs/bad.yaml": BAD, "configs/junk.yaml": b"\x00\xff" * 50})
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "validate"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "configs/junk.yaml:1:1: VO001" in proc.stdout


@pytest.mark.slow  # a fresh interpreter
def test_validate_does_not_import_provider_sdks(make_project: MakeProject) -> None:
    make_project()
    code = ("import sys; from voiceops.cli import main; sys.argv=['voiceops','validate'];\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('openai','anthropic','httpx') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip().endswith("[]"), proc.stdout + proc.stderr


def test_validate_outside_a_project_says_what_to_do(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("validate")
    assert code == 2 and "voiceops init" in err
