"""The phone simulator's own behaviour, against small carrier endpoints scripted in the test
(real sockets on loopback): the playout clock and its mark echoes, clear, barge-in timing,
each violation it must name, the recording, and its signature judged by twilio-python's
RequestValidator (its mu-law is the daemon's own codec, which tests/telephony/test_codec.py
holds to the stdlib's audioop)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
import wave
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest
import websockets

from voiceops.harness.phone import PhoneOptions, from_text, keys, place_call, stereo_wav
from voiceops.harness.phone.dialects import Exotel, Twilio
from voiceops.harness.phone.playout import Playout
from voiceops.harness.phone.voice import CallerTurn, speech_end
from voiceops.harness.phone.webhook import call_form, parse_twiml, sign
from voiceops.telephony.codec import pcm_to_ulaw, ulaw_to_pcm
from voiceops.telephony.types import CallInfo

Handler = Callable[[Any, dict[str, Any], "asyncio.Queue[dict[str, Any]]"], Awaitable[None]]
TONE = (np.sin(np.arange(8000) / 3) * 8000).astype("<i2").tobytes()  # 1 s at 8 kHz
CALL = CallInfo("twilio", "CA" + "0" * 32, "MZ" + "1" * 32, "AC" + "2" * 32, "+1415", "+1416")


def media(sid: str, pcm: bytes) -> str:
    return json.dumps({"event": "media", "stream_sid": sid,
                       "media": {"payload": base64.b64encode(pcm).decode()}})


async def _exotel_call(handler: Handler, **options: Any) -> tuple[Any, list[dict[str, Any]]]:
    """A call from the phone (Exotel dialect) to a scripted endpoint: (report, frames in)."""
    frames: list[dict[str, Any]] = []

    async def serve(ws: Any) -> None:
        async for message in ws:
            frames.append(json.loads(message))
            if frames[-1]["event"] == "start":
                break
        start = frames[-1]
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        reader = asyncio.create_task(_collect(ws, frames, inbox))
        try:
            await handler(ws, start, inbox)
            await reader
        finally:
            reader.cancel()

    async with websockets.serve(serve, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        defaults: dict[str, Any] = {"greeting_timeout_s": 1.0, "reply_timeout_s": 3.0,
                                    "pause_s": 0.3}
        report = await place_call(PhoneOptions(f"http://127.0.0.1:{port}", "exotel",
                                               **{"turns": [], **defaults, **options}))
    return report, frames


async def _collect(ws: Any, frames: list[dict[str, Any]],
                   inbox: asyncio.Queue[dict[str, Any]]) -> None:
    """Every frame the phone sends after start: kept, and handed to the handler too."""
    try:
        async for message in ws:
            frames.append(json.loads(message))
            inbox.put_nowait(frames[-1])
    except websockets.ConnectionClosed:
        pass


def _sid(start: dict[str, Any]) -> str:
    sid: str = start["stream_sid"]
    return sid


def test_a_mark_comes_back_once_the_audio_before_it_has_played() -> None:
    sent: dict[str, float] = {}

    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        await ws.send(media(_sid(start), TONE[:6400]))  # 0.4 s
        await ws.send(json.dumps({"event": "mark", "stream_sid": _sid(start),
                                  "mark": {"name": "greeting"}}))
        sent["at"] = time.monotonic()

    report, frames = asyncio.run(_exotel_call(handler))
    echoes = [f for f in frames if f["event"] == "mark"]
    assert [e["mark"]["name"] for e in echoes] == ["greeting"]
    assert echoes[0]["stream_sid"] == report.stream_sid
    assert report.marks_sent == report.marks_echoed == 1
    assert report.replies[0].audio_s == pytest.approx(0.4)
    assert report.ok, report.lines()
    assert frames[-1]["event"] == "stop" and frames[-1]["stop"]["reason"] == "callended"


def test_the_phone_speaks_exotel_as_documented() -> None:
    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        return None

    turn = CallerTurn("hello", TONE, len(TONE))
    _, frames = asyncio.run(_exotel_call(handler, turns=[turn, keys("1#")],
                                         custom={"lang": "hi"}, rate=8000))
    start = next(f for f in frames if f["event"] == "start")
    assert start["start"]["custom_parameters"] == {"lang": "hi"}
    assert start["start"]["media_format"] == {"encoding": "audio/x-raw", "sample_rate": "8000",
                                              "bit_rate": "16"}
    chunks = [f for f in frames if f["event"] == "media"]
    assert {len(base64.b64decode(c["media"]["payload"])) for c in chunks} == {1600}  # 100 ms
    assert [int(c["media"]["timestamp"]) for c in chunks[:3]] == [0, 100, 200]
    numbers = [int(f["sequence_number"]) for f in frames if "sequence_number" in f]
    assert numbers == list(range(1, len(numbers) + 1))
    heard = b"".join(base64.b64decode(c["media"]["payload"]) for c in chunks)
    assert TONE in heard  # the caller's audio, whole and in order
    assert [f["dtmf"]["digit"] for f in frames if f["event"] == "dtmf"] == ["1", "#"]


def test_clear_drops_the_queue_and_echoes_its_pending_marks_at_once() -> None:
    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        await ws.send(media(_sid(start), TONE * 2))  # 2 s
        await ws.send(json.dumps({"event": "mark", "stream_sid": _sid(start),
                                  "mark": {"name": "long"}}))
        await asyncio.sleep(0.3)
        await ws.send(json.dumps({"event": "clear", "stream_sid": _sid(start)}))

    report, _ = asyncio.run(_exotel_call(handler))
    assert report.clears == 1 and report.marks_echoed == 1
    assert 1.0 < report.dropped_s < 2.0
    agent = np.frombuffer(bytes(report.agent_track), dtype="<i2")
    assert np.count_nonzero(agent) < 8000  # well under the 2 s sent: the rest was dropped
    assert report.ok


def test_media_after_clear_for_the_interrupted_reply_is_a_violation() -> None:
    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        sid = _sid(start)
        await ws.send(media(sid, TONE * 3))  # a long greeting
        while True:
            frame = await inbox.get()
            payload = base64.b64decode(frame.get("media", {}).get("payload", ""))
            if frame["event"] == "media" and any(payload):  # the caller talks over it
                await ws.send(json.dumps({"event": "clear", "stream_sid": sid}))
                await ws.send(media(sid, TONE[:3200]))  # the old reply goes on: wrong
                break

    turn = CallerTurn("hello", TONE, len(TONE))
    report, _ = asyncio.run(_exotel_call(handler, turns=[turn], barge_in_ms=200))
    assert [v.code for v in report.violations] == ["media_after_clear"]
    assert report.replies[0].interrupted
    assert not report.ok


def test_each_violation_is_named() -> None:
    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        sid = _sid(start)
        await ws.send(media(sid, TONE[:1000]))  # under 3.2 KB and not a multiple of 320
        await ws.send(media("MZ-someone-else", TONE[:3200]))
        await ws.send(b"\x00\x01")
        await ws.send(json.dumps({"event": "play", "stream_sid": sid}))
        await ws.send(json.dumps({"event": "mark", "stream_sid": sid}))
        await ws.send(json.dumps({"event": "clear"}))

    report, _ = asyncio.run(_exotel_call(handler))
    codes = [v.code for v in report.violations]
    assert codes == ["chunk_size", "wrong_stream_sid", "binary_frame", "unknown_event",
                     "missing_field", "missing_field"]
    assert "violation: chunk_size: media chunk of 1000 bytes" in "\n".join(report.lines())


def test_a_stream_the_daemon_closes_is_checked_for_a_rest_hangup() -> None:
    asked: list[CallInfo] = []

    async def no_hangup(call: CallInfo) -> bool:
        asked.append(call)
        return False

    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        await ws.close()

    report, _ = asyncio.run(_exotel_call(handler, check_hangup=no_hangup,
                                         turns=[CallerTurn("hi", TONE, len(TONE))]))
    assert report.ended_by == "daemon" and report.close_code == 1000
    assert [c.call_sid for c in asked] == [report.call_sid]
    assert [v.code for v in report.violations] == ["no_rest_hangup"]


def test_twilio_frames_the_daemon_sends_are_held_to_the_docs() -> None:
    dialect = Twilio(CALL, 8000)
    payload = base64.b64encode(pcm_to_ulaw(TONE[:320])).decode()
    good = dialect.read(json.dumps({"event": "media", "streamSid": CALL.stream_sid,
                                    "media": {"payload": payload}}))
    assert good.violations == [] and good.pcm == ulaw_to_pcm(pcm_to_ulaw(TONE[:320]))
    extra = dialect.read(json.dumps({"event": "media", "streamSid": CALL.stream_sid,
                                     "sequenceNumber": "1", "media": {"payload": payload}}))
    assert [v.code for v in extra.violations] == ["extra_field"]
    missing = dialect.read(json.dumps({"event": "clear"}))
    assert [v.code for v in missing.violations] == ["missing_field"]
    snake = dialect.read(json.dumps({"event": "mark", "stream_sid": CALL.stream_sid,
                                     "mark": {"name": "x"}}))
    assert {v.code for v in snake.violations} == {"missing_field", "extra_field"}
    # Exotel says nothing of extra fields: only the ones it needs are required
    exotel = Exotel(CALL, 8000).read(json.dumps({"event": "clear", "stream_sid": CALL.stream_sid,
                                                 "note": "x"}))
    assert exotel.violations == []


def test_playout_plays_in_order_and_reports_marks_at_their_position() -> None:
    playout = Playout()
    playout.push(b"\x01" * 640)
    playout.mark("a")
    playout.push(b"\x02" * 320)
    playout.mark("b")
    assert playout.advance(320) == (b"\x01" * 320, [])
    assert playout.advance(320) == (b"\x01" * 320, ["a"])
    assert playout.advance(640) == (b"\x02" * 320, ["b"])
    assert not playout.busy
    playout.mark("idle")  # a mark with nothing queued comes back on the next tick
    assert playout.advance(320) == (b"", ["idle"])


def test_the_webhook_signature_is_the_one_twilio_sdk_accepts() -> None:
    from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

    form = call_form(call_sid=CALL.call_sid, account_sid=CALL.account_sid,
                     from_number="+14155550123", to_number="+14155550100")
    for url in ("https://abc.ngrok.app/v1/telephony/twilio/voice",
                "https://abc.ngrok.app/v1/telephony/twilio/voice?campaign=spring",
                "http://127.0.0.1:8765/v1/telephony/twilio/voice"):
        signature = sign("secret-token", url, form)
        assert RequestValidator("secret-token").validate(url, form, signature)
        assert not RequestValidator("other-token").validate(url, form, signature)


def test_twiml_is_read_for_its_stream_and_parameters_or_its_refusal() -> None:
    answer = parse_twiml(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
        '<Stream url="wss://x.example/v1/telephony/twilio/stream">'
        '<Parameter name="profile" value="support_hi"/><Parameter name="token" value="t"/>'
        '</Stream></Connect></Response>')
    assert answer.stream_url == "wss://x.example/v1/telephony/twilio/stream"
    assert answer.parameters == {"profile": "support_hi", "token": "t"}
    refused = parse_twiml("<Response><Say>Sorry, this number is not in service.</Say>"
                          "<Hangup/></Response>")
    assert refused.stream_url is None and refused.hangup and refused.said.startswith("Sorry")


def test_speech_ends_at_the_last_loud_frame() -> None:
    pcm = TONE[:3200] + bytes(3200)
    assert speech_end(pcm, 8000) == 3200
    assert speech_end(bytes(1600), 8000) == 0


@pytest.mark.slow
def test_text_is_spoken_at_the_line_rate() -> None:
    turn = from_text("What plans do you have?", 8000)
    assert 0.5 < len(turn.pcm) / 16000 < 5 and 0 < turn.speech_end <= len(turn.pcm)


def test_the_recording_is_stereo_caller_left_agent_right() -> None:
    data = stereo_wav(b"\x10\x00" * 4, b"\x20\x00" * 2, 8000)
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 8000, 4)
        frames = np.frombuffer(wav.readframes(4), dtype="<i2").reshape(-1, 2)
    assert frames[:, 0].tolist() == [16] * 4 and frames[:, 1].tolist() == [32, 32, 0, 0]


def test_a_reply_that_follows_the_last_key_at_once_counts_for_the_keys() -> None:
    async def handler(ws: Any, start: dict[str, Any], inbox: Any) -> None:
        while True:
            frame = await inbox.get()
            if frame["event"] == "dtmf" and frame["dtmf"]["digit"] == "#":
                await ws.send(media(_sid(start), TONE[:3200]))  # answered within a tick
                return

    report, _ = asyncio.run(_exotel_call(handler, turns=[keys("12#")]))
    greeting, pressed = report.replies
    assert greeting.audio_s == 0 and greeting.first_media_ms is None
    assert pressed.audio_s == pytest.approx(0.2) and pressed.first_media_ms is not None
