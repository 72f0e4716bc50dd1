"""Twilio Media Streams: the dialect as Twilio's docs write it, and the daemon's stream
endpoint driven through a call (token, greeting, media, marks, keys, barge-in, the end).
Frames are written from twilio.com/docs/voice/media-streams/websocket-messages."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession

from tests.telephony import streams
from tests.telephony.streams import (
    ACCOUNT_SID,
    CALL_SID,
    CALLER,
    DIALLED,
    STREAM_SID,
    MakeDaemon,
    b64,
    frame,
    media_payload,
)
from voiceops.sim.speech import synthesize
from voiceops.sim.stack import SimStack
from voiceops.telephony import tokens
from voiceops.telephony.codec import pcm_to_ulaw
from voiceops.telephony.events import (
    Connected,
    Dtmf,
    Marked,
    Media,
    Started,
    Stopped,
    StreamError,
)
from voiceops.telephony.twilio_stream import TWILIO

make_daemon = streams.make_daemon  # the fixture

PATH = "/v1/telephony/twilio/stream"
CONNECTED = {"event": "connected", "protocol": "Call", "version": "1.0.0"}


def start(token: str | None, profile: str = "support_hi", sid: str = CALL_SID) -> dict[str, Any]:
    params = {"profile": profile, "From": CALLER, "To": DIALLED}
    if token is not None:
        params["token"] = token
    return {"event": "start", "sequenceNumber": "1", "streamSid": STREAM_SID,
            "start": {"accountSid": ACCOUNT_SID, "streamSid": STREAM_SID, "callSid": sid,
                      "tracks": ["inbound"], "customParameters": params,
                      "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                      "channels": 1}}}


def media(payload: bytes, n: int = 1) -> dict[str, Any]:
    return {"event": "media", "sequenceNumber": str(n + 1), "streamSid": STREAM_SID,
            "media": {"track": "inbound", "chunk": str(n), "timestamp": str(20 * n),
                      "payload": b64(payload)}}


def send(ws: WebSocketTestSession, message: dict[str, Any]) -> None:
    ws.send_text(json.dumps(message))


# -- the dialect -----------------------------------------------------------------------


def test_every_event_twilio_sends_parses_to_its_type() -> None:
    assert TWILIO.parse(json.dumps(CONNECTED)) == Connected()
    started = TWILIO.parse(json.dumps(start("tok")))
    assert isinstance(started, Started) and started.encoding == "mulaw"
    assert started.sample_rate == 8000 and started.call.call_sid == CALL_SID
    assert started.call.from_number == CALLER and started.call.to_number == DIALLED
    assert started.call.custom["token"] == "tok"
    assert TWILIO.parse(json.dumps(media(b"\xff" * 160))) == Media(STREAM_SID, b"\xff" * 160)
    assert TWILIO.parse(json.dumps({"event": "dtmf", "streamSid": STREAM_SID,
                                    "sequenceNumber": "5", "dtmf": {
                                        "track": "inbound_track", "digit": "1"}})) == \
        Dtmf(STREAM_SID, "1")
    assert TWILIO.parse(json.dumps({"event": "mark", "sequenceNumber": "4",
                                    "streamSid": STREAM_SID, "mark": {"name": "u1.1"}})) == \
        Marked(STREAM_SID, "u1.1")
    assert TWILIO.parse(json.dumps({"event": "stop", "sequenceNumber": "5",
                                    "streamSid": STREAM_SID, "stop": {
                                        "accountSid": ACCOUNT_SID, "callSid": CALL_SID}})) == \
        Stopped(STREAM_SID)


@pytest.mark.parametrize(("message", "says"), [
    ("not json", "not JSON"),
    (json.dumps({"event": "hello", "streamSid": STREAM_SID}), "unknown event 'hello'"),
    (json.dumps({"event": "media", "media": {"payload": ""}}), "streamSid"),
    (json.dumps({"event": "media", "streamSid": STREAM_SID, "media": {"payload": "@@"}}),
     "media.payload is not base64"),
    (json.dumps({**start("t"), "start": {**start("t")["start"], "mediaFormat": {
        "encoding": "audio/x-l16", "sampleRate": 16000, "channels": 1}}}), "audio/x-mulaw"),
    (json.dumps({"event": "dtmf", "streamSid": STREAM_SID, "dtmf": {"digit": "x"}}),
     "not a key"),
])
def test_a_frame_that_breaks_the_protocol_says_where(message: str, says: str) -> None:
    with pytest.raises(StreamError, match=says):
        TWILIO.parse(message)


def test_frames_to_twilio_carry_exactly_the_documented_fields() -> None:
    assert json.loads(TWILIO.media(STREAM_SID, b"\x01\x02")) == {
        "event": "media", "streamSid": STREAM_SID, "media": {"payload": "AQI="}}
    assert json.loads(TWILIO.mark(STREAM_SID, "u1.1")) == {
        "event": "mark", "streamSid": STREAM_SID, "mark": {"name": "u1.1"}}
    assert json.loads(TWILIO.clear(STREAM_SID)) == {"event": "clear", "streamSid": STREAM_SID}


# -- the endpoint ----------------------------------------------------------------------


def greeting(ws: WebSocketTestSession) -> tuple[list[bytes], list[str]]:
    """The greeting's media payloads and marks, up to its last mark (the padded tail)."""
    payloads: list[bytes] = []
    marks: list[str] = []
    while True:
        sent = frame(ws)
        assert sent is not None, "the daemon closed the stream"
        assert sent["streamSid"] == STREAM_SID
        if sent["event"] == "media":
            payloads.append(media_payload(sent))
        elif sent["event"] == "mark":
            marks.append(sent["mark"]["name"])
            if len(payloads[-1]) % 160 == 0 and _tail_was_padded(payloads):
                return payloads, marks


