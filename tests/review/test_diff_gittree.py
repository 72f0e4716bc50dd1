"""A revision's configs/, prompts/ and lock, copied out of git without touching the work tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.conftest import GitProject, init_repo
from voiceops.review.gittree import GitError, open_repository


def test_materialises_the_revision_not_the_files_on_disk(git_project: GitProject,
                                                         tmp_path_factory: pytest.TempPathFactory
                                                         ) -> None:
    committed = (git_project.root / "configs/base.yaml").read_text()
    git_project.edit("configs/base.yaml", "max_tokens: 300", "max_tokens: 999")
    git_project.write("configs/untracked.yaml", "version: 1\n")
    status = git_project.git("status", "--porcelain")
    repo = open_repository(git_project.root)
    dest = tmp_path_factory.mktemp("rev")

    written = repo.materialise(repo.commit("HEAD"), dest)

    assert (dest / "configs/base.yaml").read_text() == committed
    assert not (dest / "configs/untracked.yaml").exists()
    assert "voiceops.lock" in written and "prompts/customer_support.j2" in written
    assert not (dest / "schemas").exists()  # only what a diff needs
    assert git_project.git("status", "--porcelain") == status
    assert "max_tokens: 999" in (git_project.root / "configs/base.yaml").read_text()


def test_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    project = tmp_path / "agents"
    (project / "configs").mkdir(parents=True)
    (project / "configs/a.yaml").write_text("version: 1\n")
    (tmp_path / "configs").mkdir()  # another folder of the same name, outside the project
    (tmp_path / "configs/other.yaml").write_text("version: 1\n")
    init_repo(tmp_path)
    GitProject(tmp_path).commit()
    repo = open_repository(project)
    dest = tmp_path / "out"

    assert repo.prefix == "agents/"
    assert repo.materialise(repo.commit("HEAD"), dest) == ["configs/a.yaml"]


def test_unknown_revision_is_named(git_project: GitProject) -> None:
    repo = open_repository(git_project.root)
    with pytest.raises(GitError, match=r"^unknown revision 'no-such-branch'$"):
        repo.commit("no-such-branch")
    with pytest.raises(GitError, match="is not a revision"):
        repo.commit("--output=x")


def test_repository_without_commits(tmp_path: Path) -> None:
    init_repo(tmp_path)
    with pytest.raises(GitError, match=r"unknown revision 'HEAD' \(the repository has no "
                                       r"commits yet\)"):
        open_repository(tmp_path).commit("HEAD")


def test_folder_outside_git(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not in a git repository"):
        open_repository(tmp_path)
