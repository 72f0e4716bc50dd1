"""Hot reload: watch configs/, prompts/, knowledge/ and the lock; rebuild off the event loop;
swap or keep.

Editors save in odd ways (write a temp file and rename it over, write twice, delete then
create); watchfiles batches a burst of changes into one set, and we rebuild from the files
as they are then, so every one of those ends in a single clean rebuild. Git checkouts and
deploy tools go further and replace a whole folder: a watch follows the folder it was given,
not its name, so the folders' identities are checked at every tick and the watch is set up
again (then a rebuild catches up) when one was replaced, deleted or created.

The reloader is long-lived and survives its own errors: a rebuild or a watch that raises is
logged (once per distinct error), counted and shown in /v1/status, and the watch goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from voiceops.diagnostics import Diagnostic
from voiceops.project import CONFIGS, KNOWLEDGE, LOCK, PROMPTS, TOOLS, Project
from voiceops.providers.registry import preload
from voiceops.runtime.config import BuildResult, ConfigVersion, build_version
from voiceops.runtime.registry import LiveRegistry

log = logging.getLogger("voiceops.reload")

# knowledge files may have any suffix a `rag.sources` glob names ("" matches every name)
_SUFFIXES = {CONFIGS: (".yaml", ".yml"), PROMPTS: (".j2",), KNOWLEDGE: ("",),
             TOOLS: (".yaml",)}
_EDITOR_LITTER = ("~", ".swp", ".swx", ".tmp", ".part")
_SHOWN = 3  # changed paths named in a log line; the rest are counted

Identity = tuple[tuple[int, int] | None, ...]


class ConfigFilter:
    """Which changed paths matter: profiles and overlays under configs/, templates under
    prompts/, documents under knowledge/, shared tools under tools/, and the lock; never
    editor litter, hidden folders (.git) or anything else in the project (virtualenvs,
    node_modules)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, change: Change, path: str) -> bool:
        parts = Path(os.path.relpath(path, self.root)).parts
        name = parts[-1] if parts else ""
        if name.startswith((".#", "#")) or name.endswith(_EDITOR_LITTER):
            return False
        if parts in ((LOCK,), (CONFIGS,), (PROMPTS,), (KNOWLEDGE,), (TOOLS,)):
            return True  # the lock, or a watched folder itself going away
        if len(parts) < 2 or parts[0] not in _SUFFIXES:
            return False
        if any(part.startswith(".") for part in parts[1:]):
            return False
        return name.endswith(_SUFFIXES[parts[0]])


#: Checks of a valid build that only the server can make (its keys, say): problems found
#: reject the build as its own errors would.
Vet = Callable[[ConfigVersion], Sequence[Diagnostic]]


class _Stopped(Exception):
    """The reloader was asked to stop while a rebuild was running."""


