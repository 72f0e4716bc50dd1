"""A scratch project (the starter) in which a test writes profiles that extend support_hi."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceops.project import Project
from voiceops.project.scaffold import scaffold

ENV = {"OPENAI_API_KEY": "x", "ANTHROPIC_API_KEY": "x", "SARVAM_API_KEY": "x",
       "ELEVENLABS_API_KEY": "x", "BOOKING_API_URL": "http://127.0.0.1:8090",
       "BOOKING_API_TOKEN": "t0k"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    scaffold(tmp_path)
    monkeypatch.chdir(tmp_path)  # diagnostics show paths relative to the working directory
    return Project(tmp_path)


def write(project: Project, name: str, body: str, base: str = "support_hi") -> Path:
    """configs/<name>.yaml: extends `base`, then `body`."""
    path = project.configs / f"{name}.yaml"
    path.write_text(f"version: 1\nextends: {base}\n{body}", encoding="utf-8")
    return path
