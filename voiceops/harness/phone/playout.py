"""The carrier's playout buffer on a simulated clock: agent audio queues as it arrives and
plays in real time, a `mark` is echoed once the audio queued before it has played, and
`clear` drops what is queued and echoes the marks still pending (Twilio's docs: marks come
back when their audio has played or when `clear` discards it)."""

from __future__ import annotations

from collections import deque

__all__ = ["Playout"]


class Playout:
    """Queued agent audio (PCM s16le), played `advance(n)` bytes at a time."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._marks: deque[tuple[int, str]] = deque()  # (position in queued bytes, name)
        self._queued = 0
        self._played = 0

    @property
    def busy(self) -> bool:
        """Whether audio is still waiting to be played."""
        return bool(self._buffer)

    @property
    def pending_marks(self) -> int:
        return len(self._marks)

    def push(self, pcm: bytes) -> None:
        self._buffer += pcm
        self._queued += len(pcm)

    def mark(self, name: str) -> None:
        self._marks.append((self._queued, name))

    def advance(self, nbytes: int) -> tuple[bytes, list[str]]:
        """Play up to `nbytes`: (what played, the marks now reached)."""
        played = bytes(self._buffer[:nbytes])
        del self._buffer[:nbytes]
        self._played += len(played)
        reached = []
        while self._marks and self._marks[0][0] <= self._played:
            reached.append(self._marks.popleft()[1])
        return played, reached

    def clear(self) -> tuple[int, list[str]]:
        """Drop the queued audio: (bytes dropped, the pending marks, echoed at once)."""
        dropped = len(self._buffer)
        self._buffer.clear()
        self._queued = self._played
        names = [name for _, name in self._marks]
        self._marks.clear()
        return dropped, names