def _tail_was_padded(payloads: list[bytes]) -> bool:
    # the last chunk of an utterance ends in mu-law silence (0xff) when it was padded
    return payloads[-1].endswith(b"\xff")


@pytest.mark.slow
def test_a_call_with_a_valid_token_is_greeted_at_once(make_daemon: MakeDaemon,
                                                      sims: SimStack) -> None:
    daemon = make_daemon()
    token = tokens.issue(CALL_SID, "support_hi")
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        sent_start = time.perf_counter()
        send(ws, start(token))
        first = frame(ws)
        assert first is not None and first["event"] == "media"
        assert first["streamSid"] == STREAM_SID and set(first) == {"event", "streamSid", "media"}
        assert len(media_payload(first)) % 160 == 0  # whole 20 ms frames
        status = daemon.client.get("/v1/status").json()
        [call] = status["calls"]
        assert call["carrier"] == "twilio" and call["caller_number"] == CALLER
        assert call["profile"] == "support_hi" and call["call_sid"] == CALL_SID
        assert call["greeting_ms"] is not None
        assert call["greeting_ms"] <= (time.perf_counter() - sent_start) * 1000
        assert daemon.client.get("/v1/calls").json()[0]["stream_sid"] == STREAM_SID
        assert 'voiceops_calls_total{carrier="twilio"} 1.0' in daemon.client.get(
            "/metrics").text
        send(ws, {"event": "stop", "sequenceNumber": "9", "streamSid": STREAM_SID,
                  "stop": {"accountSid": ACCOUNT_SID, "callSid": CALL_SID}})
        while frame(ws) is not None:
            pass
    assert daemon.client.get("/v1/calls").json() == []
    assert daemon.hang_ups.calls == []  # the caller hung up: nothing to hang up


