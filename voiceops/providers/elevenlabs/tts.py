"""ElevenLabs text-to-speech over its streaming REST endpoint, with httpx.

    POST {base}/v1/text-to-speech/{voice_id}/stream?output_format=pcm_<rate>
    {text, model_id, voice_settings, language_code}

`pcm_<rate>` is raw PCM s16le: chunks go to the caller as they arrive, no decoding.
`voice_settings` holds only what the profile's `tuning` sets (the voice's saved settings
fill the rest); `language_code` (ISO-639-1) is sent only to the models that accept it.

The failure users meet most is a voice id that the key's account does not have (copied
from another account, or a library voice never added): the API answers 404 with
`detail.status` "voice_not_found" (400 in older answers; both are recognised). That
becomes a `ProviderRequestError` naming the voice and the command that lists the voices
the key can use.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from voiceops.errors import ProviderError, ProviderRequestError, ProviderSetupError
from voiceops.provider_facts import env_key
from voiceops.providers import options
from voiceops.providers.audio import SampleAligner
from voiceops.providers.base import Target
from voiceops.providers.http import SharedHttp, timeout_for
from voiceops.providers.transport import rest
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.wording import Call

__all__ = ["DEFAULT_MODEL", "LANGUAGE_CODE_MODELS", "PCM_RATES", "ElevenLabsTTS"]

DEFAULT_MODEL = "eleven_flash_v2_5"
#: The `output_format=pcm_<rate>` rates (some need a paid plan).
PCM_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
#: Models that take `language_code` (language enforcement); others refuse it.
LANGUAGE_CODE_MODELS = frozenset({"eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"})
_NUMERIC_SETTINGS = ("stability", "similarity_boost", "style", "speed")
_MISSING_VOICE = frozenset({"voice_not_found", "voice_does_not_exist"})
#: How much of what came before is sent as context: a sentence or two is what carries over.
_CONTEXT_CHARS = 300


class ElevenLabsTTS:
    """Speaks text with an ElevenLabs voice, as PCM s16le mono at `sample_rate`."""

    def __init__(self, target: Target, sample_rate: int, http: SharedHttp) -> None:
        provider = target.provider
        if sample_rate not in PCM_RATES:
            raise ProviderSetupError(
                f"ElevenLabs has no PCM output at {sample_rate} Hz; choose one of "
                f"{', '.join(map(str, PCM_RATES))}", provider=provider)
        voice = options.text(target.options, "voice", provider)
        if not voice:
            raise ProviderSetupError("ElevenLabs needs a voice (a voice id) in the tts section",
                                     provider=provider)
        self.target = target
        self.sample_rate = sample_rate
        self.voice = voice
        self._http = http.httpx
        root = base_url_for(provider, target.base_url).rstrip("/")
        self._url = f"{root}/v1/text-to-speech/{quote(voice, safe='')}/stream"
        self._params = {"output_format": f"pcm_{sample_rate}"}
        self._call = Call(provider, f"POST {self._url}", target.api_key, env_key(provider),
                          timeout_for(target.timeout_s))
        self._body = self._base_body(target)

    def _base_body(self, target: Target) -> dict[str, Any]:
        model = target.model or DEFAULT_MODEL
        body: dict[str, Any] = {"model_id": model}
        settings = _voice_settings(options.section(target.options, "tuning", target.provider),
                                   target.provider)
        if settings:
            body["voice_settings"] = settings
        language = options.text(target.options, "language", target.provider)
        if language and model in LANGUAGE_CODE_MODELS:
            body["language_code"] = language.split("-")[0].lower()
        return body

    async def synthesize(self, text: str, previous: str = "") -> AsyncIterator[bytes]:
        """`text` spoken, as PCM chunks (whole samples) in order, as they arrive; with
        `previous` (the utterance so far) as `previous_text`, so the voice carries its
        intonation on rather than starting each piece afresh."""
        if not text.strip():
            return  # nothing to say: not worth a request (the API would refuse it)
        body = {**self._body, "text": text}
        if previous.strip():
            body["previous_text"] = previous[-_CONTEXT_CHARS:]
        build = rest.post(self._http, self._url, {"xi-api-key": self.target.api_key or ""},
                          self._call.timeout, params=self._params, json=body)
        aligner = SampleAligner()
        async with rest.open_response(self._http, self._call, build,
                                      refine=self._refine) as response:
            async for chunk in rest.iter_body(response, self._call):
                pcm = aligner.push(chunk)
                if pcm:
                    yield pcm

    def _refine(self, status: int, body: bytes) -> ProviderError | None:
        """A missing voice, told apart from other 4xx answers."""
        if status not in (400, 404) or _detail_status(body) not in _MISSING_VOICE:
            return None
        return ProviderRequestError(
            f"ElevenLabs has no voice {self.voice!r} for this API key (HTTP {status} "
            "voice_not_found): use a voice id from your account; run `voiceops voices "
            "--live` to list the voices the key can use", provider=self.target.provider,
            status=status)

    def __repr__(self) -> str:
        return f"ElevenLabsTTS({self.voice!r}, {self._body['model_id']!r}, {self.sample_rate} Hz)"


def _voice_settings(tuning: Mapping[str, Any], provider: str) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key in _NUMERIC_SETTINGS:
        value = options.number(tuning, key, provider)
        if value is not None:
            settings[key] = value
    boost = options.flag(tuning, "use_speaker_boost", provider)
    if boost is not None:
        settings["use_speaker_boost"] = boost
    return settings


def _detail_status(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    detail = data.get("detail") if isinstance(data, dict) else None
    status = detail.get("status") if isinstance(detail, dict) else None
    return status if isinstance(status, str) else None
