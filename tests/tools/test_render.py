"""`voiceops render` shows a profile's tools (issue 16, item 2): the effective profile lists
them with shared files read in, and `render --prompt` shows what the model is told of each
(name, description, parameters), built-ins included."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.conftest import MakeProject
from voiceops.cli import cli

PROFILE = """\
version: 1
extends: support_hi
tools:
  - booking
  - builtin: end_call
"""
BOOKING = """\
tools:
  - name: check_availability
    description: Free slots for a date.
    parameters: {type: object, properties: {date: {type: string}}, required: [date]}
    http:
      url: http://127.0.0.1:8090/availability
      headers: {Authorization: "Bearer ${BOOKING_API_TOKEN}"}
"""


def test_render_lists_tools_from_shared_files_with_references_kept(
        make_project: MakeProject) -> None:
    make_project({"configs/agent.yaml": PROFILE, "tools/booking.yaml": BOOKING})
    result = CliRunner().invoke(cli, ["render", "agent", "--format", "json"],
                                env={"SARVAM_API_KEY": "x", "BOOKING_API_TOKEN": "secret"})
    assert result.exit_code == 0, result.output
    tools = json.loads(result.stdout)["tools"]
    assert [t.get("name", t.get("builtin")) for t in tools] == ["check_availability",
                                                                 "end_call"]
    assert tools[0]["http"]["headers"] == {"Authorization": "Bearer ${BOOKING_API_TOKEN}"}
    assert "secret" not in result.stdout


def test_render_prompt_shows_what_the_model_is_told(make_project: MakeProject) -> None:
    make_project({"configs/agent.yaml": PROFILE, "tools/booking.yaml": BOOKING})
    result = CliRunner().invoke(cli, ["render", "agent", "--prompt"],
                                env={"SARVAM_API_KEY": "x"})
    assert result.exit_code == 0, result.output
    tools = result.stdout.split("# tools\n", 1)[1]
    assert tools.splitlines()[0] == "check_availability: Free slots for a date."
    assert '"required": ["date"]' in tools
    assert "end_call: End the call" in tools
    as_json = json.loads(CliRunner().invoke(
        cli, ["render", "agent", "--prompt", "--format", "json"],
        env={"SARVAM_API_KEY": "x"}).stdout)
    assert as_json["tools"][1] == {"name": "end_call",
                                   "description": as_json["tools"][1]["description"],
                                   "parameters": {"type": "object", "properties": {}}}
