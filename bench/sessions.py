"""Benchmark: many concurrent sessions against a real daemon and the simulators.

1. N sessions (default 200) at once, zero provider latency, each doing typed turns and an
   audio turn (sent as a microphone makes it: a 20 ms frame every 20 ms). Two pacings:
   - caller: like people on a call, each session waits for the reply to finish playing
     (its audio's length, from its first byte) and pauses before the next turn;
   - stress: the next turn follows the pause alone, as if nobody listened to the reply:
     about four times the turn rate of the same number of real calls.
   Per turn it reports, from end of turn (the text or end_of_turn frame sent) to the first
   audio byte: what the client saw, the runner's own share measured inside it (the time
   not spent waiting for STT, the LLM's first phrase and TTS's first byte), and the
   client's figure minus the providers' share (the runner's share plus any queueing
   before a frame reaches its session; an upper bound, as it includes the client's own
   delays). Also the daemon's event-loop lag and its memory per idle session.
2. One session with realistic provider latencies (STT 150 ms, LLM first token 300 ms, TTS
   first byte 200 ms, a reply that takes about 2 s to generate): first audio must arrive at
   about the sum of the three, not after the whole reply.

The simulators run in their own process (`voiceops sim`), so hundreds of clients here do not
hold up their answers.

    python bench/sessions.py [--sessions 200] [--turns 3] [--think 2] [--pace both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

from voiceops.harness.daemon import DaemonProcess, starter_project
from voiceops.harness.simulators import SimProcess
from voiceops.harness.wsclient import Session, open_session, rss_kib, send_turn, spoken, typed
from voiceops.providers.audio import SAMPLE_WIDTH
from voiceops.server.heap import settle_heap
from voiceops.server.looplag import watch_lag

PROFILE = "support_hi"
_LAG_BUCKET = re.compile(r'voiceops_event_loop_lag_seconds_bucket\{le="([^"]+)"\} (\S+)')


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def lag_buckets(http_url: str) -> dict[float, float]:
    """The daemon's event-loop lag histogram: cumulative count per upper bound (seconds)."""
    text = httpx.get(f"{http_url}/metrics", timeout=10).text
    return {float(le): float(count) for le, count in _LAG_BUCKET.findall(text)}


def lag_quantile(before: dict[float, float], after: dict[float, float], q: float) -> str:
    """The bucket bound under which a fraction `q` of the samples taken in between fell."""
    counts = {le: after[le] - before.get(le, 0.0) for le in sorted(after)}
    total = counts[float("inf")]
    for le, count in counts.items():
        if total and count >= q * total:
            return "over 1 s" if le == float("inf") else f"<= {le * 1000:g} ms"
    return "no samples"


def line(label: str, values: list[float]) -> str:
    return f"  {label}: p50 {pct(values, .5):.1f} ms, p99 {pct(values, .99):.1f} ms"


async def phase(sessions: list[Session], http_url: str, turns: int, think_s: float,
                pace: str) -> None:
    waits: list[float] = []
    overhead: list[float] = []
    outside: list[float] = []
    rng = random.Random(7)

    async def converse(s: Session) -> None:
        await asyncio.sleep(rng.uniform(0, 2 * think_s))
        for i in range(turns + 1):
            t = await send_turn(s.ws, typed(f"question number {i}") if i < turns else spoken())
            m = t.metrics
            stt = (m.get("stt_ms") or 0) / 1000  # the provider's, like the others below
            waits.append((t.wait_s - stt) * 1000)
            overhead.append(m["overhead_ms"])
            providers = m["first_audio_ms"] - m["overhead_ms"]
            outside.append(t.wait_s * 1000 - providers)
            if pace == "caller":  # the reply plays to its end before the caller speaks
                ends = t.first_audio_at + t.audio_bytes / (SAMPLE_WIDTH * s.output_rate)
                await asyncio.sleep(max(0.0, ends - time.perf_counter()))
            await asyncio.sleep(rng.uniform(0, 2 * think_s))

    lag_before = lag_buckets(http_url)
    own_lag: list[float] = []  # this process's, which the client's figures include
    watcher = asyncio.ensure_future(watch_lag(lambda s: own_lag.append(s * 1000), 0.01))
    started = time.perf_counter()
    await asyncio.gather(*(converse(s) for s in sessions))
    elapsed = time.perf_counter() - started
    watcher.cancel()
    lag_after = lag_buckets(http_url)
    how = ("each reply played to its end, then" if pace == "caller"
           else "no waiting for replies to play (stress), just")
    print(f"{len(sessions)} concurrent sessions, {turns} typed + 1 audio turn each, zero "
          f"provider latency, {how} pauses of 0-{2 * think_s:g} s: {len(waits)} turns in "
          f"{elapsed:.1f} s ({len(waits) / elapsed:.0f} turns/s)")
    print(line("end of turn -> first audio byte, at the client", waits))
    print(line("the runner's own share, measured inside it", overhead))
    print(line("the client's figure minus the providers' share (upper bound)", outside))
    print(f"  daemon event-loop lag: p50 {lag_quantile(lag_before, lag_after, .5)}, "
          f"p99 {lag_quantile(lag_before, lag_after, .99)}; this client's: p99 "
          f"{pct(own_lag, .99):.1f} ms, max {max(own_lag):.1f} ms")


