"""The energy gate: speech-level frames pass, line silence and quiet noise do not."""

from __future__ import annotations

import math
import random
import struct

from voiceops.runtime.vad import SPEECH_RMS, is_speech, rms


def tone(amplitude: float, samples: int = 320, hz: float = 220.0) -> bytes:
    return struct.pack(f"<{samples}h", *(int(amplitude * math.sin(2 * math.pi * hz * n / 16000))
                                         for n in range(samples)))


def test_rms_of_a_sine_is_its_amplitude_over_root_two() -> None:
    assert abs(rms(tone(8000)) - 8000 / math.sqrt(2)) < 8000 * 0.05
    assert rms(b"") == 0.0 and rms(b"\x01") == 0.0  # an odd byte is no sample


def test_speech_passes_and_silence_and_hiss_do_not() -> None:
    noise = random.Random(3)
    hiss = struct.pack("<320h", *(noise.randint(-100, 100) for _ in range(320)))
    assert is_speech(tone(4000)) and is_speech(tone(4000, samples=40))
    assert not is_speech(bytes(640)) and not is_speech(hiss)
    assert not is_speech(tone(SPEECH_RMS))  # its RMS is ~354: below the gate
