"""Special files and paths outside the project: refused with a diagnostic, never read."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeProject
from voiceops.catalog.lock import read_lock
from voiceops.config.loader import ProfileLoader
from voiceops.config.overlay import overlay_path
from voiceops.errors import CatalogError
from voiceops.project.files import MAX_BYTES, RefusedFile, read_bounded

#: What a file outside the project holds; no output may ever show it.
SECRET = "hunter2-do-not-show"
OUTSIDE = f"root: {SECRET}\nsecret_line: {SECRET}\n"


def validate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`voiceops validate` as a real process: a regression times out instead of hanging."""
    return subprocess.run([sys.executable, "-m", "voiceops.cli", "validate", *args],
                          cwd=root, capture_output=True, text=True, timeout=60)


def promptly(call: Callable[[], Any]) -> Any:
    """`call()` in a thread: a call that blocks (a FIFO's open) fails the test, not hangs it."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # re-raised in the test's own thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "blocked reading a special file"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_reader_refuses_devices_and_fifos_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(RefusedFile) as caught:
            promptly(lambda: read_bounded(path))  # noqa: B023 (called before the loop moves)
        assert caught.value.code == "VO005"
    assert "FIFO" in str(RefusedFile("VO005", "is a FIFO (named pipe), not a regular file"))


def test_reader_stops_at_the_limit_and_checks_containment(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    with pytest.raises(RefusedFile) as caught:
        read_bounded(big)
    assert caught.value.code == "VO003"
    small = tmp_path / "small.yaml"
    small.write_bytes(b"abc")
    assert read_bounded(small, limit=3) == b"abc"
    with pytest.raises(RefusedFile):
        read_bounded(small, limit=2)
    inside = tmp_path / "configs"
    inside.mkdir()
    (inside / "link.yaml").symlink_to(small)
    with pytest.raises(RefusedFile) as caught:
        read_bounded(inside / "link.yaml", within=inside)
    assert caught.value.code == "VO004"
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing.yaml")


def test_profile_symlinked_outside_is_refused_without_its_content(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text(OUTSIDE)
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "evil.yaml").symlink_to(tmp_path / "secret.yaml")
    profile, problems = ProfileLoader({}).load(configs / "evil.yaml")
    assert profile is None
    assert [p.code for p in problems] == ["VO004"]
    assert SECRET not in repr(problems)


def test_extends_cannot_leave_the_profiles_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "base.yaml").write_text(OUTSIDE)
    configs = tmp_path / "project" / "configs"
    configs.mkdir(parents=True)
    (configs / "p.yaml").write_text("version: 1\nextends: ../../elsewhere/base\n")
    _, problems = ProfileLoader({}).load(configs / "p.yaml")
    assert [(p.code, p.line, p.col) for p in problems] == [("VO004", 2, 10)]
    assert "../../elsewhere/base" in problems[0].message and SECRET not in repr(problems)


def test_extends_through_a_symlinked_parent_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text(OUTSIDE)
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "base.yaml").symlink_to(tmp_path / "secret.yaml")
    (configs / "p.yaml").write_text("version: 1\nextends: base\n")
    _, problems = ProfileLoader({}).load(configs / "p.yaml")
    assert "VO004" in [p.code for p in problems] and SECRET not in repr(problems)


def test_overlay_symlinked_outside_configs_is_refused(make_project: MakeProject) -> None:
    root = make_project()
    (root / "secret.yaml").write_text(OUTSIDE)
    (root / "configs" / "env").mkdir()
    (root / "configs" / "env" / "prod.yaml").symlink_to(root / "secret.yaml")
    loader = ProfileLoader({}, overlay=overlay_path(root / "configs", "prod"))
    _, problems = loader.load(root / "configs" / "support_hi.yaml")
    assert "VO004" in [p.code for p in problems] and SECRET not in repr(problems)


def test_unparseable_yaml_is_not_quoted(tmp_path: Path) -> None:
    for text in (f"a: *{SECRET}\n", f"a: !{SECRET} x\n", f"a: !<{SECRET}> x\n"):
        (tmp_path / "p.yaml").write_text(text)
        _, problems = ProfileLoader({}).load(tmp_path / "p.yaml")
        assert problems and SECRET not in repr(problems), text


def test_lock_file_that_is_a_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "voiceops.lock")
    with pytest.raises(CatalogError, match="FIFO"):
        promptly(lambda: read_lock(tmp_path / "voiceops.lock"))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_validate_reports_a_special_file_promptly(make_project: MakeProject, kind: str) -> None:
    root = make_project()
    special = root / "configs" / "special.yaml"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        special.symlink_to("/dev/zero")
    proc = validate(root)
    assert proc.returncode == 1, proc.stderr
    assert "configs/special.yaml:1:1: VO00" in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_validate_never_shows_a_file_outside_the_project(
        make_project: MakeProject, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = make_project()
    outside = tmp_path_factory.mktemp("elsewhere") / "outside.yaml"
    outside.write_text(OUTSIDE)
    (root / "configs" / "evil.yaml").symlink_to(outside)
    for fmt in ("text", "json", "sarif", "github"):
        proc = validate(root, "--format", fmt)
        assert proc.returncode == 1, proc.stderr
        assert "VO004" in proc.stdout
        assert SECRET not in proc.stdout + proc.stderr


def test_symlink_loop_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "p.yaml").write_text("version: 1\nextends: a\n")
    _, problems = ProfileLoader({}).load(tmp_path / "a.yaml")
    assert [p.code for p in problems] == ["VO001"] and "symbolic links" in problems[0].message
    _, problems = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert [p.code for p in problems] == ["VO300"]  # a loop is no profile to extend


def test_a_nul_byte_in_a_name_is_no_file_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("version: 1\n")
    (tmp_path / "p.yaml").write_text('version: 1\nextends: "base\\0x"\n')
    _, problems = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert [p.code for p in problems] == ["VO300"]
    with pytest.raises(RefusedFile):
        read_bounded(tmp_path / "base.yaml\0x")


def test_dot_dot_through_a_symlinked_folder_is_outside(tmp_path: Path) -> None:
    (tmp_path / "outside" / "inner").mkdir(parents=True)
    (tmp_path / "outside" / "x.yaml").write_text(OUTSIDE)
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "sub").symlink_to(tmp_path / "outside" / "inner")
    # `configs/sub/../x.yaml` reads like configs/x.yaml, but opens outside/x.yaml
    with pytest.raises(RefusedFile) as caught:
        read_bounded(configs / "sub" / ".." / "x.yaml", within=configs)
    assert caught.value.code == "VO004"
