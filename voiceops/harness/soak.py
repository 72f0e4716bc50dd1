"""Hot reload under a storm of edits, against a real daemon (`voiceops run --sim`, its own
process) with live WebSocket sessions: for `bench/soak.py`, `bench/reload.py` and the tests.

The edits are the ones editors, git and deploy tools make: saves in place, atomic renames
over the file, two saves in quick succession, edits with errors, template edits, the whole
configs/ folder replaced (`mv configs x && cp -r x configs`), a lock file with merge
conflict markers. Every few edits one is followed until it is live (its latency); at the
end the daemon must serve exactly what is on disk, and every session must still answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceops.project import LOCK, Project
from voiceops.runtime.config import build_version

__all__ = ["KINDS", "PROFILE", "SoakResult", "answers", "drain", "on_disk", "open_ready", "soak"]

PROFILE = "support_hi"
_PROFILE_FILE = f"configs/{PROFILE}.yaml"
_TEMPLATE = "prompts/customer_support.j2"
_CONFLICT = "<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n"
_TIMEOUT_S = 30
#: Edit kinds, and how often each comes up.
KINDS = {"in_place": 4, "atomic": 4, "double": 2, "invalid": 2, "template": 2, "folder": 1,
         "lock": 1}


async def open_ready(url: str, profile: str = PROFILE) -> tuple[Any, dict[str, Any]]:
    """A session started on `profile`, its greeting heard: (WebSocket, `ready` frame)."""
    import websockets  # deferred: the package itself never needs a WebSocket client

    ws = await websockets.connect(url, max_size=None, open_timeout=_TIMEOUT_S)
    await ws.send(json.dumps({"type": "start", "profile": profile}))
    frames = await drain(ws, "ready")
    if frames[-1].get("first_message"):
        await drain(ws, "reply.done")
    return ws, frames[-1]


async def drain(ws: Any, until: str) -> list[dict[str, Any]]:
    """The JSON frames up to and including the first of type `until` (audio skipped)."""
    frames = []
    while True:
        message = await asyncio.wait_for(ws.recv(), _TIMEOUT_S)
        if isinstance(message, bytes):
            continue
        frames.append(json.loads(message))
        if frames[-1]["type"] == until:
            return frames


async def answers(ws: Any) -> bool:
    """Whether the session still answers a typed turn (False once it was dropped)."""
    import websockets

    try:
        await ws.send(json.dumps({"type": "text", "text": "still there?"}))
        frames = await drain(ws, "turn.metrics")
    except (websockets.ConnectionClosed, TimeoutError):
        return False
    return any(f["type"] == "reply.done" and f.get("text") for f in frames)


def on_disk(root: Path) -> str | None:
    """The digest of the version the files on disk make now (None when they have errors)."""
    version = build_version(Project(root), 0).version
    return None if version is None else version.digest


@dataclass
class SoakResult:
    edits: int
    rejected: int  # builds the daemon rejected (edits with errors, half-done folder moves)
    failed: int  # rebuilds that raised (should stay 0)
    matches_disk: bool  # the final live version is the one the files on disk make
    reloader: str  # "watching" when the reloader is still alive
    sessions: int
    dropped: int  # sessions that no longer answered
    latencies_s: list[float] = field(default_factory=list)  # save -> live, followed edits

    def figures(self) -> list[str]:
        ms = sorted(s * 1000 for s in self.latencies_s) or [0.0]
        return [f"edits: {self.edits} (rejected builds: {self.rejected}, failed rebuilds: "
                f"{self.failed})",
                f"final version matches disk: {'yes' if self.matches_disk else 'no'}; "
                f"reloader: {self.reloader}",
                f"sessions: {self.sessions}, dropped: {self.dropped}",
                f"reload latency (save -> live, {len(self.latencies_s)} followed edits): "
                f"p50 {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms"]


class _Editor:
    """Edits one project in the ways of `KINDS`; each returns whether the files are valid."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.profile = (root / _PROFILE_FILE).read_text()
        self.template = (root / _TEMPLATE).read_text()
        self.n = 0

    def good(self) -> str:
        self.n += 1
        return self.profile.replace("\ndescription:", f"\ndescription: Edit {self.n} -", 1)

    def in_place(self) -> None:
        (self.root / _PROFILE_FILE).write_text(self.good())

    def atomic(self) -> None:
        path = self.root / _PROFILE_FILE
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(self.good())
        os.replace(temporary, path)

    async def double(self) -> None:
        self.atomic()
        await asyncio.sleep(self.rng.uniform(0.03, 0.15))
        self.atomic()

    def invalid(self) -> None:
        (self.root / _PROFILE_FILE).write_text(self.good() + "volume_knob: 11\n")

    def template_edit(self) -> None:
        self.n += 1
        (self.root / _TEMPLATE).write_text(self.template + f"\nEdit number {self.n}.\n")

    def folder(self) -> None:
        configs, old = self.root / "configs", self.root / "configs.old"
        configs.rename(old)
        shutil.copytree(old, configs)
        shutil.rmtree(old)
        self.atomic()

    async def lock(self) -> None:
        lock = self.root / LOCK
        lock.write_text(_CONFLICT)
        await asyncio.sleep(self.rng.uniform(0.05, 0.5))
        lock.unlink()
        self.atomic()

    async def edit(self, kind: str) -> bool:
        actions: dict[str, Callable[[], Any]] = {
            "in_place": self.in_place, "atomic": self.atomic, "double": self.double,
            "invalid": self.invalid, "template": self.template_edit, "folder": self.folder,
            "lock": self.lock}
        done = actions[kind]()
        if asyncio.iscoroutine(done):
            await done
        return kind != "invalid"


