"""What a provider client is, per capability: one async streaming method each.

    LLM.stream(messages)           -> AsyncIterator[str]    text deltas as they arrive
    TTS.synthesize(text)           -> AsyncIterator[bytes]  PCM s16le mono at `sample_rate`
    STT.transcribe(pcm, rate, lang)-> Transcript            one utterance, final

Clients are built from a profile section (`llm`, `tts`, `stt`, or one of their `fallbacks`)
by `voiceops.providers.registry`. Every failure is raised as a `voiceops.errors.ProviderError`
subclass (mapped at this boundary from SDK and httpx errors, `raise ... from exc`), so the
pipeline can tell a refused key from a timeout and fall back only where that helps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None = None  # what the provider detected, when it says


@dataclass(frozen=True)
class Target:
    """One provider choice, resolved for calling: the profile section plus a real key.

    `options` holds the section's other settings (temperature, max_tokens, voice, tuning,
    mode...), exactly as written in the profile.
    """

    provider: str
    model: str
    api_key: str | None
    base_url: str | None
    timeout_s: float
    options: Mapping[str, Any] = field(default_factory=dict)


class LLM(Protocol):
    target: Target

    def stream(self, messages: Sequence[Message]) -> AsyncIterator[str]:
        """The reply as text deltas; cancelling the iteration cancels the request."""
        ...


class TTS(Protocol):
    target: Target
    sample_rate: int

    def synthesize(self, text: str, previous: str = "") -> AsyncIterator[bytes]:
        """`text` spoken, as PCM s16le mono chunks at `sample_rate`, as they arrive.

        `previous` is what was said just before it in the same utterance: voices that can
        continue its intonation use it (ElevenLabs' `previous_text`), others ignore it.
        """
        ...


class STT(Protocol):
    target: Target

    async def transcribe(self, pcm: bytes, sample_rate: int, language: str | None) -> Transcript:
        """The transcript of one utterance of PCM s16le mono audio."""
        ...
