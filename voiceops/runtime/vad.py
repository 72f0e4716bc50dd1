"""Is there speech in this frame? An energy gate, enough to tell talk from line silence."""

from __future__ import annotations

import math
import sys
from array import array

#: RMS of s16 samples above which a frame counts as speech (about -36 dBFS).
SPEECH_RMS = 500.0


def rms(pcm: bytes) -> float:
    """Root mean square of little-endian s16 PCM (0 for an empty frame)."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def is_speech(pcm: bytes, threshold: float = SPEECH_RMS) -> bool:
    return rms(pcm) >= threshold
