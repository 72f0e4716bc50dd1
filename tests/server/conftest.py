"""An in-process app (the real starlette app and session code, driven by starlette's test
client) over a scaffolded project, with providers pointed at the simulators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.server.app import create_app
from voiceops.server.state import Runner, Settings
from voiceops.sim.stack import SimStack

MakeClient = Callable[..., TestClient]


@pytest.fixture(scope="session")
def sims() -> Iterator[SimStack]:
    with SimStack() as stack:
        yield stack


@pytest.fixture
def project(tmp_path: Path) -> Project:
    scaffold(tmp_path)
    return Project(tmp_path)


@pytest.fixture
def make_client(project: Project, sims: SimStack) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def build(settings: Settings | None = None, env: dict[str, str] | None = None
              ) -> TestClient:
        build = build_version(project, 1)
        assert build.version is not None, build.diagnostics
        runner = Runner(project, LiveRegistry(build.version), ProviderPool(), resolve_target,
                        {**sims.env(), **(env or {})},
                        settings or Settings(default_profile="support_hi", reload=False))
        client = TestClient(create_app(runner))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)
