"""`voiceops validate`'s knowledge checks for one profile: its `rag:` block and the files its
sources name (exist, inside the project, UTF-8 text within the size limit, at least one
passage, no API keys written in them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voiceops.config.loader import LoadedProfile, display_path
from voiceops.config.secrets import key_shapes
from voiceops.diagnostics import Diagnostic, make
from voiceops.knowledge.chunking import chunk_file
from voiceops.knowledge.sources import expand, read_source
from voiceops.knowledge.types import KnowledgeSettings
from voiceops.project import Project


def check_knowledge(project: Project, profile: LoadedProfile,
                    display: Callable[[Path], str] = display_path) -> list[Diagnostic]:
    """Every knowledge problem of `profile`: in the profile (at the `rag` key or the source
    glob at fault) or in the knowledge file (at its line)."""
    rag = profile.data.get("rag")
    if not isinstance(rag, dict):
        return []
    settings = KnowledgeSettings.of(profile.data)
    found: list[Diagnostic] = []
    at_enabled = profile.marks.value(("rag", "enabled") if "enabled" in rag else ("rag",))
    if not settings.enabled and settings.sources:
        found.append(make("VO705", at_enabled.path, at_enabled.line, at_enabled.col,
                          "rag lists sources but rag.enabled is false: nothing is retrieved",
                          "set rag.enabled: true, or remove rag.sources"))
    if settings.enabled and not settings.sources and settings.retriever is None:
        found.append(make("VO706", at_enabled.path, at_enabled.line, at_enabled.col,
                          "rag.enabled is true but there are no sources and no retriever",
                          "list files in rag.sources (e.g. knowledge/*.md) or set "
                          "rag.retriever.url"))
    root = project.root.resolve()
    files: dict[str, None] = {}
    for number, pattern in enumerate(settings.sources):
        mark = profile.marks.value(("rag", "sources", number))
        matched = expand(root, pattern)
        if isinstance(matched, str):
            found.append(make("VO702", mark.path, mark.line, mark.col,
                              f"knowledge source {pattern} {matched}"))
        elif not matched:
            found.append(make("VO701", mark.path, mark.line, mark.col,
                              f"knowledge source {pattern} matches no file",
                              f"create it, or fix the glob (relative to {display(root)})"))
        else:
            files.update(dict.fromkeys(matched))
    for source in files:
        found += _check_file(root, source, display(root / source))
    return found


def _check_file(root: Path, source: str, shown: str) -> list[Diagnostic]:
    read = read_source(root, source)
    if read.problem is not None:
        p = read.problem
        return [make(p.code, shown, p.line, p.col, p.message, p.hint)]
    text = read.text or ""
    found = []
    if not chunk_file(source, text):
        found.append(make("VO704", shown, 1, 1, "knowledge file has no text to retrieve",
                          "write some text in it, or drop it from rag.sources"))
    for what, offset in key_shapes(text):
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        found.append(make("VO707", shown, line, col,
                          f"holds {what}: retrieved passages reach the LLM and the "
                          "session's clients",
                          "remove it from the file; rotate the key if it was ever committed"))
    return found
