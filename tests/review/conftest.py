"""Git repositories made for the review tests: the starter project, committed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MakeProject
from voiceops.catalog.lock import pin, write_lock
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.sources import project_references
from voiceops.project import Project


@dataclass
class GitProject:
    """A project folder that is also a git repository with one commit of the starter."""

    root: Path

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              check=True)
        return proc.stdout

    def write(self, relative: str, text: str) -> None:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        text = (self.root / relative).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new))

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def init_repo(root: Path) -> None:
    """`git init` with the identity and settings a commit needs, in this repository only."""
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "voiceops tests"],
                 ["config", "user.email", "tests@voiceops.invalid"],
                 ["config", "commit.gpgsign", "false"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write_lock_offline(root: Path) -> None:
    """`voiceops lock --offline`: pin what the profiles use from the bundled snapshot."""
    project = Project(root)
    lock, missing = pin(project_references(project), Catalog([BundledSnapshot()]))
    assert not missing
    write_lock(project.lock, lock)


@pytest.fixture(autouse=True)
def _git_stays_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Git must not find a repository above the test's folder, nor read the user's config."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield


@pytest.fixture
def git_project(make_project: MakeProject) -> GitProject:
    """The starter project and its lock in tmp_path (the working directory), committed on
    main."""
    root = make_project()
    write_lock_offline(root)
    init_repo(root)
    project = GitProject(root)
    project.commit("starter")
    return project
