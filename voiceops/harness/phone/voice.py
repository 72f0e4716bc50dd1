"""What the caller says: a WAV file, or text spoken by espeak-ng (when installed; else the
simulators' tone speech), as PCM s16le mono at the stream's rate, with where speech ends.

Turn timing is measured from the end of caller speech, so trailing silence in a WAV must
not count: `speech_end` is the end of the last 20 ms frame louder than -40 dBFS.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voiceops.errors import UsageError
from voiceops.providers.resample import resample

__all__ = ["CallerTurn", "from_text", "from_wav", "keys", "resample", "speech_end"]

_QUIET_DBFS = -40.0
_ESPEAK_TIMEOUT_S = 30


@dataclass(frozen=True)
class CallerTurn:
    """One thing the caller does: speak `pcm`, or press `digits`."""

    label: str  # what the caller says or presses, for the report
    pcm: bytes = b""  # PCM s16le mono at the stream's rate
    speech_end: int = 0  # bytes into `pcm` where speech ends
    digits: str = ""


def speech_end(pcm: bytes, rate: int) -> int:
    """Bytes into `pcm` where its last frame louder than -40 dBFS ends (0: all quiet)."""
    frame = rate // 50 * 2
    samples = np.frombuffer(pcm[: len(pcm) // frame * frame], dtype="<i2")
    if not samples.size:
        return 0
    frames = samples.reshape(-1, frame // 2).astype(np.float64)
    rms = np.sqrt(np.mean(frames ** 2, axis=1)) / 32768.0
    loud = np.nonzero(rms > 10 ** (_QUIET_DBFS / 20))[0]
    return 0 if not loud.size else int(loud[-1] + 1) * frame


def _read_wav(data: bytes, where: str) -> tuple[bytes, int]:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise UsageError(f"{where}: not a readable WAV file ({exc})") from exc
    if width != 2:
        raise UsageError(f"{where}: {8 * width}-bit audio; give 16-bit PCM WAV")
    samples = np.frombuffer(frames, dtype="<i2")
    if channels > 1:  # a phone line is mono: mix the channels down
        samples = samples.reshape(-1, channels).mean(axis=1).astype("<i2")
    return samples.tobytes(), rate


def from_wav(path: Path, rate: int) -> CallerTurn:
    """A WAV file (16-bit, any rate, mono or mixed down) as a caller turn at `rate`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    pcm, source_rate = _read_wav(data, str(path))
    pcm = resample(pcm, source_rate, rate)
    return CallerTurn(label=path.name, pcm=pcm, speech_end=speech_end(pcm, rate))


def from_text(text: str, rate: int, *, voice: str = "en") -> CallerTurn:
    """`text` spoken by espeak-ng (a real voice, which voice-activity models hear as
    speech), or by the simulators' tone speech when espeak-ng is not installed."""
    espeak = shutil.which("espeak-ng")
    if espeak is not None:
        done = subprocess.run([espeak, "--stdout", "-v", voice, text], capture_output=True,
                              timeout=_ESPEAK_TIMEOUT_S, check=False)
        if done.returncode == 0 and done.stdout:
            pcm, source_rate = _read_wav(done.stdout, "espeak-ng output")
            pcm = resample(pcm, source_rate, rate)
            return CallerTurn(label=text, pcm=pcm, speech_end=speech_end(pcm, rate))
    from voiceops.sim import speech

    pcm = speech.synthesize(text, rate, voice="caller")
    return CallerTurn(label=text, pcm=pcm, speech_end=len(pcm))


def keys(digits: str) -> CallerTurn:
    """Keys pressed on the keypad (0-9, *, #, A-D), one DTMF event each."""
    bad = sorted({d for d in digits if d not in "0123456789*#ABCD"})
    if not digits or bad:
        raise UsageError(f"--dtmf takes keypad keys (0-9 * # A-D), not {digits!r}")
    return CallerTurn(label=f"keys {digits}", digits=digits)
