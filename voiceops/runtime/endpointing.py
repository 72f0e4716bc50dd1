"""When has a caller who only streams audio finished speaking? (`session.end_of_turn_silence_ms`)

Phone bridges send a continuous stream and no `end_of_turn`: the runner ends the turn itself
once speech has been followed by enough quiet. Quiet before any speech is not part of the
turn (only a short lead-in is kept), so a caller who says nothing for a minute does not
fill the turn with a minute of silence.
"""

from __future__ import annotations

__all__ = ["Endpointer"]

#: Seconds of audio kept from before the first speech frame: the onset of a word is often
#: quieter than the gate.
LEAD_IN_S = 0.3


class Endpointer:
    """Feed it each frame's length and whether it held speech; it says when the turn ends."""

    def __init__(self, silence_s: float) -> None:
        self.silence_s = silence_s
        self.started = False  # speech heard in this turn
        self._quiet_s = 0.0

    def frame(self, seconds: float, speech: bool) -> bool:
        """Account for one frame; True when it completes the turn."""
        if speech:
            self.started, self._quiet_s = True, 0.0
            return False
        if not self.started:
            return False
        self._quiet_s += seconds
        return self._quiet_s >= self.silence_s

    def reset(self) -> None:
        """A turn ended (here or by the client): wait for speech again."""
        self.started, self._quiet_s = False, 0.0
