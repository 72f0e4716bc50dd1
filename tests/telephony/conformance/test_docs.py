"""The phone simulator speaks what the carriers' docs show, and holds the daemon to it: its
frames have exactly the fields of the documented examples (fixtures/), and the documented
examples of what a server may send pass its checks while broken copies do not."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from typing import Any, cast

import pytest

from tests.telephony.conformance.conftest import doc_frame
from voiceops.harness.phone.dialects import DIALECTS, Dialect
from voiceops.telephony.types import CallInfo, Carrier

CALL = CallInfo("twilio", "CA" + "1" * 32, "MZ" + "2" * 32, "AC" + "3" * 32, "+919876543210",
                "+918047491899", {"key1": "value1"})


FREE_FORM = {"customParameters", "custom_parameters"}  # names the call set-up chooses


def shape(value: Any) -> Any:
    """The field names of a frame, nested, and the JSON type of each value."""
    if isinstance(value, dict):
        return {key: "object" if key in FREE_FORM else shape(inner)
                for key, inner in value.items()}
    return type(value).__name__


def dialect(carrier: str, stream_sid: str = CALL.stream_sid) -> Dialect:
    """The phone's side of `carrier` on a call whose stream is `stream_sid`."""
    name = cast(Carrier, carrier)
    return DIALECTS[name](dataclasses.replace(CALL, carrier=name, stream_sid=stream_sid), 8000)


@pytest.mark.parametrize("carrier", ["twilio", "exotel"])
def test_the_phone_sends_each_event_as_the_docs_show_it(carrier: str) -> None:
    phone = dialect(carrier)
    sent = {"connected": phone.connected(), "start": phone.start(),
            "media": phone.media(bytes(3200 if carrier == "exotel" else 320), 0),
            "dtmf": phone.dtmf("1"), "mark": phone.mark("my label"), "stop": phone.stop()}
    for name, frame in sent.items():
        assert shape(frame) == shape(doc_frame(carrier, name)), name
    numbers = [int(f.get("sequenceNumber", f.get("sequence_number", 0))) for f in sent.values()]
    assert numbers == [0, 1, 2, 3, 4, 5]  # connected has none; then counting from 1


@pytest.mark.parametrize("carrier", ["twilio", "exotel"])
@pytest.mark.parametrize("name", ["media_out", "mark_out", "clear_out"])
def test_what_the_docs_let_a_server_send_passes(carrier: str, name: str) -> None:
    frame = doc_frame(carrier, name)
    sid_key = "streamSid" if carrier == "twilio" else "stream_sid"
    phone = dialect(carrier, frame[sid_key])
    heard = phone.read(json.dumps(frame))
    assert heard.violations == [] and heard.event == frame["event"]


@pytest.mark.parametrize("carrier", ["twilio", "exotel"])
@pytest.mark.parametrize("name", ["media_out", "mark_out", "clear_out"])
def test_a_documented_frame_without_its_stream_sid_is_refused(carrier: str, name: str) -> None:
    frame = copy.deepcopy(doc_frame(carrier, name))
    sid_key = "streamSid" if carrier == "twilio" else "stream_sid"
    phone = dialect(carrier, frame.pop(sid_key))
    assert [v.code for v in phone.read(json.dumps(frame)).violations] == ["missing_field"]


@pytest.mark.parametrize("size, ok", [(3200, True), (3520, True), (102400, True),
                                      (3199, False), (2880, False), (3300, False),
                                      (102720, False)])
def test_exotel_chunk_rules(size: int, ok: bool) -> None:
    frame = copy.deepcopy(doc_frame("exotel", "media_out"))
    frame["media"]["payload"] = base64.b64encode(bytes(size)).decode()
    phone = dialect("exotel", frame["stream_sid"])
    codes = [v.code for v in phone.read(json.dumps(frame)).violations]
    assert codes == ([] if ok else ["chunk_size"])
