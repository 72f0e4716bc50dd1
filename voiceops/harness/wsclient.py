"""A minimal session client for benchmarks: start a session, send a turn, read its reply.

    s = await open_session(daemon.ws_url, "support_hi")
    t = await send_turn(s.ws, typed("hello"))            # or spoken(), audio frames
    print(t.wait_s, t.metrics["first_audio_ms"], rss_kib(daemon.pid))

`voiceops talk` is the client for people; this one keeps nothing but the figures a
benchmark needs, so thousands of turns cost the client no memory.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceops.providers.audio import duration_s

__all__ = ["AUDIO_TURN", "INPUT_RATE", "Session", "Turn", "open_session", "rss_kib",
           "send_turn", "spoken", "typed"]

INPUT_RATE = 16000
#: One second of a loud square-ish tone at 16 kHz: speech to the energy gate.
AUDIO_TURN = (b"\x10\x27" * 160) * 50
_FRAME_BYTES = 640  # 20 ms at 16 kHz, as a microphone sends it
_TIMEOUT_S = 60


def rss_kib(pid: int) -> int:
    """The resident memory of process `pid` (VmRSS from /proc), in KiB; 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Session:
    """An open session: its WebSocket and the sample rate of the audio it sends back."""

    ws: Any
    output_rate: int


@dataclass
class Turn:
    """What one turn cost, as the client saw it."""

    wait_s: float  # end of turn -> first audio byte (or the metrics, when no audio came)
    first_audio_at: float  # perf_counter() when it arrived
    audio_bytes: int
    metrics: dict[str, Any]


async def open_session(url: str, profile: str) -> Session:
    """Connect, start a session on `profile` and read up to the greeting's end."""
    import websockets  # deferred: the package itself never needs a WebSocket client

    ws = await websockets.connect(url, max_size=None, open_timeout=_TIMEOUT_S)
    await ws.send(json.dumps({"type": "start", "profile": profile,
                              "audio": {"sample_rate": INPUT_RATE}}))
    rate = 0
    while True:
        message = await asyncio.wait_for(ws.recv(), _TIMEOUT_S)
        if isinstance(message, bytes):
            continue
        frame = json.loads(message)
        if frame["type"] == "ready":
            rate = frame["audio"]["output_rate"]
            if not frame.get("first_message"):
                return Session(ws, rate)
        if frame["type"] == "reply.done":
            return Session(ws, rate)
        if frame["type"] == "error":
            raise RuntimeError(frame)


async def send_turn(ws: Any, frames: list[str | bytes], *, realtime: bool = True) -> Turn:
    """Send a turn and read its reply up to `turn.metrics`. Audio frames go out at the pace
    a microphone makes them when `realtime`, else as fast as the socket takes them."""
    for frame in frames[:-1]:
        await ws.send(frame)
        if isinstance(frame, bytes) and realtime:
            await asyncio.sleep(duration_s(frame, INPUT_RATE))
    sent = time.perf_counter()
    await ws.send(frames[-1])
    first: float | None = None
    audio = 0
    while True:
        message = await asyncio.wait_for(ws.recv(), _TIMEOUT_S)
        if isinstance(message, bytes):
            first = first or time.perf_counter()
            audio += len(message)
            continue
        frame = json.loads(message)
        if frame["type"] == "turn.metrics":
            first = first or time.perf_counter()
            return Turn(first - sent, first, audio, frame)
        if frame["type"] == "error":
            raise RuntimeError(frame)


def typed(text: str) -> list[str | bytes]:
    """The frames of a typed turn."""
    return [json.dumps({"type": "text", "text": text})]


def spoken(pcm: bytes = AUDIO_TURN) -> list[str | bytes]:
    """The frames of an audio turn: `pcm` (16 kHz s16le) in 20 ms frames, then end_of_turn."""
    chunks: list[str | bytes] = [pcm[i:i + _FRAME_BYTES]
                                 for i in range(0, len(pcm), _FRAME_BYTES)]
    return [*chunks, json.dumps({"type": "end_of_turn"})]
