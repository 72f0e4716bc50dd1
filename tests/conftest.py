"""Shared fixtures: temporary projects built from the starter plus files a test supplies."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from voiceops.project.scaffold import scaffold
from voiceops.runtime import reloader as reloader_module
from voiceops.runtime.config import BuildResult, build_version
from voiceops.sim.stack import SimStack

MakeProject = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeProject:
    """A project in tmp_path (the working directory): the starter, then `files` over it."""

    def build(files: dict[str, str | bytes] | None = None, starter: bool = True) -> Path:
        if starter:
            scaffold(tmp_path)
        else:
            (tmp_path / "configs").mkdir(exist_ok=True)
            (tmp_path / "prompts").mkdir(exist_ok=True)
        for name, content in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return build


@pytest.fixture(scope="module")
def stack() -> Iterator[SimStack]:
    """All four provider simulators on loopback, one set per test module."""
    with SimStack() as sims:
        yield sims


@pytest.fixture
def sims(stack: SimStack) -> SimStack:
    """The module's simulators, reset: default knobs, no faults, empty request logs."""
    stack.reset()
    return stack


@pytest.fixture
def failing_rebuilds(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """While the returned event is set, every rebuild the reloader starts raises
    (EMFILE, as a process out of descriptors would); clear it to let rebuilds work."""
    broken = threading.Event()
    broken.set()

    def build(*args: Any, **kwargs: Any) -> BuildResult:
        if broken.is_set():
            raise OSError(24, "Too many open files")
        return build_version(*args, **kwargs)

    monkeypatch.setattr(reloader_module, "build_version", build)
    return broken
