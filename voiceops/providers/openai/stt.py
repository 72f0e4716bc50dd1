"""OpenAI transcription (`whisper-1`, `gpt-4o(-mini)-transcribe`) over the `openai` SDK.

One utterance, uploaded as a WAV file; the language hint is the ISO-639-1 part of the
profile's BCP-47 tag ("hi-IN" -> "hi"), as the API takes it. A quick failure is retried
once (`transport.policy.ONE_RETRY`): transcribing the same audio twice is harmless.
"""

from __future__ import annotations

from typing import Any

import openai

from voiceops.provider_facts import env_key
from voiceops.providers.audio import pcm_to_wav
from voiceops.providers.base import Target, Transcript
from voiceops.providers.http import SharedHttp, sdk_timeout, timeout_for
from voiceops.providers.openai.llm import OPENAI_ERRORS
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import ONE_RETRY
from voiceops.providers.transport.sdk import from_sdk
from voiceops.providers.transport.wording import Call

__all__ = ["DEFAULT_MODEL", "OpenAISTT"]

#: Used when the profile names no model.
DEFAULT_MODEL = "gpt-transcribe"


class OpenAISTT:
    """Transcribes one utterance with OpenAI's `/audio/transcriptions`."""

    def __init__(self, target: Target, http: SharedHttp) -> None:
        self.target = target
        base_url = base_url_for(target.provider, target.base_url)
        self._model = target.model or DEFAULT_MODEL
        self._call = Call(target.provider, f"POST {base_url.rstrip('/')}/audio/transcriptions",
                          target.api_key, env_key(target.provider), timeout_for(target.timeout_s))
        self._client = openai.AsyncOpenAI(
            api_key=target.api_key, base_url=base_url, max_retries=0,
            timeout=sdk_timeout(target.timeout_s), http_client=http.sdk(),
        )

    async def transcribe(self, pcm: bytes, sample_rate: int, language: str | None) -> Transcript:
        """The text of `pcm` (s16le mono at `sample_rate`); `language` is a BCP-47 hint."""
        wav = pcm_to_wav(pcm, sample_rate)
        hint: dict[str, Any] = {}
        if language and language.lower() not in ("unknown", "auto"):
            hint["language"] = language.split("-")[0].lower()

        async def attempt(number: int) -> Transcript:
            try:
                result = await self._client.audio.transcriptions.create(
                    file=("utterance.wav", wav, "audio/wav"), model=self._model,
                    response_format="json", **hint)
            except Exception as exc:
                raise from_sdk(exc, OPENAI_ERRORS, self._call, attempts=number) from exc
            return Transcript(result.text.strip())

        return await ONE_RETRY.run(attempt)

    def __repr__(self) -> str:
        return f"OpenAISTT({self._model!r})"
