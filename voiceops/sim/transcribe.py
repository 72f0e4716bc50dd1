"""Speech-to-text endpoints: OpenAI's `POST /v1/audio/transcriptions` and Sarvam's
`POST /speech-to-text`, both multipart uploads of one audio file.

The transcript is the next one a test queued (`state.transcripts`), else a description of
the audio ("I heard 1.2 seconds of audio."), after `state.stt_latency_s`. WAV uploads are
read (stdlib `wave`) for their length; the recorded body keeps the form fields and what
the file was (name, type, size, rate, seconds), never the audio itself.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from voiceops.sim.chat import Authorize
from voiceops.sim.codecs import WavInfo, read_wav
from voiceops.sim.knobs import Recorder, STTKnobs
from voiceops.sim.multipart import FormError, Part, parse_form
from voiceops.sim.pacing import hold
from voiceops.sim.streams import ErrorFactory

__all__ = ["Upload", "openai_route", "read_upload", "sarvam_route"]

#: Extensions OpenAI accepts (its 400 lists them).
OPENAI_FORMATS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
#: Whether the account serves `model` for transcription (state, model id).
KnownModel = Callable[[Any, str], bool]


@dataclass(frozen=True)
class Upload:
    """A multipart upload: its text fields, its file, and the file's audio when WAV."""

    fields: dict[str, str]
    file: Part
    audio: WavInfo | None

    @property
    def seconds(self) -> float | None:
        return self.audio.seconds if self.audio is not None else None

    def recorded(self) -> dict[str, Any]:
        """What a test may check: the fields, and a summary of the file."""
        summary: dict[str, Any] = {"filename": self.file.filename,
                                   "content_type": self.file.content_type,
                                   "bytes": len(self.file.data)}
        if self.audio is not None:
            summary.update(sample_rate=self.audio.rate, channels=self.audio.channels,
                           seconds=round(self.audio.seconds, 3))
        return {**self.fields, "file": summary}


async def read_upload(request: Request, authorize: Authorize,
                      error: ErrorFactory) -> Upload | Response:
    """The upload in `request`, or the provider's answer when the key is refused (checked
    first, as the real APIs refuse a bad key before they read the body) or the request is
    not an upload with a file (400)."""
    denied = authorize(request)
    if denied is not None:
        return denied
    try:
        form = parse_form(await request.body(), request.headers.get("content-type", ""))
    except FormError as exc:
        return error(400, f"Could not parse multipart form: {exc}")
    file = form.pop("file", None)
    if file is None or file.filename is None:
        return error(400, "Missing required parameter: 'file'")
    try:
        audio: WavInfo | None = read_wav(file.data)
    except (wave.Error, EOFError):
        audio = None
    return Upload({name: part.text for name, part in form.items()}, file, audio)


async def _heard(request: Request, upload: Upload, path: str) -> str | None:
    """The transcript, after the simulated latency; None when the client left meanwhile."""
    sim = request.app.state.sim
    knobs, recorder = cast(STTKnobs, sim), cast(Recorder, sim)
    recorder.record(path, upload.recorded())
    if not await hold(request, knobs.stt_latency_s):
        return None
    return knobs.next_transcript(upload.seconds or 0.0)


def openai_route(authorize: Authorize, error: ErrorFactory, known_model: KnownModel,
                 path: str = "/v1/audio/transcriptions") -> Route:
    """OpenAI's transcription endpoint: `{"text": ...}` (or text / verbose_json)."""

    async def transcriptions(request: Request) -> Response:
        upload = await read_upload(request, authorize, error)
        if isinstance(upload, Response):
            return upload
        model = upload.fields.get("model", "")
        if not model:
            return error(400, "Missing required parameter: 'model'")
        if not known_model(request.app.state.sim, model):
            return error(400, f"Invalid model {model!r}: this model cannot transcribe audio")
        extension = (upload.file.filename or "").rsplit(".", 1)[-1].lower()
        if extension not in OPENAI_FORMATS or (extension == "wav" and upload.audio is None):
            return error(400, "Invalid file format. Supported formats: "
                              f"{list(OPENAI_FORMATS)}")
        form = upload.fields.get("response_format", "json")
        if form not in ("json", "text", "verbose_json"):
            return error(400, f"Invalid 'response_format' {form!r} for this model")
        text = await _heard(request, upload, path)
        if text is None:
            return Response(status_code=499)  # the client is gone: nobody reads this
        seconds = upload.seconds or 0.0
        if form == "text":
            return PlainTextResponse(text + "\n")
        if form == "verbose_json":
            return JSONResponse({"task": "transcribe", "language": "english",
                                 "duration": round(seconds, 2), "text": text, "segments": []})
        return JSONResponse({"text": text,
                             "usage": {"type": "duration", "seconds": round(seconds + 0.5)}})

    return Route(path, transcriptions, methods=["POST"])


def sarvam_route(authorize: Authorize, error: ErrorFactory,
                 check: Callable[[dict[str, str]], str | None],
                 path: str = "/speech-to-text") -> Route:
    """Sarvam's STT endpoint: `{request_id, transcript, timestamps, diarized_transcript,
    language_code, language_probability}`; `check(fields)` says what is wrong, if anything."""

    async def speech_to_text(request: Request) -> Response:
        upload = await read_upload(request, authorize, error)
        if isinstance(upload, Response):
            return upload
        if upload.audio is None:
            return error(400, "Invalid audio file: could not decode the audio (send WAV)")
        if upload.audio.seconds > 30.0:
            return error(400, "Audio duration exceeds the maximum of 30 seconds for this "
                              "API; use the batch API for longer audio")
        problem = check(upload.fields)
        if problem:
            return error(400, problem)
        text = await _heard(request, upload, path)
        if text is None:
            return Response(status_code=499)  # the client is gone: nobody reads this
        language = upload.fields.get("language_code") or "unknown"
        detected = "en-IN" if language == "unknown" else language
        return JSONResponse({
            "request_id": f"sim_{cast(Recorder, request.app.state.sim).requests_received:08d}",
            "transcript": text, "timestamps": None, "diarized_transcript": None,
            "language_code": detected, "language_probability": 1.0,
        })

    return Route(path, speech_to_text, methods=["POST"])
