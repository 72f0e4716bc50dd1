"""A call in progress, as /v1/status, /v1/calls and the console show it."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from voiceops.telephony.types import CallInfo

__all__ = ["LiveCall"]

CallState = Literal["answering", "talking", "ending"]
#: Lines of conversation a live call keeps for the console (the latest)
_LOG_LINES = 20


@dataclass
class LiveCall:
    """One call on this daemon: who, which profile, since when, and its latest words."""

    call: CallInfo
    caller: str  # numbers as routing read them (E.164 when they can be)
    called: str
    profile: str
    session: str  # the voice session's id
    started_at: float = field(default_factory=time.time)
    state: CallState = "answering"
    #: milliseconds from the carrier's `start` to the first greeting audio sent
    greeting_ms: float | None = None
    log: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=_LOG_LINES))

    def said(self, who: Literal["caller", "agent", "keys"], text: str) -> None:
        self.log.append({"who": who, "text": text})

    def row(self) -> dict[str, Any]:
        """The call as JSON (duration as of now)."""
        return {"carrier": self.call.carrier, "call_sid": self.call.call_sid,
                "stream_sid": self.call.stream_sid, "caller_number": self.caller,
                "called_number": self.called, "profile": self.profile,
                "session": self.session, "state": self.state, "started": self.started_at,
                "duration_s": round(time.time() - self.started_at, 1),
                "greeting_ms": None if self.greeting_ms is None else round(self.greeting_ms, 1),
                "log": list(self.log)}
