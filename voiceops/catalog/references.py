"""What a profile asks of the catalogs: every provider, model and voice it names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from voiceops.catalog.types import Api, ModelKind

Key = tuple[str | int, ...]
SECTION_KINDS: dict[str, ModelKind] = {"llm": "chat", "tts": "tts", "stt": "stt"}
#: The API voiceops's clients call for each section: replies stream from chat completions,
#: each spoken turn is sent as a recorded file (see voiceops/providers/*/stt.py).
SECTION_APIS: dict[str, Api] = {"llm": "chat", "tts": "speech", "stt": "file"}


@dataclass(frozen=True)
class Target:
    """One provider choice in a profile: a section's main choice or one of its fallbacks."""

    section: str  # llm | tts | stt
    path: Key  # ("tts",) or ("tts", "fallbacks", 0)
    data: dict[str, Any]

    @property
    def main(self) -> bool:
        return len(self.path) == 1


@dataclass(frozen=True, order=True)
class Reference:
    """A catalog entry a profile depends on: `(provider, "model" | "voice", id)`."""

    provider: str
    what: Literal["model", "voice"]
    id: str


def targets(data: dict[str, Any]) -> Iterator[Target]:
    """The LLM, TTS and STT choices of an effective profile, fallbacks included."""
    for section in SECTION_KINDS:
        block = data.get(section)
        if not isinstance(block, dict):
            continue
        yield Target(section, (section,), block)
        fallbacks = block.get("fallbacks")
        if isinstance(fallbacks, list):
            for i, item in enumerate(fallbacks):
                if isinstance(item, dict):
                    yield Target(section, (section, "fallbacks", i), item)


def target_references(target: Target) -> set[Reference]:
    """The model and voice one choice names."""
    provider = target.data.get("provider")
    if not isinstance(provider, str):
        return set()
    return {Reference(provider, "model" if field == "model" else "voice", value)
            for field in ("model", "voice")
            if isinstance(value := target.data.get(field), str)}


def references(data: dict[str, Any]) -> set[Reference]:
    """Every model and voice the profile names, by provider."""
    return {r for target in targets(data) for r in target_references(target)}
