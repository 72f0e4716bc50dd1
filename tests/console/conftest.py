"""The headless Chromium the console tests drive (Playwright over Debian's chromium).

Without Playwright or a Chromium these tests skip, saying why (`.ci/console-deps` installs
both)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("VOICEOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # a fake microphone (a beep) that needs no prompt, for push-to-talk
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # a foreign web site for the cross-origin tests, served from loopback like everything here
    "--host-resolver-rules=MAP evil.example 127.0.0.1",
]
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "console.png"
WAIT_MS = 15_000


def _skip(reason: str) -> None:
    print(f"console browser tests skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _skip(f"playwright cannot be imported ({exc}); run .ci/console-deps")
    if not Path(CHROMIUM).exists():
        _skip(f"no Chromium at {CHROMIUM}; run .ci/console-deps (or set VOICEOPS_CHROMIUM)")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           timeout=30_000)
    except Exception as exc:  # playwright's Error: missing libraries, a broken install...
        manager.stop()
        _skip(f"Chromium at {CHROMIUM} does not launch: {str(exc).splitlines()[0]}")
    yield chromium
    chromium.close()
    manager.stop()
