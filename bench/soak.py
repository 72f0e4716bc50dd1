"""Benchmark: hot reload soak.

A daemon (`voiceops run --sim`, its own process) holds N sessions open while the project is
edited E times in every way editors, git and deploy tools do (voiceops/harness/soak.py).
At the end the live version must be the one the files on disk make, the reloader must
still be watching, and every session must still answer.

    python bench/soak.py [--sessions 20] [--edits 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio

from voiceops.harness.daemon import DaemonProcess, starter_project
from voiceops.harness.soak import PROFILE, soak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with starter_project() as root, \
            DaemonProcess(root, [PROFILE, "--sim", "--log-level", "warning"]) as daemon:
        result = asyncio.run(soak(root, daemon.ws_url, daemon.http_url, edits=args.edits,
                                  sessions=args.sessions, seed=args.seed))
    for line in result.figures():
        print(line)


if __name__ == "__main__":
    main()
