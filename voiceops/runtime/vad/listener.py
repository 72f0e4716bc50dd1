"""Caller audio in, "is the caller speaking?" out, whatever the frames and the engine.

Clients send frames of any size at their own rate (a phone call 20 ms at 8 kHz, a browser
maybe 40 ms at 48 kHz); engines want fixed windows at a rate of theirs (WebRTC 20 ms at
8/16/32/48 kHz, Silero 32 ms at 8/16 kHz). A `Listener` resamples when the rates differ
(soxr, stateful across frames), buffers whole windows, asks the engine about each and
debounces the answers: speech counts once `min_speech_ms` of it has been heard, brief
dropouts costing their own length (so a click or a cough is not a turn, and a word's
quiet consonant does not restart the count).
"""

from __future__ import annotations

import importlib
from typing import Protocol

from voiceops.config.settings import VadSettings
from voiceops.errors import SessionError
from voiceops.providers.audio import SAMPLE_WIDTH, SampleAligner
from voiceops.providers.resample import Resampler
from voiceops.runtime.vad.model import ModelMissing

__all__ = ["Engine", "Listener", "listener_for", "make_engine"]


class Engine(Protocol):
    """A voice-activity model: fixed windows of `window` samples at `rate` in."""

    rate: int
    window: int

    def voiced(self, window: bytes) -> bool:
        """Whether this window (s16le at `rate`) holds speech."""
        ...


class Listener:
    """One caller's voice activity: feed frames with `hear`, reset when a turn ends."""

    def __init__(self, engine: Engine, input_rate: int, min_speech_s: float) -> None:
        self.engine = engine
        self.min_speech_s = min_speech_s
        self._resample = (None if input_rate == engine.rate
                          else Resampler(input_rate, engine.rate, quality="MQ"))
        self._aligner = SampleAligner()
        self._pending = bytearray()
        self._window_bytes = engine.window * SAMPLE_WIDTH
        self.window_s = engine.window / engine.rate
        self._run_s = 0.0  # speech heard lately, dropouts subtracted, capped at min_speech_s
        self.speaking = False  # min_speech_s of speech heard, not yet died away
        self._voiced = False  # the last window

    @property
    def lag_s(self) -> float:
        """How late speech is reported after it starts, at most: the debounce, a window."""
        return self.min_speech_s + self.window_s

    def hear(self, pcm: bytes) -> bool:
        """Whether the caller is speaking as of the end of `pcm`: speech that has lasted
        `min_speech_s`, in the latest complete window."""
        pcm = self._aligner.push(pcm)
        if self._resample is not None and pcm:
            pcm = self._resample.process(pcm)
        self._pending += pcm
        size = self._window_bytes
        taken = 0
        while len(self._pending) - taken >= size:
            self._decide(self.engine.voiced(bytes(self._pending[taken:taken + size])))
            taken += size
        del self._pending[:taken]
        return self.speaking and self._voiced

    def _decide(self, voiced: bool) -> None:
        self._voiced = voiced
        if voiced:
            self._run_s = min(self._run_s + self.window_s, self.min_speech_s)
            # the window that completes min_speech_s (or any voiced one when it is 0)
            self.speaking = self.speaking or self._run_s >= self.min_speech_s - 1e-9
        else:
            self._run_s = max(self._run_s - self.window_s, 0.0)
            self.speaking = self.speaking and self._run_s > 0

    def reset(self) -> None:
        """A turn ended or listening paused: speech must be heard anew before it counts
        (the engine keeps its noise estimate)."""
        self._run_s, self.speaking, self._voiced = 0.0, False, False


#: engine name -> "module:factory(input_rate, settings) -> Engine", imported on first use
#: (onnxruntime only for a profile that asks for Silero).
ENGINES = {
    "webrtc": "voiceops.runtime.vad.webrtc:from_settings",
    "silero": "voiceops.runtime.vad.silero:from_settings",
    "energy": "voiceops.runtime.vad.energy:from_settings",
}
#: What to install when an engine's module is missing.
INSTALL = {
    "webrtc": "pip install webrtcvad-wheels",
    "silero": "pip install 'voiceops[silero]' (onnxruntime), or use engine webrtc",
    "energy": "reinstall voiceops",
}


def make_engine(settings: VadSettings, input_rate: int) -> Engine:
    """The profile's engine for one call at `input_rate`.

    Raises SessionError (code `vad_unavailable`, one line saying what to do) when the
    engine cannot run here: onnxruntime or the Silero model missing.
    """
    module, _, name = ENGINES[settings.engine].partition(":")
    try:
        factory = getattr(importlib.import_module(module), name)
        engine: Engine = factory(input_rate, settings)
    except ModuleNotFoundError as exc:
        raise SessionError("vad_unavailable", f"session.vad.engine {settings.engine} needs "
                           f"{exc.name}: {INSTALL[settings.engine]}") from exc
    except ModelMissing as exc:
        raise SessionError("vad_unavailable",
                           f"session.vad.engine {settings.engine}: {exc}") from exc
    return engine


def listener_for(settings: VadSettings, input_rate: int) -> Listener:
    """A `Listener` for one call of a profile with these settings."""
    return Listener(make_engine(settings, input_rate), input_rate,
                    settings.min_speech_ms / 1000)
