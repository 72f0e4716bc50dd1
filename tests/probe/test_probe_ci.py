"""The nightly probe recipe in docs/ci.md: a scheduled workflow that runs a real command,
with the keys from the repository's secrets and nothing else from outside."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from voiceops.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def nightly() -> dict:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"`\.github/workflows/voiceops-probe\.yml`:\n\n```yaml\n(.*?)```",
                      text, re.S)
    assert block is not None, "docs/ci.md shows no nightly probe workflow"
    return yaml.safe_load(block.group(1))


def test_the_nightly_probe_is_scheduled_and_runs_probe_for_annotations() -> None:
    workflow = nightly()
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1: on -> True
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["probe"]["steps"]
    runs = [s for s in steps if str(s.get("run", "")).startswith("voiceops ")]
    assert len(runs) == 1
    words = shlex.split(runs[0]["run"])
    command = cli.commands[words[1]]
    context = command.make_context(words[1], words[2:])
    assert words[1] == "probe" and context.params["fmt"] == "github"
    env = runs[0]["env"]
    assert set(env) == {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SARVAM_API_KEY",
                        "ELEVENLABS_API_KEY"}
    assert all(v == f"${{{{ secrets.{k} }}}}" for k, v in env.items())
    assert workflow["permissions"] == {"contents": "read"}
