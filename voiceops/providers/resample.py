"""Change the sample rate of PCM s16le mono speech, for an API that takes one rate.

Sarvam's speech-to-text wants 16 kHz, and clients send what they capture: 8 kHz from
phone lines, 48 kHz from browsers. Recognising speech needs no studio filter: going down,
each output sample is the mean of the input samples it stands for (a box filter, which
also keeps most aliasing out); going up, samples are interpolated linearly.
"""

from __future__ import annotations

from array import array

from voiceops.providers.audio import pcm_bytes, pcm_samples

__all__ = ["resample"]


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """`pcm` (s16le mono at `from_rate`) at `to_rate`, with the same duration."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, not {from_rate} and {to_rate}")
    if from_rate == to_rate or len(pcm) < 2:
        return pcm
    samples = pcm_samples(pcm)
    count = len(samples) * to_rate // from_rate
    if from_rate % to_rate == 0:
        out = _decimate(samples, from_rate // to_rate, count)
    else:
        out = _interpolate(samples, from_rate / to_rate, count)
    return pcm_bytes(out)


def _decimate(samples: array[int], factor: int, count: int) -> array[int]:
    # zip over strided slices runs in C: the mean of each group of `factor` samples
    groups = zip(*(samples[offset:count * factor:factor] for offset in range(factor)),
                 strict=True)
    return array("h", (sum(group) // factor for group in groups))


def _interpolate(samples: array[int], step: float, count: int) -> array[int]:
    last = len(samples) - 1
    out = array("h", bytes(2 * count))
    for n in range(count):
        position = n * step
        i = int(position)
        if i >= last:
            out[n] = samples[last]
            continue
        frac = position - i
        out[n] = int(samples[i] + (samples[i + 1] - samples[i]) * frac)
    return out
