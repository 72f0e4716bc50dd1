from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli
from voiceops.config.loader import ProfileLoader
from voiceops.config.overlay import overlay_path
from voiceops.errors import UsageError

PROD = """version: 1
all:
  session: {max_duration_s: 600}
  llm: {timeout_s: 12}
profiles:
  support_hi:
    llm: {model: gpt-5.4}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_overlay_wins_over_profile_and_base(make_project: MakeProject) -> None:
    root = make_project({"configs/env/prod.yaml": PROD})
    loader = ProfileLoader({}, overlay=overlay_path(root / "configs", "prod"))
    profile, problems = loader.load(root / "configs" / "support_hi.yaml")
    assert profile is not None and problems == []
    assert profile.data["llm"]["model"] == "gpt-5.4"
    assert profile.data["llm"]["timeout_s"] == 12  # over base.yaml's 10
    assert profile.data["llm"]["max_tokens"] == 300  # base.yaml still applies
    assert profile.data["session"]["max_duration_s"] == 600
    mark = profile.marks.value(("llm", "model"))
    assert mark.path.endswith("env/prod.yaml") and mark.line == 7
    other, _ = loader.load(root / "configs" / "sales_en.yaml")
    assert other is not None and other.data["llm"]["model"] == "claude-haiku-4-5"


def test_overlay_errors_point_into_the_overlay(make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": PROD.replace("gpt-5.4}", "gpt-5.4-nope}")
                  + "extra: 1\n"})
    code, out, _ = invoke("validate", "--env", "prod")
    assert code == 1
    assert "configs/env/prod.yaml:7:18: VO401 unknown OpenAI chat model 'gpt-5.4-nope'" in out
    assert "configs/env/prod.yaml:8:1: VO201 unknown key 'extra'" in out


def test_render_and_validate_with_env(make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": PROD})
    assert invoke("validate", "--env", "prod", "--strict")[0] == 0
    code, out, _ = invoke("render", "support_hi", "--env", "prod", "--format", "json")
    assert code == 0 and json.loads(out)["llm"]["model"] == "gpt-5.4"
    code, out, _ = invoke("render", "support_hi", "--format", "json")
    assert json.loads(out)["llm"]["model"] == "gpt-5.4-mini"


def test_unknown_environment_names_the_known_ones(make_project: MakeProject) -> None:
    root = make_project({"configs/env/prod.yaml": PROD, "configs/env/staging.yaml": PROD})
    with pytest.raises(UsageError, match="did you mean 'prod'"):
        overlay_path(root / "configs", "prd")
    code, _, err = invoke("validate", "--env", "qa")
    assert code == 2 and "prod, staging" in err


def test_overlays_are_not_profiles(make_project: MakeProject, tmp_path: Path) -> None:
    make_project({"configs/env/prod.yaml": PROD})
    code, out, _ = invoke("validate")
    assert code == 0 and "6 profiles valid" in out


def test_the_lock_pins_what_every_environment_uses(make_project: MakeProject) -> None:
    root = make_project()
    assert invoke("lock", "--offline")[0] == 0
    (root / "configs" / "env").mkdir()
    (root / "configs" / "env" / "prod.yaml").write_text(
        "version: 1\nprofiles:\n  sales_en:\n    llm: {model: claude-haiku-5-5}\n")
    code, out, _ = invoke("validate", "--env", "prod")
    assert code == 1 and "VO410 Anthropic model 'claude-haiku-5-5' is not in voiceops.lock" in out
    code, out, _ = invoke("lock", "--check")
    assert code == 1 and "missing anthropic model 'claude-haiku-5-5'" in out
    assert invoke("lock", "--offline")[0] == 0
    assert invoke("validate", "--env", "prod", "--strict")[0] == 0
    assert invoke("validate", "--strict")[0] == 0  # and without the overlay too
    assert invoke("lock", "--check")[0] == 0
