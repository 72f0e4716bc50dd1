"""What a simulated call found: per-turn timings at the wire, the agent's audio, the
protocol violations, and the call as a stereo recording (caller left, agent right)."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field

import numpy as np

from voiceops.harness.phone.dialects import Violation
from voiceops.telephony.types import Carrier

__all__ = ["CallReport", "Reply", "stereo_wav"]


@dataclass
class Reply:
    """What the agent sent after one caller turn (or the greeting, after `start`)."""

    label: str  # the caller's words or keys; "greeting" for the first reply
    heard_end_s: float | None = None  # end of the caller's speech, seconds into the call
    first_media_ms: float | None = None  # end of caller speech (or start) -> first media
    audio_s: float = 0.0  # agent audio received for this reply
    interrupted: bool = False  # a clear cut it short


@dataclass
class CallReport:
    """The call, as the phone network saw it."""

    carrier: Carrier
    call_sid: str
    stream_sid: str
    rate: int
    replies: list[Reply] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    refused: str | None = None  # the TwiML's words when the daemon did not take the call
    ended_by: str = ""  # "caller" (the phone sent stop) or "daemon" (it closed the socket)
    close_code: int | None = None
    close_reason: str = ""
    rest_hangup: bool | None = None  # the carrier's REST API saw a hang-up (None: not asked)
    marks_sent: int = 0  # marks the daemon sent
    marks_echoed: int = 0  # marks the phone echoed back (played or cleared)
    clears: int = 0
    dropped_s: float = 0.0  # agent audio a clear discarded
    #: the conversation as the daemon logs it (who, text), from its /v1/calls
    words: list[tuple[str, str]] = field(default_factory=list)
    caller_track: bytearray = field(default_factory=bytearray)
    agent_track: bytearray = field(default_factory=bytearray)

    @property
    def ok(self) -> bool:
        return not self.violations and self.refused is None

    def lines(self) -> list[str]:
        """The report, a line each: replies with timings, then the ending and violations."""
        out = [f"{self.carrier} call {self.call_sid} (stream {self.stream_sid}, "
               f"{self.rate} Hz)"]
        if self.refused is not None:
            return [*out, f"refused: the daemon answered {self.refused!r} and hung up"]
        for reply in self.replies:
            timing = ("no answer" if reply.first_media_ms is None
                      else f"first audio after {reply.first_media_ms:.0f} ms")
            who = "start" if reply.label == "greeting" else "end of speech"
            cut = ", interrupted (clear)" if reply.interrupted else ""
            caller = "" if reply.label == "greeting" else f"caller> {reply.label}\n"
            out.append(f"{caller}agent> {reply.audio_s:.2f} s of audio   "
                       f"[{who} -> {timing}{cut}]")
        if self.words:
            out.append("words, as the daemon logged them (GET /v1/calls):")
            out.extend(f"  {who}: {text}" for who, text in self.words)
        out.append(f"marks: {self.marks_sent} sent by the daemon, {self.marks_echoed} echoed; "
                   f"clears: {self.clears} ({self.dropped_s:.2f} s of audio dropped)")
        ending = f"ended by the {self.ended_by or 'network'}"
        if self.close_code is not None:
            reason = f" {self.close_reason}" if self.close_reason else ""
            ending += f" (close {self.close_code}{reason})"
        if self.ended_by == "daemon":
            ending += {True: "; REST hang-up seen", False: "; no REST hang-up",
                       None: "; REST hang-up not checked"}[self.rest_hangup]
        out.append(ending)
        out.extend(f"violation: {v}" for v in self.violations)
        return out


def stereo_wav(left: bytes, right: bytes, rate: int) -> bytes:
    """Two PCM s16le mono tracks as one stereo WAV (the shorter padded with silence)."""
    length = max(len(left), len(right)) // 2
    frames = np.zeros((length, 2), dtype="<i2")
    for channel, track in enumerate((left, right)):
        samples = np.frombuffer(track[: len(track) // 2 * 2], dtype="<i2")
        frames[: samples.size, channel] = samples
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())
    return out.getvalue()
