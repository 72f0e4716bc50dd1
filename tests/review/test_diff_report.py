"""The diff as text, as a pull-request comment, and as JSON."""

from __future__ import annotations

import json

from tests.review.conftest import GitProject
from voiceops.review.compare import DiffResult, FieldChange, ProfileChange
from voiceops.review.diff import diff_revisions
from voiceops.review.markdown import MARKER, code, markdown
from voiceops.review.report import REPORTERS, report


def review_change(git_project: GitProject) -> DiffResult:
    git_project.edit("prompts/customer_support.j2", "Keep every reply to one to three short "
                     "sentences.", "Keep every reply short.")
    git_project.edit("configs/sales_en.yaml", "voice: Sarah", "voice: George")
    git_project.write("configs/broken.yaml", "llm: [\n")
    return diff_revisions([])


def test_text(git_project: GitProject) -> None:
    out = report(review_change(git_project), "text")
    lines = out.splitlines()

    assert lines[0].startswith("HEAD (") and lines[0].endswith(
        "-> working tree: 2 changed (1 only via a base profile, template, knowledge file or "
        "the lock), 1 added, 0 removed, 4 unchanged")
    assert "~ support_hi  via prompts/customer_support.j2" in lines
    assert "    tts.voice: Sarah -> George" in lines
    assert ("    catalog tts.voice: ElevenLabs voice Sarah (EXAVITQu4vr4xnSDxMaL) -> "
            "ElevenLabs voice George (JBFqnCBsd6RMkjVDRZzb)") in lines
    assert "      gender: female -> male" in lines
    assert "      +Keep every reply short. The caller hears you; they cannot read." in lines
    assert "+ broken  (added)" in lines
    assert any(line.startswith("    ! fails to load: configs/broken.yaml:2:1: VO100")
               for line in lines)
    assert "\033[" not in out


def test_text_in_colour(git_project: GitProject) -> None:
    out = report(review_change(git_project), "text", color=True)
    assert "      \033[32m+Keep every reply short." in out


def test_markdown_comment(git_project: GitProject) -> None:
    out = report(review_change(git_project), "markdown")

    assert out.startswith(MARKER + "\n## voiceops diff\n")
    assert "2 changed (1 only via a base profile, template, knowledge file or the lock), " \
        "1 added" in out
    assert "### `support_hi` · changed via `prompts/customer_support.j2`" in out
    assert "```diff\n@@ " in out
    assert "\n+Keep every reply short. The caller hears you; they cannot read.\n" in out
    assert "| field | old | new |\n|---|---|---|\n| `tts.voice` | `Sarah` | `George` |" in out
    assert "| ↳ gender | `female` | `male` |" in out
    assert "### `broken` · added\n> ⚠️ fails to load: configs/broken.yaml:2:1: VO100" in out


def test_markdown_without_changes(git_project: GitProject) -> None:
    out = markdown(diff_revisions([]))
    assert out.endswith("0 changed, 0 added, 0 removed, 6 unchanged.\n\nNo profile changes.\n")


def test_markdown_keeps_user_text_from_breaking_out() -> None:
    assert code("a|b") == "`a\\|b`"
    assert code("uses `x`") == "`` uses `x` ``"  # CommonMark strips one space each side
    prompt = ("--- a", "+++ b", "@@ -1 +1 @@", "-old", "+```", "+<script>")
    change = ProfileChange("p", "changed", "configs/p.yaml", prompt_diff=prompt)
    out = markdown(DiffResult("a", "b", (change,), ()))
    assert "````diff\n@@ -1 +1 @@\n-old\n+```\n+<script>\n````" in out


def test_markdown_stays_under_the_comment_limit() -> None:
    fields = tuple(FieldChange(f"metadata.k{i}", "changed", "x" * 50, "y" * 50)
                   for i in range(40))
    changes = tuple(ProfileChange(f"agent_{i:03d}", "changed", f"configs/agent_{i:03d}.yaml",
                                  fields=fields) for i in range(300))
    out = markdown(DiffResult("a", "b", changes, ()), budget=60_000)

    assert len(out) < 65_536
    assert "…and " in out and "more changed profiles not shown here: `agent_" in out
    assert "### `agent_000`" in out


def test_json(git_project: GitProject) -> None:
    data = json.loads(report(review_change(git_project), "json"))

    assert data["counts"] == {"changed": 2, "added": 1, "removed": 0, "unchanged": 4}
    assert data["changed"] is True
    by_name = {p["name"]: p for p in data["profiles"]}
    assert by_name["support_hi"]["via"] == ["prompts/customer_support.j2"]
    assert by_name["support_hi"]["only_via"] is True
    assert by_name["sales_en"]["fields"] == [
        {"path": "tts.voice", "kind": "changed", "old": "Sarah", "new": "George"}]
    entry = by_name["sales_en"]["entries"][0]
    assert entry["new"]["attributes"]["gender"] == "male"
    assert by_name["broken"]["new_problem"]["loads"] is False


def test_formats_match_the_cli_choices() -> None:
    from voiceops.cli import diff

    choices = next(p for p in diff.params if p.name == "fmt").type.choices  # type: ignore[attr-defined]
    assert list(choices) == list(REPORTERS)
