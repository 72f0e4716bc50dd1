"""Hot reload: watch configs/, prompts/ and the lock; rebuild off the event loop; swap or keep.

Editors save in odd ways (write a temp file and rename it over, write twice, delete then
create); watchfiles batches a burst of changes into one set, and we rebuild from the files
as they are then, so every one of those ends in a single clean rebuild.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from watchfiles import Change, awatch

from voiceops.project import LOCK, Project
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry

log = logging.getLogger("voiceops.reload")

_WATCHED_SUFFIXES = (".yaml", ".yml", ".j2")
_EDITOR_LITTER = ("~", ".swp", ".swx", ".tmp", ".part")


class ConfigFilter:
    """Which changed paths matter: profiles, templates and the lock; never editor litter."""

    def __call__(self, change: Change, path: str) -> bool:
        name = os.path.basename(path)
        if name.startswith((".#", "#")) or name.endswith(_EDITOR_LITTER):
            return False
        return name == LOCK or name.endswith(_WATCHED_SUFFIXES)


class Reloader:
    """Owns the watch loop; `run()` until `stop` is set. Every batch means one rebuild."""

    def __init__(self, project: Project, registry: LiveRegistry, *,
                 overlay: str | None = None, debounce_ms: int = 30, step_ms: int = 10) -> None:
        self.project = project
        self.overlay = overlay
        self.registry = registry
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.stop = asyncio.Event()
        # Rebuilds get a thread of their own: the default executor also runs every new
        # connection's DNS lookup (asyncio's getaddrinfo), and during a storm of new
        # sessions a rebuild queued behind those would go live late.
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voiceops-reload")

    def paths(self) -> Sequence[Path]:
        wanted = [self.project.configs, self.project.prompts]
        return [p for p in wanted if p.is_dir()]

    async def run(self) -> None:
        # The lock sits in the project root beside .git and virtualenvs, which are too big
        # to watch; its mtime is polled at each quiet tick instead (twice a second).
        lock_seen = _stamp(self.project.lock)
        try:
            async for changes in awatch(*self.paths(), watch_filter=ConfigFilter(),
                                        debounce=self.debounce_ms, step=self.step_ms,
                                        stop_event=self.stop, yield_on_timeout=True,
                                        rust_timeout=500, recursive=True):
                changed = {_relative(p) for _, p in changes}
                if (stamp := _stamp(self.project.lock)) != lock_seen:
                    lock_seen = stamp
                    changed.add(LOCK)
                if changed:
                    await self.reload(sorted(changed))
        finally:
            self._builder.shutdown(wait=False)

    async def reload(self, changed: Sequence[str] = ()) -> bool:
        """Rebuild now (in a worker thread) and offer the result to the registry."""
        number = self.registry.next_number()
        build = await asyncio.get_running_loop().run_in_executor(
            self._builder, build_version, self.project, number, self.overlay)
        went_live = self.registry.offer(build)
        what = ", ".join(changed) or "files"
        if went_live:
            log.info("reload: %s -> config %s is live", what, self.registry.current.label)
        elif build.version is None:
            errors = [d for d in build.diagnostics if d.severity == "error"]
            log.warning("reload rejected (%s): %d error(s); config %s stays live", what,
                        len(errors), self.registry.current.label)
            for d in errors[:20]:
                log.warning("  %s", d.format())
        return went_live


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
