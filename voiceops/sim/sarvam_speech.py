"""Sarvam's speech endpoints, checked per model as the real API checks them.

- `POST /text-to-speech`: JSON `{request_id, audios: [base64 WAV]}`, text up to 2,500
  characters, after the whole synthesis. The language is `language_code` (or the older
  `target_language_code`, `facts.SARVAM_TTS_LANGUAGE_FIELDS`), required here.
- `POST /text-to-speech/stream`: the audio itself as it is made (codec
  `output_audio_codec`: mp3 by default, wav, linear16 = raw PCM, mulaw, alaw), text up to
  3,500 characters, 8-24 kHz only.
- `POST /speech-to-text`: see `transcribe.sarvam_route`; `mode` only on saaras:v3+.

Model rules come from the bundled catalog (`voiceops/catalog/data/sarvam.json`): which
models exist, their speakers (lowercase, case-sensitive), sample rates and tuning
parameters with ranges. A parameter a model does not take (pitch or loudness on
bulbul:v3) is a 400, unless the catalog's rules record it as disputed (pitch, loudness and
temperature on bulbul:v4-flash: the simulator lets through what the real API might take);
so is an unknown speaker ("Speaker 'x' is not recognized") and a retired model the catalog
names a replacement for ("Model 'bulbul:v2' has been deprecated. Please use 'bulbul:v3'
instead.").
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from voiceops.catalog import rules
from voiceops.catalog.types import Model
from voiceops.sim import speech
from voiceops.sim.chat import Authorize
from voiceops.sim.data import is_gone, snapshot
from voiceops.sim.facts import SARVAM_TTS_LANGUAGE_FIELDS
from voiceops.sim.knobs import Recorder, TTSKnobs
from voiceops.sim.streams import ErrorFactory, authorized_body
from voiceops.sim.voice_out import AudioFormat, Codec, encode, streamed, whole

__all__ = ["LANGUAGES", "check_stt_fields", "tts_routes"]

LANGUAGES = frozenset({"en-IN", "hi-IN", "bn-IN", "ta-IN", "te-IN", "kn-IN", "ml-IN",
                       "mr-IN", "gu-IN", "pa-IN", "od-IN"})
DEFAULT_MODEL = "bulbul:v3"
STREAM_RATES = (8000, 16000, 22050, 24000)
_REST_LIMIT = 2500
_STREAM_LIMIT = 3500
#: output_audio_codec -> what the simulator sends (others: aac, opus, flac are not made).
_CODECS: dict[str, Codec] = {"mp3": "mp3", "wav": "wav", "linear16": "pcm", "mulaw": "ulaw",
                             "alaw": "alaw"}
_MP3_KBPS = {8000: 32, 16000: 64, 22050: 64, 24000: 64, 32000: 128, 44100: 128, 48000: 128}
_STT_MODES = ("transcribe", "translate", "verbatim", "translit", "codemix")


@dataclass(frozen=True)
class _Voice:
    model: Model
    speakers: frozenset[str]


@cache
def _tts_models() -> Mapping[str, _Voice]:
    catalog = snapshot("sarvam")
    return {
        model.id: _Voice(model, frozenset(v.id for v in catalog.voices if model.id in v.models))
        for model in catalog.models
        if model.kind == "tts" and not is_gone(model)
    }


@cache
def _replaced() -> Mapping[str, str]:
    """Retired TTS models the API still recognizes, with the replacement it names."""
    return {m.id: m.replaced_by for m in snapshot("sarvam").models
            if m.kind == "tts" and is_gone(m) and m.replaced_by}


@cache
def _stt_models() -> frozenset[str]:
    return frozenset(m.id for m in snapshot("sarvam").models
                     if m.kind == "stt" and not is_gone(m) and "realtime" not in m.id)


def _number(body: dict[str, Any], key: str) -> float | str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{key} must be a number"
    return float(value)


def _language(body: dict[str, Any]) -> tuple[str, object]:
    """(field, value) of the language a TTS body names: `language_code` (what the SDK
    sends since 0.1.29), else the older `target_language_code` the API still takes."""
    for name in SARVAM_TTS_LANGUAGE_FIELDS.value:
        if body.get(name) is not None:
            return name, body[name]
    return SARVAM_TTS_LANGUAGE_FIELDS.value[0], None


def _check_tts(body: dict[str, Any], *, streaming: bool) -> str | None:
    """What is wrong with a TTS request, in Sarvam's words, or None."""
    text = body.get("text")
    limit = _STREAM_LIMIT if streaming else _REST_LIMIT
    if not isinstance(text, str) or not text.strip():
        return "text: field required and must be a non-empty string"
    if len(text) > limit:
        return f"text: must be at most {limit} characters (got {len(text)})"
    field, language = _language(body)
    if language is None and not streaming:
        return f"{field}: field required"
    if language is not None and language not in LANGUAGES:
        return (f"{field}: {language!r} is not supported; use one of "
                f"{', '.join(sorted(LANGUAGES))}")
    model_id = body.get("model") or DEFAULT_MODEL
    voice = _tts_models().get(model_id)
    if voice is None and model_id in _replaced():
        return (f"Model '{model_id}' has been deprecated. Please use "
                f"'{_replaced()[model_id]}' instead.")
    if voice is None:
        return f"model: {model_id!r} is not a supported text-to-speech model"
    speaker = body.get("speaker")
    if speaker is not None and speaker not in voice.speakers:
        return (f"Speaker '{speaker}' is not recognized. Speakers compatible with "
                f"{model_id}: {', '.join(sorted(voice.speakers))}")
    for key in ("pitch", "pace", "loudness", "temperature"):
        value = _number(body, key)
        if isinstance(value, str):
            return value
        if value is None:
            continue
        allowed = voice.model.tuning.get(key)
        if allowed is None and rules.for_model("sarvam", model_id).disputed(key):
            continue  # sources disagree whether the API takes it: let it through
        if allowed is None:
            return f"{key} is not supported for the {model_id} model"
        if not allowed.contains(value):
            return (f"For the {model_id} model, {key} should be between {allowed.min:g} "
                    f"and {allowed.max:g}")
    rate = body.get("speech_sample_rate", voice.model.default_sample_rate)
    if streaming and rate not in STREAM_RATES:
        return "Speech sample rate can only be 8000, 16000, 22050, 24000 Hz"
    if rate not in voice.model.sample_rates:
        return (f"speech_sample_rate: {rate} is not supported by {model_id}; use one of "
                f"{', '.join(map(str, voice.model.sample_rates))}")
    codec = body.get("output_audio_codec", "mp3" if streaming else "wav")
    if codec not in _CODECS:
        return (f"output_audio_codec: {codec!r} is not produced by the simulator; use one "
                f"of {', '.join(_CODECS)}")
    return None


