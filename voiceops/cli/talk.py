"""`voiceops talk`: a terminal client for a running daemon's session WebSocket.

Typed turns (or a WAV file as an audio turn) go out; reply text prints as it streams in,
reply audio is counted (and can be saved), and each turn ends with its latency figures.

One task reads the socket from the moment the session opens, so the connection is served
(keepalive pings answered, a reminder or a hang-up shown) while a person types; stdin is
read in a thread of its own. Every way the connection can end, stall or garble becomes a
one-line `DaemonConnectionError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceops.cli.app import write_file
from voiceops.errors import DaemonConnectionError, UsageError
from voiceops.providers.audio import SAMPLE_WIDTH, pcm_to_wav, wav_to_pcm

Print = Callable[[str], None]
SESSION_PATH = "/v1/sessions"
FRAME_MS = 20  # 50 audio frames a second: real time, half the daemon's message-rate limit
READY_TIMEOUT_S = 30.0
REPLY_TIMEOUT_S = 120.0
_SCHEMES = {"ws": "ws", "http": "ws", "wss": "wss", "https": "wss"}
_TURN_ENDING_ERRORS = ("no_audio", "no_speech", "stt_failed")


@dataclass
class TurnResult:
    text: str = ""
    audio_bytes: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    transcript: str | None = None


@dataclass
class Conversation:
    ready: dict[str, Any]
    turns: list[TurnResult] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    ended: str | None = None  # why the daemon ended the session, when it did so in order


def normalize_url(url: str) -> str:
    """The session URL for what a person types: `ws://host:port/v1/sessions` as is;
    `http://host:port`, `host:port` or a URL without a path get ws(s):// and the path.

    Raises UsageError for what is not a daemon's address.
    """
    text = url.strip()
    parts = urllib.parse.urlsplit(text if "://" in text else f"ws://{text}")
    scheme = _SCHEMES.get(parts.scheme.lower())
    try:
        valid = scheme is not None and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid or scheme is None:
        raise UsageError(f"'{url}' is not a daemon address; give ws://host:port (or "
                         "http://host:port, or host:port)")
    path = parts.path.rstrip("/") or SESSION_PATH
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def read_wav(path: Path) -> tuple[bytes, int]:
    """(PCM s16le mono, its sample rate) of a WAV file the daemon accepts.

    Raises UsageError for an unreadable file or a rate sessions do not take.
    """
    from voiceops.server.protocol import INPUT_RATES

    try:
        pcm, rate = wav_to_pcm(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable WAV file ({exc})") from exc
    if rate not in INPUT_RATES:
        raise UsageError(f"{path} is {rate} Hz; sessions take "
                         f"{', '.join(map(str, INPUT_RATES))} Hz")
    return pcm, rate


class StdinLines:
    """Lines from stdin, read in a daemon thread so the event loop keeps running while a
    person types (the process can still exit while the thread waits). A line is read only
    when asked for, so the prompt appears after the agent's answer, not during it."""

    def __init__(self, prompt: str | None) -> None:
        self.prompt = prompt  # None: piped input, read without a prompt
        self._asks: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop,
                                            asyncio.Future[str | None]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def next(self) -> asyncio.Future[str | None]:
        """The next non-empty line, or None at the end of input (or /quit)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        self._asks.put((loop, future))
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()
        return future

    def _serve(self) -> None:
        while True:
            loop, future = self._asks.get()
            line = self._read()
            loop.call_soon_threadsafe(_settle, future, line)
            if line is None:
                return

    def _read(self) -> str | None:
        while True:
            try:
                line = input(self.prompt) if self.prompt is not None else sys.stdin.readline()
            except EOFError:
                return None
            if not line:
                return None
            text = line.strip()
            if text in ("/quit", "/exit"):
                return None
            if text:
                return text


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


async def talk(url: str, *, profile: str | None, turns: Iterable[str] | StdinLines,
               token: str | None = None, wav: Path | None = None, echo: Print = print,
               variables: dict[str, Any] | None = None, echo_turns: bool = True,
               reply_timeout_s: float = REPLY_TIMEOUT_S) -> Conversation:
    """Hold a conversation: each item of `turns` is typed text (or, when `wav` is given,
    the file is sent first as an audio turn, paced in real time). Returns what came back.

    Raises DaemonConnectionError for a connection that fails, stalls or ends early, and
    UsageError for a bad URL or WAV file, or a session the daemon refuses.
    """
    import websockets

    url = normalize_url(url)
    audio = read_wav(wav) if wav is not None else None
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        socket = await websockets.connect(url, additional_headers=headers, max_size=None,
                                          open_timeout=10)
    except websockets.InvalidURI as exc:
        raise UsageError(f"'{url}' is not a daemon address: {exc}") from exc
    except ConnectionRefusedError as exc:
        raise DaemonConnectionError(f"nothing is listening at {url}; start `voiceops run` "
                                    "there, or name the daemon's URL") from exc
    except websockets.InvalidHandshake as exc:
        raise DaemonConnectionError(f"{url} did not open a session: {exc}") from exc
    except TimeoutError as exc:
        raise DaemonConnectionError(f"{url} did not answer in 10 s") from exc
    except OSError as exc:
        raise DaemonConnectionError(f"cannot connect to {url}: {exc.strerror or exc}") from exc
    async with socket:
        link = _Link(socket, echo, reply_timeout_s)
        try:
            return await link.converse(profile, variables or {}, audio, turns, echo_turns)
        except websockets.ConnectionClosed as exc:  # a send after the daemon went away
            raise DaemonConnectionError(_closed(socket)) from exc
        except _HungUp as hung_up:
            assert link.conversation is not None
            link.conversation.ended = str(hung_up)
            echo(f"the daemon ended the session: {hung_up}")
            return link.conversation
        finally:
            link.reader.cancel()


class _HungUp(Exception):
    """The daemon closed the session in order (the caller was silent too long)."""


class _Link:
    """One session's connection: frames in through a reader task, turns out."""

    def __init__(self, socket: Any, echo: Print, reply_timeout_s: float) -> None:
        self.socket = socket
        self.echo = echo
        self.reply_timeout_s = reply_timeout_s
        self.inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())
        self.conversation: Conversation | None = None
        self.hang_up: str | None = None

    async def _read(self) -> None:
        import websockets

        try:
            async for message in self.socket:
                self.inbox.put_nowait(message)
        except websockets.ConnectionClosed:
            pass
        self.inbox.put_nowait(None)  # the end: `_next` says how it ended

    async def _next(self, timeout_s: float | None) -> dict[str, Any] | bytes:
        """The next frame; None waits as long as it takes."""
        try:
            message = await asyncio.wait_for(self.inbox.get(), timeout_s)
        except TimeoutError:
            raise DaemonConnectionError(f"no answer from the daemon in {timeout_s:g} s") \
                from None
        if message is None:
            self.inbox.put_nowait(None)  # the end stays the end for later reads
            if self.hang_up is not None:
                raise _HungUp(self.hang_up)
            raise DaemonConnectionError(_closed(self.socket))
        if isinstance(message, bytes):
            return message
        try:
            frame = json.loads(message)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            raise DaemonConnectionError(f"the daemon sent a frame that is not JSON: "
                                        f"{message[:60]!r}")
        return frame

    async def converse(self, profile: str | None, variables: dict[str, Any],
                       audio: tuple[bytes, int] | None, turns: Iterable[str] | StdinLines,
                       echo_turns: bool) -> Conversation:
        rate = audio[1] if audio else 16000
        await self.socket.send(json.dumps({"type": "start", "profile": profile,
                                           "vars": variables, "audio": {"sample_rate": rate}}))
        ready = await self._expect_ready()
        self.conversation = conversation = Conversation(ready)
        self.echo(f"connected: profile {ready['profile']}, config {ready['config_version']}, "
                  f"session {ready['session']}")
        if ready.get("simulated"):
            self.echo("(simulated providers)")
        if ready.get("first_message"):
            await self._turn(greeting=True)
        if audio is not None:
            await self._send_paced(*audio)
            await self.socket.send(json.dumps({"type": "end_of_turn"}))
            await self._turn()
        if isinstance(turns, StdinLines):
            while (text := await self._between_turns(turns.next())) is not None:
                await self._say(text, echo_turns)
        else:
            for text in (t.strip() for t in turns):
                if text:
                    await self._say(text, echo_turns)
        import websockets

        with contextlib.suppress(websockets.ConnectionClosed):  # it may have just hung up
            await self.socket.send(json.dumps({"type": "stop"}))
        return conversation

    async def _say(self, text: str, echo_turns: bool) -> None:
        if echo_turns:
            self.echo(f"you> {text}")
        await self.socket.send(json.dumps({"type": "text", "text": text}))
        await self._turn()

    async def _expect_ready(self) -> dict[str, Any]:
        while True:
            frame = await self._next(READY_TIMEOUT_S)
            if isinstance(frame, bytes):
                continue
            if frame.get("type") == "ready":
                return frame
            if frame.get("type") == "error":
                raise UsageError(f"the daemon refused the session: {frame.get('code')}: "
                                 f"{frame.get('message')}")

    async def _send_paced(self, pcm: bytes, rate: int) -> None:
        """Audio in FRAME_MS frames at the pace it plays: the daemon limits how many
        messages a session may send a second, and a caller cannot talk faster anyway."""
        step = rate * SAMPLE_WIDTH * FRAME_MS // 1000
        start = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm), step)):
            delay = start + index * FRAME_MS / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.socket.send(pcm[offset:offset + step])

    async def _between_turns(self, line: asyncio.Future[str | None]) -> str | None:
        """Wait for the next typed line, showing what the daemon says meanwhile (a
        reminder after a silence, an error, a hang-up)."""
        spoken = TurnResult()
        while True:
            waiting = asyncio.ensure_future(self._next(None))
            pending: set[asyncio.Future[Any]] = {line, waiting}
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                waiting.cancel()
                return line.result()
            if line.done():  # both at once: the daemon's frame first, then the line
                self._handle(waiting.result(), spoken)
                return line.result()
            if self._handle(waiting.result(), spoken) == "reply.done":
                self._record(spoken)
                spoken = TurnResult()

    async def _turn(self, greeting: bool = False) -> TurnResult:
        """Frames until the turn's metrics (for the greeting, its reply.done)."""
        result = TurnResult()
        while True:
            kind = self._handle(await self._next(self.reply_timeout_s), result)
            ends = (kind == "reply.done" and greeting) or kind == "turn.metrics" or (
                kind == "error" and result.errors[-1].get("code") in _TURN_ENDING_ERRORS)
            if ends:
                if kind == "turn.metrics":
                    self.echo(_latency_line(result))
                self._record(result)
                return result

    def _record(self, result: TurnResult) -> None:
        assert self.conversation is not None
        self.conversation.turns.append(result)

    def _handle(self, frame: dict[str, Any] | bytes, result: TurnResult) -> str:
        """Print and keep one frame; returns its type ("audio" for audio)."""
        if isinstance(frame, bytes):
            result.audio_bytes += len(frame)
            assert self.conversation is not None
            self.conversation.audio += frame
            return "audio"
        kind = str(frame.get("type"))
        if kind == "transcript":
            result.transcript = frame.get("text", "")
            self.echo(f"heard> {result.transcript}")
        elif kind == "reply.delta":
            result.text += frame.get("text", "")
        elif kind == "reply.done":
            self.echo(f"agent> {frame.get('text', result.text)}")
        elif kind == "turn.metrics":
            result.metrics = frame
        elif kind == "error":
            result.errors.append(frame)
            self.echo(f"error: {frame.get('code')}: {frame.get('message')}")
        elif kind == "silence" and frame.get("ending"):
            self.hang_up = f"{frame.get('seconds', 0):g} s of silence, twice in a row"
        return kind


def _closed(socket: Any) -> str:
    from websockets.frames import CloseCode

    code, reason = socket.close_code, socket.close_reason
    if code in (None, CloseCode.ABNORMAL_CLOSURE):  # no close frame came
        return "the connection to the daemon was lost (it stopped, or the network dropped)"
    try:
        name = CloseCode(code).name.lower().replace("_", " ")
    except ValueError:
        name = ""
    return f"the daemon closed the connection ({code} {reason or name})".replace(" )", ")")


def _latency_line(result: TurnResult) -> str:
    metrics = result.metrics
    parts = []
    for key, label in (("stt_ms", "stt"), ("llm_ttft_ms", "llm first token"),
                       ("tts_ttfb_ms", "tts first byte"), ("first_audio_ms", "first audio")):
        if metrics.get(key) is not None:
            parts.append(f"{label} {metrics[key]:.0f} ms")
    return f"   [{', '.join(parts)}; {result.audio_bytes / 1024:.0f} KiB audio]"


def save_audio(conversation: Conversation, path: Path) -> None:
    rate = int(conversation.ready.get("audio", {}).get("output_rate", 22050))
    write_file(path, pcm_to_wav(bytes(conversation.audio), rate))
