"""The console's files, without a browser: served by the app (before any token), shipped in
the package, and every module import and page reference pointing at a file that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
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

CONSOLE = Path(__file__).resolve().parents[2] / "voiceops" / "server" / "console"
IMPORT = re.compile(r"""(?:import|from)\s*['"](\.[^'"]+)['"]|new URL\('(\./[^']+)'""")
REFERENCE = re.compile(r"""(?:src|href)="(assets/[^"]+)\"""")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    scaffold(tmp_path)
    project = Project(tmp_path)
    build = build_version(project, 1)
    assert build.version is not None, build.diagnostics
    runner = Runner(project, LiveRegistry(build.version), ProviderPool(), resolve_target, {},
                    Settings(token="s3cret", reload=False))
    with TestClient(create_app(runner)) as test_client:
        yield test_client


def test_the_page_loads_without_the_token_and_the_api_still_needs_it(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>voiceops console</title>" in page.text
    script = client.get("/assets/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/v1/status").status_code == 401
    assert client.get("/v1/status", headers={"Authorization": "Bearer s3cret"}).json()[
        "config_version"].startswith("v1-")
    missing = client.get("/assets/nope.js")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/configs/support_hi.yaml").status_code == 401  # only the console is open


def test_every_import_and_reference_resolves() -> None:
    html = (CONSOLE / "index.html").read_text()
    for reference in REFERENCE.findall(html):
        assert (CONSOLE / reference).is_file(), reference
    modules = sorted((CONSOLE / "assets").glob("*.js"))
    assert modules
    for module in modules:
        for static, dynamic in IMPORT.findall(module.read_text()):
            target = module.parent / (static or dynamic)
            assert target.is_file(), f"{module.name} imports {static or dynamic}"
