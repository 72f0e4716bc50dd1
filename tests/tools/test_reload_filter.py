"""A running daemon reloads when a shared tools file changes: tools/*.yaml are part of the
profiles that name them, like templates and knowledge files."""

from __future__ import annotations

from pathlib import Path

from watchfiles import Change

from voiceops.runtime.reloader import ConfigFilter


def test_tools_files_are_watched(tmp_path: Path) -> None:
    watched = ConfigFilter(tmp_path)
    assert watched(Change.modified, str(tmp_path / "tools" / "booking.yaml"))
    assert watched(Change.deleted, str(tmp_path / "tools"))
    assert not watched(Change.modified, str(tmp_path / "tools" / "notes.txt"))
    assert not watched(Change.modified, str(tmp_path / "tools" / "booking.yaml.swp"))
