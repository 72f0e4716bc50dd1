"""Is the caller speaking? Voice activity for the runner (the profile's `session.vad`).

    listener.py  caller frames of any size and rate -> an engine's windows -> speech,
                 debounced by `min_speech_ms`; `listener_for(settings, rate)` builds one
    webrtc.py    Google's WebRTC VAD (webrtcvad-wheels): the light default
    silero.py    Silero VAD through onnxruntime: one model per process, state per call
    model.py     where the Silero model file comes from (user cache, VOICEOPS_SILERO_MODEL)
    energy.py    the old RMS gate, kept as engine `energy`
    check.py     what `voiceops validate` says about `session.vad`

Importing this package loads no numpy and no model: `validate` reaches `check.py` through it.
"""

from __future__ import annotations

from voiceops.runtime.vad.energy import SPEECH_RMS, rms

__all__ = ["SPEECH_RMS", "rms"]
