"""`voiceops export`: a profile, as it takes effect, in the panel's JSON shape.

The panel's shape holds less than a profile. What it cannot hold is listed in a warning,
never dropped silently. A prompt template is exported by name (`system_prompt_id`) when
the profile sets none of its variables; otherwise the panel could not reproduce it, so the
rendered prompt is exported as `system_prompt_text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voiceops.catalog.resolve import Catalog
from voiceops.config.loader import LoadedProfile
from voiceops.errors import ConfigError, UsageError
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import prompt_vars, render_prompt
from voiceops.review.fields import canonical, flatten
from voiceops.review.legacy.mapping import (
    ADDED_METADATA,
    DEFAULT_OPTIMIZATION,
    LEGACY_NAME,
    tuning_name,
)
from voiceops.review.legacy.records import TUNING_KEYS, SessionConfig
from voiceops.validation.render import find_profile
from voiceops.validation.validator import default_validator


@dataclass
class Exported:
    """The panel's JSON object for one profile, and what it could not carry."""

    record: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def export_profile(ref: str) -> Exported:
    """The panel's record for the profile `ref` (a name in configs/ or a path).

    Raises UsageError for an unknown or abstract profile, ConfigError (with the diagnostics)
    for one that does not validate.
    """
    path = find_profile(ref)
    validator = default_validator([path])
    checked = validator.check(path)
    if not checked.valid or checked.profile is None:
        raise ConfigError(f"{ref} has errors; fix them to export it", checked.diagnostics)
    if checked.profile.abstract:
        raise UsageError(f"{ref} is an abstract base profile; export a profile that extends it")
    return to_record(checked.profile, validator.catalog, validator.library)


def to_record(profile: LoadedProfile, catalog: Catalog, library: TemplateLibrary) -> Exported:
    """The panel's record for a valid effective profile."""
    data = profile.data
    llm, tts = data.get("llm") or {}, data.get("tts") or {}
    held = {"version", "language", "optimization", "rag.enabled", "llm.provider", "llm.model",
            "tts.provider", "tts.voice"}
    exported = Exported({})
    provider = str(tts.get("provider", ""))
    tuning = tts.get("tuning") or {}
    voice_tuning: dict[str, float] = {}
    for key in TUNING_KEYS:
        name = tuning_name(provider, key)
        if name in tuning:
            voice_tuning[key] = tuning[name]
            held.add(f"tts.tuning.{name}")
    prompt = data.get("prompt") or {}
    prompt_id = prompt_text = None
    if isinstance(prompt.get("template"), str) and not prompt_vars(data):
        prompt_id = prompt["template"]
        held.add("prompt.template")
    else:
        prompt_text = render_prompt(profile.name, data, library).system
        held.update(p for p in flatten({"prompt": prompt}))
        if "template" in prompt:
            exported.notes.append(f"{profile.name}: template {prompt['template']} rendered with "
                                  "its prompt.vars into system_prompt_text (the panel has no "
                                  "prompt variables)")
    metadata = dict(data.get("metadata") or {})
    held.update(p for p in flatten({"metadata": metadata}))
    voice_ref = str(tts.get("voice", ""))
    voice = catalog.voice(provider, voice_ref)
    record = SessionConfig(
        name=str(metadata.get(LEGACY_NAME) or profile.name),
        llm_provider=str(llm.get("provider", "")),
        llm_model=str(llm.get("model", "")),
        tts_provider=provider,
        tts_voice_id=voice.id if voice else voice_ref,
        voice_tuning=voice_tuning,
        system_prompt_id=prompt_id,
        system_prompt_text=prompt_text,
        optimization_level=data.get("optimization", DEFAULT_OPTIMIZATION),
        target_language=data.get("language"),
        enable_rag=bool((data.get("rag") or {}).get("enabled", False)),
        metadata={k: v for k, v in metadata.items() if k not in ADDED_METADATA},
        is_default=bool(metadata.get("is_default", False)),
        user_id=metadata.get("user_id"),
    )
    exported.record = record.to_json()
    lost = _unheld(flatten(canonical(data)), held)
    if lost:
        exported.warnings.append(f"{profile.name}: the panel's shape cannot hold "
                                 f"{', '.join(lost)}; not exported")
    return exported


def _unheld(flat: dict[str, Any], held: set[str]) -> list[str]:
    """Paths of `flat` not in `held`: a whole section by its name when none of it is held."""
    def section(path: str) -> str:
        return path.split(".", 1)[0].split("[", 1)[0]

    partly_held = {section(p) for p in held}
    lost: dict[str, None] = {}
    for path in flat:
        if path not in held:
            lost.setdefault(path if section(path) in partly_held else section(path))
    return list(lost)
