"""Mu-law and resampling, judged against the stdlib's audioop (Python 3.11) and by ear
(what a resampler must keep: the tone, its level, no clicks at chunk edges)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from voiceops.telephony.codec import Resampler, pcm_to_ulaw, ulaw_to_pcm

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def test_every_mulaw_byte_decodes_as_audioop_does() -> None:
    codes = bytes(range(256))
    assert ulaw_to_pcm(codes) == audioop.ulaw2lin(codes, 2)


def test_every_sample_encodes_as_audioop_does() -> None:
    pcm = np.arange(-32768, 32768, dtype="<i2").tobytes()
    assert pcm_to_ulaw(pcm) == audioop.lin2ulaw(pcm, 2)


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
