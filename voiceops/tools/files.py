"""Shared tools files: `tools/<name>.yaml`, named in a profile's `tools:` list.

    # tools/booking.yaml                    # configs/appointments_en.yaml
    tools:                                  tools:
      - name: check_availability              - booking          # every tool of the file
        description: ...                      - builtin: end_call
        http: {url: ...}

A name in the list stands for every entry of that file, in its order; the effective profile
holds the entries themselves, so the schema, the checks, `render`, `diff` and the runtime see
one list of tools. Each entry keeps its own file, line and column: a bad URL in a shared file
is reported in that file (`include_tools` returns re-rooted views of the documents for the
profile's `Marks`). The files are read like profiles: bounded, inside `tools/`, literal keys
refused (VO320).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from voiceops.config.yamlread import Document, Key, Mark
from voiceops.diagnostics import Diagnostic, make
from voiceops.suggest import did_you_mean

__all__ = ["FILE_KEYS", "TOOLS_SUFFIX", "include_tools", "tool_file_names"]

TOOLS_SUFFIX = ".yaml"
#: The keys a tools file may have.
FILE_KEYS = ("$schema", "description", "tools")

#: Reads one tools file (cached by the loader), with its syntax and secret diagnostics.
ReadDocument = Callable[[Path], tuple[Document | None, list[Diagnostic]]]


def tool_file_names(folder: Path) -> list[str]:
    """The names of the tools files in `folder`, sorted (for "did you mean")."""
    try:
        return sorted(p.stem for p in folder.iterdir()
                      if p.suffix == TOOLS_SUFFIX and not p.name.startswith("."))
    except OSError:
        return []


def include_tools(data: dict[str, Any], chain: list[Document], folder: Path,
                  read: ReadDocument) -> tuple[dict[str, Any], list[Document], list[Diagnostic]]:
    """`data` with each name in its `tools:` list replaced by the tools of `folder/<name>.yaml`,
    the documents that locate every resulting entry (to put before `chain`), and what went
    wrong (an unknown file is dropped from the list, reported where it is named)."""
    tools = data.get("tools")
    if not isinstance(tools, list) or not any(isinstance(e, str) for e in tools):
        return data, [], []
    source = _source(tools, chain)
    resolved: list[Any] = []
    views: list[Document] = []
    found: list[Diagnostic] = []
    own = Document(source.path, None)
    for index, entry in enumerate(tools):
        if not isinstance(entry, str):
            _move(source, ("tools", index), own, ("tools", len(resolved)))
            resolved.append(entry)
            continue
        mark = source.values.get(("tools", index), Mark(source.path, 1, 1))
        doc, problems = _read(folder, entry, mark, read)
        found += problems
        if doc is None:
            continue
        view = Document(doc.path, None)
        for number, tool in enumerate(doc.data["tools"]):
            if isinstance(tool, str):
                at = doc.values.get(("tools", number), Mark(doc.path, 1, 1))
                found.append(make("VO200", at.path, at.line, at.col,
                                  f"tools[{number}]: a tools file cannot name another "
                                  f"('{tool}')", "name both files in the profile's tools:"))
                continue
            _move(doc, ("tools", number), view, ("tools", len(resolved)))
            resolved.append(tool)
        views.append(view)
    own.values[("tools",)] = source.values.get(("tools",), Mark(source.path, 1, 1))
    for view in (own, *views):
        view.data = {"tools": resolved}
    return {**data, "tools": resolved}, [own, *views], found


def _source(tools: list[Any], chain: list[Document]) -> Document:
    """The document whose `tools:` list the merge kept (the first in the chain to set it)."""
    having = [d for d in chain if isinstance(d.data, dict) and "tools" in d.data]
    return next((d for d in having if d.data["tools"] is tools), having[0])


def _read(folder: Path, name: str, mark: Mark,
          read: ReadDocument) -> tuple[Document | None, list[Diagnostic]]:
    path = folder / f"{name}{TOOLS_SUFFIX}"
    if not path.is_file():
        known = tool_file_names(folder)
        hint = did_you_mean(name, known) or (
            f"create tools/{name}{TOOLS_SUFFIX} with a tools: list, or declare the tool "
            "here as a map (name, description, http)")
        return None, [make("VO900", mark.path, mark.line, mark.col,
                           f"tools: no tools file '{name}' (tools/{name}{TOOLS_SUFFIX})", hint)]
    doc, problems = read(path)
    if doc is None:
        return None, [*problems, make("VO900", mark.path, mark.line, mark.col,
                                      f"tools: tools/{name}{TOOLS_SUFFIX} cannot be loaded",
                                      f"fix tools/{name}{TOOLS_SUFFIX} first")]
    problems = [*problems, *_shape(doc)]
    if not isinstance(doc.data.get("tools"), list):
        return None, problems
    return doc, problems


def _shape(doc: Document) -> list[Diagnostic]:
    """A tools file is a map with a `tools:` list (and maybe a description)."""
    found = []
    for key in doc.data:
        if key not in FILE_KEYS:
            at = doc.keys.get((key,), Mark(doc.path, 1, 1))
            found.append(make("VO201", at.path, at.line, at.col,
                              f"unknown key '{key}' in a tools file",
                              did_you_mean(str(key), FILE_KEYS) or "a tools file holds tools:"))
    if not isinstance(doc.data.get("tools"), list):
        at = doc.values.get(("tools",), Mark(doc.path, 1, 1))
        found.append(make("VO200", at.path, at.line, at.col,
                          "a tools file needs a tools: list of tool entries",
                          "write tools: followed by entries such as - name: check_availability"))
    return found


def _move(doc: Document, prefix: Key, view: Document, to: Key) -> None:
    """Copy the marks of `doc` under `prefix` into `view`, under `to` instead."""
    size = len(prefix)
    for table, into in ((doc.values, view.values), (doc.keys, view.keys)):
        for key, mark in table.items():
            if key[:size] == prefix:
                into[(*to, *key[size:])] = mark
