"""Sarvam text-to-speech (`bulbul`) over its REST API, with httpx.

Which endpoint: `POST /text-to-speech/stream` with `output_audio_codec: wav`. It
sends audio as it is made, so the first bytes arrive after the first fragment is
synthesised, not after the whole sentence (as `/text-to-speech` does, which answers with
one base64 WAV in JSON, ~33 % larger, decodable only once complete); and after its header
a WAV stream is raw PCM, so chunks go to the caller as they come with no decoding. The WebSocket
`/text-to-speech/ws` shines when text arrives token by token; the pipeline sends whole
phrases, and the shared keep-alive pool already spares each request a new connection.

The stream endpoint serves 8-24 kHz only; for 32/44.1/48 kHz (bulbul:v3, REST only) the
client falls back to `/text-to-speech` and unwraps the WAV. The stream's WAV header is
dropped as it arrives; a stream that starts without one is taken as raw PCM.

Tuning follows the model (the bundled catalog's per-model rules): bulbul:v2 takes pitch,
pace and loudness; bulbul:v3 only pace, so pitch and loudness are left out for it
(`voiceops validate` reports them). `enable_preprocessing` is sent when set.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.errors import BadResponseError, ProviderSetupError
from voiceops.provider_facts import env_key
from voiceops.providers import options
from voiceops.providers.audio import SampleAligner, WavFormatError, split_wav_header, wav_to_pcm
from voiceops.providers.base import Target
from voiceops.providers.http import SharedHttp, timeout_for
from voiceops.providers.transport import rest
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.wording import Call

__all__ = ["DEFAULT_LANGUAGE", "DEFAULT_MODEL", "REST_RATES", "STREAM_RATES", "SarvamTTS"]

DEFAULT_MODEL = "bulbul:v3"
#: Sarvam requires a target language; profiles set `language`, this is the fallback.
DEFAULT_LANGUAGE = "en-IN"
STREAM_RATES = (8000, 16000, 22050, 24000)
REST_RATES = (*STREAM_RATES, 32000, 44100, 48000)
_NUMERIC_TUNING = ("pitch", "pace", "loudness", "temperature")
_RIFF = b"RIFF"


def accepted_tuning(model: str) -> frozenset[str] | None:
    """The tuning parameters `model` accepts per the bundled catalog; None if unknown."""
    catalog = BundledSnapshot().provider_catalog("sarvam")
    found = next((m for m in catalog.models if m.id == model), None) if catalog else None
    return frozenset(found.tuning) if found is not None else None


class SarvamTTS:
    """Speaks text with a Sarvam `bulbul` voice, as PCM s16le mono at `sample_rate`."""

    def __init__(self, target: Target, sample_rate: int, http: SharedHttp) -> None:
        if sample_rate not in REST_RATES:
            raise ProviderSetupError(
                f"Sarvam cannot synthesise at {sample_rate} Hz; choose one of "
                f"{', '.join(map(str, REST_RATES))}", provider=target.provider)
        self.target = target
        self.sample_rate = sample_rate
        self._http = http.httpx
        self._streamed = sample_rate in STREAM_RATES
        root = base_url_for(target.provider, target.base_url).rstrip("/")
        self._url = root + ("/text-to-speech/stream" if self._streamed else "/text-to-speech")
        self._call = Call(target.provider, f"POST {self._url}", target.api_key,
                          env_key(target.provider), timeout_for(target.timeout_s))
        self._body = self._base_body(target)

    def _base_body(self, target: Target) -> dict[str, Any]:
        provider = target.provider
        model = target.model or DEFAULT_MODEL
        body: dict[str, Any] = {
            "model": model,
            # Named `target_language_code` before sarvamai 0.1.29; the API takes both, the
            # SDK sends this one (tests/providers/test_wire_sarvam.py holds it to the SDK).
            "language_code": (options.text(target.options, "language", provider)
                              or DEFAULT_LANGUAGE),
            "speech_sample_rate": self.sample_rate,
        }
        speaker = options.text(target.options, "voice", provider)
        if speaker:
            body["speaker"] = speaker.lower()  # Sarvam's speaker ids are lowercase
        body.update(_tuning(options.section(target.options, "tuning", provider), model,
                            provider))
        if self._streamed:
            # WAV, its header dropped as it arrives: every streaming model documents it,
            # while bulbul:v4-flash's codec list has no linear16 (docs, read 2026-11-30)
            body["output_audio_codec"] = "wav"
        return body

    async def synthesize(self, text: str, previous: str = "") -> AsyncIterator[bytes]:
        """`text` spoken, as PCM chunks (whole samples) in order, as they arrive (Sarvam
        takes no context: `previous` is not sent)."""
        if not text.strip():
            return  # nothing to say: not worth a request (the API would refuse it)
        build = rest.post(self._http, self._url,
                          {"api-subscription-key": self.target.api_key or ""},
                          self._call.timeout, json={**self._body, "text": text})
        async with rest.open_response(self._http, self._call, build) as response:
            if self._streamed:
                async for pcm in self._pcm_stream(rest.iter_body(response, self._call)):
                    yield pcm
            else:
                for pcm in self._rest_audio(await rest.read_body(response, self._call)):
                    yield pcm

    async def _pcm_stream(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        aligner = SampleAligner()
        head: bytes | None = b""  # held until it is clear whether a WAV header leads
        async for chunk in chunks:
            if head is not None:
                head += chunk
                after = self._after_header(head)
                if after is None:
                    continue
                chunk, head = after, None
            pcm = aligner.push(chunk)
            if pcm:
                yield pcm
        if head:  # the stream ended inside what may be a header
            if head.startswith(_RIFF):
                raise self._bad("its audio stream ended inside the WAV header")
            pcm = aligner.push(head)
            if pcm:
                yield pcm

    def _after_header(self, head: bytes) -> bytes | None:
        """The PCM in `head` once any WAV header is past; None while one may be incomplete."""
        if len(head) < len(_RIFF):
            return None if _RIFF.startswith(head) else head
        if not head.startswith(_RIFF):
            return head
        try:
            found = split_wav_header(head)
        except WavFormatError as exc:
            raise self._bad(f"its audio stream is not PCM: {exc}") from exc
        if found is None:
            return None
        rate, offset = found
        if rate != self.sample_rate:
            raise self._bad(f"it sent {rate} Hz audio, not the {self.sample_rate} Hz asked for")
        return head[offset:]

    def _rest_audio(self, body: bytes) -> list[bytes]:
        try:
            audios = json.loads(body)["audios"]
            pieces = [wav_to_pcm(base64.b64decode(audio, validate=True)) for audio in audios]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise self._bad(f"its answer holds no WAV audio ({exc})") from exc
        for _, rate in pieces:
            if rate != self.sample_rate:
                raise self._bad(f"it sent {rate} Hz audio, not {self.sample_rate} Hz")
        return [pcm for pcm, _ in pieces if pcm]

    def _bad(self, problem: str) -> BadResponseError:
        return BadResponseError(f"Sarvam's answer to {self._call.request} is unusable: "
                                f"{problem}", provider=self.target.provider)

    def __repr__(self) -> str:
        return f"SarvamTTS({self._body['model']!r}, {self.sample_rate} Hz)"


def _tuning(tuning: Mapping[str, Any], model: str, provider: str) -> dict[str, Any]:
    accepted = accepted_tuning(model)
    sent: dict[str, Any] = {}
    for key in _NUMERIC_TUNING:
        value = options.number(tuning, key, provider)
        # A model the catalog does not know yet gets everything: the API has the last word.
        if value is not None and (accepted is None or key in accepted):
            sent[key] = value
    preprocessing = options.flag(tuning, "enable_preprocessing", provider)
    if preprocessing is not None:
        sent["enable_preprocessing"] = preprocessing
    return sent
