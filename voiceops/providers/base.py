"""What a provider client is, per capability: one async streaming method each.

    LLM.stream(messages)           -> AsyncIterator[str]    text deltas as they arrive
    LLM.events(messages, tools)    -> AsyncIterator[str | ToolCall]   the same, with the
                                      tool calls the model makes, each once it is complete
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

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the LLM is told of it: `parameters` is the JSON Schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """The model asks for a tool. `arguments` is what it sent, parsed ({} for none);
    `problem` says why they could not be read (not JSON, not an object), when so."""

    id: str
    name: str
    arguments: Mapping[str, Any]
    problem: str | None = None


@dataclass(frozen=True)
class Message:
    """One turn. An assistant turn may carry the `tool_calls` it made; a "tool" turn is a
    call's result (`content`), answering `tool_call_id`, with `is_error` when it failed."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    is_error: bool = False

    @classmethod
    def result(cls, call: ToolCall, content: str, *, ok: bool = True) -> Message:
        """The result of `call`, to send back to the model."""
        return cls("tool", content, tool_call_id=call.id, is_error=not ok)


#: What `LLM.events` yields: a text delta, or a complete tool call.
LLMEvent = str | ToolCall


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

    def events(self, messages: Sequence[Message], tools: Sequence[ToolSpec] = (), *,
               must_answer: bool = False) -> AsyncIterator[LLMEvent]:
        """The reply with `tools` offered: text deltas as they arrive, and each tool call the
        model makes once its arguments are complete; closing the iteration cancels it.
        `must_answer`: the tools stay declared (a history holding calls needs them) but the
        model may not call one now (`tool_choice` none)."""
        ...


async def text_of(events: AsyncIterator[LLMEvent]) -> AsyncIterator[str]:
    """The text deltas of `events`; closing this closes `events` at once (so the request
    ends on barge-in, not whenever the garbage collector gets to it)."""
    try:
        async for event in events:
            if isinstance(event, str):
                yield event
    finally:
        close = getattr(events, "aclose", None)
        if close is not None:
            await close()


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
