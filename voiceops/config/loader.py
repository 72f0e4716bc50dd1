"""Files -> effective profiles: parse, follow `extends:`, merge, interpolate.

Each file is read and parsed once per loader, however many profiles extend it. Every
value of an effective profile can still be traced to the file, line and column it came
from (`Marks`), so a problem inherited from a base profile is reported in the base file.

A profile's chain stays inside the profile's folder (configs/): `extends: ../x` and files
symlinked elsewhere are refused unread, so a profile cannot make voiceops read, and show in
its diagnostics, a file outside the project.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceops.config.interpolate import interpolate
from voiceops.config.merge import deep_merge
from voiceops.config.overlay import overlay_problems, overlay_views
from voiceops.config.phone import drop_inherited_numbers
from voiceops.config.secrets import find_literal_secrets, find_misplaced_credentials
from voiceops.config.yamlread import Document, Key, Mark, parse, read_text
from voiceops.diagnostics import Diagnostic, make
from voiceops.project import TOOLS
from voiceops.project.files import contained
from voiceops.tools.files import include_tools

PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Marks:
    """Where each value of an effective profile came from; the child file wins over bases."""

    chain: tuple[Document, ...]  # overlays, the profile's own file, then its bases
    own: int = 0  # the profile's own file in `chain`: it answers for the profile as a whole

    def value(self, path: Key) -> Mark:
        """The mark of the value at `path`, or of its nearest ancestor that has one."""
        return self._find(path, "values")

    def key(self, path: Key) -> Mark:
        """The mark of the key that names `path` (falls back to the value's mark)."""
        for doc in self.chain:
            if path in doc.keys:
                return doc.keys[path]
        return self.value(path)

    def place(self, path: Key) -> tuple[str, int, int]:
        mark = self.value(path)
        return mark.path, mark.line, mark.col

    def _find(self, path: Key, table: str) -> Mark:
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            for doc in self.chain:
                marks: dict[Key, Mark] = getattr(doc, table)
                if prefix in marks:
                    return marks[prefix]
        own = self.chain[self.own]
        return own.values.get((), Mark(own.path, 1, 1))


@dataclass(frozen=True)
class LoadedProfile:
    """A profile after extends and interpolation, not yet checked."""

    name: str
    path: str  # as shown to the user
    data: dict[str, Any]
    marks: Marks
    abstract: bool


def profile_name(path: Path) -> str:
    return path.stem


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class ProfileLoader:
    """Loads profiles, caching parsed files so shared bases are read once per run."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        display: Callable[[Path], str] = display_path,
        overlay: Path | None = None,
    ) -> None:
        self.env = os.environ if env is None else env
        self.display = display
        self.overlay = overlay  # an environment overlay laid over every profile
        self._documents: dict[str, tuple[Document | None, list[Diagnostic]]] = {}
        #: The text of every file read, by absolute path: exactly what the profiles are made
        #: of (the runner names a config version by it; a second read could differ).
        self.texts: dict[str, str] = {}

    def document(self, path: Path,
                 within: Path | None = None) -> tuple[Document | None, list[Diagnostic]]:
        """One file parsed (cached), with its syntax and literal-secret diagnostics; refused
        unread when it resolves outside `within` (default: the folder it is in)."""
        folder = _folder(path) if within is None else within
        key = f"{_key(path)}\0{_key(folder)}"
        if key not in self._documents:
            self._documents[key] = self._read(path, folder)
        return self._documents[key]

    def _read(self, path: Path, within: Path) -> tuple[Document | None, list[Diagnostic]]:
        shown = self.display(path)
        text, problems = read_text(path, shown, within)
        if text is None:
            return None, problems
        self.texts[_key(path)] = text
        doc, problems = parse(text, shown)
        if doc is None:
            return None, problems
        if not isinstance(doc.data, dict):
            kind = "empty document" if doc.data is None else type(doc.data).__name__
            mark = doc.values.get((), Mark(shown, 1, 1))
            problems.append(make("VO102", shown, mark.line, mark.col,
                                 f"a profile is a map of keys (version, llm, tts, ...), "
                                 f"not a {kind}"))
            return None, problems
        return doc, problems + find_literal_secrets(doc) + find_misplaced_credentials(doc)

    def load(self, path: Path) -> tuple[LoadedProfile | None, list[Diagnostic]]:
        """The effective profile of `path`, or None when a file in its chain is unreadable."""
        root = _folder(path)  # every file of the chain must be in here
        doc, diagnostics = self.document(path, root)
        if doc is None:
            return None, list(diagnostics)
        diagnostics = list(diagnostics)
        chain = [doc]
        seen = {_key(path): profile_name(path)}
        current, current_path = doc, path
        while isinstance(current.data.get("extends"), str):
            parent_name: str = current.data["extends"]
            mark = current.values.get(("extends",), Mark(current.path, 1, 1))
            if not contained(current_path.parent / parent_name, root):
                # refused before looking: whether a file exists out there is not ours to say
                diagnostics.append(make("VO004", mark.path, mark.line, mark.col,
                                        f"extends: '{parent_name}' leads outside "
                                        f"{self.display(root)}/",
                                        "extend a profile in the same folder, by its name"))
                break
            parent_path = _sibling(current_path, parent_name)
            if parent_path is None:
                diagnostics.append(self._missing_parent(current_path, parent_name, mark))
                break
            if _key(parent_path) in seen:
                cycle = " -> ".join([*seen.values(), parent_name])
                diagnostics.append(make("VO301", mark.path, mark.line, mark.col,
                                        f"extends cycle: {cycle}",
                                        "remove `extends:` from one of these profiles"))
                break
            seen[_key(parent_path)] = parent_name
            parent, problems = self.document(parent_path, root)
            diagnostics.extend(problems)
            if parent is None:
                diagnostics.append(make("VO300", mark.path, mark.line, mark.col,
                                        f"extends: {parent_name} cannot be loaded",
                                        f"fix {self.display(parent_path)} first"))
                return None, diagnostics
            chain.append(parent)
            current, current_path = parent, parent_path

        if self.overlay is not None:
            layer, problems = self.document(self.overlay)  # inside configs/env/ only
            diagnostics.extend(problems)
            if layer is not None:
                diagnostics.extend(overlay_problems(layer))
                chain[:0] = overlay_views(layer, profile_name(path))
        data: dict[str, Any] = {}
        for source in reversed(chain):
            data = deep_merge(data, source.data)
        if not isinstance(current.data.get("extends"), str):
            # Complete chain: the result stands alone. A broken chain keeps `extends`, so
            # the schema does not also demand what the missing parent would have given.
            data.pop("extends", None)
        if "abstract" not in doc.data:
            data.pop("abstract", None)  # `abstract` describes a file, not what inherits from it
        data = drop_inherited_numbers(data, chain[: chain.index(doc) + 1])  # one profile each
        data, views, problems = include_tools(data, chain, root.parent / TOOLS,
                                              lambda p: self.document(p, root.parent / TOOLS))
        diagnostics.extend(problems)
        chain[:0] = views  # the tools of shared files, each located in its own file
        marks = Marks(tuple(chain), chain.index(doc))
        data, problems = interpolate(data, self.env, marks.place)
        diagnostics.extend(problems)
        abstract = doc.data.get("abstract") is True
        return LoadedProfile(profile_name(path), doc.path, data, marks, abstract), diagnostics

    def _missing_parent(self, child: Path, name: str, mark: Mark) -> Diagnostic:
        names = sorted(profile_name(p) for p in profile_files(child.parent))
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else (
            f"profiles here: {', '.join(names)}" if names else None)
        return make("VO300", mark.path, mark.line, mark.col,
                    f"extends: no profile '{name}' in {self.display(child.parent)}/", hint)


def _key(path: Path) -> str:
    """A cache key for a file: absolute, but without `resolve()`'s syscall per component."""
    return os.path.abspath(path)


def _folder(path: Path) -> Path:
    """The folder `path` is in, as written (a symlinked file does not move its folder)."""
    return Path(os.path.abspath(path)).parent


def _sibling(path: Path, name: str) -> Path | None:
    for suffix in PROFILE_SUFFIXES:
        candidate = path.parent / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def profile_files(directory: Path) -> list[Path]:
    """The profile files directly in `directory`, sorted (subfolders hold overlays)."""
    try:
        return sorted(p for p in directory.iterdir()
                      if p.suffix in PROFILE_SUFFIXES and not p.name.startswith("."))
    except OSError:
        return []
