"""A validated, immutable snapshot of a project's profiles: what the runner serves.

Files -> (validate) -> `ConfigVersion`. A version is built off the event loop, whole: if any
profile has an error, or a knowledge file its `rag.sources` name is broken, the build is
rejected and the running version stays. The knowledge index is part of the version (built
incrementally from the previous one's). Sessions hold the version they started with, so a
reload never changes a call in progress, nor the documents it searches.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from voiceops.catalog.lock import parse_lock
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.sources import pinned_catalog
from voiceops.catalog.voice_ids import voice_ids
from voiceops.config.loader import display_path, profile_files
from voiceops.config.overlay import ENV_FOLDER
from voiceops.config.settings import SessionSettings, schema_default
from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import CatalogError, PromptError, UsageError, VoiceOpsError
from voiceops.knowledge import KnowledgeBase, KnowledgeSettings, build_knowledge
from voiceops.project import Project
from voiceops.project.files import read_bounded
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import RenderedPrompt, render_prompt
from voiceops.runtime.retrieval import Retrieval
from voiceops.validation.validator import Validator


@dataclass(frozen=True)
class LiveProfile:
    """One servable profile: its effective settings and its prompt rendered with defaults."""

    name: str
    path: str
    data: Mapping[str, Any]
    prompt: RenderedPrompt
    #: What its turns retrieve from; None when its `rag` is off.
    retrieval: Retrieval | None = field(default=None, repr=False, compare=False)

    @property
    def language(self) -> str:
        return str(self.data.get("language", ""))

    @property
    def optimization(self) -> str:
        return str(self.data.get("optimization") or schema_default("optimization"))

    @functools.cached_property
    def session_settings(self) -> SessionSettings:
        """The `session:` block, typed, with the schema's defaults."""
        return SessionSettings.from_section(self.section("session"))

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class ConfigVersion:
    """Every servable profile of one moment, numbered and fingerprinted."""

    number: int
    digest: str  # digest_of() the files that made it: the same files give the same digest
    profiles: Mapping[str, LiveProfile]
    library: TemplateLibrary = field(repr=False)
    catalog: Catalog = field(repr=False)  # the offline catalog it was checked against
    created_at: float = field(default_factory=time.time)
    files: tuple[str, ...] = ()  # project-relative paths of the files it was made of
    #: The index of every knowledge file its profiles' `rag.sources` name (None: none do).
    knowledge: KnowledgeBase | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"v{self.number}-{self.digest[:8]}"

    def render(self, profile: LiveProfile, extra_vars: Mapping[str, Any]) -> RenderedPrompt:
        """The profile's prompt with a session's own variables laid over the profile's.

        Raises PromptError when they do not render (a required one left empty, a wrong type).
        """
        if not extra_vars:
            return profile.prompt
        self.check_vars(profile, extra_vars)
        data = dict(profile.data)
        prompt = dict(data.get("prompt") or {})
        prompt["vars"] = {**(prompt.get("vars") or {}), **extra_vars}
        data["prompt"] = prompt
        return render_prompt(profile.name, data, self.library)


    def check_vars(self, profile: LiveProfile, extra_vars: Mapping[str, Any]) -> None:
        """Session variables must be ones the prompt uses, of the declared type.

        Raises PromptError naming the first that is not.
        """
        prompt = profile.section("prompt")
        template = None
        if isinstance(prompt.get("template"), str):
            template, _ = self.library.get(prompt["template"])
        used: set[str] = set(template.used) if template else set()
        for source in (prompt.get("text"), profile.data.get("first_message")):
            if isinstance(source, str):
                used |= set(self.library.inline(source)[1])
        declared = dict(template.variables) if template else {}
        for name, value in extra_vars.items():
            if name not in declared and name not in used:
                known = ", ".join(sorted(set(declared) | used)) or "none"
                raise PromptError(f"profile {profile.name} has no prompt variable '{name}' "
                                  f"(it uses: {known})")
            if name in declared and not declared[name].accepts(value):
                raise PromptError(f"prompt variable '{name}' should be a "
                                  f"{declared[name].type}")


@dataclass(frozen=True)
class BuildResult:
    version: ConfigVersion | None
    diagnostics: tuple[Diagnostic, ...]


