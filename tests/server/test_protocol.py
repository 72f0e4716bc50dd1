"""Bad frames get an error frame with a code; the session and the server go on."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceops.errors import SessionError
from voiceops.server import protocol


@pytest.mark.parametrize(("raw", "code"), [
    ("{", "bad_json"), ("[]", "bad_frame"), ('{"type": "dance"}', "unknown_type"),
    ('{"type": "text"}', "bad_frame"), ('{"type": "text", "text": "  "}', "bad_frame"),
    ('{"type": "start", "vars": []}', "bad_vars"),
    ('{"type": "start", "audio": {"sample_rate": 12345}}', "bad_frame"),
    ('{"type": "start", "audio": {"sample_rate": true}}', "bad_frame"),
    ('{"type": "start", "profile": 7}', "bad_frame"),
    (json.dumps({"type": "text", "text": "x" * 5000}), "frame_too_large"),
    ("[" * 100000, "bad_json"),
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
