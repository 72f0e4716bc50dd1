"""Benchmark: many concurrent sessions against a real daemon and the simulators.

1. N sessions (default 200) at once, zero provider latency: each does typed turns and an
   audio turn. The runner's own overhead per turn is the client-side time from the end of
   the turn (the text or end_of_turn frame sent) to the first audio byte received: p50/p99.
   Memory per idle session is the daemon's RSS growth divided by N.
2. One session with realistic provider latencies (STT 150 ms, LLM first token 300 ms, TTS
   first byte 200 ms, a reply that takes about 2 s to generate): first audio must arrive at
   about the sum of the three, not after the whole reply.

    python bench/sessions.py [--sessions 200] [--turns 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets

from voiceops.scaffold import scaffold
from voiceops.server.process import DaemonProcess
from voiceops.sim.process import SimProcess

PROFILE = "support_hi"
AUDIO_TURN = (b"\x10\x27" * 160) * 50  # one second of a loud square-ish tone at 16 kHz


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def session(url: str) -> tuple[Any, dict[str, Any]]:
    ws = await websockets.connect(url, max_size=None, open_timeout=60)
    await ws.send(json.dumps({"type": "start", "profile": PROFILE}))
    ready: dict[str, Any] = {}
    while True:
        message = await asyncio.wait_for(ws.recv(), 60)
        if isinstance(message, bytes):
            continue
        frame = json.loads(message)
        if frame["type"] == "ready":
            ready = frame
        if frame["type"] == "reply.done":
            return ws, ready


async def turn(ws: Any, frames: list[str | bytes]) -> tuple[float, dict[str, Any]]:
    """Send a turn; seconds from its last frame to the first audio byte, and its metrics."""
    for frame in frames[:-1]:
        await ws.send(frame)
    sent = time.perf_counter()
    await ws.send(frames[-1])
    first: float | None = None
    while True:
        message = await asyncio.wait_for(ws.recv(), 60)
        if isinstance(message, bytes):
            first = first or time.perf_counter()
            continue
        frame = json.loads(message)
        if frame["type"] == "turn.metrics":
            return ((first or time.perf_counter()) - sent), frame
        if frame["type"] == "error":
            raise RuntimeError(frame)


def typed(text: str) -> list[str | bytes]:
    return [json.dumps({"type": "text", "text": text})]


def spoken() -> list[str | bytes]:
    step = 640  # 20 ms frames
    chunks: list[str | bytes] = [AUDIO_TURN[i:i + step] for i in range(0, len(AUDIO_TURN), step)]
    return [*chunks, json.dumps({"type": "end_of_turn"})]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load(url: str, pid: int, count: int, turns: int, think_s: float) -> None:
    warm, _ = await session(url)
    await turn(warm, typed("warm up"))
    base = rss_kib(pid)
    sessions = await asyncio.gather(*(session(url) for _ in range(count)))
    idle = rss_kib(pid)
    per_session = (idle - base) / count
    waits: list[float] = []
    server_ms: list[float] = []
    overhead: list[float] = []

    rng = random.Random(7)

    async def converse(ws: Any) -> None:
        for i in range(turns):
            await asyncio.sleep(rng.uniform(0, 2 * think_s))  # a caller's pause
            wait, metrics = await turn(ws, typed(f"question number {i}"))
            waits.append(wait)
            server_ms.append(metrics["first_audio_ms"])
            overhead.append(metrics["overhead_ms"])
        wait, metrics = await turn(ws, spoken())
        waits.append(wait - (metrics.get("stt_ms") or 0) / 1000)  # STT is the provider's
        server_ms.append(metrics["first_audio_ms"] - (metrics.get("stt_ms") or 0))
        overhead.append(metrics["overhead_ms"])

    started = time.perf_counter()
    await asyncio.gather(*(converse(ws) for ws, _ in sessions))
    elapsed = time.perf_counter() - started
    ms = [w * 1000 for w in waits]
    mode = (f"pauses of 0-{2 * think_s:.0f} s between turns" if think_s
            else "every session's turn at the same moment (a burst)")
    print(f"{count} concurrent sessions, {turns} typed + 1 audio turn each, zero provider "
          f"latency, {mode} ({len(ms)} turns in {elapsed:.1f} s)")
    print(f"  end of turn -> first audio byte, at the client: p50 {pct(ms, .5):.1f} ms, "
          f"p99 {pct(ms, .99):.1f} ms")
    print(f"  same, measured inside the runner: p50 {pct(server_ms, .5):.1f} ms, "
          f"p99 {pct(server_ms, .99):.1f} ms")
    print(f"  the runner's own share (minus STT, LLM until the first phrase, TTS first byte):"
          f" p50 {pct(overhead, .5):.1f} ms, p99 {pct(overhead, .99):.1f} ms")
    print(f"  memory: {base / 1024:.1f} MiB with one session, {idle / 1024:.1f} MiB with "
          f"{count + 1}: {per_session:.0f} KiB per idle session")
    for ws, _ in sessions:
        await ws.close()
    await warm.close()


async def realistic(url: str) -> None:
    ws, _ = await session(url)
    wait, metrics = await turn(ws, spoken())
    await ws.close()
    print("one session, STT 150 ms + LLM first token 300 ms + TTS first byte 200 ms, a reply "
          "generated over about 2 s:")
    print(f"  first audio {metrics['first_audio_ms']:.0f} ms after the end of the turn "
          f"(stt {metrics['stt_ms']:.0f}, llm first token {metrics['llm_ttft_ms']:.0f}, "
          f"tts first byte {metrics['tts_ttfb_ms']:.0f}); whole turn {metrics['total_ms']:.0f} "
          f"ms; client saw first audio after {wait * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--think", type=float, default=2.0,
                        help="Mean pause between a session's turns, seconds (0: bursts).")
    args = parser.parse_args()
    daemon_args = [PROFILE, "--log-level", "warning", "--no-reload"]
    # The simulators run in their own process: sharing this one's GIL with hundreds of
    # clients would add its waits to every provider call.
    realistic_sims = ["--stt-latency", "0.15", "--llm-ttft", "0.3", "--tts-ttfb", "0.2",
                      "--token-interval", "0.025",
                      "--reply-sentences", "8"]  # about 80 tokens: ~2 s of generation
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scaffold(root)
        with SimProcess() as sims, DaemonProcess(root, daemon_args, env=sims.env()) as daemon:
            asyncio.run(load(daemon.ws_url, daemon.pid, args.sessions, args.turns, args.think))
        with SimProcess(realistic_sims) as sims, \
                DaemonProcess(root, daemon_args, env=sims.env()) as daemon:
            asyncio.run(realistic(daemon.ws_url))


if __name__ == "__main__":
    main()
