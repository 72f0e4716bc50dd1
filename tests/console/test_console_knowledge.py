"""A profile's knowledge in the HTTP API and the browser console (issue 14, item 5): its
sources, and a search box answering what `voiceops knowledge PROFILE QUERY --format json`
answers, from `GET /v1/profiles/{name}/knowledge?q=...`. The console part runs in a real
headless Chromium against a daemon on the simulators (skipped without one, saying why)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.console.test_console_browser import open_page, shots  # noqa: F401
from tests.server.conftest import MakeClient, make_client, sims  # noqa: F401
from voiceops.cli import cli
from voiceops.harness.daemon import DaemonProcess
from voiceops.project import Project
from voiceops.project.scaffold import scaffold


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    scaffold(tmp_path)
    monkeypatch.chdir(tmp_path)  # where the CLI finds the project
    return Project(tmp_path)


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, ["knowledge", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("query", ["When is a failed recharge refunded?",
                                   "अंतरराष्ट्रीय रोमिंग पैक कितने का है"])
def test_the_search_endpoint_answers_what_the_cli_answers(
        make_client: MakeClient, project: Project, query: str) -> None:  # noqa: F811
    client: TestClient = make_client()
    response = client.get("/v1/profiles/support_hi/knowledge", params={"q": query})
    assert response.status_code == 200
    body = response.json()
    assert body["passages"] and body == cli_json("support_hi", query)


def test_without_a_query_it_describes_the_sources(make_client: MakeClient,  # noqa: F811
                                                  project: Project) -> None:
    body = make_client().get("/v1/profiles/support_hi/knowledge").json()
    assert body == {"enabled": True, "top_k": 3, "max_chars": 1500, "retriever": None,
                    "sources": [{"glob": "knowledge/*.md",
                                 "files": ["knowledge/faq_hi.md", "knowledge/plans_en.md"]}],
                    "passages": []}


def test_profiles_without_knowledge_and_bad_queries_are_clear_errors(
        make_client: MakeClient, project: Project) -> None:  # noqa: F811
    client = make_client()
    none = client.get("/v1/profiles/sales_en/knowledge", params={"q": "price"})
    assert none.status_code == 404 and none.json()["error"]["code"] == "no_knowledge"
    unknown = client.get("/v1/profiles/nope/knowledge", params={"q": "price"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_profile"
    long = client.get("/v1/profiles/support_hi/knowledge", params={"q": "x" * 2001})
    assert long.status_code == 400 and long.json()["error"]["code"] == "bad_request"


@pytest.fixture(scope="module")
def daemon(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    root = tmp_path_factory.mktemp("console-knowledge")
    scaffold(root)
    with DaemonProcess(root, ["support_hi", "--sim"]) as running:
        yield running


@pytest.mark.slow
def test_the_console_shows_the_sources_and_searches_them(
        browser: Any, daemon: DaemonProcess, shots: Path) -> None:  # noqa: F811
    context, page, errors = open_page(browser, daemon.http_url)
    try:
        page.get_by_role("button", name="support_hi", exact=True).click()
        page.wait_for_selector("#knowledge-sources li:has-text('knowledge/plans_en.md')")
        sources = page.locator("#knowledge-sources")
        assert "knowledge/*.md" in sources.inner_text()
        for name in ("knowledge/plans_en.md", "knowledge/faq_hi.md"):
            assert name in sources.inner_text()
        page.fill("#kb-query", "अंतरराष्ट्रीय रोमिंग पैक")
        page.press("#kb-query", "Enter")
        first = page.locator("#kb-results li").first
        first.wait_for()
        assert "knowledge/faq_hi.md:" in first.inner_text()
        assert "₹599 का" in first.inner_text()  # the passage's text, as written
        page.fill("#kb-query", "how do I port my number")
        page.click("#kb-search")
        page.wait_for_selector("#kb-results li:has-text('unique porting code')")
        page.locator("section.knowledge").screenshot(path=str(shots / "knowledge.png"))
        page.fill("#kb-query", "zzzz qqqq")
        page.press("#kb-query", "Enter")
        page.wait_for_selector("#kb-state:has-text('No passage matches')")
        # a profile without knowledge shows no knowledge section
        page.get_by_role("button", name="sales_en", exact=True).click()
        page.wait_for_selector(".detail-head h2:has-text('sales_en')")
        assert page.locator("#knowledge-sources").count() == 0
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.mark.slow
def test_a_call_shows_the_passages_each_turn_got(browser: Any, daemon: DaemonProcess) -> None:
    context, page, errors = open_page(browser, daemon.http_url)
    try:
        page.wait_for_selector("#profiles-table tbody tr")
        page.get_by_role("tab", name="Talk").click()
        page.select_option("#talk-profile", "support_hi")
        page.click("#start-session")
        page.wait_for_selector("#talk-log li.agent:has-text('Namaste!')")
        page.fill("#say-input", "When is a failed recharge refunded?")
        page.press("#say-input", "Enter")
        page.wait_for_selector("#talk-log li:has-text('Knowledge: knowledge/plans_en.md:')")
        page.wait_for_function(
            "document.querySelector('[data-key=retrieval_ms]').textContent.endsWith('ms')")
        page.click("#stop-session")
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
