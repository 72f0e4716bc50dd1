"""One minimal real request per choice, through voiceops' own clients.

- LLM: one short user turn, the profile's settings with `max_tokens` capped to `LLM_CAP`.
- TTS: one word, with the profile's voice and tuning.
- STT: one second of a generated tone (16 kHz PCM; the clients send it as a WAV file).

A call's failure is kept as the `ProviderError` voiceops' clients raise (the provider's
answer, never the key), with the time it took.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from voiceops.errors import ProviderError
from voiceops.probe.plan import Choice
from voiceops.providers.audio import pcm_bytes
from voiceops.providers.base import Message
from voiceops.providers.registry import ProviderPool, resolve_target

__all__ = ["COSTS", "LLM_CAP", "Call", "make_call"]

#: The longest reply a probe asks for, in tokens.
LLM_CAP: Final = 16
WORD: Final = "Hello"
RATE: Final = 16000
TIMEOUT_S: Final = 20.0
#: What one call costs, by section (for the report: probes run nightly).
COSTS: Final[Mapping[str, str]] = {
    "llm": f"tokens: about 10 in, at most {LLM_CAP} out",
    "tts": f"characters: {len(WORD)}",
    "stt": "audio: 1 s",
}


@dataclass(frozen=True)
class Call:
    """One probe call: what it asked of which choice, how long it took, how it ended."""

    choice: Choice
    seconds: float
    error: ProviderError | None = None

    @property
    def section(self) -> str:
        return self.choice.section

    @property
    def provider(self) -> str:
        return self.choice.provider

    @property
    def model(self) -> str:
        return self.choice.model

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def cost(self) -> str:
        return COSTS[self.choice.section]


def _tone(seconds: float = 1.0) -> bytes:
    samples = array("h", (int(3000 * math.sin(2 * math.pi * 220 * i / RATE))
                          for i in range(int(RATE * seconds))))
    return pcm_bytes(samples)


async def make_call(choice: Choice, env: Mapping[str, str], pool: ProviderPool) -> Call:
    """The probe call of `choice`; a missing key or a refusal is the call's `error`."""
    settings = {**choice.settings, "optimization": choice.optimization}
    if choice.section == "llm":
        written = settings.get("max_tokens")
        settings["max_tokens"] = min(written, LLM_CAP) if isinstance(written, int) else LLM_CAP
    began = time.perf_counter()
    try:
        target = resolve_target(settings, env, TIMEOUT_S, language=choice.language)
        if choice.section == "llm":
            async for _ in pool.llm(target).stream([Message("user", "Say OK.")]):
                pass
        elif choice.section == "tts":
            async for _ in pool.tts(target, RATE).synthesize(WORD):
                pass
        else:
            await pool.stt(target).transcribe(_tone(), RATE, choice.language)
    except ProviderError as exc:
        return Call(choice, time.perf_counter() - began, exc)
    return Call(choice, time.perf_counter() - began)
