"""Benchmark: concurrent simulated phone calls against a real daemon and the simulators.

N calls at once (default 100), zero provider latency, each placed by the phone simulator
(voiceops.harness.phone) as the carrier would place it: Twilio's signed webhook, then the
media stream with the caller's speech in 20 ms μ-law frames in real time (or Exotel's
100 ms PCM frames). Per call it measures at the wire: `start` -> first agent media (the
greeting) and end of caller speech -> first agent media (the reply). The same speech is
then sent over the native session protocol (`/v1/sessions`, end_of_turn sent by the client)
for the same figure without a phone line: the difference is what telephony adds, the
runner's endpointing wait taken off (a phone caller never sends end_of_turn: the runner
waits for min_silence_ms of quiet after the voice-activity model stops hearing speech, which
itself trails the speech by its hangover; that wait is measured by running the same clip
through a listener with the profile's settings, so it is the clip's, not the setting's). One
call warms the daemon first (its first call imports and connects). Also the daemon's CPU
seconds per call-minute and its memory per live call.

    python bench/phone.py [--calls 100] [--carrier twilio|exotel]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from pathlib import Path

import httpx
from sessions import lag_buckets, lag_quantile  # bench/sessions.py, beside this script

from voiceops.config.settings import SessionSettings
from voiceops.harness.daemon import DaemonProcess, starter_project
from voiceops.harness.phone import CallerTurn, CallReport, PhoneOptions, from_text, place_call
from voiceops.harness.simulators import SimProcess
from voiceops.harness.wsclient import open_session, rss_kib, send_turn, spoken
from voiceops.runtime.caller_audio import CallerAudio, Playback
from voiceops.server.looplag import watch_lag

PROFILE = "support_hi"
AUTH_TOKEN = "bench-auth-token"
SAID = "What plans do you have?"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: none measured"
    return (f"{label}: p50 {pct(values, 0.5):.0f} ms, p99 {pct(values, 0.99):.0f} ms "
            f"(n={len(values)})")


_STAGE = re.compile(r'voiceops_stage_latency_seconds_(sum|count)\{stage="(\w+)"\} (\S+)')


def stage_totals(http_url: str) -> dict[tuple[str, str], float]:
    """The daemon's per-stage latency sums and counts so far, from /metrics."""
    text = httpx.get(f"{http_url}/metrics", timeout=10).text
    return {(stage, kind): float(value) for kind, stage, value in _STAGE.findall(text)}


Stages = dict[str, float]
#: The stages the providers take (simulated: their own work and the trips to them).
PROVIDER_STAGES = ("stt", "llm_ttft", "tts_ttfb")


def stage_means(before: dict[tuple[str, str], float],
                after: dict[tuple[str, str], float]) -> Stages:
    """Mean ms per stage between two readings (the daemon's own view of each turn)."""
    means = {}
    for (stage, kind), total in after.items():
        count = after[(stage, "count")] - before.get((stage, "count"), 0.0)
        if kind == "sum" and count:
            means[stage] = (total - before.get((stage, kind), 0.0)) / count * 1000
    return means


def shown(stages: Stages) -> str:
    return ", ".join(f"{stage} {ms:.0f}" for stage, ms in stages.items()) + " ms"


def providers_ms(stages: Stages) -> float:
    """The providers' share of a turn's first audio: STT, the LLM's first token, the
    voice's first byte (means)."""
    return sum(stages.get(stage, 0.0) for stage in PROVIDER_STAGES)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def endpointing_ms(session: SessionSettings, turn: CallerTurn, rate: int) -> float:
    """How long after `turn`'s speech ends the runner ends the turn, with `session`'s
    listening settings: the same clip, 20 ms frames, through the daemon's own code."""
    caller = CallerAudio.for_session(session, rate, Playback(), endpointing=True)
    frame = rate // 50 * 2
    pcm = turn.pcm + bytes(rate * 2 * 5)  # line silence after the clip
    for start in range(0, len(pcm), frame):
        chunk = pcm[start:start + frame]
        if caller.add(chunk, caller.hear(chunk, 0.0, awaited=True).speech):
            return (start + frame - turn.speech_end) / (rate * 2) * 1000
    raise RuntimeError("the runner never ended the clip's turn")


def phone_options(daemon: DaemonProcess, carrier: str, turn: CallerTurn) -> PhoneOptions:
    return PhoneOptions(daemon.http_url, carrier, [turn], rate=8000,  # type: ignore[arg-type]
                        auth_token=AUTH_TOKEN, greeting_timeout_s=30, reply_timeout_s=30)


async def calls(daemon: DaemonProcess, options: PhoneOptions, count: int,
                own_lag: list[float]) -> tuple[list[CallReport], int]:
    """`count` calls at once: their reports, and the daemon's peak RSS (KiB) meanwhile.
    `own_lag` gets this process's event-loop lag (ms): the phones' clocks run on it, so a
    late loop delays what they measure."""
    peak = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(daemon.pid))
            await asyncio.sleep(0.2)

    watcher = asyncio.create_task(watch())
    lag = asyncio.ensure_future(watch_lag(lambda s: own_lag.append(s * 1000), 0.01))
    reports = await asyncio.gather(*(place_call(options) for _ in range(count)))
    done.set()
    lag.cancel()
    await watcher
    return list(reports), peak


