"""`voiceops talk`: a terminal client for a running daemon's session WebSocket.

Typed turns (or a WAV file as an audio turn) go out; reply text prints as it streams in,
reply audio is counted (and can be saved), and each turn ends with its latency figures.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceops.errors import UsageError
from voiceops.providers.audio import pcm_to_wav, wav_to_pcm

Print = Callable[[str], None]
FRAME_MS = 20


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


def _wav_frames(path: Path, rate: int) -> list[bytes]:
    try:
        pcm, file_rate = wav_to_pcm(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable WAV file ({exc})") from exc
    if file_rate != rate:
        raise UsageError(f"{path} is {file_rate} Hz; send it with --rate {file_rate}")
    step = rate * 2 * FRAME_MS // 1000
    return [pcm[i:i + step] for i in range(0, len(pcm), step)]


async def talk(url: str, *, profile: str | None, turns: AsyncIterator[str] | Iterable[str],
               token: str | None = None, wav: Path | None = None, rate: int = 16000,
               echo: Print = print, variables: dict[str, Any] | None = None) -> Conversation:
    """Hold a conversation: each item of `turns` is typed text (or, when `wav` is given,
    the file is sent first as an audio turn). Returns what came back."""
    import websockets

    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        socket = await websockets.connect(url, additional_headers=headers, max_size=None,
                                          open_timeout=10)
    except (OSError, websockets.InvalidURI, websockets.InvalidHandshake) as exc:
        raise UsageError(f"cannot connect to {url}: {exc}") from exc
    async with socket:
        await socket.send(json.dumps({"type": "start", "profile": profile,
                                      "vars": variables or {},
                                      "audio": {"sample_rate": rate}}))
        ready = await _expect_ready(socket)
        conversation = Conversation(ready)
        echo(f"connected: profile {ready['profile']}, config {ready['config_version']}, "
             f"session {ready['session']}")
        if ready.get("simulated"):
            echo("(simulated providers)")
        if ready.get("first_message"):
            conversation.turns.append(await _collect(socket, conversation, echo, greeting=True))
        if wav is not None:
            for frame in _wav_frames(wav, rate):
                await socket.send(frame)
            await socket.send(json.dumps({"type": "end_of_turn"}))
            conversation.turns.append(await _collect(socket, conversation, echo))
        async for text in _items(turns):
            echo(f"you> {text}")
            await socket.send(json.dumps({"type": "text", "text": text}))
            conversation.turns.append(await _collect(socket, conversation, echo))
        await socket.send(json.dumps({"type": "stop"}))
    return conversation


async def _items(turns: AsyncIterator[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(turns, AsyncIterator):
        async for item in turns:
            if item.strip():
                yield item.strip()
    else:
        for item in turns:
            if item.strip():
                yield item.strip()


async def _expect_ready(socket: Any) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(socket.recv(), timeout=30)
        if isinstance(message, bytes):
            continue
        frame = json.loads(message)
        if frame.get("type") == "ready":
            return dict(frame)
        if frame.get("type") == "error":
            raise UsageError(f"the server refused the session: {frame.get('code')}: "
                             f"{frame.get('message')}")


async def _collect(socket: Any, conversation: Conversation, echo: Print,
                   greeting: bool = False) -> TurnResult:
    """Frames until the turn's metrics (or, for the greeting, its reply.done)."""
    result = TurnResult()
    started = time.perf_counter()
    while True:
        message = await asyncio.wait_for(socket.recv(), timeout=120)
        if isinstance(message, bytes):
            result.audio_bytes += len(message)
            conversation.audio += message
            continue
        frame = json.loads(message)
        kind = frame.get("type")
        if kind == "transcript":
            result.transcript = frame.get("text", "")
            echo(f"heard> {result.transcript}")
        elif kind == "reply.delta":
            result.text += frame.get("text", "")
        elif kind == "error":
            result.errors.append(frame)
            echo(f"error: {frame.get('code')}: {frame.get('message')}")
            if frame.get("code") in ("no_audio", "no_speech", "stt_failed"):
                return result
        elif kind == "reply.done":
            echo(f"agent> {frame.get('text', result.text)}")
            if greeting:
                return result
        elif kind == "turn.metrics":
            result.metrics = frame
            echo(_latency_line(frame, result, time.perf_counter() - started))
            return result


def _latency_line(metrics: dict[str, Any], result: TurnResult, wall_s: float) -> str:
    parts = []
    for key, label in (("stt_ms", "stt"), ("llm_ttft_ms", "llm first token"),
                       ("tts_ttfb_ms", "tts first byte"), ("first_audio_ms", "first audio")):
        if metrics.get(key) is not None:
            parts.append(f"{label} {metrics[key]:.0f} ms")
    return f"   [{', '.join(parts)}; {result.audio_bytes / 1024:.0f} KiB audio]"


def save_audio(conversation: Conversation, path: Path) -> None:
    rate = int(conversation.ready.get("audio", {}).get("output_rate", 22050))
    path.write_bytes(pcm_to_wav(bytes(conversation.audio), rate))
