"""Read a project's files without trusting them: the one bounded reader.

Every file voiceops reads from a project (profiles, environment overlays, prompt
templates, the lock file) goes through `read_bounded`, so none of them can wedge a run:

- only regular files are read: a FIFO would block the open, `/dev/zero` never ends;
  the type is checked after following symlinks, and again on the open descriptor
  (opened non-blocking, so even a FIFO swapped in between cannot block);
- at most `limit` bytes are read: `st_size` is 0 for devices, so the read itself stops;
- with `within`, the file must resolve (symlinks followed) inside that folder, so a
  `configs/x.yaml` linked to `/etc/shadow` is refused before a byte of it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The largest project file voiceops reads: a profile, overlay, template or lock file.
MAX_BYTES = 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_NOCTTY", 0)
_CHUNK = 64 * 1024


class RefusedFile(OSError):
    """Raised when a project file must not be read: outside its folder (`code` VO004), not a
    regular file (VO005) or too large (VO003). An OSError, so callers that already treat an
    unreadable file as missing keep doing so."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def contained(path: Path, folder: Path) -> bool:
    """Whether `path`, symlinks and `..` resolved, is inside `folder` (also resolved); a
    symlink loop leads nowhere inside; a path with a NUL byte names no file anywhere, so
    it leads nowhere outside either (reading it fails on its own)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        return False
    except ValueError:  # embedded NUL byte
        return True


def read_bounded(path: Path, *, within: Path | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises RefusedFile as described in the module docstring, FileNotFoundError when there
    is no such file, and OSError for other failures (permissions, I/O).
    """
    try:
        mode = os.stat(path).st_mode  # first: a missing file or a symlink loop says so itself
    except ValueError as exc:  # embedded NUL byte
        raise RefusedFile("VO001", "the path has a NUL byte") from exc
    if within is not None and not _directly_in(path, within) and not contained(path, within):
        raise RefusedFile("VO004", f"leads outside {within.name}/ (through a symlink or `..`); "
                                   f"voiceops reads only files inside it")
    _check_type(mode)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        _check_type(info.st_mode)  # the file may have been replaced since the stat
        if info.st_size > limit:
            raise RefusedFile("VO003", f"file is {_size(info.st_size)}; voiceops reads files "
                                       f"up to {_size(limit)}")
        chunks: list[bytes] = []
        left = limit + 1  # one byte more than allowed tells a file that grew past the limit
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise RefusedFile("VO003", f"file is larger than {_size(limit)}; voiceops reads files "
                                   f"up to {_size(limit)}")
    return b"".join(chunks)


def _directly_in(path: Path, folder: Path) -> bool:
    """The usual case, without resolving every component: a file, not a symlink, right in
    `folder` (a symlinked `folder` is no matter: both sides go through it). Not with `..`:
    `folder/link/../x` opens the parent of wherever `link` points."""
    return (".." not in path.parts
            and os.path.dirname(os.path.abspath(path)) == os.path.abspath(folder)
            and not os.path.islink(path))


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def _check_type(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise RefusedFile("VO001", "is a directory, not a file")
    kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
    raise RefusedFile("VO005", f"is {kind}, not a regular file")


def _size(n: int) -> str:
    return f"{n // 1048576} MB" if n % 1048576 == 0 else f"{n / 1048576:.1f} MB"
