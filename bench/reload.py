"""Benchmark: hot reload under load.

A daemon (`voiceops run --sim`, its own process) holds N sessions open; a prompt template is
edited again and again. For each edit: the time from the save to the first new session that
starts on the new config version. At the end every one of the N sessions must still be
open, still on the version it started with, and still answering.

    python bench/reload.py [--sessions 100] [--edits 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

import websockets

from voiceops.harness.daemon import DaemonProcess, starter_project
from voiceops.harness.soak import answers, open_ready

PROFILE = "support_hi"
TEMPLATE = "prompts/customer_support.j2"


async def first_new_version(url: str, old: str, saved_at: float) -> float:
    """Open sessions until one reports a version other than `old`; seconds since the save."""
    while True:
        ws = await websockets.connect(url, max_size=None)
        await ws.send(json.dumps({"type": "start", "profile": PROFILE}))
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "ready":
                break
        await ws.close()
        if frame["config_version"] != old:
            return time.perf_counter() - saved_at
        await asyncio.sleep(0.005)


async def main_async(args: argparse.Namespace, url: str, root: Path) -> None:
    live = await asyncio.gather(*(open_ready(url, PROFILE) for _ in range(args.sessions)))
    started_on = {ready["session"]: ready["config_version"] for _, ready in live}
    template = root / TEMPLATE
    original = template.read_text()
    current = live[0][1]["config_version"]
    delays = []
    for i in range(args.edits):
        template.write_text(original + f"\nEdit number {i}.\n")
        saved = time.perf_counter()
        delays.append(await first_new_version(url, current, saved))
        ws, ready = await open_ready(url, PROFILE)
        current = ready["config_version"]
        await ws.close()
    # every live session: still open, same version, and still answering
    changed = dropped = 0
    for ws, ready in live:
        dropped += not await answers(ws)
        if started_on[ready["session"]] != ready["config_version"]:
            changed += 1
        await ws.close()
    print("per edit (ms):", " ".join(f"{d * 1000:.0f}" for d in delays))
    ms = sorted(d * 1000 for d in delays)
    print(f"{args.sessions} live sessions, {args.edits} edits of {TEMPLATE}")
    print(f"save -> first new session on the new version: p50 {statistics.median(ms):.0f} ms, "
          f"max {ms[-1]:.0f} ms, min {ms[0]:.0f} ms")
    print(f"sessions dropped: {dropped}; sessions whose version changed: {changed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    with starter_project() as root, \
            DaemonProcess(root, [PROFILE, "--sim", "--log-level", "warning"]) as daemon:
        asyncio.run(main_async(args, daemon.ws_url, root))


if __name__ == "__main__":
    main()