def build_version(project: Project, number: int, overlay: str | None = None, *,
                  previous: ConfigVersion | None = None,
                  knowledge_cache: Path | None = None) -> BuildResult:
    """Validate every profile of `project` (with the environment overlay `overlay`) and,
    when none has an error, make a version. Its knowledge index is built from `previous`'s
    (only files whose content changed are chunked again; `knowledge_cache`: the folder of
    the on-disk copy, default the user's cache).

    Every file is read once: the digest is of the very text the profiles, templates and
    catalog pins were made from. (Reading again to hash would name a version after a save
    that landed in between, and the registry would then take the save's own rebuild for
    one that changed nothing.) A lock or overlay that cannot be used rejects the build
    with a diagnostic, like any other bad file.
    """
    texts: dict[str, str] = {}
    try:
        catalog = _pinned_catalog(project, texts)
    except CatalogError as exc:
        return BuildResult(None, (_unusable(project.lock, exc),))
    try:
        validator = Validator(project, catalog, overlay=overlay)
    except UsageError as exc:  # the environment's overlay file is gone
        where = project.configs / ENV_FOLDER / f"{overlay}.yaml"
        return BuildResult(None, (_unusable(where, exc),))
    paths = profile_files(project.configs)
    if not paths:
        return BuildResult(None, (make("VO001", display_path(project.configs), 1, 1,
                                       "no profiles (.yaml files) in this folder"),))
    try:
        result = validator.run(paths)
    except UsageError as exc:  # a profile deleted since the folder was listed
        return BuildResult(None, (_unusable(project.configs, exc),))
    if result.errors:
        return BuildResult(None, result.diagnostics)
    live = [c.profile for c in result.checked if c.profile is not None and not c.profile.abstract]
    knowledge, problems = _knowledge(project, {p.name: p.data for p in live},
                                     previous.knowledge if previous else None, knowledge_cache)
    diagnostics = (*result.diagnostics, *problems)
    if any(d.severity == "error" for d in problems):
        return BuildResult(None, diagnostics)
    profiles: dict[str, LiveProfile] = {}
    for profile in live:
        try:
            rendered = render_prompt(profile.name, profile.data, validator.library)
        except PromptError:  # the validator rendered it already; cannot happen when valid
            continue
        data = voice_ids(profile.data, validator.catalog)
        profiles[profile.name] = LiveProfile(profile.name, profile.path,
                                             MappingProxyType(data), rendered,
                                             Retrieval.of(data, knowledge))
    texts.update(validator.loader.texts)
    texts.update(validator.library.texts)
    files = {_relative(project, path): text for path, text in texts.items()}
    # a knowledge file is named by its content's hash: an edit to it alone is a new version
    files.update({source: f"sha256:{digest}"
                  for source, digest in (knowledge.files if knowledge else {}).items()})
    return BuildResult(ConfigVersion(number, digest_of(files), MappingProxyType(profiles),
                                     validator.library, catalog, files=tuple(sorted(files)),
                                     knowledge=knowledge),
                       diagnostics)


def _knowledge(project: Project, profiles: Mapping[str, Mapping[str, Any]],
               previous: KnowledgeBase | None, cache: Path | None
               ) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """The index of the files the profiles' enabled `rag.sources` name; None when none do
    (no index to build, nor an on-disk copy to touch)."""
    settings = [KnowledgeSettings.of(data) for data in profiles.values()]
    if not any(s.enabled and s.sources for s in settings):
        return None, []
    return build_knowledge(project, profiles, previous, cache)


def digest_of(files: Mapping[str, str]) -> str:
    """The digest of a version made of `files` (project-relative path -> text)."""
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return sha.hexdigest()


def _pinned_catalog(project: Project, texts: dict[str, str]) -> Catalog:
    """The offline catalog from the lock as read once (its text goes into `texts`)."""
    try:
        raw = read_bounded(project.lock)  # a regular file of at most 1 MB, never a FIFO
    except FileNotFoundError:
        return pinned_catalog(None)
    except OSError as exc:
        raise CatalogError(f"{project.lock}: cannot read the lock file ({exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{project.lock}: the lock file is not UTF-8 text") from exc
    texts[str(project.lock)] = text
    return pinned_catalog(parse_lock(text, project.lock))


def _unusable(path: Path, exc: VoiceOpsError) -> Diagnostic:
    """A lock, overlay or folder that cannot be used, as an error diagnostic on it."""
    message, line, col = str(exc), 1, 1
    if placed := re.match(rf"{re.escape(str(path))}(?::(\d+):(\d+))?: ", message):
        message = message[placed.end():]
        line, col = int(placed[1] or 1), int(placed[2] or 1)
    return make("VO001", display_path(path), line, col, message)


def _relative(project: Project, path: str) -> str:
    return Path(os.path.relpath(path, project.root)).as_posix()
