"""Small PCM helpers for the provider clients: WAV in and out, durations, whole samples.

Audio inside voiceops is PCM s16le mono. Providers want WAV files in (STT uploads) and some
send WAV back (Sarvam's REST TTS), so this module wraps and unwraps it. No numpy: a voice
turn moves a few hundred kilobytes, and `struct` is plenty for that.
"""

from __future__ import annotations

import struct
import sys
from array import array

__all__ = [
    "SAMPLE_WIDTH",
    "SampleAligner",
    "WavFormatError",
    "duration_s",
    "pcm_bytes",
    "pcm_samples",
    "pcm_to_wav",
    "split_wav_header",
    "wav_to_pcm",
]

#: Bytes per sample of PCM s16le.
SAMPLE_WIDTH = 2
_PCM_FORMAT = 1
_EXTENSIBLE_FORMAT = 0xFFFE
_RIFF_HEADER = struct.Struct("<4sI4s")
_CHUNK_HEADER = struct.Struct("<4sI")
_FMT = struct.Struct("<HHIIHH")


class WavFormatError(ValueError):
    """Raised when bytes are not a WAV file of 16-bit PCM mono audio."""


def pcm_samples(pcm: bytes) -> array[int]:
    """The samples of PCM s16le (a trailing odd byte is no sample), in native order."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def pcm_bytes(samples: array[int]) -> bytes:
    """`samples` as PCM s16le."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def duration_s(pcm: bytes, sample_rate: int) -> float:
    """Seconds of audio in `pcm` (s16le mono at `sample_rate`)."""
    return len(pcm) / (SAMPLE_WIDTH * sample_rate)


def pcm_to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """`pcm` (s16le mono) as a complete WAV file."""
    byte_rate = sample_rate * SAMPLE_WIDTH
    fmt = _FMT.pack(_PCM_FORMAT, 1, sample_rate, byte_rate, SAMPLE_WIDTH, 8 * SAMPLE_WIDTH)
    return b"".join((
        _RIFF_HEADER.pack(b"RIFF", 4 + _CHUNK_HEADER.size * 2 + len(fmt) + len(pcm), b"WAVE"),
        _CHUNK_HEADER.pack(b"fmt ", len(fmt)), fmt,
        _CHUNK_HEADER.pack(b"data", len(pcm)), pcm,
    ))


def split_wav_header(data: bytes) -> tuple[int, int] | None:
    """(sample rate, offset of the first sample) of a WAV file's start, or None if `data`
    does not yet hold the whole header. Raises `WavFormatError` for what is not s16le mono.

    Streamed WAVs often declare a data size of 0 or 0xFFFFFFFF (the length is unknown when
    the header is sent), so the declared sizes of the RIFF and data chunks are not trusted.
    """
    if len(data) < _RIFF_HEADER.size:
        return None
    riff, _, wave = _RIFF_HEADER.unpack_from(data)
    if riff != b"RIFF" or wave != b"WAVE":
        raise WavFormatError("not a WAV file (no RIFF/WAVE header)")
    offset = _RIFF_HEADER.size
    rate: int | None = None
    while True:
        if len(data) < offset + _CHUNK_HEADER.size:
            return None
        kind, size = _CHUNK_HEADER.unpack_from(data, offset)
        offset += _CHUNK_HEADER.size
        if kind == b"data":
            if rate is None:
                raise WavFormatError("WAV data chunk before its fmt chunk")
            return rate, offset
        if len(data) < offset + size:
            return None
        if kind == b"fmt ":
            rate = _check_fmt(data[offset:offset + size])
        offset += size + (size & 1)  # chunks are padded to an even length


def _check_fmt(fmt: bytes) -> int:
    if len(fmt) < _FMT.size:
        raise WavFormatError("WAV fmt chunk is too short")
    tag, channels, rate, _, _, bits = _FMT.unpack_from(fmt)
    if tag not in (_PCM_FORMAT, _EXTENSIBLE_FORMAT) or bits != 16 or channels != 1:
        raise WavFormatError(
            f"WAV is not 16-bit PCM mono (format {tag}, {channels} channels, {bits} bits)"
        )
    return int(rate)


def wav_to_pcm(data: bytes) -> tuple[bytes, int]:
    """(PCM s16le mono, sample rate) from a complete WAV file."""
    found = split_wav_header(data)
    if found is None:
        raise WavFormatError("WAV file ends inside its header")
    rate, offset = found
    _, declared = _CHUNK_HEADER.unpack_from(data, offset - _CHUNK_HEADER.size)
    end = len(data) if declared in (0, 0xFFFFFFFF) else min(len(data), offset + declared)
    pcm = data[offset:end]
    return pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH], rate


class SampleAligner:
    """Cuts a byte stream into chunks of whole samples.

    The network splits a PCM stream anywhere, but a consumer of s16le wants every chunk to
    hold whole samples: an odd byte is kept back and put in front of the next chunk.
    """

    def __init__(self) -> None:
        self._held = b""

    def push(self, chunk: bytes) -> bytes:
        """The whole samples of what was held plus `chunk` (possibly b"")."""
        data = self._held + chunk if self._held else chunk
        cut = len(data) - len(data) % SAMPLE_WIDTH
        self._held = data[cut:]
        return data[:cut]

    @property
    def pending(self) -> int:
        """Bytes held back (0 or 1): a stream that ends with one was cut mid-sample."""
        return len(self._held)
