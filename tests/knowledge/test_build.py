"""build_knowledge: every enabled profile's sources indexed, incrementally by file hash, cached
on disk, broken sources as diagnostics, never a file outside the project."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from voiceops.knowledge import KnowledgeBase, build_knowledge
from voiceops.knowledge import base as base_module
from voiceops.project import Project

PLANS = """# Plans

## Basic 199

The Basic 199 plan costs ₹199 and is valid for 28 days.

## Family 999

The Family 999 plan costs ₹999 a month for up to four SIM cards.
"""
FAQ_HI = """## सिम कार्ड खो जाए तो क्या करें?

सिम कार्ड खो जाने पर तुरंत 198 पर कॉल करके अपना नंबर ब्लॉक करवाएं।
"""


def profile(*sources: str, enabled: bool = True) -> dict[str, Any]:
    return {"version": 1, "rag": {"enabled": enabled, "sources": list(sources)}}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    (root / "knowledge").mkdir(parents=True)
    (root / "knowledge" / "plans.md").write_text(PLANS, encoding="utf-8")
    (root / "knowledge" / "faq_hi.md").write_text(FAQ_HI, encoding="utf-8")
    return Project(root)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files chunked (not taken from a previous build or the cache)."""
    names: list[str] = []
    real = base_module.chunk_file

    def spy(name: str, text: str) -> Any:
        names.append(name)
        return real(name, text)

    monkeypatch.setattr(base_module, "chunk_file", spy)
    return names


def test_sources_of_enabled_profiles_are_indexed_with_lines(project: Project,
                                                            cache: Path) -> None:
    kb, found = build_knowledge(project, {"a": profile("knowledge/*.md"),
                                          "b": profile("knowledge/other/*.md", enabled=False)},
                                cache_dir=cache)
    assert found == []
    best = kb.search(("knowledge/*.md",), "how much is the family plan", 1, 1500)[0]
    assert (best.source, best.line) == ("knowledge/plans.md", 7)
    assert best.id.startswith("knowledge/plans.md#family-999-")
    hindi = kb.search(("knowledge/faq_hi.md",), "सिम कार्ड खो गया", 3, 1500)
    assert [p.source for p in hindi] == ["knowledge/faq_hi.md"]
    assert set(kb.files) == {"knowledge/plans.md", "knowledge/faq_hi.md"}


def test_search_respects_top_k_and_max_chars(project: Project, cache: Path) -> None:
    kb, _ = build_knowledge(project, {"a": profile("knowledge/*.md")}, cache_dir=cache)
    assert len(kb.search(("knowledge/*.md",), "plan costs month", 1, 1500)) == 1
    two = kb.search(("knowledge/*.md",), "plan costs month", 5, 1500)
    cut = kb.search(("knowledge/*.md",), "plan costs month", 5, 40)
    assert len(two) >= 2
    assert len(cut) == 1 and len(cut[0].text) <= 40 and two[0].text.startswith(cut[0].text)


def test_only_the_changed_file_is_chunked_again(project: Project, cache: Path,
                                                chunked: list[str]) -> None:
    profiles = {"a": profile("knowledge/*.md")}
    first, _ = build_knowledge(project, profiles, cache_dir=cache)
    assert sorted(chunked) == ["knowledge/faq_hi.md", "knowledge/plans.md"]
    chunked.clear()
    (project.root / "knowledge" / "plans.md").write_text(
        PLANS.replace("₹999", "₹1099"), encoding="utf-8")
    second, _ = build_knowledge(project, profiles, previous=first, cache_dir=cache)
    assert chunked == ["knowledge/plans.md"]
    assert "₹1099" in second.search(("knowledge/*.md",), "family plan", 1, 1500)[0].text
    # the previous version, still serving older sessions, is untouched
    assert "₹999 " in first.search(("knowledge/*.md",), "family plan", 1, 1500)[0].text
    chunked.clear()
    (project.root / "knowledge" / "faq_hi.md").unlink()
    third, _ = build_knowledge(project, profiles, previous=second, cache_dir=cache)
    assert chunked == [] and set(third.files) == {"knowledge/plans.md"}
    assert {p.source for p in third.search(("knowledge/*.md",), "सिम कार्ड", 3, 1500)} <= {
        "knowledge/plans.md"}


def test_a_fresh_start_takes_the_index_saved_on_disk(project: Project, cache: Path,
                                                     chunked: list[str]) -> None:
    profiles = {"a": profile("knowledge/*.md")}
    build_knowledge(project, profiles, cache_dir=cache)
    chunked.clear()
    kb, found = build_knowledge(project, profiles, cache_dir=cache)
    assert chunked == [] and found == []
    assert kb.search(("knowledge/*.md",), "basic plan", 1, 1500)[0].line == 3


def test_a_corrupt_cache_is_rebuilt(project: Project, cache: Path) -> None:
    profiles = {"a": profile("knowledge/*.md")}
    build_knowledge(project, profiles, cache_dir=cache)
    for saved in cache.iterdir():
        saved.write_bytes(b"not a database" * 100)
    kb, found = build_knowledge(project, profiles, cache_dir=cache)
    assert found == [] and len(kb) > 0


def test_concurrent_builds_leave_a_usable_cache(project: Project, cache: Path) -> None:
    profiles = {"a": profile("knowledge/*.md")}
    results: list[KnowledgeBase] = []
    threads = [threading.Thread(target=lambda: results.append(
        build_knowledge(project, profiles, cache_dir=cache)[0])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(len(kb) == len(results[0]) for kb in results)
    assert [p.name for p in cache.iterdir()] == [next(cache.iterdir()).name]  # no temp files
    again, _ = build_knowledge(project, profiles, cache_dir=cache)
    assert len(again) == len(results[0])


def codes(found: list[Any]) -> list[tuple[str, str, int]]:
    return [(d.code, d.path, d.line) for d in found]


def test_broken_sources_are_diagnostics(project: Project, cache: Path, tmp_path: Path) -> None:
    folder = project.root / "knowledge"
    (folder / "latin1.txt").write_bytes("line one\nprix: 5 \xe9uros\n".encode("latin-1"))
    (folder / "empty.txt").write_text("\n\n", encoding="utf-8")
    (tmp_path / "secret.md").write_text("outside", encoding="utf-8")
    (folder / "link.md").symlink_to(tmp_path / "secret.md")
    kb, found = build_knowledge(project, {"a": profile(
        "knowledge/*.txt", "knowledge/link.md", "knowledge/none/*.md", "../*.md",
        "/etc/*.conf")}, cache_dir=cache)
    assert sorted(codes(found)) == [
        ("VO701", "knowledge/none/*.md", 1),
        ("VO702", "../*.md", 1),
        ("VO702", "/etc/*.conf", 1),
        ("VO702", "knowledge/link.md", 1),
        ("VO703", "knowledge/latin1.txt", 2),
        ("VO704", "knowledge/empty.txt", 1),
    ]
    assert kb.search(("knowledge/link.md",), "outside", 3, 1500) == []