@pytest.mark.slow
@pytest.mark.parametrize("token", [None, "forged.token", "other-call"])
def test_a_start_without_a_valid_token_is_closed(make_daemon: MakeDaemon, sims: SimStack,
                                                 token: str | None) -> None:
    daemon = make_daemon()
    if token == "other-call":
        token = tokens.issue("CA" + "9" * 32, "support_hi")
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(token))
        assert frame(ws) is None  # closed, no greeting
    assert daemon.client.get("/v1/calls").json() == []
    errors = daemon.client.get("/v1/status").json()["session_errors"]
    assert errors.get("unauthorized", 0) + errors.get("bad_token", 0) + sum(
        n for code, n in errors.items() if "token" in code) >= 1


@pytest.mark.slow
def test_barge_in_clears_and_the_history_keeps_what_the_marks_say_was_heard(
        make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "support_hi")))
        first = frame(ws)  # the greeting's first chunk; then its mark
        assert first is not None and first["event"] == "media"
        mark = frame(ws)
        assert mark is not None and mark["event"] == "mark"
        # nothing has played yet (no mark echoed): the caller talks over the greeting
        speech = pcm_to_ulaw(synthesize("talking over you " * 3, 8000, voice="caller"))
        for n, at in enumerate(range(0, len(speech), 160)):
            send(ws, media(speech[at:at + 160], n))
        while (sent := frame(ws)) is not None and sent["event"] != "clear":
            pass
        assert sent == {"event": "clear", "streamSid": STREAM_SID}
        [session] = daemon.runner.sessions
        last = session.history.last()
        assert last is not None and last.role == "assistant"
        assert last.content == "[interrupted]"  # no mark had come back: nothing was heard


@pytest.mark.slow
def test_frames_that_break_the_protocol_are_counted_and_the_call_goes_on(
        make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        assert frame(ws) is not None  # the greeting
        send(ws, {**media(b"\xff" * 160), "streamSid": "MZ" + "0" * 32})  # another stream's
        ws.send_bytes(b"\x00" * 160)  # binary: Twilio's error 31950
        send(ws, {"event": "hello", "streamSid": STREAM_SID})
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))  # a second start
        errors: dict[str, int] = {}
        deadline = time.monotonic() + 30
        while errors.get("bad_stream_frame", 0) < 4 and time.monotonic() < deadline:
            errors = daemon.client.get("/v1/status").json()["session_errors"]
        assert errors.get("bad_stream_frame") == 4
        assert len(daemon.client.get("/v1/calls").json()) == 1  # still up


@pytest.mark.slow
def test_the_voice_speaks_at_the_line_rate_when_the_catalog_lists_it(
        make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        assert frame(ws) is not None
    # bulbul:v3 lists 8000 Hz: asked for it, nothing to resample
    assert sims.sarvam_state.last("/text-to-speech").body["speech_sample_rate"] == 8000


@pytest.mark.slow
def test_the_runner_ends_a_callers_spoken_turn_and_answers_it(make_daemon: MakeDaemon,
                                                             sims: SimStack) -> None:
    sims.sarvam_state.transcripts.append("I want to recharge my number")
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        while (sent := frame(ws)) is not None and sent["event"] != "mark":
            pass
        # the greeting has been sent; say it played, then speak and fall silent (phone
        # callers never say end_of_turn: the runner hears the silence)
        assert sent is not None
        send(ws, {"event": "mark", "streamSid": STREAM_SID, "sequenceNumber": "3",
                  "mark": {"name": sent["mark"]["name"]}})
        speech = pcm_to_ulaw(synthesize("recharge my number please", 8000, voice="caller"))
        silence = b"\xff" * 8000 * 2
        audio = speech + silence
        for n, at in enumerate(range(0, len(audio), 160)):
            send(ws, media(audio[at:at + 160], n))
        deadline = time.monotonic() + 30
        asked: list[Any] = []
        while not asked and time.monotonic() < deadline:
            asked = [r.body for r in sims.openai_state.received
                     if r.path.startswith("/v1/chat/completions")]
            frame(ws)
        assert asked, "the caller's turn never reached the LLM"
        assert asked[-1]["messages"][-1]["content"] == "I want to recharge my number"
        [call] = daemon.client.get("/v1/calls").json()
        assert {"who": "caller", "text": "I want to recharge my number"} in call["log"]
