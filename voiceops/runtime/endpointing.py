"""When has a caller who only streams audio finished speaking? (`session.vad`, endpointing)

Phone callers and bridges send a continuous stream and no `end_of_turn`: the runner ends
the turn itself once speech has been followed by enough quiet: `min_silence_ms`, or
`max_silence_ms` when what was said so far is a short fragment (under `FRAGMENT_S` of
speech: "um, so..." is followed by a pause, rarely by the end of the thought). This is the
rule LiveKit's min/max endpointing delay follows, without a turn-detection model.
Quiet before any speech is not part of the turn (only a short lead-in is kept), so a caller
who says nothing for a minute does not fill the turn with a minute of silence.
"""

from __future__ import annotations

__all__ = ["FRAGMENT_S", "LEAD_IN_S", "Endpointer"]

#: Seconds of audio kept from before speech was first reported, beyond the listener's own
#: lag: the onset of a word is often quieter than what the model calls speech.
LEAD_IN_S = 0.3
#: A turn with less speech than this is a fragment: it waits for `max_silence_s` of quiet.
FRAGMENT_S = 1.0


class Endpointer:
    """Feed it each frame's length and whether it held speech; it says when the turn ends."""

    def __init__(self, min_silence_s: float, max_silence_s: float | None = None) -> None:
        self.min_silence_s = min_silence_s
        self.max_silence_s = max(max_silence_s or min_silence_s, min_silence_s)
        self.started = False  # speech heard in this turn
        self.spoken_s = 0.0  # how much of it
        self._quiet_s = 0.0

    @property
    def wait_s(self) -> float:
        """The quiet that ends the turn as it stands: longer after a fragment."""
        return self.min_silence_s if self.spoken_s >= FRAGMENT_S else self.max_silence_s

    def frame(self, seconds: float, speech: bool) -> bool:
        """Account for one frame; True when it completes the turn."""
        if speech:
            self.started, self._quiet_s = True, 0.0
            self.spoken_s += seconds
            return False
        if not self.started:
            return False
        self._quiet_s += seconds
        return self._quiet_s >= self.wait_s

    def reset(self) -> None:
        """A turn ended (here or by the client): wait for speech again."""
        self.started, self.spoken_s, self._quiet_s = False, 0.0, 0.0
