"""A project's knowledge, built: which files each glob matched, and their searchable index.

`build_knowledge` runs off the event loop (the runtime calls it in its reload thread). It
reads each file named by an enabled profile, and re-chunks only files whose digest changed
since `previous` (or since the index saved on disk by the last build of this project); the
result is saved atomically next to the catalog cache, so a restart starts warm and two
builds at once never leave a torn file.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from voiceops.diagnostics import Diagnostic, make
from voiceops.knowledge.chunking import chunk_file
from voiceops.knowledge.index import Index, Row
from voiceops.knowledge.sources import expand, read_source
from voiceops.knowledge.types import KnowledgeSettings, Passage
from voiceops.project import Project


class KnowledgeBase:
    """The built index of one config version (all profiles' sources); immutable once built."""

    def __init__(self, index: Index, globs: Mapping[str, tuple[str, ...]]) -> None:
        self._index = index
        self.globs = dict(globs)  # each source glob -> the files it matched
        self.files = index.digests()  # project-relative path -> sha256 of its bytes

    def search(self, sources: tuple[str, ...], query: str, top_k: int,
               max_chars: int) -> list[Passage]:
        """The best passages for `query` among the files `sources` (globs) match: at most
        `top_k` of them and `max_chars` characters of text in all (the first one cut to fit)."""
        files = self.matching(sources)
        if not files:
            return []
        found = self._index.search(query, top_k, None if len(files) == len(self.files)
                                   else sorted(files))
        return fit(found, max_chars)

    def matching(self, sources: tuple[str, ...]) -> set[str]:
        """The indexed files the globs `sources` match."""
        files: set[str] = set()
        for pattern in sources:
            known = self.globs.get(pattern)
            files.update(known if known is not None else
                         (f for f in self.files if fnmatch.fnmatchcase(f, pattern)))
        return files

    def passages(self, source: str) -> list[Passage]:
        """Every passage of one file, in order (score 0): what `voiceops diff` compares."""
        return [Passage(r.id, r.source, r.line, 0.0, r.text) for r in self._index.rows(source)]

    def __len__(self) -> int:
        return self._index.count()


def fit(passages: Sequence[Passage], max_chars: int) -> list[Passage]:
    """The passages, best first, that fit in `max_chars` characters of text in all (the
    first one always, cut at a word to fit): what a turn hands the LLM, whoever found them."""
    kept: list[Passage] = []
    left = max_chars
    for passage in passages:
        if len(passage.text) > left:
            if not kept:  # always give the best one, cut at a word
                cut = passage.text[:left].rsplit(maxsplit=1)[0] if left > 0 else ""
                kept.append(Passage(passage.id, passage.source, passage.line,
                                    passage.score, cut))
            break
        kept.append(passage)
        left -= len(passage.text)
    return kept


def default_cache_dir() -> Path:
    """Beside the catalog cache: the user's cache folder, `knowledge/`."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("voiceops")) / "knowledge"


def build_knowledge(project: Project, profiles: Mapping[str, Mapping[str, Any]],
                    previous: KnowledgeBase | None = None,
                    cache_dir: Path | None = None) -> tuple[KnowledgeBase, list[Diagnostic]]:
    """The index of every source any enabled profile in `profiles` (name -> effective data)
    names, built incrementally from `previous` or the on-disk cache; a broken source is a
    diagnostic (path:line), never an exception."""
    root = project.root.resolve()
    patterns = list(dict.fromkeys(
        s for data in profiles.values() for s in KnowledgeSettings.of(data).searched))
    found: list[Diagnostic] = []
    globs: dict[str, tuple[str, ...]] = {}
    for pattern in patterns:
        matched = expand(root, pattern)
        if isinstance(matched, str):
            found.append(make("VO702", pattern, 1, 1, f"knowledge source {pattern} {matched}"))
        elif not matched:
            found.append(make("VO701", pattern, 1, 1,
                              f"knowledge source {pattern} matches no file"))
        globs[pattern] = tuple(matched) if isinstance(matched, list) else ()
    cache = (cache_dir or default_cache_dir()) / f"{_project_key(root)}.sqlite3"
    base = previous._index if previous is not None else Index.load(cache)
    old = base.digests() if base is not None else {}
    digests: dict[str, str] = {}
    added: list[Row] = []
    for source in sorted({f for files in globs.values() for f in files}):
        read = read_source(root, source)
        if read.problem is not None:
            found.append(read.problem)
            continue
        digests[source] = read.digest
        if old.get(source) == read.digest:
            continue
        rows = [Row(c.passage_id(source), source, c.line, c.text, c.context)
                for c in chunk_file(source, read.text or "")]
        if not rows:
            found.append(make("VO704", source, 1, 1, "knowledge file has no text to retrieve",
                              "write some text in it, or drop it from rag.sources"))
        added += rows
    changed = [s for s in old if digests.get(s) != old[s]]
    if base is not None and not changed and not added:
        index = base  # nothing changed: share it (it is never written to again)
    else:
        index = base.copy() if base is not None else Index()
        index.replace(digests, changed, added)
        _save(index, cache)
    return KnowledgeBase(index, globs), found




def _project_key(root: Path) -> str:
    return hashlib.sha256(str(root).encode()).hexdigest()[:16]


def _save(index: Index, path: Path) -> None:
    # a read-only cache folder costs the next start its warm index, nothing more
    with contextlib.suppress(OSError, sqlite3.Error):
        index.save(path)
