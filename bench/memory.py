"""Benchmark: does a long-running daemon's memory stay flat? RSS over thousands of turns.

Starts `voiceops run --sim` as a real child process (the simulators run inside it, as
threads) and drives TURNS turns (default 2,000) over real WebSocket sessions: a few sessions
at a time, each a handful of typed turns and an audio turn, then closed and replaced by a
new one, as calls come and go. Every EVERY turns (default 250) it reads the daemon's VmRSS
from /proc and prints the series, then the growth per turn after the warm-up (a
least-squares slope over the samples from the warm-up on, so one noisy sample does not
decide it).

`--split` runs the same load a second time with the simulators in their own process
(`voiceops sim`) and the daemon without `--sim`, to tell the daemon's own growth from the
simulators'.

    python bench/memory.py [--turns 2000] [--every 250] [--warmup 500] [--split]

Measured on the 2-core machine (2026-11): before the simulators kept only their latest
requests, `run --sim` grew +15.4 KiB per turn without end (144 MiB at 2,000 turns, all of
it the simulators'); since, 116 MiB at 2,000 turns and still 116 MiB at 8,000. The daemon
alone settles in its first ~2,000 turns (+1.4 KiB per turn from 500 to 2,000, +0.07 from
2,000 to 8,000): connection pools and the allocator filling, not a leak.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field

from voiceops.harness.daemon import DaemonProcess, starter_project
from voiceops.harness.simulators import SimProcess
from voiceops.harness.wsclient import open_session, rss_kib, send_turn, spoken, typed

PROFILE = "support_hi"
HALF_SECOND = (b"\x10\x27" * 160) * 25  # half a second of loud tone at 16 kHz


@dataclass
class Series:
    """RSS samples (KiB) of the processes watched, by turn count."""

    pids: dict[str, int]
    turns: list[int] = field(default_factory=list)
    kib: dict[str, list[int]] = field(default_factory=dict)

    def sample(self, turns: int) -> None:
        self.turns.append(turns)
        for name, pid in self.pids.items():
            self.kib.setdefault(name, []).append(rss_kib(pid))


async def drive(url: str, series: Series, total: int, every: int, concurrency: int,
                session_turns: int, audio_every: int) -> None:
    """`total` turns over sessions of `session_turns`, `concurrency` at a time."""
    done = 0

    async def caller() -> None:
        nonlocal done
        while done < total:
            s = await open_session(url, PROFILE)
            for i in range(session_turns):
                if done >= total:
                    break
                audio = (i + 1) % audio_every == 0
                frames = spoken(HALF_SECOND) if audio else typed(f"question {done} of {total}")
                await send_turn(s.ws, frames, realtime=False)
                done += 1
                if done % every == 0:
                    series.sample(done)
            await s.ws.close()

    series.sample(0)
    await asyncio.gather(*(caller() for _ in range(concurrency)))


def slope(xs: list[int], ys: list[int]) -> float:
    """The least-squares slope of ys over xs."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def report(title: str, series: Series, warmup: int) -> None:
    print(title)
    print("  turns  " + "".join(f"{name:>14}" for name in series.kib))
    for i, turns in enumerate(series.turns):
        row = "".join(f"{series.kib[name][i] / 1024:>10.1f} MiB" for name in series.kib)
        print(f"  {turns:>5}  {row}")
    after = [i for i, t in enumerate(series.turns) if t >= warmup]
    if len(after) < 2:
        print(f"  (too few samples after the {warmup}-turn warm-up to give a growth)")
        return
    xs = [series.turns[i] for i in after]
    for name, values in series.kib.items():
        ys = [values[i] for i in after]
        per_turn = slope(xs, ys) * 1024
        print(f"  {name}: {per_turn / 1024:+.2f} KiB per turn after turn {warmup} "
              f"(least squares; {(ys[-1] - ys[0]) / 1024:+.1f} MiB from turn {xs[0]} to "
              f"{xs[-1]})")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--every", type=int, default=250, help="Turns between RSS samples.")
    parser.add_argument("--warmup", type=int, default=500,
                        help="Turns before growth is counted (caches, pools, the allocator).")
    parser.add_argument("--concurrency", type=int, default=4, help="Sessions at a time.")
    parser.add_argument("--session-turns", type=int, default=10, help="Turns per session.")
    parser.add_argument("--audio-every", type=int, default=5,
                        help="Every Nth turn of a session is an audio turn.")
    parser.add_argument("--split", action="store_true",
                        help="Also run with the simulators in their own process.")
    args = parser.parse_args()
    common = [PROFILE, "--log-level", "warning", "--no-reload"]

    def load(daemon: DaemonProcess, series: Series) -> None:
        asyncio.run(drive(daemon.ws_url, series, args.turns, args.every, args.concurrency,
                          args.session_turns, args.audio_every))

    with starter_project(PROFILE) as root:
        with DaemonProcess(root, [*common, "--sim"]) as daemon:
            series = Series({"daemon+sims": daemon.pid})
            load(daemon, series)
        report(f"voiceops run --sim (simulators in the daemon's process): {args.turns} turns, "
               f"{args.concurrency} sessions at a time, {args.session_turns} turns each",
               series, args.warmup)
        if args.split:
            with SimProcess() as sims, DaemonProcess(root, common, env=sims.env()) as daemon:
                assert sims.proc is not None
                series = Series({"daemon": daemon.pid, "simulators": sims.proc.pid})
                load(daemon, series)
            report("voiceops run, simulators in their own process (voiceops sim):",
                   series, args.warmup)


if __name__ == "__main__":
    main()
