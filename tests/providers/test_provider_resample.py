"""resample (whole utterances) and Resampler (a stream, chunk by chunk): the same duration
at the new rate, the same tone, about the same loudness, nothing folded into the band, and
no clicks at chunk edges."""

from __future__ import annotations

import itertools
import math
import struct

import numpy as np
import pytest

from voiceops.providers.resample import Resampler, resample
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


def impurity(pcm: bytes, rate: int, hz: float) -> float:
    """The share of `pcm`'s energy more than 50 Hz away from `hz`: what the resampler added
    (images, aliases) to a pure tone."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * np.hanning(len(pcm) // 2)
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(power[np.abs(freqs - hz) > 50].sum() / power.sum())


@pytest.mark.parametrize(("source", "target", "hz"), [
    (8000, 16000, 3500),   # a phone line to STT: linear interpolation leaves an image at 4.5 kHz
    (24000, 8000, 1000),   # a voice to a phone line
    (22050, 16000, 3000),  # a non-integer ratio
])
def test_a_tone_stays_a_pure_tone(source: int, target: int, hz: int) -> None:
    after = resample(tone(source, seconds=1.0, hz=hz), source, target)
    assert impurity(after, target, hz) < 1e-3  # under -30 dB


def test_what_the_new_rate_cannot_hold_is_filtered_out_not_folded_in() -> None:
    # 6 kHz at 24 kHz has no place at 8 kHz (Nyquist 4 kHz): it must go, not come back as 2 kHz
    after = resample(tone(24000, seconds=1.0, hz=6000), 24000, 8000)
    assert rms(after) < 0.01 * 8000 / math.sqrt(2)


# -- streaming, chunk by chunk (a call's audio) ----------------------------------------

def _tone(hz: float, rate: int, seconds: float, level: float = 8000.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * level).astype("<i2")


def _streamed(resampler: Resampler, pcm: bytes, chunk: int) -> np.ndarray:
    out = b"".join(resampler.process(pcm[i:i + chunk]) for i in range(0, len(pcm), chunk))
    return np.frombuffer(out + resampler.process(b"", last=True), dtype="<i2")


@pytest.mark.parametrize(("source", "line"), [(22050, 8000), (24000, 8000), (16000, 8000),
                                              (8000, 16000)])
def test_streaming_resample_keeps_the_tone_and_length(source: int, line: int) -> None:
    # odd-sized chunks (1,001 bytes: half a sample left over each time), as TTS sends them
    out = _streamed(Resampler(source, line), _tone(440, source, 1.0).tobytes(), 1001)
    assert abs(len(out) - line) <= 2
    steady = out[line // 10: -line // 10].astype(float)
    spectrum = np.abs(np.fft.rfft(steady))
    peak_hz = np.argmax(spectrum) * line / len(steady)
    assert abs(peak_hz - 440) < 5
    assert 0.9 * 8000 < np.sqrt(np.mean(steady ** 2)) * np.sqrt(2) < 1.1 * 8000


def test_chunk_edges_add_no_clicks() -> None:
    # the same audio resampled whole and in 20 ms pieces is the same audio: a filter restarted
    # per chunk would differ at every edge
    pcm = _tone(300, 22050, 0.5).tobytes()
    whole = _streamed(Resampler(22050, 8000), pcm, len(pcm))
    pieces = _streamed(Resampler(22050, 8000), pcm, 882)
    assert len(whole) == len(pieces)
    assert np.max(np.abs(whole.astype(int) - pieces.astype(int))) <= 2


def test_a_tone_above_the_line_band_is_not_folded_into_it() -> None:
    # 5 kHz cannot be carried at 8 kHz: a band-limited resampler drops it; a naive one
    # (linear interpolation, decimation) folds it down to 3 kHz where the caller hears it
    out = _streamed(Resampler(22050, 8000), _tone(5000, 22050, 0.5).tobytes(), 441)
    assert np.sqrt(np.mean(out[400:-400].astype(float) ** 2)) < 100


def test_equal_rates_pass_through() -> None:
    pcm = _tone(440, 8000, 0.1).tobytes()
    assert Resampler(8000, 8000).process(pcm) == pcm
