"""The pre-commit hooks and the CI recipe name commands and options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import yaml

from voiceops.cli import cli

ROOT = Path(__file__).resolve().parents[2]
#: Keys pre-commit accepts in a hook manifest (pre-commit's clientlib, MANIFEST_HOOK_DICT).
HOOK_KEYS = {"id", "name", "entry", "language", "alias", "files", "exclude", "types",
             "types_or", "exclude_types", "additional_dependencies", "args", "always_run",
             "fail_fast", "pass_filenames", "description", "language_version", "log_file",
             "require_serial", "stages", "verbose", "minimum_pre_commit_version"}


def parses(command_line: str) -> click.Context:
    """The click context `voiceops ...` would run with; raises on an unknown command or
    option."""
    words = shlex.split(command_line)
    assert words[0] == "voiceops", command_line
    command = cli.commands.get(words[1])
    assert command is not None, f"no command {words[1]!r} in {command_line!r}"
    return command.make_context(words[1], words[2:])


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_hook_manifest_is_valid() -> None:
    found = hooks()
    assert [h["id"] for h in found] == ["voiceops-validate", "voiceops-lock-check"]
    for hook in found:
        assert {"id", "name", "entry", "language"} <= set(hook) <= HOOK_KEYS, hook["id"]
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False  # a base or template change reaches others
        re.compile(hook["files"])


def test_hooks_run_real_commands() -> None:
    for hook in hooks():
        parses(" ".join([hook["entry"], *hook.get("args", [])]))


def test_hook_patterns() -> None:
    validate, lock = (re.compile(h["files"]) for h in hooks())
    for path in ("configs/support_hi.yaml", "configs/base.yml", "prompts/sales.j2",
                 "voiceops.lock"):
        assert validate.search(path), path
    assert lock.search("configs/a.yaml") and lock.search("voiceops.lock")
    assert not validate.search("docs/configs.md") and not validate.search("src/configs/x.py")


def test_ci_doc_workflow_parses_and_names_real_commands() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = next(yaml.safe_load(b) for b in blocks if "jobs:" in b)
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("voiceops ")]
    assert len(runs) == 3
    contexts = [parses(run.split(">", 1)[0].replace('"origin/$BASE_REF"', "origin/main"))
                for run in runs]
    assert contexts[0].params["fmt"] == "github"
    assert contexts[1].params["check"] is True
    assert contexts[2].params["fmt"] == "markdown"
    assert contexts[2].params["revs"] == ("origin/main",)
    assert workflow["permissions"]["pull-requests"] == "write"


def test_init_writes_the_workflow_the_docs_show() -> None:
    from voiceops.project.scaffold import starter_files

    docs = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text()
    block = re.search(r"`\.github/workflows/voiceops\.yml`:\n\n```yaml\n(.*?)```", docs, re.S)
    assert block is not None
    written = starter_files()[".github/workflows/voiceops.yml"].decode()
    assert written.endswith(block.group(1))
