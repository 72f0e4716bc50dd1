"""Split knowledge files into passages: Markdown by headings, then paragraphs; text by paragraphs.

A chunk keeps the 1-based line it starts on and a stable key (the heading's slug, or the
paragraph ordinal in plain text, plus a short hash of the text), so an edit to one section
changes only that section's ids. Sections longer than `MAX_CHUNK_CHARS` are split between
paragraphs, and a paragraph longer than that at sentence ends (`.`, `?`, `!`, `।`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

#: The longest chunk: a few sentences, so the passages handed to the LLM stay focused.
MAX_CHUNK_CHARS = 800

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.?!।॥])\s+")
# Keep letters, digits and the Indic scripts' vowel signs (not "word" characters to `re`).
_NOT_SLUG = re.compile(r"[^\w\u0900-\u0DFF]+")


@dataclass(frozen=True)
class Chunk:
    """One passage of a file, before it is given its source path."""

    key: str  # "<slug or ordinal>-<hash>", unique within its file
    line: int  # 1-based first line
    text: str  # as written in the file
    context: str = ""  # the headings it sits under: searched with it, not shown

    def passage_id(self, source: str) -> str:
        """Its stable id once it belongs to `source`: the index and `diff` both name it so."""
        return f"{source}#{self.key}"


def chunk_file(name: str, text: str) -> list[Chunk]:
    """The chunks of the file called `name` (Markdown when it ends in .md/.markdown)."""
    if name.lower().endswith((".md", ".markdown")):
        return chunk_markdown(text)
    return chunk_text(text)


def chunk_markdown(text: str) -> list[Chunk]:
    """Sections under headings, each split into paragraph groups of at most MAX_CHUNK_CHARS."""
    chunks: list[Chunk] = []
    trail: list[str] = []  # headings above the current section, outermost first
    slug = "intro"
    seen: dict[str, int] = {}
    body: list[tuple[int, str]] = []
    fenced = False

    def flush() -> None:
        if heading_only():
            body.clear()  # its title still reaches the sections under it, as their context
            return
        found = list(_pieces(body))
        for ordinal, (line, piece) in enumerate(found, 1):
            base = slug if len(found) == 1 else f"{slug}-{ordinal}"
            chunks.append(Chunk(_key(base, piece, seen), line, piece, " ".join(trail)))
        body.clear()

    def heading_only() -> bool:
        lines = [line for _, line in body if line.strip()]
        return len(lines) == 1 and _HEADING.match(lines[0]) is not None and bool(trail)

    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is None:
            body.append((number, line))
            continue
        flush()
        level, title = len(heading.group(1)), heading.group(2).strip()
        del trail[level - 1:]
        trail.extend([""] * (level - 1 - len(trail)))
        trail.append(title)
        slug = slugify(title) or "section"
        body.append((number, line))  # the heading is part of its section's first chunk
    flush()
    return chunks


def chunk_text(text: str) -> list[Chunk]:
    """Paragraphs (blank-line separated), grouped up to MAX_CHUNK_CHARS, keyed by ordinal."""
    seen: dict[str, int] = {}
    return [Chunk(_key(f"p{n}", piece, seen), line, piece)
            for n, (line, piece) in enumerate(_pieces(list(enumerate(text.splitlines(), 1))), 1)]


def slugify(title: str) -> str:
    """A heading as an id part: casefolded words joined by dashes; Devanagari kept whole."""
    return _NOT_SLUG.sub("-", title.casefold()).strip("-_")[:48]


def _key(base: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    key = f"{base}-{digest}"
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}-{seen[key]}"  # the same text twice in a file


def _paragraphs(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    start, held = 0, list[str]()
    for number, line in [*lines, (0, "")]:
        if line.strip():
            if not held:
                start = number
            held.append(line.rstrip())
        elif held:
            yield start, "\n".join(held)
            held = []


def _pieces(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Paragraphs grouped up to the cap; a long paragraph split at sentence ends."""
    start, group = 0, ""
    for line, paragraph in _paragraphs(lines):
        for part_line, part in _split_long(line, paragraph):
            if group and len(group) + 2 + len(part) > MAX_CHUNK_CHARS:
                yield start, group
                group = ""
            if not group:
                start = part_line
            group = f"{group}\n\n{part}" if group else part
    if group:
        yield start, group


def _split_long(line: int, paragraph: str) -> Iterator[tuple[int, str]]:
    if len(paragraph) <= MAX_CHUNK_CHARS:
        yield line, paragraph
        return
    piece, at = "", line
    for offset, run in _runs(paragraph):
        if piece and len(piece) + 1 + len(run) > MAX_CHUNK_CHARS:
            yield at, piece
            piece = ""
        if not piece:
            at = line + paragraph.count("\n", 0, offset)
        piece = f"{piece} {run}" if piece else run
    if piece:
        yield at, piece


def _runs(paragraph: str) -> Iterator[tuple[int, str]]:
    """Sentences with their offsets; one longer than the cap cut between words (or anywhere,
    for one huge word)."""
    starts = [0, *(m.end() for m in _SENTENCE_END.finditer(paragraph))]
    for begin, end in zip(starts, [*starts[1:], len(paragraph)], strict=True):
        sentence = paragraph[begin:end].rstrip()
        while len(sentence) > MAX_CHUNK_CHARS:
            cut = sentence.rfind(" ", 0, MAX_CHUNK_CHARS)
            cut = cut if cut > 0 else MAX_CHUNK_CHARS
            yield begin, sentence[:cut]
            rest = sentence[cut:]
            begin += cut + len(rest) - len(rest.lstrip())
            sentence = rest.lstrip()
        if sentence:
            yield begin, sentence
