"""resample: same duration at the new rate, the same tone, about the same loudness."""

from __future__ import annotations

import itertools
import math
import struct

import pytest

from voiceops.providers.resample import resample
from voiceops.runtime.vad import rms


def tone(rate: int, seconds: float = 0.5, hz: float = 440.0, amplitude: int = 8000) -> bytes:
    count = int(rate * seconds)
    return struct.pack(f"<{count}h", *(int(amplitude * math.sin(2 * math.pi * hz * n / rate))
                                       for n in range(count)))


def crossings(pcm: bytes) -> int:
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    return sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))


@pytest.mark.parametrize("source", [8000, 22050, 44100, 48000])
def test_speech_rates_become_16_khz_with_the_same_tone(source: int) -> None:
    before = tone(source)
    after = resample(before, source, 16000)
    assert len(after) == 2 * (len(before) // 2 * 16000 // source)
    assert abs(crossings(after) - crossings(before)) <= 2  # still 440 Hz: ~440 crossings
    assert abs(rms(after) - rms(before)) < 0.1 * rms(before)


def test_the_same_rate_is_left_alone_and_nonsense_refused() -> None:
    pcm = tone(16000)
    assert resample(pcm, 16000, 16000) is pcm
    assert resample(b"\x01", 48000, 16000) == b"\x01"
    with pytest.raises(ValueError, match="positive"):
        resample(pcm, 0, 16000)
