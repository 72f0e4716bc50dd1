"""A project's files as they were at a git revision, copied into a folder of their own.

`voiceops diff` compares two trees of configs/, prompts/, knowledge/ and voiceops.lock. The
working tree is simply the project folder on disk; a revision is materialised into a temporary
folder from git's object store (`git ls-tree` lists the blobs, one `git cat-file --batch` reads
them all), so the work tree, the index and HEAD are never touched. `git archive` would also
do, but it honours `export-ignore` attributes, which could silently drop a project's configs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from voiceops.errors import UsageError
from voiceops.project import CONFIGS, KNOWLEDGE, LOCK, PROMPTS, TOOLS

#: What a revision's tree contributes to a diff, relative to the project's folder.
PROJECT_PATHS = (CONFIGS, PROMPTS, KNOWLEDGE, TOOLS, LOCK)
_BLOB_MODES = frozenset({"100644", "100755"})  # regular files; symlinks and submodules skipped


class GitError(UsageError):
    """Raised when git cannot answer: not a repository, an unknown revision, no git at all."""


@dataclass(frozen=True)
class Repository:
    """The git repository a project lives in, and where the project sits inside it."""

    top: Path  # the work tree's top folder
    prefix: str  # the project folder relative to `top`, "" or "sub/dir/"

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run git in the repository's top folder; its stdout, or GitError with its stderr."""
        return _git(self.top, args, stdin)

    def commit(self, rev: str) -> str:
        """The full commit id `rev` names; GitError when it names none."""
        if rev.startswith("-"):
            raise GitError(f"'{rev}' is not a revision")
        try:
            out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                           f"{rev}^{{commit}}")
        except GitError:
            raise GitError(f"unknown revision '{rev}'" + _no_commits_hint(self, rev)) from None
        return out.decode().strip()

    def materialise(self, commit: str, dest: Path) -> list[str]:
        """Write configs/, prompts/, knowledge/ and voiceops.lock of `commit` under `dest`;
        returns the project-relative paths written."""
        specs = [f"{self.prefix}{p}" for p in PROJECT_PATHS]
        listing = self.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs)
        blobs: list[tuple[str, str]] = []  # (object id, project-relative path)
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            mode, kind, obj = meta.decode().split(" ")
            if kind == "blob" and mode in _BLOB_MODES:
                blobs.append((obj, os.fsdecode(name)[len(self.prefix):]))
        if not blobs:
            return []
        batch = self.git("cat-file", "--batch",
                         stdin="".join(f"{obj}\n" for obj, _ in blobs).encode())
        offset = 0
        root = dest.resolve()
        for _, relative in blobs:
            header_end = batch.index(b"\n", offset)
            size = int(batch[offset:header_end].split(b" ")[2])
            content = batch[header_end + 1: header_end + 1 + size]
            offset = header_end + 1 + size + 1  # the content is followed by one newline
            target = _inside(root, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return [relative for _, relative in blobs]

    def short(self, commit: str) -> str:
        """An abbreviated commit id for labels."""
        return self.git("rev-parse", "--short", commit).decode().strip()


def open_repository(project_root: Path) -> Repository:
    """The repository holding `project_root`; GitError when there is none."""
    try:
        out = _git(project_root, ("rev-parse", "--show-toplevel", "--show-prefix"), None)
    except GitError:
        raise GitError(f"{project_root} is not in a git repository "
                       "(voiceops diff compares git revisions)") from None
    lines = out.decode().splitlines()
    if not lines or not lines[0]:
        raise GitError(f"{project_root} is not in a git work tree (a bare repository?)")
    prefix = lines[1] if len(lines) > 1 else ""
    return Repository(Path(lines[0]), prefix)


def _git(cwd: Path, args: Sequence[str], stdin: bytes | None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}  # read-only; stable errors
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (voiceops diff needs it)") from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a folder") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def _no_commits_hint(repo: Repository, rev: str) -> str:
    try:
        repo.git("rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        return " (the repository has no commits yet)"
    return ""


def _inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing paths that would leave `root` (git trees never hold them,
    but the folder we write into must not depend on that)."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(p in (".", "..") for p in pure.parts):
        raise GitError(f"refusing to write the tree path {relative!r}")
    return root.joinpath(*pure.parts)
