"""A call behaves like a call: keys reach the session, and the daemon ends a call through
the carrier's REST hang-up (silence, max_duration_s) before closing the stream."""

from __future__ import annotations

import time

import pytest

from tests.telephony import streams
from tests.telephony.streams import CALL_SID, STREAM_SID, MakeDaemon, frame
from tests.telephony.test_twilio_stream import CONNECTED, PATH, media, send, start
from voiceops.server.state import Settings
from voiceops.sim import twilio
from voiceops.sim.stack import SimStack
from voiceops.telephony import tokens

make_daemon = streams.make_daemon  # the fixture


@pytest.mark.slow
def test_max_duration_ends_the_call_with_the_rest_hang_up(make_daemon: MakeDaemon,
                                                          sims: SimStack) -> None:
    daemon = make_daemon(Settings(default_profile="support_hi", reload=False,
                                  max_session_s=1.0))
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        while frame(ws) is not None:  # media and marks, until the daemon closes
            pass
    [ended] = daemon.hang_ups.calls
    assert ended.call_sid == CALL_SID and ended.stream_sid == STREAM_SID
    assert daemon.client.get("/v1/calls").json() == []


@pytest.mark.slow
def test_a_silent_caller_is_reminded_then_hung_up_on(make_daemon: MakeDaemon,
                                                     sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        send(ws, media(b"\xff" * 160))  # line silence: the caller is on the line
        while frame(ws) is not None:
            pass
    assert [c.call_sid for c in daemon.hang_ups.calls] == [CALL_SID]
    spoken = [r for r in sims.sarvam_state.received if r.path.startswith("/text-to-speech")]
    assert len(spoken) >= 2  # the greeting, then the reminder


@pytest.mark.slow
def test_keys_then_the_finish_key_are_a_turn(make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon()
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        for digit in "42#":
            send(ws, {"event": "dtmf", "streamSid": STREAM_SID, "sequenceNumber": "3",
                      "dtmf": {"track": "inbound_track", "digit": digit}})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            asked = [r.body for r in sims.openai_state.received
                     if r.path.startswith("/v1/chat/completions")]
            if asked:
                break
            frame(ws)
        assert asked, "no turn reached the LLM"
        assert asked[-1]["messages"][-1] == {"role": "user", "content": "(keypad) 42"}
        [call] = daemon.client.get("/v1/calls").json()
        assert {"who": "keys", "text": "4"} in call["log"]


@pytest.mark.slow
def test_the_hang_up_reaches_twilios_rest_api(make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon(Settings(default_profile="support_hi", reload=False,
                                  max_session_s=1.0), rest=True)
    begin = start(tokens.issue(CALL_SID, "quick"), "quick")
    begin["start"]["accountSid"] = twilio.ACCOUNT_SID  # the simulated account's
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, begin)
        while frame(ws) is not None:
            pass
    [hung_up] = sims.twilio_state.hangups.items()
    assert (hung_up.call_sid, hung_up.status) == (CALL_SID, "completed")
    assert "hangup_failed" not in daemon.client.get("/v1/status").json()["session_errors"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["event", "ignore"])
def test_keys_as_events_or_ignored_make_no_turn(make_daemon: MakeDaemon, sims: SimStack,
                                                 mode: str) -> None:
    daemon = make_daemon(dtmf=mode)
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        assert frame(ws) is not None
        for digit in "7#":
            send(ws, {"event": "dtmf", "streamSid": STREAM_SID, "sequenceNumber": "3",
                      "dtmf": {"track": "inbound_track", "digit": digit}})
        deadline = time.monotonic() + 5
        log: list[dict[str, str]] = []
        while time.monotonic() < deadline and (mode == "ignore" or len(log) < 2):
            log = daemon.client.get("/v1/calls").json()[0]["log"]
    keys = [line["text"] for line in log if line["who"] == "keys"]
    assert keys == (["7", "#"] if mode == "event" else [])
    assert not [r for r in sims.openai_state.received
                if r.path.startswith("/v1/chat/completions")]


@pytest.mark.slow
def test_a_stream_that_never_starts_is_closed(make_daemon: MakeDaemon, sims: SimStack) -> None:
    daemon = make_daemon(Settings(default_profile="support_hi", reload=False,
                                  start_timeout_s=0.5))
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        assert frame(ws) is None
    assert daemon.client.get("/v1/status").json()["session_errors"] == {"stream_timeout": 1}


@pytest.mark.slow
def test_the_hang_up_is_not_cut_short_by_the_caller_still_streaming(
        make_daemon: MakeDaemon, sims: SimStack) -> None:
    # media keeps arriving every 20 ms while the carrier takes its time to answer the
    # hang-up: the stream must not be closed (and the request cancelled with it) before
    daemon = make_daemon(Settings(default_profile="support_hi", reload=False,
                                  max_session_s=1.0))
    daemon.hang_ups.delay_s = 0.3
    with daemon.client.websocket_connect(PATH) as ws:
        send(ws, CONNECTED)
        send(ws, start(tokens.issue(CALL_SID, "quick"), "quick"))
        until = time.monotonic() + 3.0
        n = 0
        while time.monotonic() < until:
            n += 1
            send(ws, media(b"\xff" * 160, n))
            time.sleep(0.02)
        while frame(ws) is not None:
            pass
    assert [c.call_sid for c in daemon.hang_ups.calls] == [CALL_SID]
