"""Bad frames get an error frame with a code; the session and the server go on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.server.conftest import MakeClient
from tests.server.wsclient import frames_until, receive, start
from voiceops.errors import SessionError
from voiceops.server import protocol
from voiceops.sim.stack import SimStack


@pytest.mark.parametrize(("raw", "code"), [
    ("{", "bad_json"), ("[]", "bad_frame"), ('{"type": "dance"}', "unknown_type"),
    ('{"type": "text"}', "bad_frame"), ('{"type": "text", "text": "  "}', "bad_frame"),
    ('{"type": "start", "vars": []}', "bad_vars"),
    ('{"type": "start", "audio": {"sample_rate": 12345}}', "bad_frame"),
    ('{"type": "start", "audio": {"sample_rate": true}}', "bad_frame"),
    ('{"type": "start", "profile": 7}', "bad_frame"),
    (json.dumps({"type": "text", "text": "x" * 5000}), "frame_too_large"),
    ("[" * 100000, "bad_json"),
    # a lone surrogate cannot be encoded as UTF-8: it must not get into the session
    ('{"type": "text", "text": "hi \\ud800"}', "bad_frame"),
    ('{"type": "start", "profile": "\\ud800"}', "bad_frame"),
    ('{"type": "start", "vars": {"name": "\\udfff"}}', "bad_vars"),
    ('{"type": "start", "vars": {"\\ud800": 1}}', "bad_vars"),
    ('{"type": "start", "vars": {"plans": [{"name": "\\ud800"}]}}', "bad_vars"),
    ('{"type": "start", "audio": {"sample_rate": 16000.0}}', "bad_frame"),
    ('{"type": "start", "audio": []}', "bad_frame"),
])
def test_bad_frames_have_codes(raw: str, code: str) -> None:
    with pytest.raises(SessionError) as err:
        protocol.parse(raw)
    assert err.value.code == code


def test_good_frames() -> None:
    start = protocol.parse('{"type": "start", "profile": "p", "vars": {"a": 1}, '
                           '"audio": {"sample_rate": 8000}}')
    assert start == protocol.Start("p", {"a": 1}, 8000)
    assert protocol.parse('{"type": "interrupt"}') == protocol.Interrupt()
    assert protocol.parse('{"type": "text", "text": "नमस्ते 👋"}') == protocol.Text("नमस्ते 👋")


def test_frames_are_frozen_values() -> None:
    start = protocol.parse('{"type": "start", "vars": {"plans": ["a", "b"]}}')
    assert isinstance(start, protocol.Start) and start.sample_rate == 16000
    with pytest.raises(TypeError):
        start.vars["plans"] = []  # type: ignore[index]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.text(max_size=200), st.builds(json.dumps, st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["type", "text", "profile", "vars",
                                                             "audio", "sample_rate"]),
                                            inner, max_size=4)), max_leaves=12))))
def test_any_text_frame_parses_or_fails_with_a_code(raw: str) -> None:
    try:
        protocol.parse(raw)
    except SessionError as exc:
        assert exc.code in {"bad_json", "bad_frame", "unknown_type", "bad_vars",
                            "frame_too_large"}


def test_bad_frames_on_a_live_socket_leave_the_session_usable(client: TestClient,
                                                              sims: SimStack) -> None:
    sims.reset()
    with client.websocket_connect("/v1/sessions") as ws:
        for bad in ('{"type": "start", "profile": "\\ud800"}',
                    '{"type": "start", "audio": {"sample_rate": 16000.0}}'):
            ws.send_text(bad)
            assert json.loads(receive(ws)["text"])["code"] == "bad_frame"
        start(ws, audio={"sample_rate": 16000})
        frames_until(ws, "reply.done")
        ws.send_text('{"type": "text", "text": "\\ud800 hello"}')
        assert json.loads(receive(ws)["text"])["code"] == "bad_frame"
        ws.send_bytes(b"\x10\x27" * 3200)  # an audio turn at the rate given
        ws.send_text('{"type": "end_of_turn"}')
        frames, audio = frames_until(ws, "turn.metrics")
        assert frames[-2]["text"] and audio > 0
        ws.send_text('{"type": "text", "text": "Hello again"}')
        frames, audio = frames_until(ws, "turn.metrics")
        assert "Hello again" in frames[-2]["text"] and audio > 0


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


frames = st.lists(st.one_of(
    st.binary(max_size=64),
    st.text(max_size=60),
    st.builds(json.dumps, st.fixed_dictionaries({"type": st.sampled_from(
        ["text", "end_of_turn", "interrupt", "zap", "start"])}, optional={
        "text": st.text(max_size=20), "profile": st.sampled_from(["nope", "", "support_hi"]),
        "vars": st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers()))})),
), max_size=6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sent=frames)
def test_random_frames_on_a_live_socket_never_break_the_server(client: TestClient,
                                                              sent: list[Any]) -> None:
    """Whatever a client sends, the server still serves the next connection (the fixture's
    one app serves every example)."""
    with client.websocket_connect("/v1/sessions") as ws:
        for frame in sent:
            if isinstance(frame, bytes):
                ws.send_bytes(frame)
            else:
                ws.send_text(frame)
        ws.send_text('{"type": "stop"}')
    with client.websocket_connect("/v1/sessions") as ws:
        ws.send_text('{"type": "zap"}')
        assert json.loads(ws.receive_text())["code"] == "unknown_type"
