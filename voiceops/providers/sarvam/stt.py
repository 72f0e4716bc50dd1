"""Sarvam speech-to-text (`saarika`, `saaras`) over its REST API, with httpx.

    POST {base}/speech-to-text    multipart: file (WAV), model, language_code, mode

`language_code` is the profile's BCP-47 tag, or "unknown" (Sarvam detects the language and
says which in `language_code`). `mode` (transcribe, translate, verbatim, translit,
codemix) is sent only when the profile sets it: only saaras:v3 and later accept it, and
`voiceops validate` checks that. One REST call takes at most 30 s of audio: a longer
utterance is refused here, before it costs an upload. Audio at another rate than 16 kHz
(8 kHz phone lines, 48 kHz browsers) is converted to 16 kHz first, as Sarvam asks.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from voiceops.errors import BadResponseError, ProviderRequestError
from voiceops.provider_facts import env_key
from voiceops.providers import options
from voiceops.providers.audio import duration_s, pcm_to_wav
from voiceops.providers.base import Target, Transcript
from voiceops.providers.http import SharedHttp, timeout_for
from voiceops.providers.resample import resample
from voiceops.providers.transport import rest
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.wording import Call

__all__ = ["DEFAULT_MODEL", "MAX_SECONDS", "STT_RATE", "SarvamSTT"]

#: Used when the profile names no model: Sarvam's current default.
DEFAULT_MODEL = "saaras:v3"
#: The longest audio one REST call accepts.
MAX_SECONDS = 30.0
#: The sample rate Sarvam's speech-to-text takes; other rates are converted first.
STT_RATE = 16000


class SarvamSTT:
    """Transcribes one utterance with Sarvam's `/speech-to-text`."""

    def __init__(self, target: Target, http: SharedHttp) -> None:
        self.target = target
        self._http = http.httpx
        self._url = base_url_for(target.provider, target.base_url).rstrip("/") + "/speech-to-text"
        self._model = target.model or DEFAULT_MODEL
        self._mode = options.text(target.options, "mode", target.provider)
        self._call = Call(target.provider, f"POST {self._url}", target.api_key,
                          env_key(target.provider), timeout_for(target.timeout_s))

    async def transcribe(self, pcm: bytes, sample_rate: int, language: str | None) -> Transcript:
        """The text of `pcm` (s16le mono at `sample_rate`); `language` is a BCP-47 hint."""
        seconds = duration_s(pcm, sample_rate)
        if seconds > MAX_SECONDS:
            raise ProviderRequestError(
                f"Sarvam speech-to-text takes at most {MAX_SECONDS:g} s of audio per request; "
                f"this utterance is {seconds:.1f} s", provider=self.target.provider)
        if sample_rate != STT_RATE:  # Sarvam takes 16 kHz speech; a thread does the sums
            pcm = await asyncio.to_thread(resample, pcm, sample_rate, STT_RATE)
            sample_rate = STT_RATE
        fields = {"model": self._model, "language_code": language or "unknown"}
        if self._mode:
            fields["mode"] = self._mode
        build = rest.post(self._http, self._url,
                          {"api-subscription-key": self.target.api_key or ""},
                          self._call.timeout, data=fields,
                          files={"file": ("utterance.wav", pcm_to_wav(pcm, sample_rate),
                                          "audio/wav")})
        # open_response retries a quick failure once: the same upload twice is harmless.
        async with rest.open_response(self._http, self._call, build) as response:
            body = await rest.read_body(response, self._call)
        return self._transcript(body)

    def _transcript(self, body: bytes) -> Transcript:
        try:
            data: Any = json.loads(body)
        except ValueError as exc:
            raise BadResponseError(f"Sarvam sent invalid JSON for {self._call.request}",
                                   provider=self.target.provider) from exc
        text = data.get("transcript") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise BadResponseError(f"Sarvam's answer to {self._call.request} has no "
                                   "transcript", provider=self.target.provider)
        detected = data.get("language_code")
        return Transcript(text.strip(), detected if isinstance(detected, str) else None)

    def __repr__(self) -> str:
        return f"SarvamSTT({self._model!r})"
