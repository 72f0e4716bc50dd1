"""Which calls a probe makes: one per distinct provider choice of the profiles.

A choice is a section's provider settings as written (fallbacks are choices of their own);
two profiles that make the same choice share one call, and a failure is reported at every
place that makes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from voiceops.catalog.references import Key, targets
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.voice_ids import voice_id
from voiceops.config.loader import LoadedProfile
from voiceops.config.settings import schema_default

__all__ = ["Choice", "Place", "plan"]


@dataclass(frozen=True)
class Place:
    """Where a profile makes a choice: the profile and the key path of its section."""

    profile: LoadedProfile
    path: Key

    def mark(self, key: str) -> tuple[str, int, int]:
        """(file, line, col) of `key` in the section, or of the section when it has none."""
        section: Any = self.profile.data
        for part in self.path:
            section = section[part]
        where = (*self.path, key) if key in section else (*self.path, "provider")
        return self.profile.marks.place(where)


@dataclass
class Choice:
    """One distinct provider choice and every place that makes it."""

    section: str  # llm | tts | stt
    settings: dict[str, Any]  # as written, without fallbacks
    optimization: str
    language: str | None
    places: list[Place] = field(default_factory=list)

    @property
    def provider(self) -> str:
        return str(self.settings.get("provider", ""))

    @property
    def model(self) -> str:
        return str(self.settings.get("model", ""))


def plan(profiles: Iterable[LoadedProfile], catalog: Catalog) -> list[Choice]:
    """The distinct choices of `profiles` (abstract ones skipped), in first-seen order; voice
    names become the ids `catalog` has for them, as a session sends them."""
    found: dict[str, Choice] = {}
    for profile in profiles:
        if profile.abstract:
            continue
        language = profile.data.get("language")
        optimization = str(profile.data.get("optimization") or schema_default("optimization"))
        for target in targets(profile.data):
            if not isinstance(target.data.get("provider"), str):
                continue
            settings = {k: v for k, v in target.data.items() if k != "fallbacks"}
            if target.section == "tts":
                settings = voice_id(settings, catalog)
            # what changes the request: the optimization level picks an LLM's reasoning
            # effort, the language is sent to TTS and STT; the timeout changes nothing
            key = json.dumps([target.section, {k: v for k, v in settings.items()
                                               if k != "timeout_s"},
                              optimization if target.section == "llm" else None,
                              language if target.section != "llm" else None],
                             sort_keys=True, default=str)
            choice = found.setdefault(key, Choice(
                target.section, settings, optimization,
                language if isinstance(language, str) else None))
            choice.places.append(Place(profile, target.path))
    return list(found.values())
