"""`voiceops validate` as a library call: files in, every diagnostic out."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from voiceops.catalog.cache import CatalogCache
from voiceops.catalog.check import check_catalog
from voiceops.catalog.resolve import Catalog
from voiceops.config.loader import (
    LoadedProfile,
    ProfileLoader,
    display_path,
    profile_files,
    profile_name,
)
from voiceops.config.overlay import overlay_files, overlay_path, unknown_profiles
from voiceops.config.schema import check_schema
from voiceops.diagnostics import Diagnostic, promote_warnings, unique_sorted
from voiceops.errors import UsageError
from voiceops.knowledge.check import check_knowledge
from voiceops.project import Project, find_project
from voiceops.prompts.check import check_prompt
from voiceops.prompts.library import TemplateLibrary
from voiceops.runtime.vad.check import check_listening
from voiceops.tools.check import check_tools
from voiceops.tools.mentions import check_mentions
from voiceops.validation.phone import check_phone

if TYPE_CHECKING:
    from voiceops.catalog.endpoints import Endpoint
    from voiceops.catalog.refresh import Progress


@dataclass(frozen=True)
class Checked:
    """One profile after every check: valid when none of its diagnostics is an error."""

    profile: LoadedProfile | None
    path: Path
    diagnostics: tuple[Diagnostic, ...]

    @property
    def valid(self) -> bool:
        return self.profile is not None and not any(
            d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class ValidationResult:
    checked: tuple[Checked, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)


class Validator:
    """Checks profiles of one project; templates and files are loaded once per instance."""

    def __init__(self, project: Project, catalog: Catalog, *,
                 env: Mapping[str, str] | None = None, strict: bool = False,
                 prompt_dirs: Sequence[Path] | None = None, overlay: str | None = None,
                 display: Callable[[Path], str] = display_path) -> None:
        self.project = project
        self.catalog = catalog
        self.strict = strict
        self.overlay = overlay
        self.loader = ProfileLoader(env, display=display, overlay=(
            overlay_path(project.configs, overlay) if overlay else None))
        self.library = TemplateLibrary(prompt_dirs or [project.prompts], display)

    def check(self, path: Path) -> Checked:
        """Every diagnostic of the profile at `path`."""
        profile, found = self.loader.load(path)
        if profile is not None:
            found += check_schema(profile)
            found += check_phone(profile, self.loader, path)
            found += check_catalog(profile, self.catalog, self.loader.env)
            found += check_listening(profile, self.loader.env)
            found += check_tools(profile)
            if not profile.abstract:
                found += check_prompt(profile, self.library)
                found += check_mentions(profile, self.library)
                found += check_knowledge(self.project, profile, self.loader.display)
        if self.strict:
            found = promote_warnings(found)
        return Checked(profile, path, tuple(unique_sorted(found)))

    def run(self, paths: Iterable[Path]) -> ValidationResult:
        """Every profile file of `paths`; for a folder, also every overlay in its env/."""
        paths = list(paths)
        checked = tuple(self.check(p) for p in expand_paths(paths))
        overlays = [d for p in paths if p.is_dir() for d in self.check_overlays(p)]
        every = unique_sorted([*(d for c in checked for d in c.diagnostics), *overlays])
        return ValidationResult(checked, tuple(every))

    def check_overlays(self, folder: Path) -> list[Diagnostic]:
        """Every environment overlay of `folder`, applied in this run or not: the profiles
        it names, and what it does to each profile (its keys, schema, catalog), reported
        in the overlay file. A broken prod overlay fails the pull request that breaks it."""
        files = profile_files(folder)
        names = {profile_name(f) for f in files}
        applied = self.loader.overlay
        found: list[Diagnostic] = []
        for path in overlay_files(folder):
            doc, _ = self.loader.document(path)
            if doc is not None:
                found += unknown_profiles(doc, names)
            if applied is not None and path.resolve() == applied.resolve():
                continue  # its effects are in the profiles' own diagnostics
            overlaid = self.overlaid(path)
            shown = self.loader.display(path)
            found += [d for f in files for d in overlaid.check(f).diagnostics
                      if d.path == shown]
        return found  # `check` promoted warnings under --strict already

    def overlaid(self, overlay: Path) -> Validator:
        """This validator with `overlay` laid over every profile (templates shared)."""
        other = copy.copy(self)
        other.loader = ProfileLoader(self.loader.env, display=self.loader.display,
                                     overlay=overlay)
        return other


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as the profiles directly in them; a missing path is a usage error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = profile_files(path)
            if not found and path.exists():
                raise UsageError(f"{path}: no .yaml profiles in this folder")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


def default_validator(paths: Sequence[Path], *, strict: bool = False,
                      prompts: Path | None = None, catalog: Catalog | None = None,
                      overlay: str | None = None) -> Validator:
    """A validator for the project the first path lives in; offline (lock, then the bundled
    snapshot) unless a catalog is given; with the environment overlay `overlay` if named."""
    from voiceops.catalog.sources import offline_catalog

    project = find_project(paths[0] if paths else None)
    return Validator(project, offline_catalog(project) if catalog is None else catalog,
                     strict=strict, prompt_dirs=[prompts] if prompts else None, overlay=overlay)


@dataclass(frozen=True)
class LiveValidation:
    result: ValidationResult
    warnings: tuple[str, ...]


async def validate_live(paths: Sequence[Path], cache: CatalogCache, *, strict: bool = False,
                        prompts: Path | None = None, force: bool = False,
                        progress: Progress | None = None,
                        overlay: str | None = None) -> LiveValidation:
    """Validate against the providers' live catalogs and the model lists of the
    OpenAI-compatible servers the profiles name (through `cache`), and report how the lock
    file has drifted from them."""
    import asyncio

    from voiceops.catalog.endpoints import PROVIDER as ENDPOINTS
    from voiceops.catalog.endpoints import endpoints
    from voiceops.catalog.lock import read_lock
    from voiceops.catalog.refresh import named, refresh, refresh_endpoints
    from voiceops.catalog.sources import drift, live_catalog, loaded_choices, references_of
    from voiceops.provider_facts import title

    files = expand_paths(paths)
    project = find_project(paths[0] if paths else None)
    # one loader for finding what to fetch and for the checks: each file is parsed once;
    # its catalog is the live one, set below once fetched
    validator = default_validator(paths, strict=strict, prompts=prompts, overlay=overlay,
                                  catalog=Catalog([]))
    choices = loaded_choices(validator.loader, files)
    lock = read_lock(project.lock)
    providers = {r.provider for r in references_of(choices)} | set(lock.providers if lock
                                                                   else ())
    servers = {e.base_url: e for e in endpoints(choices, validator.loader.env)}
    refreshed, served = await asyncio.gather(
        refresh(providers, cache, force=force, progress=progress),
        refresh_endpoints(servers.values(), cache, force=force, progress=progress))
    validator.catalog = live_catalog(refreshed, served)
    result = validator.run(paths)  # folders as given: their overlays are checked too
    extra = drift(lock, refreshed, project.lock) if lock else []
    if strict:
        extra = promote_warnings(extra)
    every = tuple(unique_sorted([*result.diagnostics, *extra]))
    warnings = [*refreshed.warnings, *served.warnings,
                *(f"{named(title(p), e)}; checked against the bundled snapshot"
                  for p, e in refreshed.errors.items()),
                *(f"{named(title(ENDPOINTS), e)}{_key_from(servers[url], e)}; its models "
                  "are not checked" for url, e in served.errors.items())]
    return LiveValidation(ValidationResult(result.checked, every), tuple(warnings))


def _key_from(server: Endpoint, error: Exception) -> str:
    """For a refused key: which variable the profile takes it from."""
    from voiceops.errors import AuthError

    refused = isinstance(error, AuthError) and server.key_variable
    return f" (the profile takes it from ${server.key_variable})" if refused else ""
