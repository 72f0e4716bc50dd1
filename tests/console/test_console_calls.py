"""The console shows live phone calls beside browser sessions (issue 15, item 7): a call
on the daemon's Exotel stream appears with its numbers, carrier and profile, and goes when
the stream ends. Real headless Chromium against `voiceops run --sim` (skips without them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.console.conftest import WAIT_MS
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow
SID = "MZ" + "c" * 32


@pytest.fixture(scope="module")
def daemon(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    root = tmp_path_factory.mktemp("calls-project")
    scaffold(root)
    with DaemonProcess(Path(root), ["support_hi", "--sim"]) as running:
        yield running


def test_a_phone_call_is_listed_while_it_lasts(browser: Any, daemon: DaemonProcess) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(daemon.http_url + "/")
    page.wait_for_selector("#daemon-state.badge-ok")
    assert page.locator("#calls-card").is_hidden()
    with connect(daemon.ws_url.replace("/v1/sessions", "/v1/telephony/exotel/stream")) as line:
        line.send(json.dumps({"event": "connected"}))
        line.send(json.dumps({"event": "start", "sequence_number": "1", "stream_sid": SID,
                              "start": {"stream_sid": SID, "call_sid": "CA1",
                                        "account_sid": "AC1", "from": "+919876543210",
                                        "to": "08047491899", "custom_parameters": {},
                                        "media_format": {"encoding": "audio/x-raw",
                                                         "sample_rate": "8000",
                                                         "bit_rate": "16"}}}))
        json.loads(line.recv(timeout=30))  # the greeting has started
        row = page.locator(f"#calls-table tr[data-stream='{SID}']")
        row.wait_for()
        cells = row.locator("td").all_inner_texts()
        assert cells[:4] == ["+919876543210", "+918047491899", "exotel", "support_hi"]
    page.locator("#calls-card").wait_for(state="hidden")
    context.close()
    assert errors == []
