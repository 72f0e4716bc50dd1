"""What a session remembers of its conversation, within caps on turns and characters.

A cap on turns alone is no cap: a client may send thousands of characters a turn, and a
client typing turns as fast as it may (each barging in on the last) piles up user messages
with no replies between them. So the history is trimmed, oldest first, to
`max_history_turns` exchanges and to `MAX_HISTORY_CHARS` characters (about 8,000 tokens:
every turn sends all of it to the LLM, whose latency and price grow with it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from voiceops.providers.base import Message

__all__ = ["MAX_HISTORY_CHARS", "History"]

MAX_HISTORY_CHARS = 32_000


class History:
    """The conversation's messages, oldest first, trimmed to the caps as they are added."""

    def __init__(self, max_turns: int, max_chars: int = MAX_HISTORY_CHARS) -> None:
        self.max_messages = max_turns * 2  # a turn is the caller's message and the reply
        self.max_chars = max_chars
        self._messages: deque[Message] = deque()
        self._chars = 0

    def add(self, message: Message) -> None:
        """Remember `message`, forgetting the oldest ones that no longer fit."""
        self._messages.append(message)
        self._chars += len(message.content)
        self._trim()

    def replace_last(self, message: Message) -> None:
        """Change the newest message (a reply the caller heard only part of)."""
        self._chars += len(message.content) - len(self._messages[-1].content)
        self._messages[-1] = message

    def last(self) -> Message | None:
        return self._messages[-1] if self._messages else None

    def prompt(self, system: str) -> list[Message]:
        """What the LLM is sent: the system prompt, then the history."""
        return [Message("system", system), *self._messages]

    def __len__(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self._messages)

    def _trim(self) -> None:
        trimmed = False
        while len(self._messages) > 1 and (len(self._messages) > self.max_messages
                                           or self._chars > self.max_chars):
            self._drop()
            trimmed = True
        # a window that starts with a reply lacks its question: start at the caller's turn
        while trimmed and len(self._messages) > 1 and self._messages[0].role != "user":
            self._drop()

    def _drop(self) -> None:
        self._chars -= len(self._messages.popleft().content)
