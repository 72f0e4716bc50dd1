"""Routing in review: `render` shows a profile's phone block, `diff` each number that
reaches another profile ("+14155550100 now reaches sales_en, was support_hi")."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import MakeProject
from tests.review.conftest import (
    GitProject,
    _git_stays_in_tmp,  # noqa: F401 (an autouse fixture: git stays in tmp_path)
    init_repo,
    write_lock_offline,
)
from voiceops.cli import cli
from voiceops.review.compare import RouteChange
from voiceops.review.diff import diff_revisions
from voiceops.review.report import report

SUPPORT = "+918047491899"
SALES = "+14155550100"


@pytest.fixture
def project(make_project: MakeProject) -> GitProject:
    """The starter project and its lock, committed."""
    root = make_project()
    write_lock_offline(root)
    init_repo(root)
    committed = GitProject(root)
    committed.commit("starter")
    return committed


def _phone(project: GitProject, profile: str, *numbers: str) -> None:
    path = project.root / "configs" / f"{profile}.yaml"
    text = path.read_text(encoding="utf-8").split("\nphone:")[0].rstrip("\n")
    listed = ", ".join(f'"{n}"' for n in numbers)
    project.write(f"configs/{profile}.yaml", f"{text}\nphone:\n  numbers: [{listed}]\n")


def test_render_shows_the_phone_block_with_the_schemas_place(
        make_project: MakeProject) -> None:
    make_project()
    with open("configs/support_hi.yaml", "a", encoding="utf-8") as f:
        f.write(f'phone:\n  numbers: ["{SUPPORT}"]\n  dtmf: {{mode: event}}\n')
    result = CliRunner().invoke(cli, ["render", "support_hi"])
    assert result.exit_code == 0, result.output
    rendered = yaml.safe_load(result.output)
    assert rendered["phone"] == {"numbers": [SUPPORT], "dtmf": {"mode": "event"}}


def test_a_number_moved_between_profiles_is_one_route_change(
        project: GitProject) -> None:
    _phone(project, "support_hi", SUPPORT, SALES)
    project.commit("numbers")
    _phone(project, "support_hi", SUPPORT)
    _phone(project, "sales_en", SALES)
    result = diff_revisions([])
    assert result.routes == (RouteChange(SALES, "support_hi", "sales_en"),)
    text = report(result, "text")
    assert f"    {SALES} now reaches sales_en, was support_hi" in text.splitlines()
    assert f"| `{SALES}` | `support_hi` | `sales_en` |" in report(result, "markdown")
    assert json.loads(report(result, "json"))["routes"] == [
        {"number": SALES, "old": "support_hi", "new": "sales_en"}]


def test_added_and_unrouted_numbers_name_the_default_profile(project: GitProject) -> None:
    _phone(project, "support_hi", SUPPORT)
    project.commit("numbers")
    _phone(project, "sales_en", SALES)  # new
    (project.root / "configs/support_hi.yaml").unlink()  # its number goes with it
    result = diff_revisions([])
    assert result.routes == (RouteChange(SALES, None, "sales_en"),
                             RouteChange(SUPPORT, "support_hi", None))
    lines = report(result, "text").splitlines()
    assert f"    {SALES} now reaches sales_en, was unrouted (the default profile)" in lines
    assert (f"    {SUPPORT} is no longer routed (the default profile answers it), "
            "was support_hi") in lines
    assert "| `+14155550100` | default profile | `sales_en` |" in report(result, "markdown")


def test_a_change_elsewhere_in_a_routed_profile_moves_no_number(
        project: GitProject) -> None:
    _phone(project, "support_hi", SUPPORT)
    project.commit("numbers")
    project.edit("configs/support_hi.yaml", "agent_name: Asha", "agent_name: Meera")
    result = diff_revisions([])
    assert [c.name for c in result.changes] == ["support_hi"] and result.routes == ()
    assert "phone numbers:" not in report(result, "text")


def test_a_profile_that_no_longer_loads_moves_no_number(project: GitProject) -> None:
    _phone(project, "support_hi", SUPPORT)
    project.commit("numbers")
    project.edit("configs/support_hi.yaml", "extends: base", "extends: [base")  # YAML error
    result = diff_revisions([])
    assert result.routes == ()


def test_render_routes_prints_the_projects_numbers_and_the_rest(
        make_project: MakeProject) -> None:
    make_project()
    with open("configs/support_hi.yaml", "a", encoding="utf-8") as f:
        f.write(f'phone:\n  numbers: ["{SUPPORT}"]\n')
    result = CliRunner().invoke(cli, ["render", "--routes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [  # by number
        "+16175550142  appointments_en", f"{SUPPORT}  support_hi",
        "other numbers: the default profile (voiceops run PROFILE), else refused"]
    as_json = CliRunner().invoke(cli, ["render", "--routes", "--format", "json"])
    assert json.loads(as_json.output) == {SUPPORT: "support_hi",
                                          "+16175550142": "appointments_en"}


def test_render_routes_of_a_project_with_a_clash_fails_naming_it(
        make_project: MakeProject) -> None:
    make_project()
    with open("configs/support_hi.yaml", "a", encoding="utf-8") as f:
        f.write('phone:\n  numbers: ["+16175550142"]\n')
    result = CliRunner().invoke(cli, ["render", "--routes"])
    assert result.exit_code == 1
    assert "VO802 +16175550142 is routed to two profiles" in result.output


def test_render_without_a_profile_or_routes_is_a_usage_error(
        make_project: MakeProject) -> None:
    make_project()
    result = CliRunner().invoke(cli, ["render"])
    assert result.exit_code == 2 and "name the PROFILE to render" in result.output
