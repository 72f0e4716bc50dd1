"""`voiceops.lock`: the models and voices the profiles use, pinned with their attributes.

A committed lock makes validation reproducible and offline: CI checks profiles against what
was true when someone ran `voiceops lock`, not against whatever the APIs say today. The
file is JSON with sorted keys and one entry per line group, so a change to it reads well in
a diff. Writes are atomic (write a temporary file, then rename over the old one).
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voiceops import __version__
from voiceops.catalog.codec import CatalogFormatError, catalog_from_json, catalog_to_json
from voiceops.catalog.references import Reference
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.types import Model, ProviderCatalog, Voice
from voiceops.errors import CatalogError
from voiceops.project.files import read_bounded

LOCK_VERSION = 1


@dataclass(frozen=True)
class Lock:
    """Pinned catalog entries per provider, each provider with where and when they came from."""

    providers: Mapping[str, ProviderCatalog]

    def provider_catalog(self, provider: str) -> ProviderCatalog | None:
        """The pinned entries of `provider` (this makes a Lock a `CatalogSource`)."""
        return self.providers.get(provider)

    def references(self) -> set[Reference]:
        """Every pinned model and voice."""
        found: set[Reference] = set()
        for provider, catalog in self.providers.items():
            found.update(Reference(provider, "model", m.id) for m in catalog.models)
            found.update(Reference(provider, "voice", v.id) for v in catalog.voices)
        return found


def pin(references: Iterable[Reference], catalog: Catalog) -> tuple[Lock, list[Reference]]:
    """A lock holding each referenced entry as `catalog` resolves it; and what did not resolve.

    Voices are pinned by id even when a profile names them by name, and only the models a
    voice is pinned with are kept on it, so the lock stands on its own.
    """
    models: dict[str, dict[str, Model]] = {}
    voices: dict[str, dict[str, Voice]] = {}
    missing: list[Reference] = []
    for ref in sorted(set(references)):
        if ref.what == "model":
            model = catalog.model(ref.provider, ref.id)
            if model is None:
                missing.append(ref)
            else:
                models.setdefault(ref.provider, {})[model.id] = model
        else:
            voice = catalog.voice(ref.provider, ref.id)
            if voice is None:
                missing.append(ref)
            else:
                voices.setdefault(ref.provider, {})[voice.id] = voice
    providers: dict[str, ProviderCatalog] = {}
    for provider in sorted(set(models) | set(voices)):
        pinned_models = models.get(provider, {})
        source = catalog.provider(provider)
        providers[provider] = ProviderCatalog(
            provider=provider,
            models=tuple(replace(m, default_voice=None) for m in pinned_models.values()),
            voices=tuple(replace(v, models=tuple(x for x in v.models if x in pinned_models))
                         for v in voices.get(provider, {}).values()),
            source=source.source if source else "unknown",
            fetched_at=source.fetched_at if source else None,
        )
    return Lock(providers), missing


def dumps(lock: Lock) -> str:
    """The lock file's text: stable and sorted, so unchanged pins give an unchanged file."""
    providers = {}
    for name, catalog in sorted(lock.providers.items()):
        entry = catalog_to_json(catalog, source=catalog.source,
                                source_date=(catalog.fetched_at or "unknown")[:10])
        entry["fetched_at"] = catalog.fetched_at
        providers[name] = entry
    document = {"version": LOCK_VERSION, "generated_by": f"voiceops {__version__}",
                "providers": providers}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: Path, lock: Lock) -> bool:
    """Write `lock` to `path` atomically; False when the file already says the same."""
    text = dumps(lock)
    try:
        if read_bounded(path) == text.encode("utf-8"):
            return False
    except OSError:
        pass
    atomic_write(path, text, new_mode=0o644)  # a committed file, as git checks it out
    return True


def atomic_write(path: Path, text: str, new_mode: int | None = None) -> None:
    """Replace `path` with `text` so readers see the old file or the new one, never half.

    The file keeps the mode it had; a new file gets `new_mode` (None: 0600, private).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = new_mode
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if mode is not None:
            os.fchmod(fd, mode)  # mkstemp makes 0600 files
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_lock(path: Path) -> Lock | None:
    """The lock at `path`, None when there is none; CatalogError when it cannot be used."""
    try:
        text = read_bounded(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the lock file ({exc})") from exc
    return parse_lock(text, path)


def parse_lock(text: str, path: Path) -> Lock:
    """The lock in `text`, read from `path` (named in errors); CatalogError when unusable."""
    fix = "fix the merge or delete it, then run `voiceops lock`"
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path}:{exc.lineno}:{exc.colno}: lock file is not valid JSON "
                           f"({exc.msg}); {fix}") from exc
    if not isinstance(document, dict) or document.get("version") != LOCK_VERSION:
        raise CatalogError(f"{path}: not a version {LOCK_VERSION} voiceops lock file; {fix}")
    raw = document.get("providers")
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: lock file has no `providers` map; {fix}")
    providers: dict[str, ProviderCatalog] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise CatalogError(f"{path}: providers.{name} is not a map; {fix}")
        body = {k: v for k, v in entry.items() if k != "fetched_at"}
        try:
            catalog = catalog_from_json(body, origin=f"{path} providers.{name}")
        except CatalogFormatError as exc:
            raise CatalogError(f"{exc}; {fix}") from exc
        # the source the pins came from (bundled, live) stays as recorded, so pinning again
        # from this lock writes the same file
        providers[name] = replace(catalog, source=str(entry.get("source") or "lock"),
                                  fetched_at=entry.get("fetched_at") or catalog.fetched_at)
    return Lock(providers)


@dataclass(frozen=True)
class LockDiff:
    """How the profiles' references and a lock disagree."""

    missing: tuple[Reference, ...]  # referenced, not pinned
    unused: tuple[Reference, ...]  # pinned, no longer referenced

    @property
    def current(self) -> bool:
        return not self.missing and not self.unused


def compare(lock: Lock, references: Iterable[Reference]) -> LockDiff:
    """What `voiceops lock` would add to or drop from `lock` (names resolve to pinned ids)."""
    pinned = Catalog([lock])
    used: set[Reference] = set()
    missing = []
    for ref in sorted(set(references)):
        entry = (pinned.model if ref.what == "model" else pinned.voice)(ref.provider, ref.id)
        if entry is None:
            missing.append(ref)
        else:
            used.add(Reference(ref.provider, ref.what, entry.id))
    unused = sorted(lock.references() - used)
    return LockDiff(tuple(missing), tuple(unused))