class _Daemon:
    """The daemon's /v1/status, over one HTTP client."""

    def __init__(self, http_url: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=http_url, timeout=_TIMEOUT_S)

    async def status(self) -> dict[str, Any]:
        response = await self.client.get("/v1/status")
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    async def until_live(self, digest: str) -> bool:
        """Whether the version `digest` goes live within the timeout."""
        deadline = time.monotonic() + _TIMEOUT_S
        while time.monotonic() < deadline:
            if (await self.status())["config_digest"] == digest:
                return True
            await asyncio.sleep(0.005)
        return False


async def soak(root: Path, ws_url: str, http_url: str, *, edits: int = 200,
               sessions: int = 20, follow_every: int = 5, seed: int = 0) -> SoakResult:
    """Hold `sessions` open on the daemon serving `root` while making `edits` edits."""
    rng = random.Random(seed)
    daemon = _Daemon(http_url)
    live = [await open_ready(ws_url) for _ in range(sessions)]
    editor = _Editor(root, rng)
    every = rng.sample(list(KINDS), len(KINDS))  # each kind at least once, even in a short run
    kinds = every + rng.choices(list(KINDS), weights=list(KINDS.values()),
                                k=max(edits - len(every), 1))
    kinds[-1] = "atomic"  # end on valid files, so there is a version to match
    latencies = []
    try:
        for i, kind in enumerate(kinds):
            valid = await editor.edit(kind)
            saved = time.perf_counter()
            if valid and (i + 1) % follow_every == 0:
                digest = await asyncio.to_thread(on_disk, root)
                if digest is not None and await daemon.until_live(digest):
                    latencies.append(time.perf_counter() - saved)
            else:
                await asyncio.sleep(rng.uniform(0, 0.06))
        final = await asyncio.to_thread(on_disk, root)
        matches = final is not None and await daemon.until_live(final)
        dropped = 0
        for ws, _ in live:
            dropped += not await answers(ws)
            await ws.close()
        state = await daemon.status()
    finally:
        await daemon.client.aclose()
    return SoakResult(len(kinds), state["reloads"]["rejected"], state["reloads"]["failed"],
                      matches, state["reloader"], sessions, dropped, latencies)
