"""The knowledge side of a diff: which files a profile's `rag.sources` match in one tree, and
the passages they hold there, chunked exactly as the runtime indexes them (same chunker, same
ids), without building an index.

A passage's id carries a hash of its text, so an edited passage is one removed and one added;
untouched sections keep their ids and are not listed.
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path

from voiceops.knowledge import Passage
from voiceops.knowledge.chunking import chunk_file
from voiceops.knowledge.sources import expand, read_source

__all__ = ["TreeKnowledge", "is_pattern"]


def is_pattern(source: str) -> bool:
    """True for a glob (`knowledge/*.md`), False for one file (`knowledge/faq.txt`)."""
    return glob.has_magic(source)


class TreeKnowledge:
    """The knowledge files of one tree, matched and chunked on demand, each once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._matched: dict[str, tuple[str, ...]] = {}
        self._passages: dict[str, tuple[Passage, ...]] = {}

    def files(self, pattern: str) -> tuple[str, ...]:
        """The project-relative files `pattern` matches in this tree (none when unusable:
        validation reports why)."""
        if pattern not in self._matched:
            found = expand(self.root, pattern)
            self._matched[pattern] = tuple(found) if isinstance(found, list) else ()
        return self._matched[pattern]

    def listing_digest(self, pattern: str) -> str:
        """A hash of which files `pattern` matches: a file appearing or going changes it."""
        return hashlib.blake2b("\0".join(self.files(pattern)).encode(),
                               digest_size=16).hexdigest()

    def passages(self, patterns: tuple[str, ...]) -> dict[str, Passage]:
        """Every passage of the files `patterns` match, by id, in file and line order."""
        found: dict[str, Passage] = {}
        for source in sorted({f for p in patterns for f in self.files(p)}):
            found.update((p.id, p) for p in self._chunks(source))
        return found

    def _chunks(self, source: str) -> tuple[Passage, ...]:
        if source not in self._passages:
            read = read_source(self.root, source)
            chunks = chunk_file(source, read.text) if read.text is not None else []
            self._passages[source] = tuple(
                Passage(c.passage_id(source), source, c.line, 0.0, c.text) for c in chunks)
        return self._passages[source]