async def native(daemon: DaemonProcess, count: int) -> list[float]:
    """The same speech over /v1/sessions (16 kHz, end_of_turn sent): ms to first audio."""
    said = from_text(SAID, 16000)
    pcm = said.pcm[:said.speech_end]  # end_of_turn right where the speech ends
    sessions = await asyncio.gather(*(open_session(daemon.ws_url, PROFILE)
                                      for _ in range(count)))
    turns = await asyncio.gather(*(send_turn(s.ws, spoken(pcm)) for s in sessions))
    for session in sessions:
        await session.ws.close()
    return [t.wait_s * 1000 for t in turns]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--carrier", choices=["twilio", "exotel"], default="twilio")
    args = parser.parse_args()
    with SimProcess(["--reply-sentences", "0"]) as sims, \
            starter_project(quiet_profile=PROFILE) as project:
        env = {**sims.env(), "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "VOICEOPS_TOKEN": ""}
        with DaemonProcess(project, [PROFILE, "--no-reload"], env=env) as daemon:
            turn = from_text(SAID, 8000)
            options = phone_options(daemon, args.carrier, turn)
            asyncio.run(place_call(options))  # warm-up: the daemon's first call is cold
            served = httpx.get(f"{daemon.http_url}/v1/profiles/{PROFILE}", timeout=10).json()
            wait = endpointing_ms(
                SessionSettings.from_section(served["profile"].get("session") or {}), turn, 8000)
            idle = rss_kib(daemon.pid)
            cpu_before, started = cpu_s(daemon.pid), time.monotonic()
            lag_before, own_lag = lag_buckets(daemon.http_url), list[float]()
            stages_before = stage_totals(daemon.http_url)
            reports, peak = asyncio.run(calls(daemon, options, args.calls, own_lag))
            cpu = cpu_s(daemon.pid) - cpu_before
            lag_after = lag_buckets(daemon.http_url)
            stages = stage_means(stages_before, stage_totals(daemon.http_url))
            daemon_lag = [lag_quantile(lag_before, lag_after, q) for q in (0.5, 0.99)]
            wall = time.monotonic() - started
            native_before = stage_totals(daemon.http_url)
            native_ms = asyncio.run(native(daemon, args.calls))
            native_stages = stage_means(native_before, stage_totals(daemon.http_url))
    greeting: list[float] = [r.replies[0].first_media_ms for r in reports
                if r.replies and r.replies[0].first_media_ms is not None]
    reply: list[float] = [r.replies[1].first_media_ms for r in reports
             if len(r.replies) > 1 and r.replies[1].first_media_ms is not None]
    violations = sum(len(r.violations) for r in reports)
    call_minutes = args.calls * wall / 60
    print(f"{args.calls} concurrent {args.carrier} calls, zero provider latency, "
          f"{wall:.1f} s")
    print(figures("greeting (start -> first media)", greeting))
    print(figures("reply (end of speech -> first media)", reply))
    print(f"  the daemon's own view of those turns (mean, from its end of turn): "
          f"{shown(stages)}")
    print(figures("native (end_of_turn -> first audio)", native_ms))
    print(f"  the daemon's own view of those turns: {shown(native_stages)}")
    if reply and native_ms:
        # each path's wire figure less what is not the runner's: the providers' share and,
        # on the phone, the endpointing wait (a native client sends end_of_turn itself)
        phone_own = [pct(reply, q) - wait - providers_ms(stages) for q in (0.5, 0.99)]
        native_own = [pct(native_ms, q) - providers_ms(native_stages) for q in (0.5, 0.99)]
        print(f"the runner's own share: phone p50 {phone_own[0]:.0f} ms, p99 "
              f"{phone_own[1]:.0f} ms (less the {wait:.0f} ms endpointing wait of this clip "
              f"with this profile's session.vad); native p50 {native_own[0]:.0f} ms, p99 "
              f"{native_own[1]:.0f} ms")
        print(f"telephony adds: p50 {phone_own[0] - native_own[0]:.0f} ms, "
              f"p99 {phone_own[1] - native_own[1]:.0f} ms")
    print(f"daemon CPU: {cpu:.1f} s, {cpu / call_minutes:.2f} s per call-minute")
    print(f"daemon memory: idle {idle / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB, "
          f"{(peak - idle) / args.calls:.0f} KiB per call")
    print(f"event-loop lag: daemon p50 {daemon_lag[0]}, p99 {daemon_lag[1]}; the phones' "
          f"own {figures('', own_lag).lstrip(': ')}")
    print(f"protocol violations: {violations}")


if __name__ == "__main__":
    main()
