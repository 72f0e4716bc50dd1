"""Declared tools (issue 16, item 1): a profile's `tools:` list and shared `tools/*.yaml` files
it names, loaded into one list with every value located in its own file, read as typed
settings with the schema's defaults, and inherited like every list (the child's replaces)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.conftest import ENV, write
from voiceops.catalog.sources import offline_catalog
from voiceops.config.settings import NO_PARAMETERS, ToolHttp, ToolSettings
from voiceops.project import Project
from voiceops.validation.validator import Validator

ISSUE_EXAMPLE = """\
tools:
  - name: check_availability
    description: Free appointment slots for a date.
    parameters: {type: object, properties: {date: {type: string, format: date}}, required: [date]}
    http: {method: POST, url: "${BOOKING_API_URL}/availability", timeout_s: 4,
           headers: {Authorization: "Bearer ${BOOKING_API_TOKEN}"}}
    say: {start: "Let me check the calendar.",
          failed: "Sorry, I can't reach the calendar right now."}
  - builtin: end_call
  - builtin: transfer_call
    target: "+919876543210"
"""


def test_the_issue_example_loads_clean_into_typed_settings(project: Project) -> None:
    checked = Validator(project, offline_catalog(project), env=ENV).check(
        write(project, "agent", ISSUE_EXAMPLE))
    assert [d.format() for d in checked.diagnostics if d.severity == "error"] == []
    assert checked.profile is not None
    check, end, transfer = ToolSettings.all_of(checked.profile.data)
    assert check.http == ToolHttp("POST", "http://127.0.0.1:8090/availability", 4.0,
                                  {"Authorization": "Bearer ${BOOKING_API_TOKEN}"})
    assert check.parameters["required"] == ["date"] and check.cancel_on_barge_in is True
    assert (check.say_start, check.say_failed) == (
        "Let me check the calendar.", "Sorry, I can't reach the calendar right now.")
    assert (end.name, end.builtin, end.parameters, end.http) == (
        "end_call", "end_call", NO_PARAMETERS, None)
    assert end.description  # a built-in tells the model what it does without being told
    assert (transfer.name, transfer.target) == ("transfer_call", "+919876543210")


def test_http_defaults_come_from_the_schema(project: Project) -> None:
    checked = Validator(project, offline_catalog(project), env=ENV).check(write(
        project, "agent", "tools:\n  - {name: lookup, description: Look up., "
                          "http: {url: 'https://api.example.com/x'}}\n"))
    assert checked.profile is not None
    (tool,) = ToolSettings.all_of(checked.profile.data)
    assert tool.http is not None and (tool.http.method, tool.http.timeout_s) == ("POST", 5.0)


def test_a_shared_tools_file_is_named_and_its_problems_are_reported_in_it(
        project: Project) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    (project.root / "tools" / "booking.yaml").write_text(
        "description: The clinic's booking service\n"
        "tools:\n"
        "  - name: check_availability\n"
        "    description: Free slots.\n"
        "    http: {url: 'ftp://booking.internal/availability'}\n"
        "  - name: book_appointment\n"
        "    description: Book a slot.\n"
        "    http: {url: 'https://booking.internal/book'}\n", encoding="utf-8")
    path = write(project, "agent", "tools:\n  - builtin: end_call\n  - booking\n")
    checked = Validator(project, offline_catalog(project), env=ENV).check(path)
    assert checked.profile is not None
    names = [t.name for t in ToolSettings.all_of(checked.profile.data)]
    assert names == ["end_call", "check_availability", "book_appointment"]
    bad = [(d.code, d.path, d.line) for d in checked.diagnostics if d.severity == "error"]
    assert bad == [("VO200", "tools/booking.yaml", 5)]  # the ftp:// URL, in the shared file


def test_an_unknown_tools_file_is_an_error_where_it_is_named(project: Project) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    (project.root / "tools" / "booking.yaml").write_text("tools: []\n", encoding="utf-8")
    path = write(project, "agent", "tools:\n  - builtin: end_call\n  - bookings\n")
    checked = Validator(project, offline_catalog(project), env=ENV).check(path)
    (found,) = [d for d in checked.diagnostics if d.code == "VO900"]
    assert (found.path, found.line) == ("configs/agent.yaml", 5)
    assert found.hint == "did you mean 'booking'?"
    assert checked.profile is not None and len(checked.profile.data["tools"]) == 1


def test_a_tools_file_with_the_wrong_shape_is_reported_in_it(project: Project) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    (project.root / "tools" / "odd.yaml").write_text("tool:\n  - name: x\n", encoding="utf-8")
    path = write(project, "agent", "tools: [odd]\n")
    checked = Validator(project, offline_catalog(project), env=ENV).check(path)
    assert sorted((d.code, d.path) for d in checked.diagnostics if d.severity == "error") == [
        ("VO200", "tools/odd.yaml"), ("VO201", "tools/odd.yaml")]


def test_a_tools_file_outside_the_folder_is_refused_unread(project: Project,
                                                          tmp_path: Path) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    outside = tmp_path.parent / f"{tmp_path.name}-secret.yaml"
    outside.write_text("tools: []\n", encoding="utf-8")
    (project.root / "tools" / "linked.yaml").symlink_to(outside)
    checked = Validator(project, offline_catalog(project), env=ENV).check(
        write(project, "agent", "tools: [linked]\n"))
    assert "VO004" in {d.code for d in checked.diagnostics}


def test_a_literal_key_in_a_shared_file_is_refused(project: Project) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    (project.root / "tools" / "crm.yaml").write_text(
        "tools:\n  - name: crm\n    description: CRM.\n    http:\n"
        "      url: https://crm.example.com/q\n"
        "      headers: {Authorization: 'Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123'}\n",
        encoding="utf-8")
    checked = Validator(project, offline_catalog(project), env=ENV).check(
        write(project, "agent", "tools: [crm]\n"))
    assert ("VO320", "tools/crm.yaml", 6) in {(d.code, d.path, d.line)
                                              for d in checked.diagnostics}


@pytest.mark.parametrize("child", ["tools: [{builtin: end_call}]\n", ""])
def test_tools_inherit_like_every_list(project: Project, child: str) -> None:
    write(project, "with_tools", ISSUE_EXAMPLE)
    path = project.configs / "child.yaml"
    path.write_text(f"version: 1\nextends: with_tools\n{child}", encoding="utf-8")
    checked = Validator(project, offline_catalog(project), env=ENV).check(path)
    assert checked.profile is not None
    names = [t.name for t in ToolSettings.all_of(checked.profile.data)]
    assert names == (["end_call"] if child else
                     ["check_availability", "end_call", "transfer_call"])


def test_an_environment_overlay_replaces_the_tools_and_is_blamed_for_its_own(
        project: Project) -> None:
    (project.root / "tools").mkdir(exist_ok=True)
    (project.root / "tools" / "staging.yaml").write_text(
        "tools:\n  - name: lookup\n    description: Look up.\n"
        "    http: {url: 'https://staging.example.com/q', timeout_s: 99}\n", encoding="utf-8")
    (project.configs / "env").mkdir()
    (project.configs / "env" / "staging.yaml").write_text(
        "version: 1\nall:\n  tools: [staging, {builtin: end_call}]\n", encoding="utf-8")
    path = write(project, "agent", ISSUE_EXAMPLE)
    checked = Validator(project, offline_catalog(project), env=ENV,
                        overlay="staging").check(path)
    assert checked.profile is not None
    assert [t.name for t in ToolSettings.all_of(checked.profile.data)] == ["lookup", "end_call"]
    assert [(d.code, d.path, d.line) for d in checked.diagnostics if d.severity == "error"] == [
        ("VO200", "tools/staging.yaml", 4)]  # timeout_s over 30, in the shared file
