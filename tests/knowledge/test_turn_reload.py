"""Knowledge and the config version (issue 14, item 2's runtime side): the index is built with
the version, a knowledge edit is a new version that hot reload puts live for new sessions
(the old session keeps its own), and a broken source rejects the build while the last good
version stays live."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.knowledge.test_turn import CONTEXT_HEAD
from tests.server.conftest import MakeClient, make_client, project, sims  # noqa: F401
from tests.server.wsclient import frames_until, greeted, say
from voiceops.knowledge import base as knowledge_base
from voiceops.knowledge.chunking import Chunk
from voiceops.project import Project
from voiceops.runtime import reloader as reloader_module
from voiceops.runtime.config import BuildResult, build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.runtime.reloader import Reloader
from voiceops.server.state import Settings
from voiceops.sim.stack import SimStack

FAQ = "knowledge/faq_hi.md"
NEW_SECTION = ("\n## eSIM कैसे लें?\n\neSIM के लिए Acme ऐप में \"eSIM\" विकल्प चुनें और अपना "
               "ईमेल पता डालें; QR कोड 2 घंटे में ईमेल पर आ जाता है।\n")
QUESTION = "मुझे eSIM चाहिए, QR कोड कैसे मिलेगा?"


def until(condition: Callable[[], bool], what: str, deadline_s: float = 30.0) -> None:
    """Poll `condition` until it holds (a generous deadline: no timing claims)."""
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def last_context(stack: SimStack) -> str:
    messages = stack.openai_state.last("/v1/chat/completions").body["messages"]
    found = [m["content"] for m in messages if m["content"].startswith(CONTEXT_HEAD)]
    return found[-1] if found else ""


def test_a_knowledge_edit_goes_live_for_new_sessions_and_the_old_keeps_its_own(
        make_client: MakeClient, sims: SimStack, project: Project) -> None:  # noqa: F811
    sims.reset()
    client: TestClient = make_client(Settings(default_profile="support_hi", reload=True))
    runner = client.app.state.runner  # type: ignore[attr-defined]
    until(lambda: client.app.state.reloader.watching, "the reloader to watch")  # type: ignore[attr-defined]
    with greeted(client) as old:
        faq = project.root / FAQ
        faq.write_text(faq.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
        until(lambda: runner.registry.current.number == 2, "the knowledge edit to go live")
        with greeted(client) as fresh:
            say(fresh, QUESTION)
            frames, _ = frames_until(fresh, "turn.metrics")
        assert "QR कोड 2 घंटे में ईमेल पर आ जाता है" in last_context(sims)
        best = frames[0]["passages"][0]
        assert best["source"] == FAQ and best["line"] >= 20  # the new, last section
        say(old, QUESTION)
        frames_until(old, "turn.metrics")
        assert "QR कोड" not in last_context(sims)  # the old session's index has no eSIM


def test_a_knowledge_only_edit_is_a_new_version(project: Project) -> None:  # noqa: F811
    first = build_version(project, 1).version
    assert first is not None and first.knowledge is not None
    faq = project.root / FAQ
    faq.write_text(faq.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
    second = build_version(project, 2, previous=first).version
    assert second is not None and second.digest != first.digest
    assert FAQ in second.files
    found = second.knowledge.search(("knowledge/*.md",), QUESTION, 3, 1500)
    assert found and "QR कोड" in found[0].text
    assert not any("QR कोड" in p.text for p in first.knowledge.search(
        ("knowledge/*.md",), QUESTION, 3, 1500))


def test_a_rebuild_chunks_only_the_files_that_changed(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    first = build_version(project, 1, knowledge_cache=tmp_path / "a").version
    assert first is not None
    chunked: list[str] = []
    real = knowledge_base.chunk_file

    def counted(name: str, text: str) -> list[Chunk]:
        chunked.append(name)
        return real(name, text)

    monkeypatch.setattr(knowledge_base, "chunk_file", counted)
    faq = project.root / FAQ
    faq.write_text(faq.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
    # an empty cache folder: only the previous version's index can spare the work
    second = build_version(project, 2, previous=first, knowledge_cache=tmp_path / "b").version
    assert second is not None and second.knowledge is not None
    assert chunked == [FAQ]
    assert second.knowledge.search(("knowledge/*.md",), "failed recharge refund", 1, 1500)


def test_the_reloader_builds_from_the_live_version(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    previous: list[object] = []

    def spy(*args: Any, **kwargs: Any) -> BuildResult:
        previous.append(kwargs.get("previous"))
        return build_version(*args, **kwargs)

    monkeypatch.setattr(reloader_module, "build_version", spy)
    live = build_version(project, 1).version
    assert live is not None
    registry = LiveRegistry(live)
    faq = project.root / FAQ
    faq.write_text(faq.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")

    async def reload() -> bool:
        return await Reloader(project, registry).reload([FAQ])

    assert asyncio.run(reload())
    assert previous == [live] and registry.current.number == 2


def test_a_broken_source_rejects_the_build_and_the_last_good_version_stays(
        project: Project) -> None:  # noqa: F811
    good = build_version(project, 1).version
    assert good is not None
    registry = LiveRegistry(good)
    (project.root / FAQ).write_bytes(b"# FAQ\n\n\xff\xfe not UTF-8 \xc3\x28\n")
    build = build_version(project, 2, previous=good)
    assert build.version is None
    errors = [d for d in build.diagnostics if d.severity == "error"]
    assert errors and errors[0].path.endswith(FAQ), [d.format() for d in build.diagnostics]
    assert errors[0].code == "VO703" and errors[0].line == 3  # where the bad byte is
    assert not registry.offer(build)
    assert registry.current is good and registry.last_rejection is not None
    assert good.knowledge.search(("knowledge/*.md",), "सिम कार्ड खो", 3, 1500)


def test_a_profile_without_rag_needs_no_index(project: Project) -> None:  # noqa: F811
    for name in ("support_hi.yaml",):
        path = project.configs / name
        path.write_text(path.read_text(encoding="utf-8").replace(
            "rag: {enabled: true, sources: [knowledge/*.md], top_k: 3, max_chars: 1500}\n", ""),
            encoding="utf-8")
    (project.root / FAQ).write_bytes(b"\xff\xfe not UTF-8")  # nobody uses it: no error
    version = build_version(project, 1).version
    assert version is not None


@pytest.mark.parametrize("overlay", ["prod"])
def test_an_overlay_and_extends_apply_to_rag(project: Project, overlay: str) -> None:  # noqa: F811
    # extends: support_hi's rag merges over base's `rag: {enabled: false}`
    version = build_version(project, 1).version
    assert version is not None
    assert dict(version.profiles["support_hi"].data["rag"]) == {
        "enabled": True, "sources": ["knowledge/*.md"], "top_k": 3, "max_chars": 1500}
    # an environment overlay changes rag like any block
    env = project.configs / "env"
    env.mkdir(exist_ok=True)
    (env / f"{overlay}.yaml").write_text(
        "version: 1\nprofiles:\n  support_hi:\n    rag: {top_k: 1}\n", encoding="utf-8")
    layered = build_version(project, 1, overlay).version
    assert layered is not None
    assert layered.profiles["support_hi"].data["rag"]["top_k"] == 1
    assert layered.profiles["support_hi"].data["rag"]["sources"] == ["knowledge/*.md"]
