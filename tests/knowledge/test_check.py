"""`voiceops validate` checks a profile's knowledge: sources exist, are UTF-8 text inside the
project with something to retrieve; rag.enabled agrees with the sources; key-shaped strings in
knowledge files are warned about; every diagnostic names path:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceops.catalog.sources import offline_catalog
from voiceops.diagnostics import Diagnostic
from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.validation.validator import Validator

ENV = {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "x", "SARVAM_API_KEY": "x",
       "ELEVENLABS_API_KEY": "x", "RETRIEVER_TOKEN": "t0k"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    scaffold(tmp_path)
    monkeypatch.chdir(tmp_path)  # diagnostics show paths relative to the working directory
    folder = tmp_path / "knowledge"
    folder.mkdir(exist_ok=True)
    (folder / "plans.md").write_text("# Plans\n\nThe Basic plan costs ₹199.\n", encoding="utf-8")
    return Project(tmp_path)


def check(project: Project, rag: str) -> list[Diagnostic]:
    """The knowledge diagnostics of a profile extending support_hi with this `rag:` line."""
    path = project.configs / "kb.yaml"
    path.write_text(f"version: 1\nextends: support_hi\n{rag}\n", encoding="utf-8")
    checked = Validator(project, offline_catalog(project), env=ENV).check(path)
    return [d for d in checked.diagnostics if d.code.startswith("VO7") or d.code in (
        "VO001", "VO003", "VO005", "VO321", "VO200", "VO201")]


def places(found: list[Diagnostic]) -> list[tuple[str, str, int, str]]:
    return sorted((d.code, d.path, d.line, d.severity) for d in found)


def test_a_profile_with_good_sources_is_clean(project: Project) -> None:
    assert check(project, "rag: {enabled: true, sources: [knowledge/*.md], top_k: 3, "
                          "max_chars: 1500}") == []


def test_missing_and_outside_sources_are_errors_at_their_line(project: Project) -> None:
    found = check(project, "rag:\n  enabled: true\n  sources:\n    - knowledge/*.md\n"
                           "    - knowledge/nothing/*.md\n    - ../elsewhere/*.md")
    assert places(found) == [("VO701", "configs/kb.yaml", 7, "error"),
                             ("VO702", "configs/kb.yaml", 8, "error")]
    assert "knowledge/nothing/*.md matches no file" in found[0].message


def test_unreadable_files_are_errors_in_the_file(project: Project) -> None:
    folder = project.root / "knowledge"
    (folder / "prices.txt").write_bytes("a\nb\nprix \xe9\n".encode("latin-1"))
    (folder / "blank.txt").write_text("   \n\n", encoding="utf-8")
    (folder / "huge.txt").write_text("word " * 300_000, encoding="utf-8")
    found = check(project, "rag: {enabled: true, sources: [knowledge/*.txt]}")
    assert places(found) == [("VO003", "knowledge/huge.txt", 1, "error"),
                             ("VO703", "knowledge/prices.txt", 3, "error"),
                             ("VO704", "knowledge/blank.txt", 1, "error")]


def test_enabled_and_sources_must_agree(project: Project) -> None:
    assert places(check(project, "rag: {enabled: false, sources: [knowledge/*.md]}")) == [
        ("VO705", "configs/kb.yaml", 3, "warning")]
    assert places(check(project, "rag: {enabled: true, sources: []}")) == [
        ("VO706", "configs/kb.yaml", 3, "warning")]
    assert check(project, "rag: {enabled: true, retriever: {url: 'http://kb.internal/q'}}") \
        == []


def test_a_retriever_token_in_its_headers_is_no_misplaced_credential(project: Project) -> None:
    assert check(project, "rag:\n  enabled: true\n  retriever:\n    url: https://kb.internal/q\n"
                          "    headers: {Authorization: 'Bearer ${RETRIEVER_TOKEN}'}") == []


def test_key_shaped_strings_in_knowledge_files_are_warned_about(project: Project) -> None:
    key = "sk-proj-" + "Ab3" * 12
    (project.root / "knowledge" / "internal.md").write_text(
        f"# Internal\n\nOur test key is {key} for now.\n", encoding="utf-8")
    found = check(project, "rag: {enabled: true, sources: [knowledge/*.md]}")
    assert places(found) == [("VO707", "knowledge/internal.md", 3, "warning")]
    assert found[0].col == len("Our test key is ") + 1
    assert key not in found[0].message and "OpenAI key" in found[0].message
