"""Attacks on the daemon as a real process on loopback (issue: browser origins, connection
limits, request bodies): DNS rebinding, cross-site WebSockets and POSTs, slowloris, huge bodies.
The same attack from a real browser page on a foreign origin is in tests/console/."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow

EVIL = "http://evil.example"
CANARY = "sk-proj-canary" + "7" * 30


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    root: Path = tmp_path_factory.mktemp("guarded")
    scaffold(root)
    args = ["support_hi", "--sim", "--allow-origin", "https://console.example",
            "--max-connections", "120", "--header-timeout", "2"]
    with DaemonProcess(root, args, env={"OPENAI_API_KEY": CANARY}) as process:
        yield process


def _ready(url: str, headers: dict[str, str]) -> str:
    """What the daemon answers to a session start: 'ready', 'refused <status>' or 'error'."""

    async def go() -> str:
        try:
            async with websockets.connect(url, additional_headers=headers,
                                          open_timeout=10) as ws:
                await ws.send(json.dumps({"type": "start"}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame["type"] in ("ready", "error"):
                        return str(frame["type"])
        except websockets.InvalidStatus as exc:
            return f"refused {exc.response.status_code}"

    return asyncio.run(go())


def test_a_rebinding_host_is_refused(daemon: DaemonProcess) -> None:
    url = f"{daemon.http_url}/v1/profiles/support_hi/prompt"
    assert httpx.get(url, timeout=10).status_code == 200
    refused = httpx.get(url, headers={"Host": "attacker-rebind.example"}, timeout=10)
    assert refused.status_code == 403
    assert "support" not in refused.text.lower()  # nothing of the prompt leaks
    assert refused.json()["error"]["code"] == "forbidden_host"
    for host in ("localhost", f"localhost:{daemon.address.rsplit(':', 1)[1]}", "[::1]:80"):
        assert httpx.get(url, headers={"Host": host}, timeout=10).status_code == 200


def test_a_foreign_origin_cannot_open_a_session(daemon: DaemonProcess) -> None:
    assert _ready(daemon.ws_url, {}) == "ready"  # a terminal client sends no Origin
    assert _ready(daemon.ws_url, {"Origin": EVIL}) == "refused 403"
    assert _ready(daemon.ws_url, {"Origin": "null"}) == "refused 403"
    assert _ready(daemon.ws_url, {"Origin": f"http://{daemon.address}"}) == "ready"
    assert _ready(daemon.ws_url, {"Origin": "http://localhost:5173"}) == "ready"
    assert _ready(daemon.ws_url, {"Origin": "https://console.example"}) == "ready"


def test_cross_site_posts_are_refused(daemon: DaemonProcess) -> None:
    url = f"{daemon.http_url}/v1/tts/preview"
    body = json.dumps({"profile": "support_hi", "text": "hello"})
    simple = httpx.post(url, content=body, headers={"Content-Type": "text/plain"}, timeout=10)
    assert simple.status_code == 415
    forged = httpx.post(url, content=body, timeout=10,
                        headers={"Content-Type": "application/json", "Origin": EVIL})
    assert forged.status_code == 403
    good = httpx.post(url, content=body, headers={"Content-Type": "application/json"},
                      timeout=30)
    assert good.status_code == 200, good.text


def test_request_bodies_are_capped_before_they_are_read(daemon: DaemonProcess) -> None:
    url = f"{daemon.http_url}/v1/tts/preview"
    declared = httpx.post(url, content=b"{" + b" " * (1 << 20) + b"}", timeout=30,
                          headers={"Content-Type": "application/json"})
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap must count as it reads
        yield b"{"
        for _ in range(64):
            yield b" " * (1 << 16)

    streamed = httpx.post(url, content=chunks(), timeout=30,
                          headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert httpx.get(f"{daemon.http_url}/healthz", timeout=10).status_code == 200


def _partial_headers(address: str, count: int) -> list[socket.socket]:
    host, port = address.rsplit(":", 1)
    held = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        held.append(sock)
    return held


def _closed_by_server(sock: socket.socket, deadline_s: float) -> bool:
    sock.settimeout(deadline_s)
    try:
        return sock.recv(1024) == b""
    except (TimeoutError, ConnectionResetError):
        return False


def test_slowloris_neither_starves_health_checks_nor_floods_the_log(
        daemon: DaemonProcess) -> None:
    before = len(daemon.lines)
    held = _partial_headers(daemon.address, 300)  # more than --max-connections 120
    try:
        # a socket that never finishes its headers is closed after --header-timeout (2 s)
        assert _closed_by_server(held[0], deadline_s=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{daemon.http_url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("/healthz never answered during the attack")
    finally:
        for sock in held:
            sock.close()
    log = daemon.lines[before:]
    assert not any("Traceback" in line for line in log), "\n".join(log[:40])
    refusals = [line for line in log if "connections refused" in line]
    assert len(refusals) <= 3, "\n".join(refusals)
    metrics = httpx.get(f"{daemon.http_url}/metrics", timeout=10).text
    assert _metric(metrics, 'voiceops_refused_connections_total{reason="header_timeout"}') > 0


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_refusals_are_counted(daemon: DaemonProcess) -> None:
    httpx.get(f"{daemon.http_url}/v1/status", headers={"Host": "rebind.example"}, timeout=10)
    metrics: Any = httpx.get(f"{daemon.http_url}/metrics", timeout=10).text
    assert _metric(metrics, 'voiceops_refused_requests_total{reason="host"}') >= 1


def test_a_credential_in_an_ordinary_field_never_goes_live(daemon: DaemonProcess) -> None:
    root = daemon.project
    since = len(daemon.lines)
    (root / "configs" / "leaky.yaml").write_text(
        "version: 1\nextends: support_hi\ndescription: 'desc ${OPENAI_API_KEY}'\n")
    try:
        daemon.wait_for_line(r"reload rejected", timeout_s=30, since=since)
        status = httpx.get(f"{daemon.http_url}/v1/status", timeout=10).json()
        codes = [d["code"] for d in status["last_rejection"]["diagnostics"]]
        assert "VO321" in codes
        assert "leaky" not in status["profiles"]
        for path in ("/v1/status", "/v1/profiles", "/v1/profiles/support_hi"):
            assert CANARY not in httpx.get(daemon.http_url + path, timeout=10).text
        assert CANARY not in daemon.output
    finally:
        (root / "configs" / "leaky.yaml").unlink()


def test_a_socket_that_never_starts_a_session_is_closed(daemon: DaemonProcess) -> None:
    async def go() -> tuple[str, int | None]:
        async with websockets.connect(daemon.ws_url, open_timeout=10) as ws:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            with contextlib.suppress(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 30)
            return str(frame["code"]), ws.close_code

    assert asyncio.run(go()) == ("start_timeout", 1000)
