"""The energy gate (engine `energy`): a window is speech when its RMS is over a level.

This was the runner's only listener before `session.vad`. It cannot tell a voice from line
noise of the same loudness (hiss over the gate is "speech", a quiet caller under it is
not), which is why it is no longer the default; it stays for clean lines and comparison.
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING

from voiceops.providers.audio import pcm_samples

if TYPE_CHECKING:
    from voiceops.config.settings import VadSettings

__all__ = ["SPEECH_RMS", "EnergyEngine", "dbfs_rms", "from_settings", "rms"]

#: Every how many samples the energy is measured: a quarter of the samples estimates a
#: window's level well enough for a gate, at a quarter of the cost.
_STRIDE = 4
#: Window length (a phone frame).
WINDOW_S = 0.02


def dbfs_rms(dbfs: float) -> float:
    """The RMS of s16 samples at `dbfs` (0 dBFS: a full-scale square wave)."""
    return 32768.0 * 10 ** (dbfs / 20)


#: RMS above which the old gate heard speech (about -36 dBFS).
SPEECH_RMS = 500.0


def rms(pcm: bytes) -> float:
    """Root mean square of little-endian s16 PCM, estimated from every 4th sample of a
    frame longer than 64 samples (0 for an empty frame)."""
    samples = pcm_samples(pcm)
    if len(samples) > 16 * _STRIDE:
        samples = samples[::_STRIDE]
    if not samples:
        return 0.0
    return math.sqrt(sum(map(operator.mul, samples, samples)) / len(samples))


class EnergyEngine:
    """Speech is a 20 ms window whose RMS reaches `threshold_rms`; any input rate."""

    def __init__(self, input_rate: int, threshold_rms: float = SPEECH_RMS) -> None:
        self.rate = input_rate
        self.window = max(int(input_rate * WINDOW_S), 1)
        self.threshold_rms = threshold_rms

    def voiced(self, window: bytes) -> bool:
        """Whether this window is over the gate."""
        return rms(window) >= self.threshold_rms


def from_settings(input_rate: int, settings: VadSettings) -> EnergyEngine:
    """The engine for one call of a profile with these settings."""
    return EnergyEngine(input_rate, dbfs_rms(settings.energy_dbfs))