async def load(url: str, http_url: str, pid: int, count: int, turns: int, think_s: float,
               paces: list[str]) -> None:
    warm = await open_session(url, PROFILE)
    await send_turn(warm.ws, typed("warm up"))
    base = rss_kib(pid)
    sessions = await asyncio.gather(*(open_session(url, PROFILE) for _ in range(count)))
    idle = rss_kib(pid)
    settle_heap()  # as the daemon does: keep full collections from stalling the clients
    print(f"memory: {base / 1024:.1f} MiB with one session, {idle / 1024:.1f} MiB with "
          f"{count + 1}: {(idle - base) / count:.0f} KiB per idle session")
    for pace in paces:
        await phase(list(sessions), http_url, turns, think_s, pace)
    for s in [*sessions, warm]:
        await s.ws.close()


async def realistic(url: str) -> None:
    s = await open_session(url, PROFILE)
    await send_turn(s.ws, typed("warm up"))  # connections to the providers are open, as in use
    t = await send_turn(s.ws, spoken())
    await s.ws.close()
    m = t.metrics
    print("one session, STT 150 ms + LLM first token 300 ms + TTS first byte 200 ms, a reply "
          "generated over about 2 s:")
    print(f"  first audio {m['first_audio_ms']:.0f} ms after the end of the turn "
          f"(stt {m['stt_ms']:.0f}, llm first token {m['llm_ttft_ms']:.0f}, "
          f"tts first byte {m['tts_ttfb_ms']:.0f}); whole turn {m['total_ms']:.0f} "
          f"ms; client saw first audio after {t.wait_s * 1000:.0f} ms")


def run(project: Path, sim_args: list[str],
        work: Callable[[DaemonProcess], Coroutine[Any, Any, None]]) -> None:
    with SimProcess(sim_args) as sims, \
            DaemonProcess(project, [PROFILE, "--log-level", "warning", "--no-reload"],
                          env=sims.env()) as daemon:
        asyncio.run(work(daemon))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--turns", type=int, default=3, help="Typed turns per session.")
    parser.add_argument("--think", type=float, default=2.0,
                        help="Mean pause between a session's turns, seconds.")
    parser.add_argument("--pace", choices=["caller", "stress", "both"], default="both")
    args = parser.parse_args()
    paces = ["caller", "stress"] if args.pace == "both" else [args.pace]
    realistic_sims = ["--stt-latency", "0.15", "--llm-ttft", "0.3", "--tts-ttfb", "0.2",
                      "--token-interval", "0.025",
                      "--reply-sentences", "8"]  # about 80 tokens: ~2 s of generation
    # sessions wait between the two pacings longer than a caller may stay silent
    with starter_project(PROFILE) as root:
        run(root, [], lambda d: load(d.ws_url, d.http_url, d.pid, args.sessions, args.turns,
                                     args.think, paces))
        run(root, realistic_sims, lambda d: realistic(d.ws_url))


if __name__ == "__main__":
    main()
