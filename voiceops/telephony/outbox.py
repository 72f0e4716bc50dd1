"""A session's frames, as a carrier's media stream: what a call's `Session` writes to.

Audio is resampled from the session's output rate to the line's, encoded (mu-law or
PCM s16le), and cut by the carrier's chunk rule (Exotel: at least 3,200 bytes, at most
100 KB, multiples of 320; Twilio: whole 20 ms frames); the tail of an utterance is padded
with silence. After each batch of chunks goes a `mark`: the carrier echoes it when the
audio before it has played, so `MarkedPlayback` knows what the caller has heard (not an
estimate by the clock). Barge-in (the session's `audio.stop`) sends `clear`: the carrier
drops what it holds, and the history keeps the pieces of the reply that were heard.

The session's JSON frames have no place on the phone line: they go to `on_frame` (the
call's log in /v1/calls).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from voiceops.providers.resample import Resampler
from voiceops.runtime.caller_audio import Playback, heard_part
from voiceops.telephony.codec import pcm_to_ulaw
from voiceops.telephony.events import Dialect, Encoding

__all__ = ["CarrierOutbox", "MarkedPlayback", "heard_text"]

_INTERRUPTED = "[interrupted]"
#: How much longer than its length the end waits for a goodbye's marks to be echoed.
_PLAYED_MARGIN_S = 2.0
_FRAME_S = 0.02


@dataclass
class MarkedPlayback(Playback):
    """What the caller hears of the agent, as the carrier's mark echoes tell it."""

    #: marks sent and not yet echoed: name -> seconds of their utterance played by then
    pending: dict[str, float] = field(default_factory=dict)
    utterance: str = ""  # the name of the utterance the pieces and seconds below are of
    pieces: list[tuple[float, str]] = field(default_factory=list)  # (start s, text)
    given_s: float = 0.0  # seconds of the utterance handed to the outbox
    sent_s: float = 0.0  # seconds of it sent to the carrier (resampled, padded)
    played_s: float = 0.0  # seconds of it the carrier has played (the last echo)
    fresh: bool = True  # the next piece or audio starts a new utterance
    count: int = 0  # utterances so far

    def audible(self, now: float) -> bool:
        return self.speaking or bool(self.pending)

    def voicing(self, text: str) -> None:
        if self.fresh:  # a piece is named before its first audio
            self.begin()
        self.pieces.append((self.given_s, text))

    def hearing(self, now: float) -> Callable[[str], str] | None:
        pieces, played, given = list(self.pieces), self.played_s, self.given_s
        return lambda _written: heard_text(pieces, played, given)

    def silenced(self) -> None:
        super().silenced()
        self.pending.clear()  # echoes of cleared audio (Twilio sends them) are not playing

    def begin(self) -> None:
        """A new utterance starts."""
        self.count += 1
        self.utterance, self.fresh, self.pieces = f"u{self.count}", False, []
        self.given_s = self.sent_s = self.played_s = 0.0

    def echoed(self, name: str) -> None:
        """The carrier played the audio before mark `name` (echoes come in order)."""
        if name not in self.pending:
            return  # cleared, or not ours
        for earlier in list(self.pending):
            played = self.pending.pop(earlier)
            if earlier == name:
                break
        if name.rpartition(".")[0] == self.utterance:
            self.played_s = played


def heard_text(pieces: list[tuple[float, str]], played_s: float, total_s: float) -> str:
    """The text of an utterance's pieces (each with the second its audio starts) that had
    played by `played_s` of `total_s`: whole pieces, then about the heard part of the one
    playing, marked as cut off."""
    heard: list[str] = []
    for i, (start, text) in enumerate(pieces):
        end = pieces[i + 1][0] if i + 1 < len(pieces) else total_s
        if played_s >= end:
            heard.append(text)
            continue
        part = heard_part(text, (played_s - start) / (end - start)) if end > start else \
            _INTERRUPTED
        head = " ".join(heard)
        if part == _INTERRUPTED:
            return f"{head}... {_INTERRUPTED}" if head else _INTERRUPTED
        return f"{head} {part}" if head else part
    return " ".join(heard)


