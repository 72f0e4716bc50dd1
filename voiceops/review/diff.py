"""`voiceops diff` as a library call: revisions in, a `DiffResult` out.

No revision compares HEAD with the working tree (the files on disk, committed or not); one
compares that revision with the working tree; two compare the first with the second.
Revisions are read from git's object store into temporary folders that are removed before
this returns; the working tree is read in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from voiceops.config.overlay import overlay_path
from voiceops.errors import UsageError
from voiceops.project import CONFIGS, find_project
from voiceops.review.compare import DiffResult, compare_trees
from voiceops.review.effective import Tree, TreeView
from voiceops.review.gittree import Repository, open_repository

WORKING_TREE = "working tree"


def diff_revisions(revs: Sequence[str], start: Path | None = None,
                   env: Mapping[str, str] | None = None,
                   overlay: str | None = None) -> DiffResult:
    """Compare the project at or above `start` (default: the working directory) between
    `revs` as `voiceops diff [REV] [REV2]` does; with the environment overlay `overlay`
    (configs/env/NAME.yaml) laid over each side that has it.

    Raises UsageError (GitError) for more than two revisions, an unknown revision, a folder
    outside git, a project with configs/ on neither side, or an overlay on neither side.
    """
    if len(revs) > 2:
        raise UsageError(f"diff takes at most two revisions, not {len(revs)}")
    project = find_project(start)
    repo = open_repository(project.root)
    with trees(repo, project.root, revs) as (old_tree, new_tree):
        old, new = TreeView(old_tree, env, overlay), TreeView(new_tree, env, overlay)
        notes: list[str] = []
        if not old.has_configs and not new.has_configs:
            raise UsageError(f"no {CONFIGS}/ folder in {old_tree.label} or in "
                             f"{new_tree.label} (run voiceops diff in a voiceops project)")
        if overlay is not None and not old.has_overlay and not new.has_overlay:
            overlay_path(new.project.configs, overlay)  # raises, naming the ones there are
        for missing, present, status in ((old, new, "added"), (new, old, "removed")):
            if not missing.has_configs:
                notes.append(f"{missing.tree.label} has no {CONFIGS}/ folder: every profile "
                             f"of {present.tree.label} is listed as {status}")
        return compare_trees(old, new, tuple(notes))


@contextmanager
def trees(repo: Repository, project_root: Path,
          revs: Sequence[str]) -> Iterator[tuple[Tree, Tree]]:
    """The two sides named by `revs`; revisions materialised in temporary folders."""
    named = list(revs) or ["HEAD"]
    commits = [repo.commit(rev) for rev in named]  # every name checked before any work
    with ExitStack() as stack:
        sides: list[Tree] = []
        for rev, commit in zip(named, commits, strict=True):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="voiceops-diff-", dir=_scratch())))
            repo.materialise(commit, folder)
            short = repo.short(commit)
            sides.append(Tree(short if commit.startswith(rev) else f"{rev} ({short})", folder))
        if len(sides) == 1:
            sides.append(Tree(WORKING_TREE, project_root))
        yield sides[0], sides[1]


def _scratch() -> str | None:
    """Where to write revisions: memory-backed /dev/shm on Linux unless TMPDIR says
    otherwise. A tree is hundreds of small files, read once and deleted; on some disks
    creating them costs more than the whole comparison."""
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
