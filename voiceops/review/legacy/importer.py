"""`voiceops import`: the panel's session configurations -> profiles in configs/.

All or nothing: every file is read and every record planned before anything is written, so
a problem in the fifth record does not leave four half-imported profiles behind. What the
panel never stored but a profile needs (the TTS model, speech recognition) is chosen from
the catalog, and each choice is reported as a note. What was written is then validated as
`voiceops validate` would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceops.catalog.lock import atomic_write
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.sources import offline_catalog
from voiceops.config.loader import display_path
from voiceops.errors import UsageError
from voiceops.project import CONFIGS, Project, find_project
from voiceops.prompts.library import TEMPLATE_SUFFIX, TemplateLibrary
from voiceops.review.legacy import defaults
from voiceops.review.legacy.mapping import (
    DEFAULT_OPTIMIZATION,
    IMPORTED_FROM,
    KEPT_IN_METADATA,
    LEGACY_NAME,
    NEUTRAL_TUNING,
    tuning_name,
)
from voiceops.review.legacy.records import ReadResult, Record, read_sessions
from voiceops.review.legacy.writing import jinja_literal, profile_yaml, slug, template_text
from voiceops.suggest import did_you_mean
from voiceops.validation.validator import ValidationResult, default_validator


@dataclass
class ImportOutcome:
    """What an import did; nothing was written when there are `problems`."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validation: ValidationResult | None = None


@dataclass
class _Plan:
    files: dict[Path, str] = field(default_factory=dict)  # target -> text
    profiles: list[Path] = field(default_factory=list)
    owners: dict[Path, str] = field(default_factory=dict)  # target -> the record it is for


def import_sessions(files: Sequence[Path], *, force: bool = False,
                    prompt_templates: bool = False, start: Path | None = None) -> ImportOutcome:
    """Import every session configuration in `files` into the project at or above `start`.

    Raises UsageError when there is no project (no configs/ folder) to import into.
    """
    project = find_project(start)
    if not project.configs.is_dir():
        raise UsageError(f"no {CONFIGS}/ folder here or above; `voiceops init` creates a "
                         "project to import into")
    read = ReadResult()
    for path in files:
        read_sessions(path, display_path(path), read)
    outcome = ImportOutcome(problems=read.problems, warnings=read.warnings)
    importer = _Importer(project, offline_catalog(project), prompt_templates, outcome)
    for record in read.records:
        importer.plan(record)
    plan = importer.result
    if not force:
        outcome.problems += [f"{display_path(target)} exists (from {plan.owners[target]}); "
                             "--force overwrites it" for target in plan.files if target.exists()]
    if outcome.problems:
        return outcome
    for target, text in plan.files.items():
        atomic_write(target, text)
        outcome.written.append(target)
    if plan.profiles:
        outcome.validation = default_validator(plan.profiles).run(plan.profiles)
    return outcome


