"""`voiceops diff` on the command line: output, exit status, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from tests.review.conftest import GitProject
from voiceops.cli import cli


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_diff_is_information_exit_zero(git_project: GitProject) -> None:
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2", "temperature: 0.3")
    code, out, err = invoke("diff")
    assert code == 0, err
    assert "~ appointments_en\n    llm.temperature: 0.2 -> 0.3" in out


def test_exit_code_flag(git_project: GitProject) -> None:
    assert invoke("diff", "--exit-code")[0] == 0
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2", "temperature: 0.3")
    assert invoke("diff", "--exit-code")[0] == 1


def test_formats(git_project: GitProject) -> None:
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2", "temperature: 0.3")
    git_project.commit()
    code, out, _ = invoke("diff", "HEAD~1", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out)["counts"]["changed"] == 1
    code, out, _ = invoke("diff", "HEAD~1", "--format", "markdown")
    assert code == 0 and "| `llm.temperature` | `0.2` | `0.3` |" in out


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "error: unknown revision 'nope'\n"),
    (["HEAD", "nope"], "error: unknown revision 'nope'\n"),
    (["a", "b", "c"], "error: diff takes at most two revisions, not 3\n"),
])
def test_bad_revisions_are_one_line_usage_errors(git_project: GitProject, args: list[str],
                                                 message: str) -> None:
    code, out, err = invoke("diff", *args)
    assert (code, out, err) == (2, "", message)


def test_outside_git_is_a_usage_error(make_project: MakeProject, tmp_path: Path) -> None:
    make_project()
    code, _, err = invoke("diff")
    assert code == 2
    assert err == f"error: {tmp_path} is not in a git repository (voiceops diff compares git " \
                  "revisions)\n"


def test_configs_missing_on_one_side_is_a_note_not_an_error(git_project: GitProject) -> None:
    git_project.git("rm", "-rq", "configs")
    code, out, _ = invoke("diff")
    assert code == 0
    assert "note: working tree has no configs/ folder: every profile of HEAD (" in out
    assert "- sales_en  (removed)" in out


@pytest.mark.slow
def test_real_process_leaves_the_repository_as_it_was(git_project: GitProject) -> None:
    git_project.edit("prompts/customer_support.j2", "Keep every reply to one to three short "
                     "sentences.", "Keep every reply short.")
    status = git_project.git("status", "--porcelain")
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "diff", "--exit-code"],
                          cwd=git_project.root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "~ support_hi  via prompts/customer_support.j2" in proc.stdout
    assert proc.stderr == ""
    assert git_project.git("status", "--porcelain") == status
    assert git_project.git("stash", "list") == ""


def test_env_lays_the_overlay_over_both_sides(git_project: GitProject) -> None:
    git_project.write("configs/env/prod.yaml",
                      "version: 1\nprofiles:\n  appointments_en:\n    llm: {temperature: 0.5}\n")
    code, out, err = invoke("diff", "--env", "prod")
    assert code == 0, err
    assert "llm.temperature: 0.2 -> 0.5" in out and "has no configs/env/prod.yaml" in out
    code, _, err = invoke("diff", "--env", "staging")
    assert code == 2 and "no environment 'staging'" in err and "prod" in err
