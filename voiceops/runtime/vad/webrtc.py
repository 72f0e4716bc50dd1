"""Engine `webrtc`: Google's WebRTC voice-activity detector (the `webrtcvad-wheels` package).

It takes 10, 20 or 30 ms of 16-bit mono PCM at 8, 16, 32 or 48 kHz and answers speech or
not, keeping its own noise estimate between windows (so one detector per call). Its
`aggressiveness` (0-3) is how sure it must be: 3 lets the least line noise through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import webrtcvad

if TYPE_CHECKING:
    from voiceops.config.settings import VadSettings

__all__ = ["RATES", "WebrtcEngine", "from_settings"]

#: The rates it works at; other rates are resampled to 16 kHz by the listener.
RATES = (8000, 16000, 32000, 48000)
#: Window length: a phone frame, and the middle of the three lengths it takes.
WINDOW_S = 0.02


class WebrtcEngine:
    """One call's WebRTC VAD."""

    def __init__(self, input_rate: int, aggressiveness: int) -> None:
        self.rate = input_rate if input_rate in RATES else 16000
        self.window = int(self.rate * WINDOW_S)
        self._vad = webrtcvad.Vad(aggressiveness)

    def voiced(self, window: bytes) -> bool:
        """Whether these 20 ms (s16le at `rate`) hold speech."""
        return bool(self._vad.is_speech(window, self.rate))


def from_settings(input_rate: int, settings: VadSettings) -> WebrtcEngine:
    """The engine for one call of a profile with these settings."""
    return WebrtcEngine(input_rate, settings.aggressiveness)