def _audio(body: dict[str, Any], knobs: TTSKnobs, *, streaming: bool) -> tuple[AudioFormat,
                                                                                list[bytes]]:
    model_id = body.get("model") or DEFAULT_MODEL
    voice = _tts_models()[model_id]
    rate = int(body.get("speech_sample_rate") or voice.model.default_sample_rate or 22050)
    codec = _CODECS[body.get("output_audio_codec", "mp3" if streaming else "wav")]
    fmt = AudioFormat(codec, rate, _MP3_KBPS.get(rate, 64))
    pcm = speech.synthesize(str(body["text"]), rate,
                            voice=str(body.get("speaker") or voice.model.default_voice or ""),
                            ms_per_char=knobs.tts_ms_per_char,
                            pace=float(body.get("pace") or 1.0),
                            loudness=float(body.get("loudness") or 1.0))
    return fmt, encode(fmt, pcm, chunk_ms=knobs.tts_chunk_ms, streaming=streaming)


def tts_routes(authorize: Authorize, error: ErrorFactory) -> list[BaseRoute]:
    """`/text-to-speech` and `/text-to-speech/stream`."""

    async def read(request: Request, streaming: bool) -> dict[str, Any] | Response:
        parsed = await authorized_body(request, authorize, error)
        if parsed.error is not None:
            return parsed.error
        problem = _check_tts(parsed.data, streaming=streaming)
        return error(400, problem) if problem else parsed.data

    async def convert(request: Request) -> Response:
        body = await read(request, streaming=False)
        if isinstance(body, Response):
            return body
        sim = request.app.state.sim
        recorder = cast(Recorder, sim)
        recorder.record(request.url.path, body)
        _, pieces = _audio(body, cast(TTSKnobs, sim), streaming=False)
        audio = await whole(request, pieces, cast(TTSKnobs, sim))
        if audio is None:
            return Response(status_code=499)  # the client is gone: nobody reads this
        return JSONResponse({"request_id": f"sim_{recorder.requests_received:08d}",
                             "audios": [base64.b64encode(audio).decode("ascii")]})

    async def convert_stream(request: Request) -> Response:
        body = await read(request, streaming=True)
        if isinstance(body, Response):
            return body
        sim = request.app.state.sim
        entry = cast(Recorder, sim).record(request.url.path, body, outcome="streaming")
        fmt, pieces = _audio(body, cast(TTSKnobs, sim), streaming=True)
        return streamed(pieces, cast(TTSKnobs, sim), entry, fmt)

    return [
        Route("/text-to-speech", convert, methods=["POST"]),
        Route("/text-to-speech/stream", convert_stream, methods=["POST"]),
    ]


def _takes_mode(model: str) -> bool:
    family, _, version = model.partition(":v")
    try:
        return family == "saaras" and float(version) >= 3
    except ValueError:
        return False


def check_stt_fields(fields: dict[str, str]) -> str | None:
    """What is wrong with a speech-to-text form (model, language_code, mode), or None."""
    model = fields.get("model", "saaras:v4")
    if model not in _stt_models():
        return f"model: {model!r} is not a supported speech-to-text model"
    language = fields.get("language_code", "unknown")
    if language != "unknown" and not language.endswith("-IN"):
        return f"language_code: {language!r} is not supported"
    mode = fields.get("mode")
    if mode is not None:
        if not _takes_mode(model):
            return f"mode is only supported for saaras:v3 and later, not {model}"
        if mode not in _STT_MODES:
            return f"mode: {mode!r} is not one of {', '.join(_STT_MODES)}"
    return None
