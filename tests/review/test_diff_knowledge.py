"""`voiceops diff` on knowledge files (issue 14, item 1): which profiles use a changed file,
and which passages it adds and removes for each of them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.review.conftest import GitProject
from voiceops.cli import cli
from voiceops.review.compare import DiffResult, ProfileChange
from voiceops.review.diff import diff_revisions

PLANS = "knowledge/plans_en.md"
RAG = "rag: {enabled: true, sources: [knowledge/*.md], top_k: 3, max_chars: 1500}"


def changed(result: DiffResult) -> dict[str, ProfileChange]:
    return {c.name: c for c in result.changes}


def test_an_edited_passage_is_removed_and_added_for_the_profiles_using_the_file(
        git_project: GitProject) -> None:
    git_project.edit(PLANS, "within 5 working days. If it", "within 3 working days. If it")
    found = changed(diff_revisions([]))
    assert set(found) == {"support_hi"}  # the only profile whose rag.sources match it
    change = found["support_hi"]
    assert change.only_via and change.via == (PLANS,)
    assert change.fields == () and change.prompt_diff == ()
    kinds = {(p.kind, p.source) for p in change.knowledge}
    assert kinds == {("removed", PLANS), ("added", PLANS)}
    removed = next(p for p in change.knowledge if p.kind == "removed")
    added = next(p for p in change.knowledge if p.kind == "added")
    assert "within 5 working days" in removed.text and "within 3 working days" in added.text
    assert removed.id != added.id and added.id.startswith(f"{PLANS}#")
    lines = (git_project.root / PLANS).read_text(encoding="utf-8").splitlines()
    assert lines[added.line - 1].startswith("## My recharge failed")
    # the other sections of the file did not change: they are not listed
    assert len(change.knowledge) == 2


def test_a_new_file_matching_the_sources_lists_its_passages(git_project: GitProject) -> None:
    git_project.write("knowledge/stores.md", "# Stores\n\nThe Pune store opens at 9 am.\n")
    git_project.commit("a new knowledge file")
    found = changed(diff_revisions(["HEAD~1", "HEAD"]))
    change = found["support_hi"]
    assert change.via == ("knowledge/stores.md",)
    assert [(p.kind, p.source, p.line) for p in change.knowledge] == [
        ("added", "knowledge/stores.md", 1)]
    assert "Pune store opens at 9 am" in change.knowledge[0].text


def test_a_knowledge_file_no_profile_uses_changes_no_profile(git_project: GitProject) -> None:
    git_project.write("knowledge/notes.txt", "Internal notes, not a source of any profile.\n")
    result = diff_revisions([])
    assert result.changes == ()


def test_turning_rag_on_lists_every_passage_it_brings(git_project: GitProject) -> None:
    git_project.edit("configs/support_hi.yaml", RAG + "\n", "")
    git_project.commit("support_hi without knowledge")
    git_project.edit("configs/support_hi.yaml", "metadata:\n", RAG + "\nmetadata:\n")
    change = changed(diff_revisions([]))["support_hi"]
    assert change.direct and {f.path for f in change.fields} >= {"rag.enabled", "rag.sources"}
    sources = {p.source for p in change.knowledge}
    assert sources == {PLANS, "knowledge/faq_hi.md"}
    assert all(p.kind == "added" for p in change.knowledge)


def test_reports_show_the_passages(git_project: GitProject) -> None:
    git_project.edit(PLANS, "within 5 working days. If it", "within 3 working days. If it")
    runner = CliRunner()
    text = runner.invoke(cli, ["diff"]).stdout
    assert f"~ support_hi  via {PLANS}" in text
    assert f"    knowledge: {PLANS}: 1 passage added, 1 removed" in text
    assert f"      - {PLANS}:" in text and f"      + {PLANS}:" in text
    assert "within 3 working days" in text
    document = json.loads(runner.invoke(cli, ["diff", "--format", "json"]).stdout)
    profile = document["profiles"][0]
    assert {p["kind"] for p in profile["knowledge"]} == {"added", "removed"}
    markdown = runner.invoke(cli, ["diff", "--format", "markdown"]).stdout
    assert "**Knowledge**" in markdown and "within 3 working days" in markdown