class _Importer:
    def __init__(self, project: Project, catalog: Catalog, prompt_templates: bool,
                 outcome: ImportOutcome) -> None:
        self.project = project
        self.catalog = catalog
        self.prompt_templates = prompt_templates
        self.outcome = outcome
        self.library = TemplateLibrary([project.prompts])
        self.result = _Plan()

    def plan(self, record: Record) -> None:
        config = record.config
        name = slug(config.name) or slug(f"{Path(record.source).stem}_{record.index}")
        if not slug(config.name):
            self.note(f"name {config.name!r} has no letters or digits for a file "
                      f"name; using {name}")
        target = self.project.configs / f"{name}.yaml"
        data: dict[str, Any] = {"version": 1}
        if config.target_language:
            data["language"] = config.target_language
        llm_provider = config.llm_provider.strip().lower()
        tts_provider = config.tts_provider.strip().lower()
        data["llm"] = {"provider": llm_provider, "model": config.llm_model}
        optimization = config.optimization_level or DEFAULT_OPTIMIZATION
        data["tts"] = self.tts(record, name, tts_provider, optimization)
        stt = defaults.stt_model(self.catalog, [tts_provider, llm_provider],
                                 config.target_language, optimization)
        if stt is None:
            self.note(f"{name}: no speech recognition model in the catalog speaks "
                      f"{config.target_language}; set stt: by hand")
        else:
            data["stt"] = {"provider": stt.provider, "model": stt.model}
            self.note(f"{name}: stt not in the panel's record; using {stt.provider} "
                      f"{stt.model} ({stt.reason})")
        prompt = self.prompt(record, name)
        if prompt is not None:
            data["prompt"] = prompt
        if config.optimization_level:
            data["optimization"] = config.optimization_level
        if config.enable_rag is not None:
            data["rag"] = {"enabled": config.enable_rag}
        data["metadata"] = self.metadata(record, name)
        self.add(target, profile_yaml(data), record)
        self.result.profiles.append(target)

    def tts(self, record: Record, name: str, provider: str,
            optimization: str) -> dict[str, Any]:
        config = record.config
        section: dict[str, Any] = {"provider": provider}
        choice = defaults.tts_model(self.catalog, provider, config.tts_voice_id,
                                    config.target_language, optimization)
        if choice is None:
            self.note(f"{name}: no {provider} text-to-speech model in the catalog fits "
                      f"voice {config.tts_voice_id}; set tts.model by hand")
        else:
            section["model"] = choice.model
            self.note(f"{name}: tts.model not in the panel's record; using "
                      f"{choice.model} ({choice.reason})")
        section["voice"] = config.tts_voice_id
        model = self.catalog.model(provider, choice.model) if choice else None
        tuning: dict[str, float] = {}
        for key, value in config.voice_tuning.items():
            target = tuning_name(provider, key)
            if model is not None and model.tuning and target not in model.tuning:
                lost = value != NEUTRAL_TUNING.get(key)
                message = (f"{name}: voice_tuning.{key} {value} dropped: {model.id} has no "
                           f"{target}" + ("" if lost else " (and the value was neutral)"))
                if lost:
                    self.warn(record, message)
                else:
                    self.note(message)
                continue
            tuning[target] = value
        if tuning:
            section["tuning"] = tuning
        return section

    def prompt(self, record: Record, name: str) -> dict[str, Any] | None:
        config = record.config
        if config.system_prompt_id is not None:
            if config.system_prompt_text is not None:
                self.warn(record, f"{name}: system_prompt_text ignored: system_prompt_id "
                                  "names the prompt")
            template = config.system_prompt_id
            if self.library.find(template) is None:
                hint = did_you_mean(template, self.library.names())
                self.outcome.problems.append(
                    f"{record.where}: system_prompt_id '{template}' names no template in "
                    f"{display_path(self.project.prompts)}/" + (f"; {hint}" if hint else ""))
                return None
            return {"template": template}
        if config.system_prompt_text is None:
            self.note(f"{name}: no system prompt in the panel's record; add prompt: "
                      "by hand")
            return None
        if not self.prompt_templates:
            return {"text": jinja_literal(config.system_prompt_text)}
        target = self.project.prompts / f"{name}{TEMPLATE_SUFFIX}"
        description = f"System prompt of {config.name!r}, imported from {record.source}"
        self.add(target, template_text(description, config.system_prompt_text), record)
        return {"template": name}

    def metadata(self, record: Record, name: str) -> dict[str, Any]:
        config = record.config
        where = record.source + (f"#{record.index}" if record.in_list else "")
        metadata = {**config.metadata, IMPORTED_FROM: where}
        if name != config.name:
            metadata[LEGACY_NAME] = config.name
        for key in KEPT_IN_METADATA:
            if getattr(config, key) is not None:
                metadata[key] = getattr(config, key)
        return metadata

    def add(self, target: Path, text: str, record: Record) -> None:
        if target in self.result.files:
            self.outcome.problems.append(
                f"{record.where}: would write {display_path(target)}, as "
                f"{self.result.owners[target]} does; rename one of them")
            return
        self.result.files[target] = text
        self.result.owners[target] = record.where

    def note(self, message: str) -> None:
        self.outcome.notes.append(message)

    def warn(self, record: Record, message: str) -> None:
        self.outcome.warnings.append(f"{record.where}: {message}")
