"""Sockets and sessions are capped and idle ones closed (issue: connection limits): the cap
counts sockets at connect and sessions at start, a socket that never starts is closed, and
so is a started session whose client goes quiet for good."""

from __future__ import annotations

import json

from tests.server.conftest import MakeClient
from tests.server.wsclient import frames_until, receive, start
from voiceops.server.state import Settings


def _settings(**limits: float) -> Settings:
    return Settings(default_profile="support_hi", reload=False, **limits)  # type: ignore[arg-type]


def test_sockets_opened_first_and_started_later_do_not_pass_the_cap(
        make_client: MakeClient) -> None:
    client = make_client(_settings(max_sessions=2))
    with client.websocket_connect("/v1/sessions") as one, \
            client.websocket_connect("/v1/sessions") as two:
        with client.websocket_connect("/v1/sessions") as three:  # before anyone started
            assert json.loads(receive(three)["text"])["code"] == "server_busy"
            assert receive(three)["type"] == "websocket.close"
        start(one)
        start(two)
        frames_until(one, "reply.done")


def test_a_socket_that_never_starts_is_closed(make_client: MakeClient) -> None:
    client = make_client(_settings(start_timeout_s=0.3))
    with client.websocket_connect("/v1/sessions") as idle:
        error = json.loads(receive(idle)["text"])
        assert error["code"] == "start_timeout"
        assert receive(idle)["type"] == "websocket.close"


def test_a_started_session_whose_client_goes_quiet_is_closed(make_client: MakeClient) -> None:
    client = make_client(_settings(max_idle_s=0.5))
    with client.websocket_connect("/v1/sessions") as session:
        start(session)
        frames, _ = frames_until(session, "error")
        assert frames[-1]["code"] == "idle_timeout"
        while (message := receive(session))["type"] != "websocket.close":
            pass
        assert message["code"] == 1000


def test_what_held_still_holds_a_bad_token_closes_4401_and_floods_are_rate_limited(
        make_client: MakeClient) -> None:
    guarded = make_client(_settings(max_messages_per_s=5), env=None)
    with guarded.websocket_connect("/v1/sessions") as flood:
        for _ in range(30):  # bursts of twice the rate pass, the rest are refused
            flood.send_text(json.dumps({"type": "interrupt"}))
        codes = [json.loads(receive(flood)["text"])["code"] for _ in range(30)]
        assert codes.count("rate_limited") >= 15
    locked = make_client(Settings(default_profile="support_hi", reload=False, token="s3cret"))
    with locked.websocket_connect("/v1/sessions") as intruder:
        assert json.loads(receive(intruder)["text"])["code"] == "unauthorized"
        assert receive(intruder) == {"type": "websocket.close", "code": 4401, "reason": ""}


def test_session_errors_are_counted_in_status(make_client: MakeClient) -> None:
    client = make_client()
    with client.websocket_connect("/v1/sessions") as session:
        session.send_text(json.dumps({"type": "zap"}))
        assert json.loads(receive(session)["text"])["code"] == "unknown_type"
    assert client.get("/v1/status").json()["session_errors"] == {"unknown_type": 1}