class CarrierOutbox:
    """The session's outbox for one call: audio to carrier frames, frames to `on_frame`,
    and the session's hang-up to `on_end`."""

    def __init__(self, *, send: Callable[[str], Awaitable[None]], dialect: Dialect,
                 stream_sid: str, encoding: Encoding, line_rate: int, output_rate: int,
                 playback: MarkedPlayback, on_end: Callable[[], Awaitable[None]],
                 on_frame: Callable[[Mapping[str, Any]], None],
                 on_first_media: Callable[[], None]) -> None:
        self._send = send
        self.dialect = dialect
        self.stream_sid = stream_sid
        self.encoding = encoding
        self.line_rate = line_rate
        self.output_rate = output_rate
        self.playback = playback
        self._on_end = on_end
        self._on_frame = on_frame
        self._on_first_media: Callable[[], None] | None = on_first_media
        self._resampler = Resampler(output_rate, line_rate)
        self._bytes_per_s = line_rate * (1 if encoding == "mulaw" else 2)
        self._silence = b"\xff" if encoding == "mulaw" else b"\x00"
        self._buffer = bytearray()
        self._marks = 0

    async def json(self, frame: Mapping[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "audio.stop":
            await self._clear()
        elif kind == "reply.done":
            await self._flush()
        self._on_frame(frame)

    async def audio(self, pcm: bytes) -> None:
        if self.playback.fresh:
            # every utterance is named (`voicing`) before its first audio, so this is the
            # rest of one that was cleared: a turn's TTS stream can deliver a chunk after the
            # turn was cancelled, and the caller must not hear it after the `clear`
            return
        self.playback.given_s += len(pcm) / 2 / self.output_rate
        self._buffer += self._encode(self._resampler.process(pcm))
        await self._send_chunks(final=False)

    async def end(self) -> None:
        """Hang up once the caller has heard what was sent (a goodbye): the carrier has
        echoed every mark, or, should it stop echoing, the unplayed audio's length and a
        margin have passed."""
        loop = asyncio.get_running_loop()
        unplayed_s = max(self.playback.sent_s - self.playback.played_s, 0.0)
        deadline = loop.time() + unplayed_s + _PLAYED_MARGIN_S
        while self.playback.pending and loop.time() < deadline:
            await asyncio.sleep(_FRAME_S)  # echoes come by the frame at the earliest
        await self._on_end()

    def marked(self, name: str) -> None:
        """A mark echoed by the carrier."""
        self.playback.echoed(name)

    # -- the utterance -------------------------------------------------------------------

    async def _flush(self) -> None:
        """The utterance is complete: what the resampler holds, padded, then its mark."""
        if self.playback.fresh:
            return
        self._buffer += self._encode(self._resampler.process(b"", last=True))
        await self._send_chunks(final=True)
        self.playback.fresh = True

    async def _clear(self) -> None:
        """Barge-in: nothing more of this utterance; the carrier drops what it holds."""
        self._buffer.clear()
        self._resampler = Resampler(self.output_rate, self.line_rate)
        self.playback.fresh = True
        await self._send(self.dialect.clear(self.stream_sid))

    async def _send_chunks(self, *, final: bool) -> None:
        rule = self.dialect.chunks
        if final and self._buffer:
            short = max(rule.min_bytes - len(self._buffer), -len(self._buffer) % rule.multiple)
            self._buffer += self._silence * short
        ready = len(self._buffer) - len(self._buffer) % rule.multiple
        if ready < rule.min_bytes or ready == 0:
            return
        largest = rule.max_bytes - rule.max_bytes % rule.multiple
        sent = 0
        while sent < ready:
            # never leave a remainder under the minimum: split the last two evenly instead
            size = min(largest, ready - sent)
            rest = ready - sent - size
            if 0 < rest < rule.min_bytes:
                size -= rule.min_bytes - rest
            await self._send(self.dialect.media(self.stream_sid,
                                                bytes(self._buffer[sent:sent + size])))
            sent += size
        if self._on_first_media is not None:  # the call's first audio is out
            self._on_first_media()
            self._on_first_media = None
        del self._buffer[:ready]
        self.playback.sent_s += ready / self._bytes_per_s
        self._marks += 1
        name = f"{self.playback.utterance}.{self._marks}"
        self.playback.pending[name] = self.playback.sent_s
        await self._send(self.dialect.mark(self.stream_sid, name))

    def _encode(self, pcm: bytes) -> bytes:
        return pcm_to_ulaw(pcm) if self.encoding == "mulaw" else pcm
