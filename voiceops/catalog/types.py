"""What a provider catalog holds: models, voices and per-model rules, as frozen data.

A catalog is plain data so that the bundled snapshot, a disk cache, a lock file and a live
API answer all reduce to the same shape (`ProviderCatalog`), and checks never care where
an entry came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ModelKind = Literal["chat", "realtime", "stt", "tts", "embedding", "other"]
#: The kinds of API a model can be called on. A model's kind says what it does; its APIs say
#: where it does it, which decides whether voiceops's clients can call it at all:
#: "chat" chat completions or messages (text in, text out); "file" transcription of a
#: recorded file (OpenAI /v1/audio/transcriptions, Sarvam POST /speech-to-text); "stream"
#: live audio over a WebSocket (OpenAI realtime transcription sessions, Sarvam
#: /speech-to-text/ws and /speech-to-text-realtime/ws); "realtime" OpenAI's speech-to-speech
#: Realtime API (/v1/realtime); "speech" text-to-speech.
Api = Literal["chat", "file", "stream", "realtime", "speech"]
Latency = Literal["low", "medium", "high"]
VoiceCategory = Literal["premade", "cloned", "generated", "professional", "famous", "unknown"]
CUSTOM_CATEGORIES: frozenset[str] = frozenset({"cloned", "generated", "professional"})


@dataclass(frozen=True)
class Range:
    """An inclusive numeric range for one tuning parameter of one model."""

    min: float
    max: float
    default: float | None = None

    def contains(self, value: float) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class Model:
    """One model of one provider (LLM, STT or TTS)."""

    provider: str
    id: str
    kind: ModelKind
    display_name: str | None = None
    aliases: tuple[str, ...] = ()
    context_window: int | None = None
    max_output: int | None = None
    streaming: bool = True
    latency: Latency = "medium"
    #: BCP-47 tags or base languages ("hi-IN", "en"); empty means "not restricted / unknown".
    languages: tuple[str, ...] = ()
    deprecated: str | None = None  # why, and the replacement; "retired ..." = no longer served
    replaced_by: str | None = None  # the model the provider names as the replacement
    #: The APIs the model works on; empty means not recorded (it is not judged).
    apis: tuple[Api, ...] = ()
    price_in: float | None = None  # USD per million input tokens
    price_out: float | None = None  # USD per million output tokens
    #: TTS only: tuning parameter -> range; a parameter absent here is not accepted.
    tuning: Mapping[str, Range] = field(default_factory=dict)
    sample_rates: tuple[int, ...] = ()
    default_sample_rate: int | None = None
    default_voice: str | None = None

    @property
    def retired(self) -> bool:
        """True when the provider no longer serves this model (calls fail)."""
        return bool(self.deprecated) and str(self.deprecated).startswith("retired")


@dataclass(frozen=True)
class Voice:
    """One TTS voice of one provider; custom voices are the account's own."""

    provider: str
    id: str
    name: str
    category: VoiceCategory = "premade"
    gender: str | None = None
    accent: str | None = None
    age: str | None = None
    use_case: str | None = None
    description: str | None = None
    languages: tuple[str, ...] = ()
    #: TTS models that can speak with this voice; empty means all of the provider's.
    models: tuple[str, ...] = ()
    preview_url: str | None = None

    @property
    def custom(self) -> bool:
        return self.category in CUSTOM_CATEGORIES


@dataclass(frozen=True)
class ProviderCatalog:
    """Everything known about one provider, and where and when it was learned."""

    provider: str
    models: tuple[Model, ...] = ()
    voices: tuple[Voice, ...] = ()
    source: str = "bundled"  # bundled | lock | cache | live
    fetched_at: str | None = None  # ISO-8601 date or time
    #: Voice id -> why it is gone and what to use instead ("Rachel: ... use Sarah").
    retired_voices: Mapping[str, str] = field(default_factory=dict)


class CatalogSource(Protocol):
    """Anything that can produce a provider's catalog (snapshot, cache, lock, live API)."""

    def provider_catalog(self, provider: str) -> ProviderCatalog | None:
        """The catalog of `provider`, or None when this source knows nothing of it."""
        ...


def range_from(data: Mapping[str, Any]) -> Range:
    """A `Range` from its JSON form `{min, max, default?}`."""
    return Range(float(data["min"]), float(data["max"]), data.get("default"))
