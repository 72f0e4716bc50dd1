"""The tool steps of a turn: what happens between the model asking for tools and its next
round (`Turns._write` runs the rounds, at most `MAX_TOOL_STEPS` with tools offered).

For each round's calls, in order:
- the model's text so far is flushed to the voice, then each tool's `say.start` line is
  written and queued, so the caller hears it while the request runs (the speaker task
  voices the queue while the writer waits on the tool);
- the history gets the assistant's turn with its calls, then each call's result: the
  providers refuse a call without its result, so every call gets one, even when the turn
  is cancelled (a "cancelled" error result);
- the client gets `tool.call` {id, name, arguments} and `tool.result` {id, name, ok, ms,
  error?}; a failed call speaks its `say.failed` and the model is told the error.

Barge-in cancels the turn, and with it a tool's request, unless the tool sets
`cancel_on_barge_in: false` (a booking half made is worse than a late one): then the turn
waits for that request to finish before it ends, so its result is in the history when the
caller's next turn reaches the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from voiceops.providers.base import Message, ToolCall
from voiceops.runtime.chunker import SentenceChunker
from voiceops.runtime.history import History
from voiceops.runtime.stages import shielded
from voiceops.runtime.timing import Timing
from voiceops.runtime.tools import Outcome, ToolRunner, call_frame

__all__ = ["Reply", "ToolSteps", "write_text"]

_CANCELLED = "cancelled: the caller interrupted before the tool answered"


class _Frames(Protocol):
    async def json(self, frame: Mapping[str, Any]) -> None: ...


@dataclass
class Reply:
    """The text of one reply as written, and where the current tool step began."""

    written: list[str] = field(default_factory=list)
    step: int = 0  # index in `written` where the text since the last tool step starts

    def text(self) -> str:
        """The whole reply (what `reply.done` carries)."""
        return "".join(self.written)

    def since_step(self) -> str:
        """The text since the last tool step: the assistant message still to remember."""
        return "".join(self.written[self.step:])

    def mark(self) -> None:
        self.step = len(self.written)


async def write_text(outbox: _Frames, reply: Reply, chunker: SentenceChunker,
                     pieces: asyncio.Queue[str | None], timing: Timing, text: str) -> None:
    """A piece of the reply: to the client as `reply.delta`, and to the voice by sentence."""
    reply.written.append(text)
    await outbox.json({"type": "reply.delta", "text": text})
    for piece in chunker.feed(text):
        timing.piece_ready()
        pieces.put_nowait(piece)


class ToolSteps:
    """Runs the calls of each tool round of one turn."""

    def __init__(self, tools: ToolRunner, history: History, outbox: _Frames, reply: Reply,
                 chunker: SentenceChunker, pieces: asyncio.Queue[str | None],
                 timing: Timing) -> None:
        self.tools = tools
        self.history = history
        self.outbox = outbox
        self.reply = reply
        self.chunker = chunker
        self.pieces = pieces
        self.timing = timing

    async def run(self, calls: Sequence[ToolCall]) -> list[Message]:
        """Make `calls`; returns the messages that follow the model's last round."""
        if (tail := self.chunker.flush()) is not None:  # what it said before calling
            self.timing.piece_ready()
            self.pieces.put_nowait(tail)
        for call in calls:
            tool = self.tools.get(call.name)
            if tool is not None and tool.say_start:
                await self._say(tool.say_start)
        assistant = Message("assistant", self.reply.since_step(), tool_calls=tuple(calls))
        self.history.add(assistant)
        self.reply.mark()
        added: list[Message] = [assistant]
        answered: set[str] = set()
        try:
            for call in calls:
                outcome = await self._one(call, answered)
                added.append(await self._answered(call, outcome))
                answered.add(call.id)
        finally:
            for call in calls:  # cancelled: every call still gets its result
                if call.id not in answered:
                    outcome = Outcome(False, f"error: {_CANCELLED}", 0.0, _CANCELLED)
                    await shielded(self._record(call, outcome))
        return added

    async def _one(self, call: ToolCall, answered: set[str]) -> Outcome:
        await self.outbox.json(call_frame(call))
        tool = self.tools.get(call.name)
        task = asyncio.ensure_future(self.tools.run(call))
        if tool is None or tool.cancel_on_barge_in:
            return await task  # cancelling the turn cancels the request
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            outcome = await task  # it finishes (bounded by its timeout): then the turn ends
            await shielded(self._record(call, outcome))
            answered.add(call.id)
            raise

    async def _answered(self, call: ToolCall, outcome: Outcome) -> Message:
        await self._record(call, outcome)
        tool = self.tools.get(call.name)
        if not outcome.ok and tool is not None and tool.say_failed:
            await self._say(tool.say_failed)
            self.reply.mark()  # spoken by us, not the model: not its next message
        return Message.result(call, outcome.content, ok=outcome.ok)

    async def _record(self, call: ToolCall, outcome: Outcome) -> None:
        self.history.add(Message.result(call, outcome.content, ok=outcome.ok))
        await self.outbox.json(outcome.frame(call))

    async def _say(self, text: str) -> None:
        # a space after it: the model's next words follow in the same reply text
        await write_text(self.outbox, self.reply, self.chunker, self.pieces, self.timing,
                         f"{text} ")
        if (tail := self.chunker.flush()) is not None:
            self.timing.piece_ready()
            self.pieces.put_nowait(tail)

