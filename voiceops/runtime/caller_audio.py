"""The caller's audio: speech over the agent (barge-in), the utterance being collected, and
where it ends (endpointing, for clients that never send `end_of_turn`).

`Playback` is what the caller hears of the agent: audio is sent faster than it plays, so
the agent stays audible after the last byte went out, until the client has played it all.
Speech while the agent is audible is barge-in when the profile allows it; if the reply
was all sent by then, the caller heard only part of it (`heard_part`).
"""

from __future__ import annotations

import functools
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from voiceops.config.settings import SessionSettings
from voiceops.errors import SessionError
from voiceops.providers.audio import SAMPLE_WIDTH, duration_s
from voiceops.runtime.endpointing import LEAD_IN_S, Endpointer
from voiceops.runtime.vad.listener import Listener, listener_for

__all__ = ["MAX_UTTERANCE_S", "CallerAudio", "Heard", "Playback", "heard_part"]

MAX_UTTERANCE_S = 30.0  # the longest audio one STT call takes (Sarvam's REST limit)


@dataclass
class Playback:
    """When the caller hears the agent's current (or last) utterance."""

    speaking: bool = False  # its audio is being made and sent
    audible_from: float = 0.0  # when the client started playing it
    audible_until: float = 0.0  # ... and will have played all of it

    def audible(self, now: float) -> bool:
        return self.speaking or now < self.audible_until

    def sent(self, first_audio: float, audio_s: float) -> None:
        """`audio_s` seconds of the utterance have been sent, the first at `first_audio`."""
        self.speaking = True
        self.audible_from = first_audio
        self.audible_until = first_audio + audio_s

    def heard_fraction(self, now: float) -> float | None:
        """How much of the utterance has played by `now` (None when nothing was sent)."""
        span = self.audible_until - self.audible_from
        return (now - self.audible_from) / span if span > 0 else None

    def silenced(self) -> None:
        """The client dropped what it had not played yet."""
        self.audible_until = 0.0

    def still_playing_s(self) -> float:
        return max(self.audible_until - time.perf_counter(), 0.0)

    def voicing(self, text: str) -> None:
        """The utterance's next piece of text is being voiced (a playback that is told what
        has played, a phone call's, cuts the history by pieces; this one by time)."""

    def hearing(self, now: float) -> Callable[[str], str] | None:
        """How to cut a reply's text to what the caller heard of it by `now` (barge-in);
        None when that cannot be told (the reply was still being made: it is kept whole)."""
        fraction = None if self.speaking else self.heard_fraction(now)
        return None if fraction is None else functools.partial(heard_part, fraction=fraction)


@dataclass(frozen=True)
class Heard:
    """What one frame of caller audio was."""

    speech: bool
    barge_in: bool  # speech over the agent: it must stop now


class CallerAudio:
    """Collects the caller's utterance at `input_rate`, frame by frame; `listener` says
    which frames are speech, `endpointer` (when the runner ends turns) where a turn ends."""

    def __init__(self, input_rate: int, *, barge_in: bool, listener: Listener,
                 endpointer: Endpointer | None, playback: Playback) -> None:
        self.input_rate = input_rate
        self.barge_in = barge_in
        self.playback = playback
        self._listener = listener
        self._listening = False
        self._endpointer = endpointer
        self._audio = bytearray()
        self._limit = int(MAX_UTTERANCE_S * input_rate) * SAMPLE_WIDTH
        # audio kept from before speech is reported: the lead-in and what the listener
        # heard before it was sure
        self._lead_in = int((LEAD_IN_S + listener.lag_s) * input_rate) * SAMPLE_WIDTH

    @classmethod
    def for_session(cls, settings: SessionSettings, input_rate: int, playback: Playback, *,
                    endpointing: bool = False) -> CallerAudio:
        """The caller's audio as a profile's `session:` block says; `endpointing` makes the
        runner end turns whatever the profile says (a phone caller never sends end_of_turn).

        Raises SessionError (`vad_unavailable`) when the profile's VAD engine cannot run.
        """
        vad = settings.vad
        ends = endpointing or vad.endpointing
        return cls(input_rate, barge_in=settings.barge_in,
                   listener=listener_for(vad, input_rate),
                   endpointer=Endpointer(vad.min_silence_ms / 1000,
                                         vad.max_silence_ms / 1000) if ends else None,
                   playback=playback)

    def hear(self, pcm: bytes, now: float, *, awaited: bool) -> Heard:
        """Whether `pcm` is speech, and speech over the agent. Frames are measured only when
        it matters (the model costs CPU): while the agent is audible, while the session waits
        for the caller (`awaited`), and always when the runner ends turns itself."""
        audible = self.playback.audible(now)
        listening = self._endpointer is not None or audible or awaited
        if listening != self._listening:  # speech heard before a pause is stale
            self._listening = listening
            self._listener.reset()
        speech = listening and self._listener.hear(pcm)
        return Heard(speech, speech and audible and self.barge_in)

    def add(self, pcm: bytes, speech: bool) -> bool:
        """Keep `pcm` in the utterance; True when it ends the turn (endpointing).

        Raises SessionError when the utterance would be longer than one STT call takes.
        """
        if len(self._audio) + len(pcm) > self._limit:
            raise SessionError("utterance_too_long",
                               f"more than {MAX_UTTERANCE_S:.0f} s of audio in one turn; "
                               "send end_of_turn more often")
        self._audio += pcm
        if self._endpointer is None:
            return False
        if not self._endpointer.started and not speech:  # nothing said yet
            del self._audio[:-self._lead_in]
        return self._endpointer.frame(duration_s(pcm, self.input_rate), speech)

    def utterance(self) -> bytes | None:
        """The utterance, which ends here; None when the runner ended it already (or nobody
        spoke), so a late `end_of_turn` is ignored."""
        if self._endpointer is not None:
            if not self._endpointer.started:
                return None
            self._endpointer.reset()
        self._listener.reset()  # the next turn's speech is counted from its start
        audio, self._audio = bytes(self._audio), bytearray()
        return audio


def heard_part(text: str, fraction: float) -> str:
    """About the first `fraction` of `text` (speech takes time in proportion to its
    letters), without a word cut in half, marked as cut off; all of it when `fraction` >= 1."""
    if fraction >= 1:
        return text
    cut = int(len(text) * max(fraction, 0.0))
    head = text[:cut]
    mid_word = cut < len(text) and not (text[cut].isspace()
                                        or unicodedata.category(text[cut]).startswith("P"))
    if mid_word and any(c.isspace() for c in head):
        head = head.rsplit(None, 1)[0]  # the word being spoken was not heard whole
    head = head.rstrip(" ,;:")
    return f"{head}... [interrupted]" if head else "[interrupted]"
