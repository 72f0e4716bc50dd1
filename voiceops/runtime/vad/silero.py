"""Engine `silero`: Silero VAD (a small recurrent network) run by onnxruntime, no torch.

The model takes windows of 512 samples at 16 kHz or 256 at 8 kHz, each preceded by the last
64 (32) samples of the window before, plus a recurrent state it hands back; it answers a
speech probability. One `InferenceSession` (one thread) serves every call of the process;
the state and the context are the call's own. A window is speech from `threshold` up and
stays speech while the probability is above `threshold - 0.15` (Silero's own hysteresis).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voiceops.runtime.vad.model import find_model

if TYPE_CHECKING:
    import onnxruntime

    from voiceops.config.settings import VadSettings

__all__ = ["SileroEngine", "from_settings", "shared_session"]

#: Samples per window and of context before it, by rate.
_WINDOW = {8000: 256, 16000: 512}
_CONTEXT = {8000: 32, 16000: 64}
#: How far under `threshold` speech may fall and go on (Silero's get_speech_timestamps).
HYSTERESIS = 0.15

_sessions: dict[Path, onnxruntime.InferenceSession] = {}
_lock = threading.Lock()


def shared_session(path: Path) -> onnxruntime.InferenceSession:
    """The process's one session of the model at `path` (made on first use, one thread:
    a window takes about 0.2 ms, and calls run side by side in the event loop anyway).

    Raises ModuleNotFoundError when onnxruntime is not installed.
    """
    with _lock:
        session = _sessions.get(path)
        if session is None:
            import onnxruntime  # optional: the silero extra

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"])
            _sessions[path] = session
        return session


class SileroEngine:
    """One call's Silero VAD: its recurrent state and context on the shared model."""

    def __init__(self, input_rate: int, threshold: float, model: Path | None = None) -> None:
        self.rate = 8000 if input_rate == 8000 else 16000
        self.window = _WINDOW[self.rate]
        self.threshold = threshold
        self._session = shared_session(model or find_model())
        self._sr = np.array(self.rate, dtype=np.int64)
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT[self.rate], dtype=np.float32)
        self._speech = False

    def probability(self, window: bytes) -> float:
        """The model's speech probability for `window` (s16le, `self.window` samples)."""
        samples = np.frombuffer(window, dtype="<i2").astype(np.float32) / 32768.0
        x = np.concatenate((self._context, samples))[np.newaxis, :]
        out: Any
        out, self._state = self._session.run(None, {"input": x, "state": self._state,
                                                    "sr": self._sr})
        self._context = samples[-len(self._context):]
        return float(out[0][0])

    def voiced(self, window: bytes) -> bool:
        """Whether `window` is speech, with Silero's hysteresis."""
        p = self.probability(window)
        self._speech = p >= (self.threshold - HYSTERESIS if self._speech else self.threshold)
        return self._speech


def from_settings(input_rate: int, settings: VadSettings) -> SileroEngine:
    """The engine for one call of a profile with these settings (the model from
    `VOICEOPS_SILERO_MODEL` or the user cache: raises ModelMissing when it is not there)."""
    return SileroEngine(input_rate, settings.threshold)
