"""`voiceops talk` against real WebSocket servers on loopback: a small scripted server in a
thread (pings, closes, bad frames, silence) and the real daemon (`voiceops run --sim`)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import pty
import socket
import struct
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from websockets.asyncio.server import ServerConnection, serve

from voiceops.cli import cli
from voiceops.cli.talk import normalize_url, talk
from voiceops.errors import VoiceOpsError
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold

Handler = Callable[["Scripted", ServerConnection], Awaitable[None]]
READY = {"type": "ready", "session": "s1", "profile": "p", "config_version": "v1-x",
         "audio": {"output_rate": 16000}}


class Scripted:
    """A websockets server in its own thread and loop; `handler` plays one connection.
    What the client sent and what happened are kept for the test to read."""

    def __init__(self, handler: Handler, **options: Any) -> None:
        self.handler = handler
        self.options = options
        self.received: list[Any] = []
        self.paths: list[str] = []
        self.notes: list[str] = []
        self.changed = threading.Condition()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/sessions"

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()

        async def play(ws: ServerConnection) -> None:
            self.paths.append(ws.request.path if ws.request else "")
            await self.handler(self, ws)

        async with serve(play, "127.0.0.1", 0, **self.options) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self.note("listening")
            await self._stop.wait()

    def note(self, what: str) -> None:
        with self.changed:
            self.notes.append(what)
            self.changed.notify_all()

    async def recv(self, ws: ServerConnection) -> Any:
        message = await ws.recv()
        frame = message if isinstance(message, bytes) else json.loads(message)
        with self.changed:
            self.received.append(frame)
            self.changed.notify_all()
        return frame

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while not predicate():
                if not self.changed.wait(timeout=max(deadline - time.monotonic(), 0)):
                    raise TimeoutError(f"notes {self.notes}, received {self.received}")

    def __enter__(self) -> Scripted:
        self._thread.start()
        self.wait_for(lambda: "listening" in self.notes)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


async def answer(ws: ServerConnection, text: str) -> None:
    for frame in ({"type": "reply.delta", "text": text}, {"type": "reply.done", "text": text},
                  {"type": "turn.metrics", "llm_ttft_ms": 1.0}):
        await ws.send(json.dumps(frame))


async def chat(server: Scripted, ws: ServerConnection) -> None:
    """ready, then an answer to each typed turn, until stop."""
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    while True:
        frame = await server.recv(ws)
        if isinstance(frame, dict) and frame.get("type") == "stop":
            return
        if isinstance(frame, dict) and frame.get("type") == "text":
            await answer(ws, f"You said {frame['text']}")


async def pinging_chat(server: Scripted, ws: ServerConnection) -> None:
    """ready, then three pings that must be answered before the first turn."""
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    try:
        for _ in range(3):
            await asyncio.wait_for(await ws.ping(), timeout=5)
    except TimeoutError:
        server.note("pong missing")
        await ws.close(1011, "keepalive ping timeout")
        return
    server.note("pongs answered")
    while True:
        frame = await server.recv(ws)
        if frame.get("type") == "stop":
            return
        await answer(ws, f"You said {frame['text']}")


async def close_on_turn(server: Scripted, ws: ServerConnection) -> None:
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    await server.recv(ws)
    await ws.close(1012, "service restart")


async def drop_on_turn(server: Scripted, ws: ServerConnection) -> None:
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    await server.recv(ws)
    ws.transport.abort()  # no close frame: the daemon was killed, or the network dropped


async def garbage_on_turn(server: Scripted, ws: ServerConnection) -> None:
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    await server.recv(ws)
    await ws.send("<html>oops</html>")
    await asyncio.sleep(30)


async def mute(server: Scripted, ws: ServerConnection) -> None:
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    await asyncio.sleep(30)


async def hang_up_for_silence(server: Scripted, ws: ServerConnection) -> None:
    await server.recv(ws)
    await ws.send(json.dumps(READY))
    await ws.send(json.dumps({"type": "silence", "seconds": 8, "ending": False}))
    await answer(ws, "Are you still there?")
    await ws.send(json.dumps({"type": "silence", "seconds": 8, "ending": True}))
    await ws.close(1000)


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def run_talk(*args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "voiceops.cli", "talk", *args], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1"}, **popen)


@pytest.mark.slow
def test_interactive_talk_answers_pings_while_waiting_and_echoes_once() -> None:
    """input() used to block the event loop: pings went unanswered until the daemon gave up."""
    with Scripted(pinging_chat) as server:
        master, child_end = pty.openpty()
        proc = run_talk(server.url, stdin=child_end)
        os.close(child_end)
        try:
            server.wait_for(lambda: "pongs answered" in server.notes
                            or "pong missing" in server.notes)
            os.write(master, b"hello there\n")
            server.wait_for(lambda: any(isinstance(f, dict) and f.get("type") == "text"
                                        for f in server.received))
            os.write(master, b"\x04")  # Ctrl-D: the end of input
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
        assert "pongs answered" in server.notes
        assert proc.returncode == 0, out + err
        assert "agent> You said hello there" in out
        assert "you> hello there" not in out  # the terminal showed it as it was typed


def test_piped_turns_are_echoed_once_and_end_cleanly() -> None:
    with Scripted(chat) as server:
        code, out, err = invoke("talk", server.url, stdin="first\n\nsecond\n")
    assert code == 0, out + err
    assert out.count("you> first") == 1 and out.count("you> second") == 1
    assert out.count("agent> You said second") == 1
    assert [f["type"] for f in server.received] == ["start", "text", "text", "stop"]


@pytest.mark.parametrize(("handler", "expected"), [
    (close_on_turn, "the daemon closed the connection (1012 service restart)"),
    (drop_on_turn, "the connection to the daemon was lost"),
    (garbage_on_turn, "the daemon sent a frame that is not JSON"),
])
def test_a_network_event_is_one_line_not_an_internal_error(handler: Handler,
                                                           expected: str) -> None:
    with Scripted(handler) as server:
        code, out, err = invoke("talk", server.url, "--say", "hi")
    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err
    assert "internal error" not in err


def test_no_answer_in_time_is_a_voiceops_error() -> None:
    with Scripted(mute) as server, pytest.raises(VoiceOpsError,
                                                 match=r"no answer from the daemon in 0\.5 s"):
        asyncio.run(talk(server.url, profile=None, turns=["hi"], echo=lambda _: None,
                         reply_timeout_s=0.5))


@pytest.mark.slow
def test_the_daemon_hanging_up_after_silence_ends_the_talk_cleanly() -> None:
    with Scripted(hang_up_for_silence) as server:
        proc = run_talk(server.url, stdin=subprocess.PIPE)  # open: nobody types
        try:
            proc.wait(timeout=30)  # (communicate would close stdin: an end of input)
        finally:
            proc.kill()
        out, err = proc.communicate()
    assert proc.returncode == 0, out + err
    assert "agent> Are you still there?" in out
    assert "the daemon ended the session: 8 s of silence" in out


def test_nothing_listening_says_to_start_the_daemon() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = invoke("talk", f"127.0.0.1:{port}", "--say", "hi")
    assert code == 1, err
    assert err.count("\n") == 1 and "internal error" not in err
    assert f"nothing is listening at ws://127.0.0.1:{port}/v1/sessions" in err
    assert "start `voiceops run`" in err


def test_a_bad_url_is_a_usage_error() -> None:
    code, _, err = invoke("talk", "ftp://x/y", "--say", "hi")
    assert code == 2 and err.count("\n") == 1 and "ws://" in err


@pytest.mark.parametrize(("given", "normal"), [
    ("ws://127.0.0.1:8765/v1/sessions", "ws://127.0.0.1:8765/v1/sessions"),
    ("http://127.0.0.1:9000", "ws://127.0.0.1:9000/v1/sessions"),
    ("https://voice.example.com/", "wss://voice.example.com/v1/sessions"),
    ("localhost:8765", "ws://localhost:8765/v1/sessions"),
    ("ws://h:1/v1/sessions?token=t", "ws://h:1/v1/sessions?token=t"),
])
def test_urls_are_normalized(given: str, normal: str) -> None:
    assert normalize_url(given) == normal


def test_http_url_without_path_reaches_the_session_endpoint() -> None:
    with Scripted(chat) as server:
        code, out, err = invoke("talk", f"http://127.0.0.1:{server.port}", "--say", "hi")
    assert code == 0, out + err
    assert server.paths == ["/v1/sessions"]


def test_help_shows_the_default_url() -> None:
    code, out, _ = invoke("talk", "--help")
    assert code == 0 and "ws://127.0.0.1:8765/v1/sessions" in out


def write_tone(path: Path, seconds: float, rate: int) -> None:
    """A 440 Hz tone, loud enough to count as speech, as 16-bit mono PCM."""
    samples = (int(8000 * math.sin(2 * math.pi * 440 * i / rate))
               for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    scaffold(tmp_path / "project")
    yield tmp_path / "project"


@pytest.mark.slow
def test_a_long_wav_is_paced_and_uses_its_own_rate(project: Path, tmp_path: Path) -> None:
    clip = tmp_path / "question.wav"
    write_tone(clip, 6.0, 24000)  # 6 s at 24 kHz, and no --rate
    with DaemonProcess(project, ["support_hi", "--sim"]) as daemon:
        proc = run_talk(daemon.http_url, "--wav", str(clip))
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "rate_limited" not in out + err and "error" not in out + err
    assert "heard> " in out and out.count("first audio") == 1
