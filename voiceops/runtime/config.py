"""A validated, immutable snapshot of a project's profiles: what the runner serves.

Files -> (validate) -> `ConfigVersion`. A version is built off the event loop, whole: if any
profile has an error the build is rejected and the running version stays. Sessions hold the
version they started with, so a reload never changes a call in progress.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from voiceops.catalog.resolve import Catalog
from voiceops.catalog.voice_ids import voice_ids
from voiceops.config.loader import profile_files
from voiceops.diagnostics import Diagnostic
from voiceops.errors import PromptError
from voiceops.project import Project
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import RenderedPrompt, render_prompt
from voiceops.validation.validator import default_validator


@dataclass(frozen=True)
class LiveProfile:
    """One servable profile: its effective settings and its prompt rendered with defaults."""

    name: str
    path: str
    data: Mapping[str, Any]
    prompt: RenderedPrompt

    @property
    def language(self) -> str:
        return str(self.data.get("language", ""))

    @property
    def optimization(self) -> str:
        return str(self.data.get("optimization", "balanced"))

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class ConfigVersion:
    """Every servable profile of one moment, numbered and fingerprinted."""

    number: int
    digest: str  # sha256 over the files that made it: the same files give the same digest
    profiles: Mapping[str, LiveProfile]
    library: TemplateLibrary = field(repr=False)
    created_at: float = field(default_factory=time.time)

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


def build_version(project: Project, number: int, overlay: str | None = None) -> BuildResult:
    """Validate every profile of `project` (with the environment overlay `overlay`) and,
    when none has an error, make a version."""
    validator = default_validator([project.configs], overlay=overlay)
    paths = profile_files(project.configs)
    result = validator.run(paths)
    if result.errors or not paths:
        return BuildResult(None, result.diagnostics)
    profiles: dict[str, LiveProfile] = {}
    for checked in result.checked:
        profile = checked.profile
        if profile is None or profile.abstract:
            continue
        try:
            rendered = render_prompt(profile.name, profile.data, validator.library)
        except PromptError:  # the validator rendered it already; cannot happen when valid
            continue
        data = voice_ids(profile.data, validator.catalog)
        profiles[profile.name] = LiveProfile(profile.name, profile.path,
                                             MappingProxyType(data), rendered)
    layers = [validator.loader.overlay] if validator.loader.overlay else []
    return BuildResult(ConfigVersion(number, _digest(project, [*paths, *layers]),
                                     MappingProxyType(profiles), validator.library),
                       result.diagnostics)


def _digest(project: Project, profiles: list[Path]) -> str:
    files = [*profiles, *sorted(project.prompts.rglob("*.j2")), project.lock]
    sha = hashlib.sha256()
    for path in files:
        try:
            sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            continue
    return sha.hexdigest()
