"""Benchmark: a cold `voiceops lock` against the simulators with 100 ms per request.

4 providers, 10,000 ElevenLabs voices (100 pages). Prints the wall time against the sum of
all request latencies (what a one-request-at-a-time client would wait), then checks that a
warm `voiceops validate --live` makes no request at all.

    python bench/catalog.py [--voices 10000] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voiceops.project.scaffold import scaffold
from voiceops.sim import anthropic, elevenlabs, openai, sarvam
from voiceops.sim.voices import synthetic_voices


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    return time.perf_counter() - start, proc.returncode, proc.stdout + proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    state = elevenlabs.ElevenLabsState(voices=elevenlabs.default_voices()
                                       + synthetic_voices(args.voices))
    servers = {"openai": openai.serve(), "anthropic": anthropic.serve(),
               "elevenlabs": elevenlabs.serve(state), "sarvam": sarvam.serve()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scaffold(root)
        env = {**os.environ, "VOICEOPS_CACHE_URL": str(root / "cache"), "NO_COLOR": "1"}
        for name, server in servers.items():
            server.start()
            server.faults.latency = args.latency
            env[f"{name.upper()}_BASE_URL"] = server.base_url
        env.update(OPENAI_API_KEY=openai.API_KEY, ANTHROPIC_API_KEY=anthropic.API_KEY,
                   ELEVENLABS_API_KEY=elevenlabs.API_KEY, SARVAM_API_KEY=sarvam.API_KEY)
        try:
            wall, code, out = run(["lock"], env, root)
            requests = sum(s.requests for s in servers.values())
            print(f"{len(state.voices)} ElevenLabs voices, {args.latency * 1000:.0f} ms per "
                  "request, 4 providers")
            print(f"cold `voiceops lock`: {wall:.2f} s wall for {requests} requests "
                  f"(sum of latencies {requests * args.latency:.2f} s; "
                  f"{requests * args.latency / wall:.1f}x less waiting)  exit {code}")
            by = ", ".join(f"{n} {s.requests}" for n, s in servers.items())
            print(f"  requests by provider: {by}")
            if code:
                print(out)
            before = requests
            wall, code, out = run(["validate", "--live"], env, root)
            after = sum(s.requests for s in servers.values())
            print(f"warm `voiceops validate --live`: {wall:.2f} s wall, "
                  f"{after - before} requests (cache fresh)  exit {code}")
            if code:
                print(out)
        finally:
            for server in servers.values():
                server.stop()


if __name__ == "__main__":
    main()
