"""ElevenLabs text-to-speech: `POST /v1/text-to-speech/{voice_id}/stream` (audio as it is
made) and `POST /v1/text-to-speech/{voice_id}` (all of it at once).

`output_format` (query) is `codec_rate[_bitrate]`, one of `facts.ELEVENLABS_OUTPUT_FORMATS`:
`pcm_<rate>` (raw s16le), `ulaw_8000`, `alaw_8000`, `mp3_<rate>_<kbps>` (silent frames),
`opus_48000_<kbps>` (silent Opus in Ogg); the API default is mp3_44100_128. Anything else
is a 422, FastAPI-style.

The body is `{text, model_id, voice_settings, language_code, ...}`. A voice the account
lacks is the error users meet most, answered as the API does now
(`facts.ELEVENLABS_VOICE_NOT_FOUND`): HTTP 404 with `detail.status` "voice_not_found".
`voice_settings` values are range-checked (0..1, speed 0.7..1.2); `speed` shortens the
speech.
"""

from __future__ import annotations

import re
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voiceops.sim import speech
from voiceops.sim.chat import Authorize
from voiceops.sim.facts import ELEVENLABS_OUTPUT_FORMATS, ELEVENLABS_VOICE_NOT_FOUND
from voiceops.sim.knobs import Recorder, TTSKnobs
from voiceops.sim.responses import error_response
from voiceops.sim.streams import ErrorFactory, json_body
from voiceops.sim.voice_out import AudioFormat, Codec, encode, streamed, whole

__all__ = ["DEFAULT_FORMAT", "DEFAULT_MODEL", "parse_output_format", "tts_routes"]

DEFAULT_FORMAT = "mp3_44100_128"
DEFAULT_MODEL = "eleven_multilingual_v2"
_FORMAT = re.compile(r"(pcm|ulaw|alaw|mp3|opus)_(\d+)(?:_(\d+))?\Z")
_SETTINGS = {"stability": (0.0, 1.0), "similarity_boost": (0.0, 1.0), "style": (0.0, 1.0),
             "speed": (0.7, 1.2)}


def parse_output_format(value: str) -> AudioFormat | None:
    """The `AudioFormat` an `output_format` names, or None when the API has no such one."""
    match = _FORMAT.match(value)
    if match is None or value not in ELEVENLABS_OUTPUT_FORMATS.value:
        return None
    codec, rate, kbps = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    return AudioFormat(cast(Codec, codec), rate, kbps)


def _invalid(where: list[str], message: str, given: object) -> Response:
    # Validation errors are 422 with a list of problems (FastAPI's shape).
    return error_response({"detail": [{"type": "value_error", "loc": where, "msg": message,
                                       "input": given}]}, 422)


def _refusal(status: str, message: str, http_status: int = 400) -> Response:
    # detail.status names the problem, as ElevenLabs tells voice and model errors apart.
    return error_response({"detail": {"status": status, "message": message}}, http_status)


def _check_settings(settings: object) -> Response | None:
    if settings is None:
        return None
    if not isinstance(settings, dict):
        return _invalid(["body", "voice_settings"], "Input should be an object", settings)
    for key, (low, high) in _SETTINGS.items():
        value = settings.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not low <= value <= high:
            return _invalid(["body", "voice_settings", key],
                            f"Input should be between {low:g} and {high:g}", value)
    boost = settings.get("use_speaker_boost")
    if boost is not None and not isinstance(boost, bool):
        return _invalid(["body", "voice_settings", "use_speaker_boost"],
                        "Input should be a valid boolean", boost)
    return None


def tts_routes(authorize: Authorize, error: ErrorFactory) -> list[BaseRoute]:
    """The streaming and the whole-file text-to-speech endpoints."""

    async def read(request: Request) -> tuple[dict[str, Any], AudioFormat] | Response:
        denied = authorize(request)
        if denied is not None:
            return denied
        wanted = request.query_params.get("output_format", DEFAULT_FORMAT)
        fmt = parse_output_format(wanted)
        if fmt is None:
            return _invalid(["query", "output_format"], "Input should be a supported "
                            "output format such as pcm_16000 or mp3_44100_128", wanted)
        parsed = await json_body(request, error)
        if parsed.error is not None:
            return parsed.error
        body, sim = parsed.data, request.app.state.sim
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _invalid(["body", "text"], "Field required", text)
        voice_id = request.path_params["voice_id"]
        if not any(v["voice_id"] == voice_id for v in sim.voices):
            http_status, status, message = ELEVENLABS_VOICE_NOT_FOUND.value
            return _refusal(status, message.format(voice_id=voice_id), http_status)
        model = body.get("model_id", DEFAULT_MODEL)
        if not any(m["model_id"] == model and m["can_do_text_to_speech"] for m in sim.models):
            # The status name for an unknown model is unconfirmed; the 400 is what matters.
            return _refusal("model_not_found", f"A model with model ID {model} does not "
                            "exist or cannot convert text to speech.")
        bad = _check_settings(body.get("voice_settings"))
        return bad if bad is not None else (body, fmt)

    def audio(request: Request, body: dict[str, Any], fmt: AudioFormat,
              streaming: bool) -> list[bytes]:
        knobs = cast(TTSKnobs, request.app.state.sim)
        settings = body.get("voice_settings") or {}
        pcm = speech.synthesize(str(body["text"]), fmt.rate,
                                voice=request.path_params["voice_id"],
                                ms_per_char=knobs.tts_ms_per_char,
                                pace=float(settings.get("speed") or 1.0))
        return encode(fmt, pcm, chunk_ms=knobs.tts_chunk_ms, streaming=streaming)

    async def convert_stream(request: Request) -> Response:
        found = await read(request)
        if isinstance(found, Response):
            return found
        body, fmt = found
        sim = request.app.state.sim
        entry = cast(Recorder, sim).record(request.url.path, body,
                                           dict(request.query_params), outcome="streaming")
        return streamed(audio(request, body, fmt, True), cast(TTSKnobs, sim), entry, fmt)

    async def convert(request: Request) -> Response:
        found = await read(request)
        if isinstance(found, Response):
            return found
        body, fmt = found
        sim = request.app.state.sim
        cast(Recorder, sim).record(request.url.path, body, dict(request.query_params))
        data = await whole(request, audio(request, body, fmt, False), cast(TTSKnobs, sim))
        if data is None:
            return Response(status_code=499)  # the client is gone: nobody reads this
        return Response(data, media_type=fmt.media_type)

    return [
        Route("/v1/text-to-speech/{voice_id}/stream", convert_stream, methods=["POST"]),
        Route("/v1/text-to-speech/{voice_id}", convert, methods=["POST"]),
    ]
