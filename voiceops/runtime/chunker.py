"""Cut a streaming LLM reply into pieces worth sending to TTS as soon as they are complete.

TTS needs whole phrases to sound natural, but waiting for the whole reply wastes seconds.
So text is cut at sentence ends (".", "!", "?", the Devanagari danda "।", newlines) once a
following space confirms the end ("3.5" and "v2.5" stay whole). Under `optimization:
latency` the first piece may end at a comma, to start speaking sooner. No piece is longer
than `max_chars`: a run-on sentence (or a reply with no punctuation at all) is cut at its
last comma or space before that, so speech starts on time and no provider refuses the
request for its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[.!?।॥。！？]+[\"')\]]*\s+|\n+")
_SOFT = re.compile(r"[,;:—–]\s+")
_SPACE = re.compile(r"\s+")
_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "etc.", "vs.", "no.")


@dataclass(frozen=True)
class ChunkPolicy:
    min_chars: int  # pieces shorter than this wait for more text (except the last)
    first_soft_chars: int | None  # the first piece may end at a comma past this length
    #: No piece is longer: past this, text without a sentence end is cut anyway.
    max_chars: int = 300
    #: Pieces already waiting when the voice is free are spoken in one request, up to
    #: this many characters (well under every provider's limit per request).
    join_chars: int = 400

    @classmethod
    def for_optimization(cls, optimization: str) -> ChunkPolicy:
        return {
            "latency": cls(min_chars=12, first_soft_chars=24, max_chars=200, join_chars=250),
            "quality": cls(min_chars=80, first_soft_chars=None, max_chars=500,
                           join_chars=800),
        }.get(optimization, cls(min_chars=24, first_soft_chars=None))


class SentenceChunker:
    def __init__(self, policy: ChunkPolicy) -> None:
        self.policy = policy
        self._buffer = ""
        self._emitted = 0

    def feed(self, delta: str) -> list[str]:
        """Add reply text; returns the pieces it completed, in order."""
        self._buffer += delta
        pieces = []
        while (cut := self._cut()) is not None:
            piece, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if piece:
                pieces.append(piece)
                self._emitted += 1
        return pieces

    def flush(self) -> str | None:
        """Whatever is left when the reply ends."""
        piece, self._buffer = self._buffer.strip(), ""
        return piece or None

    def _cut(self) -> int | None:
        limit = self.policy.max_chars
        for match in _END.finditer(self._buffer):
            end = match.end()
            if end > limit:
                break
            if end < self.policy.min_chars or self._abbreviation(match.start()):
                continue
            return end
        soft = self.policy.first_soft_chars
        if soft is not None and self._emitted == 0:
            for match in _SOFT.finditer(self._buffer, 0, limit):
                if match.end() >= soft:
                    return match.end()
        return self._forced(limit) if len(self._buffer) > limit else None

    def _forced(self, limit: int) -> int:
        """Where to cut text with no sentence end within `limit`: its last comma in the
        second half, else its last space, else (one endless word) at the limit."""
        window = self._buffer[:limit]
        soft = [m.end() for m in _SOFT.finditer(window)]
        if soft and soft[-1] >= limit // 2:
            return soft[-1]
        spaces = [m.end() for m in _SPACE.finditer(window) if m.start() > 0]
        return spaces[-1] if spaces else limit

    def _abbreviation(self, at: int) -> bool:
        word = self._buffer[:at + 1].rsplit(None, 1)[-1].lower()
        return word in _ABBREVIATIONS
