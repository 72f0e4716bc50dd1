"""`voiceops lock`: pin every model and voice the profiles use, and check a lock is current."""

from __future__ import annotations

from dataclasses import dataclass, field

from voiceops.catalog.cache import DEFAULT_TTL_S, CatalogCache
from voiceops.catalog.lock import Lock, LockDiff, compare, pin, read_lock, write_lock
from voiceops.catalog.references import Reference
from voiceops.catalog.refresh import Progress, Refreshed, named, refresh
from voiceops.catalog.resolve import Catalog, StaticSource
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.sources import project_references
from voiceops.catalog.types import CatalogSource
from voiceops.errors import UsageError
from voiceops.project import Project
from voiceops.provider_facts import title


@dataclass
class LockOutcome:
    lock: Lock
    missing: list[Reference]
    written: bool
    warnings: list[str] = field(default_factory=list)


async def lock_project(project: Project, cache: CatalogCache, *, live: bool = True,
                       force: bool = False, ttl_s: float = DEFAULT_TTL_S,
                       progress: Progress | None = None) -> LockOutcome:
    """Resolve every reference (live through the cache, else the old lock, else the bundled
    snapshot) and write `voiceops.lock` when all of them resolve."""
    if not project.configs.is_dir():
        raise UsageError(f"{project.configs}: no configs/ folder; `voiceops init` makes one")
    references = project_references(project)
    providers = {r.provider for r in references}
    refreshed = (await refresh(providers, cache, ttl_s=ttl_s, force=force, progress=progress)
                 if live else Refreshed())
    previous = read_lock(project.lock)
    sources: list[CatalogSource] = [StaticSource(refreshed.catalogs)]
    sources += [previous] if previous else []
    sources.append(BundledSnapshot())
    lock, missing = pin(references, Catalog(sources))
    warnings = list(refreshed.warnings)
    for provider, error in sorted(refreshed.errors.items()):
        warnings.append(f"{named(title(provider), error)}; pinned from "
                        + ("the previous lock or " if previous else "") + "the bundled snapshot")
    written = False if missing else write_lock(project.lock, lock)
    return LockOutcome(lock, missing, written, warnings)


def check_lock(project: Project) -> LockDiff:
    """How the lock differs from what the profiles reference (offline, for CI)."""
    lock = read_lock(project.lock)
    if lock is None:
        raise UsageError(f"{project.lock}: no lock file; run `voiceops lock` and commit it")
    return compare(lock, project_references(project))