class Reloader:
    """Owns the watch loop; `run()` until `stop` is set. Every batch means one rebuild."""

    def __init__(self, project: Project, registry: LiveRegistry, *,
                 overlay: str | None = None, debounce_ms: int = 30, step_ms: int = 10,
                 tick_ms: int = 250, build_timeout_s: float = 60,
                 vet: Vet | None = None) -> None:
        self.project = project
        self.overlay = overlay
        self.registry = registry
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.tick_ms = tick_ms  # how often, when nothing changes, folders and lock are checked
        self.build_timeout_s = build_timeout_s
        self.vet = vet  # what the server checks of a good build before it goes live
        self.stop = asyncio.Event()
        self.watching = False  # set up and caught up: every change from now on is seen
        self._broken = False  # the files' last rebuild was rejected or failed
        self._lock_seen = _stamp(project.lock)

    def folders(self) -> list[Path]:
        """The watched folders that exist now."""
        return [p for p in self._watched() if p.is_dir()]

    def identity(self) -> Identity:
        """Which configs/, prompts/ and knowledge/ (and whether) are there: changes when one
        is replaced (`mv configs x && cp -r x configs`), deleted or created."""
        return tuple(_inode(p) for p in self._watched())

    def _watched(self) -> tuple[Path, ...]:
        return self.project.configs, self.project.prompts, self.project.knowledge

    async def run(self) -> None:
        """Watch and rebuild until `stop` is set. Every new watch starts with a rebuild,
        which catches up with whatever changed while nothing was watching."""
        while not self.stop.is_set():
            armed = self.identity()
            try:
                await self._watch(armed)
            except Exception as exc:  # the watch itself failed: report, then set it up again
                if self.identity() == armed:
                    self._failed(exc, "watching the project")
                    await self._pause(1.0)
            finally:
                self.watching = False

    async def _watch(self, armed: Identity) -> None:
        folders = self.folders()
        if not folders:  # nothing to watch until configs/ or prompts/ is back
            self.watching = True
            await self.reload(["configs/ and prompts/ (gone)"])
            while self.identity() == armed and not self.stop.is_set():
                await self._pause(self.tick_ms / 1000)
            return
        catch_up = True
        async with contextlib.aclosing(awatch(
                *folders, watch_filter=ConfigFilter(self.project.root),
                debounce=self.debounce_ms, step=self.step_ms, stop_event=self.stop,
                yield_on_timeout=True, rust_timeout=self.tick_ms, recursive=True)) as batches:
            async for changes in batches:
                if self.identity() != armed:
                    return  # a folder was replaced: watch the new one, then catch up
                changed = {_relative(p) for _, p in changes}
                # the lock sits in the project root beside .git and virtualenvs, which are
                # too big to watch: its stamp is checked at every batch and tick instead
                if (stamp := _stamp(self.project.lock)) != self._lock_seen:
                    self._lock_seen = stamp
                    changed.add(LOCK)
                if changed or catch_up:
                    await self.reload(sorted(changed))
                catch_up = False
                self.watching = True

    async def reload(self, changed: Sequence[str] = ()) -> bool:
        """Rebuild now (in a thread of its own) and offer the result to the registry."""
        shown = ", ".join(changed[:_SHOWN]) or "files"
        if len(changed) > _SHOWN:
            shown += f" and {len(changed) - _SHOWN} more"
        try:
            build = await self._build(self.registry.next_number())
        except _Stopped:
            return False
        except Exception as exc:  # a rebuild must never end the watch
            self._failed(exc, f"reloading {shown}")
            return False
        went_live = self.registry.offer(build)
        label = self.registry.current.label
        if build.version is None:
            self._broken = True
            errors = [d for d in build.diagnostics if d.severity == "error"]
            log.warning("reload rejected (%s): %d error(s); config %s stays live", shown,
                        len(errors), label)
            for d in errors[:20]:
                log.warning("  %s", d.format())
        elif went_live or self._broken:
            log.info("reload: %s -> config %s is live%s", shown, label,
                     " again" if self._broken else "")
            self._broken = False
        return went_live

    async def _build(self, number: int) -> BuildResult:
        """`build_version` in a daemon thread: a rebuild stuck on a file must neither hold
        up the loop, nor `stop`, nor the interpreter's exit (an executor's worker would be
        joined at exit). One that takes longer than `build_timeout_s` is left behind."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[BuildResult] = loop.create_future()

        def settle(result: BuildResult | None, error: BaseException | None) -> None:
            if done.done():
                return
            if error is None:
                done.set_result(result)  # type: ignore[arg-type]
            else:
                done.set_exception(error)

        def work() -> None:
            try:
                # the live version's knowledge index: only changed files are chunked again
                build = build_version(self.project, number, self.overlay,
                                      previous=self.registry.current)
                problems = self.vet(build.version) if build.version and self.vet else ()
                if problems:
                    build = BuildResult(None, (*build.diagnostics, *problems))
                if build.version is not None:  # import the SDKs it needs here, not in a session
                    preload(p.data for p in build.version.profiles.values())
            except Exception as exc:
                outcome: tuple[BuildResult | None, BaseException | None] = (None, exc)
            else:
                outcome = (build, None)
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
                loop.call_soon_threadsafe(settle, *outcome)

        threading.Thread(target=work, name="voiceops-reload", daemon=True).start()
        stopping: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({done, stopping}, timeout=self.build_timeout_s,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if done.done():
            return done.result()
        done.cancel()
        if self.stop.is_set():
            raise _Stopped
        raise TimeoutError(f"the rebuild took over {self.build_timeout_s:g} s (a file that "
                           "never ends?); it was left behind")

    def _failed(self, error: Exception, doing: str) -> None:
        failure = self.registry.fail(error)
        self._broken = True
        if failure.times == 1:
            log.warning("reload failed while %s: %s; config %s stays live, still watching",
                        doing, failure.error, self.registry.current.label)
        log.debug("reload failure (%d in a row)", failure.times, exc_info=error)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
