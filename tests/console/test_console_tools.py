"""Tool calls in the console's Talk tab, in a real headless Chromium: `tool.call` and
`tool.result` frames show inline in the conversation (name, arguments, ok or failed, ms,
the error), as text, and the reply goes on below them without repeating itself.

The console comes from a real daemon; its session WebSocket is answered by the test
(Playwright's routeWebSocket) with frames of the daemon's shape, so every case (a failure,
hostile arguments) is exact. The last test drives the real daemon on the simulators:
the starter's appointments_en calling the simulated booking service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.conftest import WAIT_MS
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow

HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def daemon(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    root = tmp_path_factory.mktemp("console-tools")
    scaffold(root)
    with DaemonProcess(root, ["appointments_en", "--sim"]) as running:
        yield running


@pytest.fixture
def page(browser: Any, daemon: DaemonProcess) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def frames_for(text: str) -> list[dict[str, Any]]:
    """What a daemon sends for a turn with two tool steps: one that works, one that fails."""
    said = ["Let me check the calendar.", "Tool check_availability returned: 09:30, 10:00. ",
            "One moment while I book that.", "Sorry, I couldn't book that just now."]
    return [
        {"type": "reply.delta", "text": said[0]},
        {"type": "tool.call", "id": "call_1", "name": "check_availability",
         "arguments": {"date": "2026-12-01", "note": HOSTILE}},
        {"type": "tool.result", "id": "call_1", "name": "check_availability", "ok": True,
         "ms": 12.4},
        {"type": "reply.delta", "text": said[1]},
        {"type": "reply.delta", "text": said[2]},
        {"type": "tool.call", "id": "call_2", "name": "book_appointment",
         "arguments": {"date": "2026-12-01", "time": "09:30"}},
        {"type": "tool.result", "id": "call_2", "name": "book_appointment", "ok": False,
         "ms": 4000, "error": f"timeout after 4 s {HOSTILE}"},
        {"type": "reply.delta", "text": said[3]},
        {"type": "reply.done", "text": "".join(said), "interrupted": False},
        {"type": "turn.metrics", "llm_ttft_ms": 5, "first_audio_ms": 9, "total_ms": 20},
    ]


def answer_sessions(page: Any) -> None:
    """Answer the console's session WebSocket as the daemon would, from `frames_for`."""
    def handle(ws: Any) -> None:
        def received(message: str | bytes) -> None:
            if isinstance(message, bytes):
                return
            frame = json.loads(message)
            if frame["type"] == "start":
                ws.send(json.dumps({
                    "type": "ready", "session": "s1", "profile": frame["profile"],
                    "config_version": "v1-test", "simulated": True, "first_message": None,
                    "audio": {"input_rate": 16000, "output_rate": 24000}}))
            elif frame["type"] == "text":
                for reply in frames_for(frame["text"]):
                    ws.send(json.dumps(reply))

        ws.on_message(received)

    page.route_web_socket("**/v1/sessions*", handle)


def start_talking(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#profiles-table tbody tr")
    page.get_by_role("tab", name="Talk").click()
    page.select_option("#talk-profile", "appointments_en")
    page.click("#start-session")
    page.wait_for_selector("#session-sim")


def test_tool_calls_and_results_show_inline_as_text(page: Any, daemon: DaemonProcess) -> None:
    answer_sessions(page)
    start_talking(page, daemon.http_url)
    page.fill("#say-input", "book me in on the first")
    page.press("#say-input", "Enter")
    page.wait_for_selector("#talk-log li.tool[data-state=failed]")
    log = page.locator("#talk-log li")
    kinds = [log.nth(i).get_attribute("class") for i in range(log.count())]
    assert kinds[-6:] == ["you", "agent", "tool", "agent", "tool", "agent"]
    first, second = page.locator("#talk-log li.tool").all()
    assert first.locator(".tool-name").inner_text() == "check_availability"
    assert json.loads(first.locator(".tool-args").inner_text()) == {"date": "2026-12-01",
                                                                    "note": HOSTILE}
    assert first.get_attribute("data-state") == "ok"
    assert first.locator(".tool-status").inner_text() == "ok · 12 ms"
    assert second.locator(".tool-name").inner_text() == "book_appointment"
    assert second.locator(".tool-status").inner_text() == "failed · 4000 ms"
    assert second.locator(".tool-error").inner_text() == f"timeout after 4 s {HOSTILE}"
    # the model's arguments and the service's error are text: no element was made of them
    assert page.locator("#talk-log img").count() == 0
    assert page.evaluate("window.pwned") is None
    agents = [t.strip() for t in page.locator("#talk-log li.agent .text").all_inner_texts()]
    # each bubble keeps its own part of the reply once reply.done holds the whole of it
    assert agents[-3:] == ["Let me check the calendar.",
                           "Tool check_availability returned: 09:30, 10:00. One moment while I "
                           "book that.",
                           "Sorry, I couldn't book that just now."]


def test_a_result_without_its_call_line_still_shows(page: Any, daemon: DaemonProcess) -> None:
    page.goto(daemon.http_url + "/")
    page.wait_for_selector("#talk-log", state="attached")
    shown = page.evaluate("""async () => {
        const { showToolResult } = await import('./assets/toolcalls.js');
        const log = document.querySelector('#talk-log');
        const line = showToolResult(log, {type: 'tool.result', id: '"]x', name: 'end_call',
                                          ok: true, ms: 3});
        return [line.dataset.state, line.querySelector('.tool-status').textContent,
                line.querySelector('.tool-name').textContent];
    }""")
    assert shown == ["ok", "ok · 3 ms", "end_call"]


def test_the_real_daemon_shows_the_booking_tools_calls(page: Any,
                                                      daemon: DaemonProcess) -> None:
    """`voiceops run appointments_en --sim` and a typed turn naming the tool: the simulated
    model calls check_availability, the daemon calls the simulated booking service."""
    start_talking(page, daemon.http_url)
    page.fill("#say-input", "check_availability date=2026-12-01")
    page.press("#say-input", "Enter")
    line = page.locator("#talk-log li.tool")
    line.first.wait_for()
    page.wait_for_selector("#talk-log li.tool[data-state=ok]")
    assert line.first.locator(".tool-name").inner_text() == "check_availability"
    assert json.loads(line.first.locator(".tool-args").inner_text()) == {"date": "2026-12-01"}
    reply = page.locator("#talk-log li.agent:has-text('Tool check_availability returned')")
    reply.wait_for()
    # the free slots of the simulated booking service's calendar reached the model
    assert '"slots":["09:30"' in reply.inner_text()
