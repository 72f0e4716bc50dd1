"""How long each stage of a turn took: the moments a turn notes as it runs, and the
`turn.metrics` frame made from them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Timing", "TurnMetrics"]


@dataclass
class TurnMetrics:
    """Milliseconds per stage of one turn, as the client sees them in `turn.metrics`."""

    stt_ms: float | None = None
    retrieval_ms: float | None = None  # knowledge retrieval (profiles with `rag:` only)
    llm_ttft_ms: float | None = None
    tts_ttfb_ms: float | None = None
    first_audio_ms: float | None = None
    #: first_audio_ms minus the providers' share of it (STT, the LLM until the first phrase
    #: was complete, TTS until its first byte) and retrieval (its own figure): what the
    #: runner itself added.
    overhead_ms: float | None = None
    total_ms: float | None = None
    llm: str | None = None  # provider/model that answered
    tts: str | None = None

    def frame(self) -> dict[str, Any]:
        """The `turn.metrics` frame (milliseconds to 0.1)."""
        values = {k: (round(v, 1) if isinstance(v, float) else v)
                  for k, v in self.__dict__.items()}
        return {"type": "turn.metrics", **values}


@dataclass
class Timing:
    """The moments (`time.perf_counter()`) of one turn, from the end of the caller's turn."""

    end_of_turn: float = field(default_factory=time.perf_counter)
    llm_started: float | None = None
    first_token: float | None = None
    first_piece: float | None = None  # the first phrase complete enough to speak
    first_audio: float | None = None
    audio_s: float = 0.0  # seconds of reply audio sent
    tts_ttfb: float | None = None  # milliseconds, of the first piece spoken
    metrics: TurnMetrics = field(default_factory=TurnMetrics)

    def piece_ready(self) -> None:
        """A phrase is ready for the voice (only the first one counts)."""
        self.first_piece = self.first_piece or time.perf_counter()

    def since_end_of_turn(self) -> float:
        """Milliseconds from the end of the caller's turn to now."""
        return (time.perf_counter() - self.end_of_turn) * 1000

    def finish(self) -> TurnMetrics:
        """The metrics of the turn, which ends now."""
        m = self.metrics
        m.llm_ttft_ms = _ms(self.llm_started or 0, self.first_token)
        m.first_audio_ms = _ms(self.end_of_turn, self.first_audio)
        m.tts_ttfb_ms = self.tts_ttfb
        m.total_ms = self.since_end_of_turn()
        llm_share = _ms(self.llm_started or 0, self.first_piece)
        if m.first_audio_ms is not None and llm_share is not None and m.tts_ttfb_ms is not None:
            m.overhead_ms = (m.first_audio_ms - (m.stt_ms or 0) - (m.retrieval_ms or 0)
                             - llm_share - m.tts_ttfb_ms)
        return m


def _ms(since: float, until: float | None) -> float | None:
    return None if until is None else (until - since) * 1000
