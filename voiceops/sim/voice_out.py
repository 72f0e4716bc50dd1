"""Simulated speech leaving a TTS endpoint: encoded, cut into chunks, and timed.

    fmt = AudioFormat("pcm", 16000)
    pieces = encode(fmt, speech.synthesize(text, 16000), chunk_ms=knobs.tts_chunk_ms)
    return streamed(pieces, knobs, entry, fmt)            # chunks as they are "made"
    return JSONResponse(... await whole(request, pieces, knobs))  # or all at once, as late

Chunks hold `chunk_ms` of audio each (whole samples for PCM, whole frames for MP3); the
first leaves `tts_ttfb_s` after the request, the rest `tts_chunk_interval_s` apart. The
non-streaming variant answers when the last chunk would have been sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

from voiceops.sim import codecs
from voiceops.sim.knobs import Received, TTSKnobs
from voiceops.sim.pacing import hold, paced, stream_time
from voiceops.sim.streams import ClosingStream, tracked

__all__ = ["AudioFormat", "encode", "streamed", "whole"]

Codec = Literal["pcm", "wav", "mp3", "ulaw", "alaw", "opus"]
_MEDIA_TYPES: dict[Codec, str] = {
    "pcm": "audio/pcm", "wav": "audio/wav", "mp3": "audio/mpeg", "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic", "opus": "audio/ogg",
}


@dataclass(frozen=True)
class AudioFormat:
    """How a voice's audio is sent: codec, sample rate, and (MP3, Opus) bitrate."""

    codec: Codec
    rate: int
    kbps: int = 0

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self.codec]


def encode(fmt: AudioFormat, pcm: bytes, *, chunk_ms: int, streaming: bool) -> list[bytes]:
    """`pcm` (s16le mono at `fmt.rate`) in `fmt`, as chunks of about `chunk_ms` each.

    A streamed WAV starts with a header of unknown length; a whole one is a complete file.
    """
    seconds = len(pcm) / (2 * fmt.rate)
    count = max(1, round(seconds * 1000 / max(chunk_ms, 1)))
    if fmt.codec == "pcm":
        return _split(pcm, count, unit=2)
    if fmt.codec == "wav":
        if not streaming:
            return _split(codecs.wav_file(pcm, fmt.rate), count, unit=1)
        pieces = _split(pcm, count, unit=2)
        return [codecs.wav_stream_header(fmt.rate) + pieces[0], *pieces[1:]]
    if fmt.codec == "opus":  # Ogg pages of about chunk_ms each, the headers in the first
        pages = codecs.ogg_opus_silence(seconds, fmt.rate, packets_per_page=chunk_ms // 20)
        return [b"".join(pages[:3]), *pages[3:]]
    if fmt.codec == "mp3":
        frames = codecs.mp3_silence(seconds, fmt.rate, fmt.kbps)
        frame_size = len(codecs.mp3_silence(0, fmt.rate, fmt.kbps))
        return _split(frames, count, unit=frame_size)
    encoded = codecs.mulaw(pcm) if fmt.codec == "ulaw" else codecs.alaw(pcm)
    return _split(encoded, count, unit=1)


def _split(data: bytes, count: int, *, unit: int) -> list[bytes]:
    """`data` in `count` pieces of about equal size, cut on multiples of `unit` bytes."""
    units = len(data) // unit
    size = max(1, -(-units // count)) * unit
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def streamed(pieces: list[bytes], knobs: TTSKnobs, entry: Received,
             fmt: AudioFormat) -> ClosingStream:
    """A streaming response sending `pieces` on the knobs' schedule."""
    chunks: AsyncIterator[bytes] = paced(pieces, knobs.tts_ttfb_s, knobs.tts_chunk_interval_s)
    return ClosingStream(tracked(chunks, entry), media_type=fmt.media_type)


async def whole(request: Request, pieces: list[bytes], knobs: TTSKnobs) -> bytes | None:
    """All of `pieces`, once the last would have been streamed; None if the client left."""
    wait = stream_time(len(pieces), knobs.tts_ttfb_s, knobs.tts_chunk_interval_s)
    return b"".join(pieces) if await hold(request, wait) else None
