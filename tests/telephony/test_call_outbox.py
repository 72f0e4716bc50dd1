"""The carrier outbox on its own: chunk rules, marks after chunks, clear on barge-in, and
what the marks say the caller heard."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.telephony.streams import media_payload
from voiceops.telephony.events import Dialect
from voiceops.telephony.exotel_stream import ExotelDialect
from voiceops.telephony.outbox import CarrierOutbox, MarkedPlayback, heard_text
from voiceops.telephony.twilio_stream import TWILIO

SID = "MZ1"


class Line:
    """What the outbox sent, parsed."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.frames: list[Mapping[str, Any]] = []
        self.ended = 0
        self.first_media = 0

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def end(self) -> None:
        self.ended += 1

    def events(self) -> list[str]:
        return [m["event"] for m in self.sent]

    def payloads(self) -> list[bytes]:
        return [media_payload(m) for m in self.sent if m["event"] == "media"]


def outbox(dialect: Dialect, line: Line, *, encoding: str = "mulaw", line_rate: int = 8000,
           output_rate: int = 8000) -> tuple[CarrierOutbox, MarkedPlayback]:
    playback = MarkedPlayback()

    def first() -> None:
        line.first_media += 1

    box = CarrierOutbox(send=line.send, dialect=dialect, stream_sid=SID,
                        encoding=encoding,  # type: ignore[arg-type]
                        line_rate=line_rate, output_rate=output_rate, playback=playback,
                        on_end=line.end, on_frame=line.frames.append, on_first_media=first)
    return box, playback


def run(work: Any) -> Any:
    return asyncio.run(work)


def test_exotel_chunks_are_3200_to_100k_bytes_in_multiples_of_320_and_the_tail_padded() -> None:
    line = Line()
    box, _ = outbox(ExotelDialect(8000), line, encoding="pcm")

    async def speak() -> None:
        box.playback.voicing("Hello.")
        await box.audio(b"\x01\x00" * 1000)  # 2,000 bytes: under the minimum, held back
        assert line.sent == []
        await box.audio(b"\x01\x00" * 60_000)  # 122,000 bytes in all
        await box.audio(b"\x01\x00" * 77)  # an odd tail
        await box.json({"type": "reply.done", "text": "hi", "interrupted": False})

    run(speak())
    sizes = [len(p) for p in line.payloads()]
    assert all(3200 <= n <= 100_000 and n % 320 == 0 for n in sizes), sizes
    assert sum(sizes) >= 2 * 61_077 and sum(sizes) - 2 * 61_077 < 3200
    assert line.payloads()[-1].endswith(b"\x00\x00")  # padded with silence
    assert line.events()[-1] == "mark" and line.first_media == 1
    # every mark follows a batch of media
    events = line.events()
    assert all(events[i - 1] == "media" for i, e in enumerate(events) if e == "mark")


def test_twilio_chunks_are_whole_20ms_frames_each_batch_then_a_mark() -> None:
    line = Line()
    box, playback = outbox(TWILIO, line, output_rate=8000)

    async def speak() -> None:
        playback.voicing("Hi.")
        await box.audio(b"\x00\x10" * 500)  # 62.5 ms: three frames now, the rest later
        await box.json({"type": "reply.done", "text": "hi", "interrupted": False})

    run(speak())
    assert line.events() == ["media", "mark", "media", "mark"]
    assert [len(p) for p in line.payloads()] == [480, 160]
    assert list(playback.pending) == ["u1.1", "u1.2"]
    assert playback.audible(0.0)
    box.marked("u1.1")
    assert playback.played_s == pytest.approx(0.06)
    box.marked("u1.2")
    assert not playback.audible(0.0) and playback.played_s == pytest.approx(0.08)


def test_barge_in_clears_and_later_echoes_of_cleared_audio_count_for_nothing() -> None:
    line = Line()
    box, playback = outbox(TWILIO, line, output_rate=16000)

    async def speak() -> None:
        playback.voicing("Hello there.")
        await box.audio(b"\x00\x10" * 16000)  # a second at 16 kHz
        playback.voicing("How can I help you today?")
        await box.audio(b"\x00\x10" * 16000)
        box.marked("u1.1")  # the first second has played
        heard = playback.hearing(0.0)
        await box.json({"type": "audio.stop"})
        playback.silenced()
        box.marked("u1.2")  # Twilio echoes the cleared mark: not played
        sent = len(line.sent)
        await box.audio(b"\x00\x10" * 16000)  # the cancelled turn's TTS had one more chunk
        await box.json({"type": "reply.done", "text": "Hello there.", "interrupted": True})
        assert len(line.sent) == sent  # not a byte of it after the clear
        assert heard is not None
        # the first mark came after about a second (the resampler holds a few ms back)
        assert heard("whatever was written") == "Hello there... [interrupted]"

    run(speak())
    assert line.events()[-1] == "clear" and line.sent[-1] == {"event": "clear", "streamSid": SID}
    assert not playback.audible(0.0)
    assert playback.played_s == pytest.approx(1.0, abs=0.1)  # less the filter's delay


def test_heard_text_keeps_whole_pieces_and_cuts_the_one_playing() -> None:
    pieces = [(0.0, "One two three."), (1.0, "Four five six seven.")]
    assert heard_text(pieces, 0.0, 2.0) == "[interrupted]"
    assert heard_text(pieces, 1.5, 2.0) == "One two three. Four... [interrupted]"
    assert heard_text(pieces, 2.0, 2.0) == "One two three. Four five six seven."


def test_the_session_ending_the_call_is_the_calls_hang_up() -> None:
    line = Line()
    box, _ = outbox(TWILIO, line)
    run(box.end())
    assert line.ended == 1
