"""Find and read a profile's knowledge files: globs relative to the project root, read
bounded, inside the project only, as UTF-8 text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from voiceops.diagnostics import Diagnostic, make
from voiceops.project.files import RefusedFile, read_bounded

#: The largest knowledge file read (the same bound as every project file).
MAX_FILE_BYTES = 1024 * 1024


def expand(root: Path, pattern: str) -> list[str] | str:
    """The files `pattern` matches under `root` (project-relative POSIX paths, sorted), or why
    it cannot be used: absolute, or reaching out of the project with `..`."""
    pure = PurePosixPath(pattern)
    if pure.is_absolute() or Path(pattern).is_absolute() or pattern.startswith("~"):
        return "is absolute; sources are globs relative to the project root"
    if ".." in pure.parts:
        return "leads outside the project (`..`); knowledge files live inside it"
    try:
        found = sorted({p.relative_to(root).as_posix() for p in root.glob(pattern)
                        if p.is_file() and not p.name.startswith(".")})
    except (ValueError, OSError) as exc:  # an invalid pattern such as "**x"
        return f"is not a usable glob ({exc})"
    return found


@dataclass(frozen=True)
class Read:
    """A knowledge file read: its text and digest, or the diagnostic saying why not."""

    source: str
    text: str | None
    digest: str = ""
    problem: Diagnostic | None = None


def read_source(root: Path, source: str) -> Read:
    """The text of the project file `source` (relative to `root`), refused when it resolves
    outside the project, is not a regular file, is too large or is not UTF-8 text."""
    try:
        raw = read_bounded(root / source, within=root, limit=MAX_FILE_BYTES)
    except RefusedFile as exc:
        code = "VO702" if exc.code == "VO004" else exc.code
        reason = "leads outside the project (through a symlink); knowledge files live " \
            "inside it" if exc.code == "VO004" else exc.reason
        return Read(source, None, problem=make(code, source, 1, 1, reason))
    except OSError as exc:
        return Read(source, None, problem=make("VO001", source, 1, 1,
                                               f"cannot read file: {exc.strerror or exc}"))
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return Read(source, None, problem=make("VO703", source, line, 1,
                                               "binary data (NUL byte), not text"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Read(source, None, problem=make(
            "VO703", source, line, 1, f"not UTF-8 text (byte {raw[exc.start]:#04x})",
            "save the file as UTF-8; knowledge files are Markdown or plain text"))
    return Read(source, text, hashlib.sha256(raw).hexdigest())
