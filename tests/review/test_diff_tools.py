"""`voiceops diff` shows tool changes (issue 16, item 2): by tool name, not by list index, so
adding a tool is one added entry and editing a shared tools/*.yaml file lists the profiles
that use it, through that file."""

from __future__ import annotations

from tests.review.conftest import GitProject
from voiceops.review.compare import DiffResult, ProfileChange
from voiceops.review.diff import diff_revisions
from voiceops.review.fields import flatten

BOOKING = """\
tools:
  - name: check_availability
    description: Free slots for a date.
    http: {url: 'http://127.0.0.1:8090/availability', timeout_s: 4}
"""
# the starter's appointments_en names the file: tools: [booking, {builtin: end_call}]


def changed(result: DiffResult) -> dict[str, ProfileChange]:
    return {c.name: c for c in result.changes}


def test_tools_flatten_by_name() -> None:
    flat = flatten({"tools": [{"name": "lookup", "http": {"url": "https://x"}},
                              {"builtin": "end_call"}],
                    "llm": {"fallbacks": [{"provider": "openai"}]}})
    assert flat == {"tools.lookup.name": "lookup", "tools.lookup.http.url": "https://x",
                    "tools.end_call.builtin": "end_call",
                    "llm.fallbacks[0].provider": "openai"}


def test_a_new_tool_is_one_added_entry_not_a_shifted_list(git_project: GitProject) -> None:
    git_project.write("tools/booking.yaml", BOOKING)
    git_project.commit("tools")
    git_project.edit("configs/appointments_en.yaml", "  - booking ",
                     "  - builtin: transfer_call\n    target: '+919876543210'\n  - booking ")
    change = changed(diff_revisions([]))["appointments_en"]
    assert [(f.path, f.kind) for f in change.fields] == [
        ("tools.transfer_call.builtin", "added"), ("tools.transfer_call.target", "added")]


def test_editing_a_shared_tools_file_lists_its_users_through_it(
        git_project: GitProject) -> None:
    git_project.write("tools/booking.yaml", BOOKING)
    git_project.commit("tools")
    git_project.edit("tools/booking.yaml", "timeout_s: 4", "timeout_s: 6")
    found = changed(diff_revisions([]))
    assert set(found) == {"appointments_en"}
    change = found["appointments_en"]
    assert change.only_via and change.via == ("tools/booking.yaml",)
    assert [(f.path, f.old, f.new) for f in change.fields] == [
        ("tools.check_availability.http.timeout_s", 4, 6)]
    assert change.old_problem is None and change.new_problem is None
