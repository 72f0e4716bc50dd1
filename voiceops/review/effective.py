"""One side of a diff: each profile of a tree as it takes effect.

A `TreeView` loads the profiles of one folder (a revision's materialised tree, or the project
on disk) with the same loader, validator and template library `voiceops validate` uses, so a
base file is parsed and a template compiled once per tree however many profiles use them.
Paths are shown relative to the tree's folder (`configs/base.yaml`), so both sides of a diff
name a file alike and messages read well in a pull request.

Two views of a profile: `sources()` is cheap (load only) and names every file its effective
form depends on (knowledge files included, with the globs that match them); `state()` is
the full picture (checks, rendered prompt, catalog entries, knowledge passages), computed only
for profiles whose sources differ between the two sides.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from voiceops.catalog.references import targets
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.sources import offline_catalog
from voiceops.catalog.types import Model, Voice
from voiceops.config.loader import PROFILE_SUFFIXES, profile_files, profile_name
from voiceops.config.overlay import ENV_FOLDER
from voiceops.errors import CatalogError, PromptError
from voiceops.knowledge import KnowledgeSettings, Passage
from voiceops.project import CONFIGS, LOCK, Project
from voiceops.project.files import read_bounded
from voiceops.prompts.library import TEMPLATE_SUFFIX
from voiceops.prompts.render import render_prompt
from voiceops.provider_facts import PROVIDERS
from voiceops.review.fields import canonical, dotted
from voiceops.review.knowledge import TreeKnowledge, is_pattern
from voiceops.validation.render import redact
from voiceops.validation.validator import Validator

#: Catalog attributes a reviewer weighs when a model or voice changes, in the order shown.
MODEL_ATTRIBUTES = ("display_name", "kind", "context_window", "max_output", "price_in",
                    "price_out", "latency", "streaming", "languages", "deprecated")
VOICE_ATTRIBUTES = ("name", "category", "gender", "accent", "age", "use_case", "languages",
                    "models")


@dataclass(frozen=True)
class Tree:
    """A folder holding a project's configs/, prompts/ and maybe voiceops.lock."""

    label: str  # "HEAD (1a2b3c4)", "working tree"
    root: Path


@dataclass(frozen=True)
class CatalogEntry:
    """A model or voice a profile names, as its tree's catalog (lock, then snapshot) has it."""

    what: Literal["model", "voice"]
    provider: str
    ref: str  # as the profile writes it: an id, alias or name
    id: str | None  # None when the catalog does not know it
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """Why a profile is not usable on one side."""

    loads: bool  # False: it cannot even be loaded (YAML, extends, unreadable file)
    errors: int
    first: str  # the first error diagnostic, `path:line:col: CODE message`


@dataclass(frozen=True)
class ProfileState:
    """A profile as it takes effect in one tree."""

    name: str
    path: str
    abstract: bool
    data: dict[str, Any] | None  # effective and redacted; None when it cannot be loaded
    problem: Problem | None
    system_prompt: str | None  # None when it does not render (the problem says why)
    first_message: str | None
    entries: Mapping[str, CatalogEntry]  # dotted path ("tts.voice") -> entry
    passages: Mapping[str, Passage]  # the knowledge it retrieves from, by passage id


