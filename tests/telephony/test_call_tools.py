"""Tools on a phone call (issue 16, item 4): end_call hangs up through Twilio's REST API
(its simulator) once the goodbye has played, as the carrier's marks tell; transfer_call
hands the call over with <Dial> through the same API."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession

from tests.telephony import streams
from tests.telephony.streams import CALL_SID, STREAM_SID, MakeDaemon, frame, media_payload
from tests.telephony.test_twilio_stream import CONNECTED, PATH, media, send, start
from voiceops.sim import twilio
from voiceops.sim.speech import synthesize
from voiceops.sim.stack import SimStack
from voiceops.telephony import tokens
from voiceops.telephony.codec import pcm_to_ulaw

make_daemon = streams.make_daemon  # the fixture

TARGET = "+14155550123"
PROFILE = f"""version: 1
extends: base
description: A phone agent with tools
language: en-IN
llm: {{provider: openai, model: gpt-5.4-mini}}
tts: {{provider: sarvam, model: bulbul:v3, voice: aditya}}
stt: {{provider: sarvam, model: saaras:v3}}
prompt: {{text: "Help the caller. Use end_call or transfer_call when asked."}}
first_message: Hello.
tools:
  - builtin: end_call
  - builtin: transfer_call
    target: "{TARGET}"
"""


def _echo(ws: WebSocketTestSession, sent: dict[str, Any]) -> None:
    send(ws, {"event": "mark", "streamSid": STREAM_SID, "sequenceNumber": "9",
              "mark": {"name": sent["mark"]["name"]}})


def _call(tmp_path: Path, make_daemon: MakeDaemon, sims: SimStack, words: str
          ) -> tuple[WebSocketTestSession, Any]:
    """A Twilio call on the tools profile; the greeting plays, then the caller says
    `words` (what the simulated STT hears)."""
    (tmp_path / "configs").mkdir(exist_ok=True)
    (tmp_path / "configs" / "phone_tools.yaml").write_text(PROFILE, encoding="utf-8")
    sims.reset()
    sims.sarvam_state.transcripts.append(words)
    daemon = make_daemon(rest=True)
    begin = start(tokens.issue(CALL_SID, "phone_tools"), "phone_tools")
    begin["start"]["accountSid"] = twilio.ACCOUNT_SID
    sims.twilio_state.add(twilio.SimCall(CALL_SID, twilio.ACCOUNT_SID, "+18005550199",
                                         "+919812345678", "in-progress", "inbound", 0.0))
    context = daemon.client.websocket_connect(PATH)
    ws = context.__enter__()
    send(ws, CONNECTED)
    send(ws, begin)
    while (sent := frame(ws)) is not None and sent["event"] != "mark":
        pass
    assert sent is not None
    _echo(ws, sent)  # the greeting played
    speech = pcm_to_ulaw(synthesize("that is all thank you", 8000, voice="caller"))
    audio = speech + b"\xff" * 8000 * 2  # then line silence: the runner ends the turn
    for n, at in enumerate(range(0, len(audio), 160)):
        send(ws, media(audio[at:at + 160], n))
    return ws, context


@pytest.mark.slow
def test_end_call_hangs_up_through_twilio_after_the_goodbye_has_played(
        tmp_path: Path, make_daemon: MakeDaemon, sims: SimStack) -> None:
    ws, context = _call(tmp_path, make_daemon, sims, "That is all, end_call")
    try:
        marks: list[dict[str, Any]] = []
        goodbye = 0  # bytes of mu-law at 8 kHz after the caller's turn
        while True:  # the goodbye's media and marks, none echoed: the daemon waits
            try:
                sent = frame(ws, deadline_s=3.0)
            except TimeoutError:
                break
            assert sent is not None, "the call ended before the goodbye had played"
            if sent["event"] == "mark":
                marks.append(sent)
            elif sent["event"] == "media":
                goodbye += len(media_payload(sent))
        assert marks and goodbye > 0
        # past the goodbye's length by the clock, and still up: its marks are not echoed
        time.sleep(goodbye / 8000 + 0.5)
        assert not sims.twilio_state.hangups.items()
        for sent in marks:
            _echo(ws, sent)  # now it has played
        while frame(ws) is not None:
            pass
    finally:
        context.__exit__(None, None, None)
    [hung_up] = sims.twilio_state.hangups.items()
    assert (hung_up.call_sid, hung_up.status, hung_up.answered) == (CALL_SID, "completed", 200)
    [call] = [r for r in sims.openai_state.received if r.path.startswith("/v1/chat")][-1:]
    assert call.body["messages"][-1]["role"] == "tool"  # the goodbye followed the result


@pytest.mark.slow
def test_transfer_call_dials_the_target_through_twilio(
        tmp_path: Path, make_daemon: MakeDaemon, sims: SimStack) -> None:
    ws, context = _call(tmp_path, make_daemon, sims, "A person please, transfer_call")
    try:
        deadline = time.monotonic() + 30
        while not sims.twilio_state.twiml_updates.items() and time.monotonic() < deadline:
            sent = frame(ws)
            if sent is not None and sent["event"] == "mark":
                _echo(ws, sent)
    finally:
        context.__exit__(None, None, None)
    [update] = sims.twilio_state.twiml_updates.items()
    assert (update.call_sid, update.answered) == (CALL_SID, 200)
    dial = ET.fromstring(update.twiml).find("Dial")
    assert dial is not None and dial.text == TARGET
    assert not sims.twilio_state.hangups.items()
