"""`voiceops validate` checks every environment overlay (configs/env/*.yaml), including the
ones not applied in this run: a broken prod overlay must fail CI on the pull request that
breaks it, not at the next deploy that says `--env prod`."""

from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli

BROKEN = """version: 1
all:
  llm: {temprature: 0.1}
profiles:
  suport_hi:
    llm: {model: gpt-5.4}
  sales_en:
    tts: {model: eleven_nope_v9}
extra: 1
"""


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout


def test_an_overlay_not_applied_is_still_checked(make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": BROKEN})
    code, out = validate()
    assert code == 1
    assert "configs/env/prod.yaml:3:9: VO201" in out and "temprature" in out  # schema
    assert "configs/env/prod.yaml:5:3: VO" in out and "'suport_hi'" in out  # no such profile
    assert "did you mean 'support_hi'" in out
    assert "configs/env/prod.yaml:8:18: VO401" in out  # catalog, through the profile
    assert "configs/env/prod.yaml:9:1: VO201 unknown key 'extra'" in out
    # reported once each, although the overlay lies over every profile
    assert out.count("temprature") == 1


def test_every_overlay_is_checked_when_another_is_applied(make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": BROKEN,
                  "configs/env/staging.yaml": "version: 1\nall: {llm: {temperature: 0.2}}\n"})
    code, out = validate("--env", "staging")
    assert code == 1 and "configs/env/prod.yaml:5:3" in out


def test_an_applied_overlay_naming_an_unknown_profile_is_an_error(
        make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": "version: 1\nprofiles:\n  nope: {}\n"})
    code, out = validate("--env", "prod")
    assert code == 1 and "configs/env/prod.yaml:3:3" in out and "'nope'" in out


def test_valid_overlays_pass(make_project: MakeProject) -> None:
    make_project({"configs/env/prod.yaml": "version: 1\nprofiles:\n"
                                           "  support_hi: {llm: {model: gpt-5.4}}\n"})
    assert validate("--strict") == (0, "6 profiles valid\n")
