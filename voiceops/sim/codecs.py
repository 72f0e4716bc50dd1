"""Audio containers and codecs the simulated voices answer in, from PCM s16le mono.

- WAV, complete (stdlib `wave`, independent of the clients' own WAV code, so a bug there
  cannot cancel out here) or as a stream header with an unknown length.
- MP3: silent MPEG audio frames, as many as the PCM lasts. Real MP3 would need an
  encoder; silent frames are valid MP3 that players and decoders accept, with the right
  duration, which is what a test of an MP3 path can check.
- G.711 mu-law and A-law (8-bit telephony codecs), encoded exactly.
- Ogg Opus: silent Opus packets (RFC 6716's 20 ms CELT silence frame) in Ogg pages
  (RFC 7845 headers, RFC 3533 pages with their CRC), for the same reason as the MP3.
"""

from __future__ import annotations

import io
import math
import struct
import wave

__all__ = [
    "WavInfo",
    "alaw",
    "mp3_silence",
    "mulaw",
    "ogg_opus_silence",
    "read_wav",
    "wav_file",
    "wav_stream_header",
]

_UNKNOWN_SIZE = 0xFFFFFFFF


def wav_file(pcm: bytes, rate: int) -> bytes:
    """`pcm` (s16le mono) as a complete WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm)
    return out.getvalue()


def wav_stream_header(rate: int) -> bytes:
    """The 44-byte header of a streamed WAV: sizes unknown (0xFFFFFFFF), as streams send."""
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", _UNKNOWN_SIZE, b"WAVE", b"fmt ", 16, 1,
                       1, rate, rate * 2, 2, 16, b"data", _UNKNOWN_SIZE)


class WavInfo:
    """What `read_wav` found: frames as bytes, and their format."""

    def __init__(self, frames: bytes, rate: int, channels: int, width: int) -> None:
        self.frames = frames
        self.rate = rate
        self.channels = channels
        self.width = width

    @property
    def seconds(self) -> float:
        return len(self.frames) / (self.rate * self.channels * self.width)


def read_wav(data: bytes) -> WavInfo:
    """Parse a WAV file; raises `wave.Error` or `EOFError` when it is not one."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        return WavInfo(reader.readframes(reader.getnframes()), reader.getframerate(),
                       reader.getnchannels(), reader.getsampwidth())


# --- MP3 -------------------------------------------------------------------------------
# (version bits, sample-rate index, samples per frame, frame-size factor) per sample rate.
_MPEG = {
    44100: (0b11, 0, 1152, 144), 48000: (0b11, 1, 1152, 144), 32000: (0b11, 2, 1152, 144),
    22050: (0b10, 0, 576, 72), 24000: (0b10, 1, 576, 72), 16000: (0b10, 2, 576, 72),
    11025: (0b00, 0, 576, 72), 12000: (0b00, 1, 576, 72), 8000: (0b00, 2, 576, 72),
}
_MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MONO = 0b11


def mp3_silence(seconds: float, rate: int, kbps: int) -> bytes:
    """`seconds` of silent MPEG Layer III frames at `rate` Hz and `kbps` (mono, CBR).

    A frame whose side information is all zero decodes to silence, so a frame is its
    4-byte header followed by zeros. Raises ValueError for a rate or bitrate MP3 lacks.
    """
    if rate not in _MPEG:
        raise ValueError(f"MP3 has no {rate} Hz sample rate")
    version, rate_index, samples, factor = _MPEG[rate]
    table = _MPEG1_KBPS if version == 0b11 else _MPEG2_KBPS
    if kbps not in table[1:]:
        raise ValueError(f"MP3 at {rate} Hz has no {kbps} kbps bitrate")
    header = bytes((
        0xFF,
        0xE0 | (version << 3) | (0b01 << 1) | 1,  # sync, version, Layer III, no CRC
        (table.index(kbps) << 4) | (rate_index << 2),  # bitrate, rate, no padding
        _MONO << 6,
    ))
    frame = header + bytes(factor * kbps * 1000 // rate - len(header))
    return frame * max(math.ceil(seconds * rate / samples), 1)


# --- G.711 -----------------------------------------------------------------------------
_ULAW_BIAS = 0x21  # 0x84 in 16-bit terms, on 14-bit magnitudes
_ULAW_CLIP = 8159
_ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _samples(pcm: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(pcm) // 2}h", pcm[: len(pcm) - len(pcm) % 2])


def _ulaw(sample: int) -> int:
    # The reference G.711 algorithm (Sun's g711.c), on 14-bit magnitudes.
    value = sample >> 2
    if value < 0:
        value, mask = -value, 0x7F
    else:
        mask = 0xFF
    value = min(value, _ULAW_CLIP) + _ULAW_BIAS
    segment = next((i for i, end in enumerate(_ULAW_SEGMENT_ENDS) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


def _alaw(sample: int) -> int:
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = next((i for i, end in enumerate(_ALAW_SEGMENT_ENDS) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((value >> shift) & 0x0F)) ^ mask


def mulaw(pcm: bytes) -> bytes:
    """PCM s16le as G.711 mu-law bytes (one per sample)."""
    return bytes(_ulaw(s) for s in _samples(pcm))


def alaw(pcm: bytes) -> bytes:
    """PCM s16le as G.711 A-law bytes (one per sample)."""
    return bytes(_alaw(s) for s in _samples(pcm))


# --- Ogg Opus ---------------------------------------------------------------------------
#: One 20 ms mono Opus packet (TOC 0xF8: CELT fullband 20 ms, one frame) that decodes to
#: silence; 960 samples at Opus' 48 kHz clock.
_OPUS_SILENCE = b"\xf8\xff\xfe"
_OPUS_SAMPLES = 960
_OPUS_PRE_SKIP = 312
_OGG_SERIAL = 0x53494D31  # "SIM1": any fixed serial number will do
_BOS, _EOS = 0x02, 0x04


def _ogg_crc(data: bytes) -> int:
    # CRC-32 as Ogg defines it: polynomial 0x04C11DB7, no reflection, initial value 0.
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], granule: int, sequence: int, flags: int) -> bytes:
    lacing = bytearray()
    for packet in packets:  # every packet here is under 255 bytes: one lacing value each
        lacing += bytes((len(packet),)) if len(packet) < 255 else bytes((255, 0))
    head = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, _OGG_SERIAL, sequence, 0,
                       len(lacing))
    page = head + bytes(lacing) + b"".join(packets)
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def ogg_opus_silence(seconds: float, rate: int, packets_per_page: int = 50) -> list[bytes]:
    """`seconds` of silent mono Opus in Ogg pages: the two header pages, then audio pages
    of `packets_per_page` 20 ms packets each (the last marked end of stream)."""
    head = struct.pack("<8sBBHIhB", b"OpusHead", 1, 1, _OPUS_PRE_SKIP, rate, 0, 0)
    vendor = b"voiceops-sim"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_ogg_page([head], 0, 0, _BOS), _ogg_page([tags], 0, 1, 0)]
    total = max(math.ceil(seconds * 1000 / 20), 1)
    per_page = max(packets_per_page, 1)
    granule = _OPUS_PRE_SKIP
    for start in range(0, total, per_page):
        count = min(per_page, total - start)
        granule += count * _OPUS_SAMPLES
        last = start + count >= total
        pages.append(_ogg_page([_OPUS_SILENCE] * count, granule, len(pages),
                               _EOS if last else 0))
    return pages
