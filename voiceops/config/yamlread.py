"""Read one YAML file into plain data plus the line:column of every key and value.

We build the data straight from libyaml's event stream instead of `yaml.compose()`:
one pass, and it lets us bound depth and alias expansion (YAML bombs) before anything
recursive runs. Every problem becomes a `Diagnostic`; nothing here raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from voiceops.diagnostics import Diagnostic, make
from voiceops.project.files import RefusedFile, read_bounded

MAX_DEPTH = 64
#: Nodes after alias expansion: a real profile has a few hundred; a bomb has billions.
MAX_NODES = 100_000
#: A scalar also counts as one node per this many characters, so aliases of long text
#: (50 copies of 500 KB) are bounded like aliases of many values: about 10 MB at most.
_CHARS_PER_NODE = 100

Key = tuple[str | int, ...]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_PLAIN_TYPES = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_TEXT_TAGS = {_STR, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}


@dataclass(frozen=True)
class Mark:
    """A 1-based place in a file."""

    path: str
    line: int
    col: int


@dataclass
class Document:
    """Parsed YAML: plain data, and marks for values and keys by their path from the root."""

    path: str
    data: Any
    values: dict[Key, Mark] = field(default_factory=dict)
    keys: dict[Key, Mark] = field(default_factory=dict)


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def read_text(path: Path, shown: str,
              within: Path | None = None) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or a diagnostic saying why it cannot be a profile.

    With `within`, a file that resolves outside that folder is refused unread.
    """
    try:
        raw = read_bounded(path, within=within)
    except RefusedFile as exc:
        return None, [make(exc.code, shown, 1, 1, exc.reason)]
    except OSError as exc:
        return None, [make("VO001", shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, [make("VO001", shown, line, 1, "binary data (NUL byte), not YAML text")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            make("VO001", shown, line, 1, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")
        ]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return None, [
            make("VO002", shown, 1, 1, "file is empty",
                 hint="a profile needs at least `version: 1`")
        ]
    return text, []


def parse(text: str, shown: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse YAML text; the document, or the first syntax or structure problem."""
    builder = _Builder(shown)
    loader = _Loader(text)
    try:
        data = builder.run(loader)
    except _Abort as abort:
        return None, [abort.diagnostic, *builder.diagnostics]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml >= 0.2.5 stops at its own depth limit
            return None, [make("VO101", shown, line, col, f"YAML: {problem}")]
        return None, [make("VO100", shown, line, col, f"YAML syntax: {problem}")]
    except yaml.YAMLError as exc:  # ReaderError: control characters and the like
        first = str(exc).splitlines()[0].rstrip(":")
        return None, [make("VO100", shown, *_reader_position(text, exc), f"YAML: {first}")]
    finally:
        loader.dispose()
    doc = Document(shown, data, builder.values, builder.keys)
    return doc, builder.diagnostics


def _reader_position(text: str, exc: Exception) -> tuple[int, int]:
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return 1, 1
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


class _Builder:
    """Turns parser events into plain data, recording marks and bounding the size."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.values: dict[Key, Mark] = {}
        self.keys: dict[Key, Mark] = {}
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def mark(self, event: Any) -> Mark:
        return Mark(self.shown, event.start_mark.line + 1, event.start_mark.column + 1)

    def fail(self, event: Any, code: str, message: str, hint: str | None = None) -> _Abort:
        m = self.mark(event)
        return _Abort(make(code, self.shown, m.line, m.col, message, hint))

    def run(self, loader: Any) -> Any:
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # DocumentStart
        data, _ = self.node(loader, loader.get_event(), (), 0)
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            raise self.fail(
                loader.peek_event(),
                "VO100",
                "more than one YAML document; a profile is one document",
                hint="remove the `---` separator",
            )
        return data

    def node(self, loader: Any, event: Any, path: Key, depth: int) -> tuple[Any, int]:
        """Build one node; returns its value and its size in nodes (aliases expanded)."""
        if depth > MAX_DEPTH:
            raise self.fail(event, "VO101", f"nesting deeper than {MAX_DEPTH} levels")
        self.values[path] = self.mark(event)
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                # the file is not valid YAML: say where, never quote it (it may not be ours)
                raise self.fail(event, "VO100", "YAML syntax: alias (`*name`) with no anchor "
                                "(`&name`) before it")
            value, size = self.anchors[event.anchor]
            self.count(event, size)
            return value, size
        own = 1  # this node's own weight; a container's children count themselves
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(loader, event)
            size = own = 1 + len(event.value) // _CHARS_PER_NODE
        elif event.tag not in (None, "!", _SEQ, _MAP):
            raise self.fail(event, "VO104", "unsupported YAML tag (`!...`)",
                            hint="profiles use plain YAML values")
        elif isinstance(event, yaml.SequenceStartEvent):
            value, size = self.sequence(loader, path, depth)
        else:
            value, size = self.mapping(loader, event, path, depth)
        self.count(event, own)
        if event.anchor:
            self.anchors[event.anchor] = (value, size)
        return value, size

    def count(self, event: Any, size: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise self.fail(
                event,
                "VO101",
                f"more than {MAX_NODES:,} values (or 10 MB of text) once aliases are "
                "expanded (a YAML bomb?)",
            )

    def scalar(self, loader: Any, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in _TEXT_TAGS:
            return event.value
        if tag in _PLAIN_TYPES:
            return loader.construct_object(yaml.ScalarNode(tag, event.value), deep=True)
        raise self.fail(event, "VO104", "unsupported YAML tag (`!...`)",
                        hint="profiles use plain YAML values")

    def sequence(self, loader: Any, path: Key, depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        size = 0
        while not loader.check_event(yaml.SequenceEndEvent):
            value, n = self.node(loader, loader.get_event(), (*path, len(items)), depth + 1)
            items.append(value)
            size += n
        loader.get_event()
        return items, size + 1

    def mapping(self, loader: Any, start: Any, path: Key, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        size = 0
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.get_event()
            if not isinstance(key_event, yaml.ScalarEvent):
                raise self.fail(key_event, "VO200", "keys must be plain text, not lists or maps")
            key = key_event.value
            is_merge = key == "<<" and key_event.tag in (None, _MERGE) and key_event.implicit[0]
            child = (*path, key)
            if not is_merge:
                if key in result:
                    m = self.mark(key_event)
                    first = self.keys[child]
                    self.diagnostics.append(
                        make(
                            "VO103",
                            self.shown,
                            m.line,
                            m.col,
                            f"duplicate key '{key}' (first at line {first.line}); "
                            "YAML keeps only the last",
                        )
                    )
                self.keys[child] = self.mark(key_event)
            value, n = self.node(loader, loader.get_event(), child, depth + 1)
            size += n
            if is_merge:
                self.merge_into(merged, value, key_event)
            else:
                result[key] = value
        loader.get_event()
        for key, value in merged.items():
            result.setdefault(key, value)
        return result, size + 1

    def merge_into(self, merged: dict[str, Any], value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise self.fail(event, "VO100", "YAML merge key `<<` needs a map or list of maps")
            for key, item in source.items():
                merged.setdefault(key, item)

