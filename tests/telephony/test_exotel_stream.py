"""Exotel AgentStream: the dialect as Exotel's docs write it (snake_case, PCM, a mu-law
variant), and the daemon's endpoint: the token rule, ?sample-rate=, chunk sizes, routing.
Frames from developer.exotel.com/docs/agentstream/websocket-protocol."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.telephony import streams
from tests.telephony.streams import MakeDaemon, frame, media_payload
from voiceops.server.state import Settings
from voiceops.sim.stack import SimStack
from voiceops.telephony.events import Dtmf, Marked, Media, Started, Stopped, StreamError
from voiceops.telephony.exotel_stream import ExotelDialect

make_daemon = streams.make_daemon  # the fixture
PATH = "/v1/telephony/exotel/stream"
SID = "MZ" + "e" * 32


def start(rate: str = "8000", encoding: str = "audio/x-raw",
          to: str = "08047491899") -> dict[str, Any]:
    return {"event": "start", "sequence_number": "1", "stream_sid": SID,
            "start": {"stream_sid": SID, "call_sid": "CA" + "e" * 32,
                      "account_sid": "AC" + "e" * 32, "from": "+919876543210", "to": to,
                      "custom_parameters": {"key1": "value1"},
                      "media_format": {"encoding": encoding, "sample_rate": rate,
                                       "bit_rate": "16"}}}


def test_every_event_exotel_sends_parses_to_its_type() -> None:
    dialect = ExotelDialect()
    started = dialect.parse(json.dumps(start()))
    assert isinstance(started, Started) and started.encoding == "pcm"
    assert started.sample_rate == 8000 and started.call.carrier == "exotel"
    assert started.call.custom == {"key1": "value1"}
    assert dialect.parse(json.dumps({"event": "media", "sequence_number": "3",
                                     "stream_sid": SID, "media": {
                                         "chunk": "2", "timestamp": "200",
                                         "payload": "AAA="}})) == Media(SID, b"\x00\x00")
    assert dialect.parse(json.dumps({"event": "dtmf", "sequence_number": "7",
                                     "stream_sid": SID, "dtmf": {
                                         "digit": "5", "duration": "100"}})) == Dtmf(SID, "5")
    assert dialect.parse(json.dumps({"event": "mark", "stream_sid": SID,
                                     "mark": {"name": "u1.1"}})) == Marked(SID, "u1.1")
    assert dialect.parse(json.dumps({"event": "stop", "stream_sid": SID, "stop": {
        "reason": "callended"}})) == Stopped(SID, "callended")


def test_the_urls_custom_parameters_reach_the_call_unless_the_start_repeats_them() -> None:
    dialect = ExotelDialect(8000, {"campaign": "spring", "key1": "from-url"})
    started = dialect.parse(json.dumps(start()))
    assert isinstance(started, Started)
    assert started.call.custom == {"campaign": "spring", "key1": "value1"}


def test_a_mulaw_media_format_is_streamed_in_mulaw() -> None:
    started = ExotelDialect().parse(json.dumps(start(encoding="audio/x-mulaw")))
    assert isinstance(started, Started) and started.encoding == "mulaw"


@pytest.mark.parametrize(("message", "says"), [
    (start(rate="44100"), "sample_rate 44100"),
    (start(encoding="audio/mp3"), "neither"),
    ({"event": "media", "media": {"payload": ""}}, "stream_sid"),
])
def test_a_frame_that_breaks_the_protocol_says_where(message: dict[str, Any],
                                                     says: str) -> None:
    with pytest.raises(StreamError, match=says):
        ExotelDialect().parse(json.dumps(message))


def greeted(ws: WebSocketTestSession, rate: str = "8000") -> list[bytes]:
    ws.send_text(json.dumps({"event": "connected"}))
    ws.send_text(json.dumps(start(rate)))
    payloads = []
    while True:
        sent = frame(ws)
        assert sent is not None
        assert sent["stream_sid"] == SID
        if sent["event"] == "mark":
            return payloads
        payloads.append(media_payload(sent))


@pytest.mark.slow
@pytest.mark.parametrize("rate", ["8000", "16000"])
def test_an_unrouted_number_reaches_the_default_profile_in_exotel_sized_chunks(
        make_daemon: MakeDaemon, sims: SimStack, rate: str) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(f"{PATH}?sample-rate={rate}") as ws:
        payloads = greeted(ws, rate)
        assert payloads and all(3200 <= len(p) <= 100_000 and len(p) % 320 == 0
                                for p in payloads)
        [call] = daemon.client.get("/v1/calls").json()
        assert call["carrier"] == "exotel" and call["profile"] == "support_hi"
        assert call["called_number"] == "+918047491899"  # the national form, read


@pytest.mark.slow
def test_with_a_daemon_token_exotel_must_send_it(make_daemon: MakeDaemon,
                                                 sims: SimStack) -> None:
    daemon = make_daemon(Settings(default_profile="support_hi", reload=False, token="s3cret"))
    wrong = {"Authorization": "Basic " + base64.b64encode(b"exotel:wrong").decode()}
    for headers in ({}, wrong):
        with pytest.raises(WebSocketDisconnect), \
                daemon.client.websocket_connect(PATH, headers=headers) as ws:
            ws.receive_text()
    basic = base64.b64encode(b"exotel:s3cret").decode()
    with daemon.client.websocket_connect(PATH, headers={"Authorization": f"Basic {basic}"}
                                         ) as ws:
        assert greeted(ws)
    with daemon.client.websocket_connect(f"{PATH}?token=s3cret") as ws:
        assert greeted(ws)


@pytest.mark.slow
def test_a_sample_rate_exotel_does_not_stream_is_refused(make_daemon: MakeDaemon,
                                                         sims: SimStack) -> None:
    daemon = make_daemon()
    with pytest.raises(WebSocketDisconnect), \
            daemon.client.websocket_connect(f"{PATH}?sample-rate=44100") as ws:
        ws.receive_text()


@pytest.mark.slow
def test_a_mulaw_stream_is_answered_in_mulaw(make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        ws.send_text(json.dumps({"event": "connected"}))
        ws.send_text(json.dumps(start(encoding="audio/x-mulaw")))
        payloads: list[bytes] = []
        while True:
            try:  # the simulated voice sends the whole greeting at once: a pause ends it
                sent = frame(ws, deadline_s=2.0 if payloads else 30.0)
            except TimeoutError:
                break
            if sent is None:
                break
            if sent["event"] == "media":
                payloads.append(media_payload(sent))
        assert payloads
        assert all(3200 <= len(p) <= 100_000 and len(p) % 320 == 0 for p in payloads)
        assert not payloads[-1].endswith(b"\x00" * 8)  # not PCM silence


@pytest.mark.slow
def test_a_number_no_profile_answers_is_refused(make_daemon: MakeDaemon,
                                                sims: SimStack) -> None:
    daemon = make_daemon(Settings(default_profile=None, reload=False))
    with daemon.client.websocket_connect(PATH) as ws:
        ws.send_text(json.dumps({"event": "connected"}))
        ws.send_text(json.dumps(start()))
        assert frame(ws) is None  # closed: Exotel moves the call to the flow's next applet
    assert daemon.client.get("/v1/status").json()["session_errors"] == {"call_refused": 1}
    assert daemon.client.get("/v1/calls").json() == []
