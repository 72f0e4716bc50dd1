"""A web page on another origin, in a real headless Chromium, attacks a daemon on loopback
that has no token: it tries to open a voice session over WebSocket and to spend provider
credit with a `text/plain` POST (a "simple" request the browser sends without asking).
Both must be refused, and the refusals counted; the console's own origin still works."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.console.conftest import WAIT_MS
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow

ATTACK = """<!doctype html><title>cute cats</title><script>
window.results = {};
const daemon = new URL(location.hash.slice(1));
const ws = new WebSocket(`ws://${daemon.host}/v1/sessions`);
ws.onopen = () => ws.send(JSON.stringify({type: 'start', profile: 'support_hi'}));
ws.onmessage = (event) => { window.results.ws = JSON.parse(event.data).type; };
ws.onclose = () => { window.results.ws = window.results.ws || 'closed'; };
fetch(`${daemon.origin}/v1/tts/preview`, {method: 'POST', mode: 'no-cors',
  headers: {'Content-Type': 'text/plain'},
  body: JSON.stringify({profile: 'support_hi', text: 'spend credit'})})
  .then(() => { window.results.post = 'sent'; }, () => { window.results.post = 'failed'; });
</script>"""


@pytest.fixture(scope="module")
def attacker() -> Iterator[str]:
    """A web server for http://evil.example:PORT (Chromium maps the name to loopback)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = ATTACK.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://evil.example:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    root: Path = tmp_path_factory.mktemp("attacked")
    scaffold(root)
    with DaemonProcess(root, ["support_hi", "--sim"]) as running:
        yield running


def _refused(daemon: DaemonProcess) -> dict[str, float]:
    counts = {}
    for line in httpx.get(f"{daemon.http_url}/metrics", timeout=10).text.splitlines():
        if line.startswith("voiceops_refused_requests_total{"):
            counts[line.split('"')[1]] = float(line.split()[-1])
    return counts


def test_a_page_on_another_origin_cannot_use_the_daemon(browser: Any, attacker: str,
                                                        daemon: DaemonProcess) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{attacker}#{daemon.http_url}")
    page.wait_for_function("window.results.ws && window.results.post")
    results = page.evaluate("window.results")
    context.close()
    assert results["ws"] == "closed", results  # never 'ready'
    refused = _refused(daemon)
    assert refused.get("origin", 0) >= 2, refused  # the WebSocket and the POST


def test_the_console_on_its_own_origin_still_talks(browser: Any,
                                                   daemon: DaemonProcess) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(daemon.http_url + "/")
    ready = page.evaluate("""() => new Promise((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/v1/sessions`);
        ws.onopen = () => ws.send(JSON.stringify({type: 'start', profile: 'support_hi'}));
        ws.onmessage = (event) => resolve(JSON.parse(event.data).type);
        ws.onclose = () => resolve('closed');
    })""")
    context.close()
    assert ready == "ready"
