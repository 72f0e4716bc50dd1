"""Synthetic speech for the simulated voices: deterministic, cheap, and as long as real speech.

    pcm = speech.synthesize("Hello there", 16000, voice="anushka")   # s16le mono
    len(pcm) / (2 * 16000)  ->  0.77  (11 characters x 70 ms)

The sound is a tone at a pitch fixed per voice (110-249 Hz), shaped by a 4 Hz "syllable"
envelope, so it is audibly speech-like in rhythm, identical on every run, and different
between voices. `pace` (Sarvam) and `speed` (ElevenLabs) shorten it, `loudness` scales
it. One second of waveform is computed once per (rate, pitch, loudness) and tiled: the
pitch and the envelope are whole numbers of Hz, so the seams are seamless and a long text
costs a few byte copies, not a Python loop per sample.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache

from voiceops.sim.data import stable_int

__all__ = ["chunked", "duration_s", "pitch_hz", "synthesize"]

_SAMPLE_WIDTH = 2
_SYLLABLES_HZ = 4
_PEAK = 0.3  # of full scale at loudness 1.0: speech-like level, room to be louder


def pitch_hz(voice: str) -> int:
    """The tone of `voice`: a whole number of Hz in 110..249, fixed per voice."""
    return 110 + stable_int(voice or "default", 140)


def duration_s(text: str, ms_per_char: float, pace: float = 1.0) -> float:
    """How long `text` takes to say: `ms_per_char` per character, divided by `pace`."""
    characters = max(len(text.strip()), 1)
    return characters * ms_per_char / 1000.0 / max(pace, 0.05)


@lru_cache(maxsize=64)
def _one_second(rate: int, hz: int, loudness: float) -> bytes:
    amplitude = min(_PEAK * loudness, 1.0) * 32767
    samples = (
        int(amplitude * (0.55 + 0.45 * math.sin(2 * math.pi * _SYLLABLES_HZ * n / rate))
            * math.sin(2 * math.pi * hz * n / rate))
        for n in range(rate)
    )
    return struct.pack(f"<{rate}h", *samples)


def synthesize(text: str, rate: int, *, voice: str = "", ms_per_char: float = 70.0,
               pace: float = 1.0, loudness: float = 1.0) -> bytes:
    """`text` "spoken" as PCM s16le mono at `rate`."""
    count = round(duration_s(text, ms_per_char, pace) * rate)
    second = _one_second(rate, pitch_hz(voice), round(loudness, 3))
    whole, rest = divmod(count, rate)
    return second * whole + second[: rest * _SAMPLE_WIDTH]


def chunked(data: bytes, size: int) -> list[bytes]:
    """`data` in pieces of `size` bytes (the last may be shorter)."""
    size = max(size, 1)
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]
