"""Which catalogs a command checks against: offline (lock, then bundled) or live."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from voiceops.catalog.lock import Lock, read_lock
from voiceops.catalog.references import Reference, Target, target_references, targets
from voiceops.catalog.resolve import Catalog, StaticSource
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Voice
from voiceops.config.loader import ProfileLoader, display_path, profile_files
from voiceops.config.overlay import environments, overlay_path
from voiceops.diagnostics import Diagnostic, make
from voiceops.project import Project
from voiceops.project.files import read_bounded
from voiceops.provider_facts import PROVIDERS, title

if TYPE_CHECKING:  # refresh imports httpx: never at `voiceops validate`'s start
    from voiceops.catalog.cache import CatalogCache
    from voiceops.catalog.refresh import Progress, Refreshed


def offline_catalog(project: Project) -> Catalog:
    """The lock file's pins first (and every reference must be pinned), then the snapshot."""
    return pinned_catalog(read_lock(project.lock))


def pinned_catalog(lock: Lock | None) -> Catalog:
    """The pins of `lock` first (every reference must be pinned), then the snapshot."""
    if lock is None:
        return Catalog([BundledSnapshot()])
    return Catalog([lock, BundledSnapshot()], pinned=lock)


def live_catalog(refreshed: Refreshed, served: Refreshed | None = None) -> Catalog:
    """Live answers first; the snapshot for providers that could not be reached; and the
    model lists of the OpenAI-compatible servers in `served`."""
    return Catalog([StaticSource(refreshed.catalogs), BundledSnapshot()],
                   servers=served.catalogs if served else None)


def loaded_choices(loader: ProfileLoader, paths: Iterable[Path]) -> list[Target]:
    """The LLM, TTS and STT choices (fallbacks included) of the profiles at `paths` that
    `loader` can load (problems are ignored here: `voiceops validate` reports them)."""
    found: list[Target] = []
    for path in paths:
        profile, _ = loader.load(path)
        if profile is not None:
            found.extend(targets(profile.data))
    return found


def references_of(choices: Iterable[Target]) -> set[Reference]:
    """The models and voices `choices` name, of the providers that have a catalog."""
    found = {r for t in choices for r in target_references(t)}
    return {r for r in found if r.provider in PROVIDERS and PROVIDERS[r.provider].has_catalog}


def project_references(project: Project) -> set[Reference]:
    """Every model and voice the project's loadable profiles name, in every environment
    (without an overlay, and with each of configs/env/*.yaml): what the lock must pin so
    that `validate --env NAME` passes offline for each of them."""
    files = profile_files(project.configs)
    return references_of(
        choice
        for overlay in [None, *environments(project.configs)]
        for choice in loaded_choices(ProfileLoader(overlay=overlay_path(project.configs, overlay)
                                                   if overlay else None), files))


def drift(lock: Lock, refreshed: Refreshed, lock_path: Path) -> list[Diagnostic]:
    """Pinned entries that the live catalogs no longer have, or describe differently."""
    shown = display_path(lock_path)
    try:
        lines = read_bounded(lock_path).decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []

    def line_of(ident: str) -> int:
        needle = f'"id": "{ident}"'
        return next((i + 1 for i, text in enumerate(lines) if needle in text), 1)

    found: list[Diagnostic] = []
    for provider, pinned in sorted(lock.providers.items()):
        live = refreshed.catalogs.get(provider)
        if live is None or live.source not in ("live", "cache"):
            continue
        current_view = Catalog([StaticSource({provider: live})])
        for model in pinned.models:
            now = current_view.model(provider, model.id)
            if now is None:
                found.append(make("VO411", shown, line_of(model.id), 1,
                                  f"{title(provider)} no longer lists the pinned model "
                                  f"{model.id}", "choose another model, then `voiceops lock`"))
        for voice in pinned.voices:
            current = current_view.voice(provider, voice.id)
            if current is None:
                found.append(make("VO411", shown, line_of(voice.id), 1,
                                  f"{title(provider)} no longer has the pinned voice "
                                  f"'{voice.name}' ({voice.id}): deleted or not shared "
                                  "with this account", "choose another voice, then "
                                  "`voiceops lock`"))
            elif _describe(current) != _describe(voice):
                found.append(make("VO412", shown, line_of(voice.id), 1,
                                  f"{title(provider)} voice '{voice.name}' changed since it "
                                  f"was pinned: {_describe(voice)} -> {_describe(current)}",
                                  "review, then `voiceops lock` to pin the new attributes"))
    return found


def _describe(voice: Voice) -> str:
    fields = ("name", "category", "gender", "accent", "languages")
    parts = [f"{f}={getattr(voice, f)}" for f in fields if getattr(voice, f, None)]
    return ", ".join(parts)


async def browse_catalog(project: Project, providers: Iterable[str], *, live: bool,
                         cache: CatalogCache | None, force: bool = False,
                         progress: Progress | None = None) -> tuple[Catalog, list[str]]:
    """The catalog to list models and voices from: offline, or live through the cache."""
    if not live or cache is None:
        return offline_catalog(project), []
    from voiceops.catalog.refresh import named, refresh

    refreshed = await refresh(providers, cache, force=force, progress=progress)
    warnings = [*refreshed.warnings,
                *(f"{named(title(p), e)}; showing the bundled snapshot"
                  for p, e in refreshed.errors.items())]
    return live_catalog(refreshed), warnings