class TreeView:
    """The profiles of one tree, loaded on demand and cached."""

    def __init__(self, tree: Tree, env: Mapping[str, str] | None = None,
                 overlay: str | None = None) -> None:
        self.tree = tree
        self.notes: list[str] = []
        self.project = project = Project(tree.root)
        self.has_configs = project.configs.is_dir()
        self.catalog = self._catalog(project)
        self.knowledge = TreeKnowledge(tree.root)
        #: The environment overlay's file (relative to the tree) when one is asked for,
        #: a source of every profile whether this tree has it or not.
        self.overlay = f"{CONFIGS}/{ENV_FOLDER}/{overlay}.yaml" if overlay else None
        self.has_overlay = self.overlay is not None and (tree.root / self.overlay).is_file()
        if self.overlay and not self.has_overlay and self.has_configs:
            self.notes.append(f"{tree.label} has no {self.overlay}: its profiles are "
                              "compared without that environment")
        # Paths are shown relative to the tree, not the working directory (for a revision
        # that is a temporary folder): both sides must name files alike.
        self.validator = Validator(project, self.catalog, env=env, display=self.shown,
                                   overlay=overlay if self.has_overlay else None)
        self.files: dict[str, Path] = {}
        for path in profile_files(project.configs):
            self.files.setdefault(profile_name(path), path)
        self._digests: dict[str, str | None] = {}

    def shown(self, path: Path) -> str:
        """`path` relative to the tree's folder, with forward slashes."""
        try:
            return Path(os.path.relpath(path, self.tree.root)).as_posix()
        except ValueError:  # another drive on Windows
            return str(path)

    def digest(self, relative: str) -> str | None:
        """A hash of the tree's file at `relative`, or None when there is no such file; for
        a knowledge glob, a hash of which files it matches."""
        if relative not in self._digests:
            if is_pattern(relative):
                self._digests[relative] = self.knowledge.listing_digest(relative)
                return self._digests[relative]
            try:
                data = read_bounded(self.tree.root / relative)
            except OSError:
                self._digests[relative] = None
            else:
                self._digests[relative] = hashlib.blake2b(data, digest_size=16).hexdigest()
        return self._digests[relative]

    def sources(self, name: str) -> tuple[str, ...] | None:
        """The files the effective form of `name` depends on: its own file, its bases, its
        template, its knowledge (each glob, then the files it matches) and the lock. None when
        it cannot be loaded (then they are unknown)."""
        profile, _ = self.validator.loader.load(self.files[name])
        if profile is None:
            return None
        chain: dict[str, None] = {}
        for doc in profile.marks.chain:
            chain[doc.path] = None
            parent = doc.data.get("extends")
            if isinstance(parent, str):
                # Every file the loader would look for, found or not: a base that appears
                # (or a base.yaml beside a base.yml) on the other side changes the chain.
                for suffix in PROFILE_SUFFIXES:
                    chain.setdefault(f"{CONFIGS}/{parent}{suffix}")
        overlay = (self.overlay,) if self.overlay else ()
        globs = KnowledgeSettings.of(profile.data).searched
        knowledge = dict.fromkeys([*globs, *(f for g in globs for f in self.knowledge.files(g))])
        return (*overlay, *chain, *self._template(profile.data), *knowledge, LOCK)

    def fingerprint(self, name: str) -> tuple[tuple[str, str | None], ...] | None:
        """The sources of `name` with their hashes. When another tree has the same hash for
        each of these files, `name` takes effect identically there: the files decide the
        chain, the template and the catalog, and the environment is the same for both."""
        sources = self.sources(name)
        return None if sources is None else tuple((s, self.digest(s)) for s in sources)

    def state(self, name: str) -> ProfileState:
        """Everything a reviewer compares about `name` in this tree."""
        path = self.files[name]
        checked = self.validator.check(path)
        errors = [d for d in checked.diagnostics if d.severity == "error"]
        problem = Problem(checked.profile is not None, len(errors), errors[0].format()) \
            if errors else None
        profile = checked.profile
        if profile is None:
            return ProfileState(name, self.shown(path), False, None, problem, None, None, {}, {})
        system = first = None
        if not profile.abstract:
            try:
                rendered = render_prompt(name, profile.data, self.validator.library)
                system, first = rendered.system, rendered.first_message
            except PromptError:
                pass  # the checks above reported it (VO5xx), and `problem` carries it
        return ProfileState(name, profile.path, profile.abstract, canonical(redact(profile.data)),
                            problem, system, first, self._entries(profile.data),
                            self.knowledge.passages(KnowledgeSettings.of(profile.data).searched))

    def _template(self, data: dict[str, Any]) -> tuple[str, ...]:
        prompt = data.get("prompt")
        name = prompt.get("template") if isinstance(prompt, dict) else None
        if not isinstance(name, str):
            return ()
        found = self.validator.library.find(name)
        return (self.shown(found or self.project.prompts / f"{name}{TEMPLATE_SUFFIX}"),)

    def _entries(self, data: dict[str, Any]) -> dict[str, CatalogEntry]:
        entries: dict[str, CatalogEntry] = {}
        for target in targets(data):
            provider = target.data.get("provider")
            if not isinstance(provider, str) or provider not in PROVIDERS \
                    or not PROVIDERS[provider].has_catalog:
                continue
            model_ref, voice_ref = target.data.get("model"), target.data.get("voice")
            if isinstance(model_ref, str):
                model = self.catalog.model(provider, model_ref)
                entries[dotted((*target.path, "model"))] = CatalogEntry(
                    "model", provider, model_ref, model.id if model else None,
                    attributes(model, MODEL_ATTRIBUTES))
            if isinstance(voice_ref, str):
                voice = self.catalog.voice(provider, voice_ref)
                entries[dotted((*target.path, "voice"))] = CatalogEntry(
                    "voice", provider, voice_ref, voice.id if voice else None,
                    attributes(voice, VOICE_ATTRIBUTES))
        return entries

    def _catalog(self, project: Project) -> Catalog:
        try:
            return offline_catalog(project)
        except CatalogError as exc:
            # One side's broken lock must not hide the rest of the diff.
            self.notes.append(f"{self.tree.label}: {exc}; its models and voices are "
                              "described from the bundled catalog snapshot")
            return Catalog([BundledSnapshot()])


def attributes(entry: Model | Voice | None, names: tuple[str, ...]) -> dict[str, Any]:
    """The set attributes of a catalog entry (tuples as lists, for JSON), or {}."""
    if entry is None:
        return {}
    found: dict[str, Any] = {}
    for name in names:
        value = getattr(entry, name)
        if value is None or value == ():
            continue
        found[name] = list(value) if isinstance(value, tuple) else value
    return found
