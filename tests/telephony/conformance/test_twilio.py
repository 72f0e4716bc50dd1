"""Twilio conformance: the daemon's voice webhook and media stream, driven by the phone
simulator as Twilio drives them (docs: Webhooks security, TwiML <Stream>, Media Streams -
WebSocket Messages). Every frame the daemon sends is checked against the docs."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
import websockets

from tests.telephony.conformance.conftest import NUMBER, PROFILE, SHORT_NUMBER, call, speech
from voiceops.harness.daemon import DaemonProcess
from voiceops.harness.phone import keys
from voiceops.harness.phone.dialects import Twilio
from voiceops.harness.phone.options import sid
from voiceops.harness.phone.rest import hangup_check
from voiceops.harness.phone.webhook import WEBHOOK_PATH, call_form, parse_twiml, sign
from voiceops.sim.stack import SimStack
from voiceops.sim.twilio import ACCOUNT_SID, AUTH_TOKEN, SimCall
from voiceops.telephony.types import CallInfo

pytestmark = pytest.mark.slow


def _form(call_sid: str, to: str = NUMBER) -> dict[str, str]:
    return call_form(call_sid=call_sid, account_sid=ACCOUNT_SID, from_number="+14155550123",
                     to_number=to)


def _post(daemon: DaemonProcess, form: dict[str, str], signature: str | None) -> httpx.Response:
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return httpx.post(daemon.http_url + WEBHOOK_PATH, data=form, headers=headers, timeout=30)


def test_an_unsigned_webhook_is_refused(daemon: DaemonProcess) -> None:
    assert _post(daemon, _form(sid("CA")), None).status_code == 403


def test_a_webhook_signed_with_another_token_is_refused(daemon: DaemonProcess) -> None:
    form = _form(sid("CA"))
    url = daemon.http_url + WEBHOOK_PATH
    assert _post(daemon, form, sign("not-the-token", url, form)).status_code == 403


def test_a_webhook_whose_fields_were_changed_after_signing_is_refused(
        daemon: DaemonProcess) -> None:
    form = _form(sid("CA"))
    url = daemon.http_url + WEBHOOK_PATH
    signature = sign(AUTH_TOKEN, url, form)
    assert _post(daemon, {**form, "To": "+14155550199"}, signature).status_code == 403


def test_a_signed_webhook_is_answered_with_a_bidirectional_stream(
        daemon: DaemonProcess) -> None:
    form = _form(sid("CA"))
    response = _post(daemon, form, sign(AUTH_TOKEN, daemon.http_url + WEBHOOK_PATH, form))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(("text/xml", "application/xml"))
    answer = parse_twiml(response.text)
    assert not answer.listen_only and answer.stream_url is not None
    assert answer.stream_url.endswith("/v1/telephony/twilio/stream")
    assert answer.parameters["profile"] == PROFILE and answer.parameters["token"]


def test_a_number_nobody_answers_is_told_sorry_and_hung_up_on(no_default: DaemonProcess) -> None:
    report = asyncio.run(call(no_default, "twilio", [speech("Hello")], to_number="+14155550199"))
    assert report.refused is not None and report.refused.strip(), report.lines()
    assert not report.ok and report.replies == []  # no stream was opened


async def _stream_with(daemon: DaemonProcess, call_sid: str,
                       parameters: dict[str, str]) -> list[Any]:
    """Open the stream as Twilio would with these customParameters: what came back
    before the daemon closed it (or within 10 s)."""
    url = daemon.ws_url.replace("/v1/sessions", "/v1/telephony/twilio/stream")
    info = CallInfo("twilio", call_sid, sid("MZ"), sid("AC"), "+14155550123", NUMBER,
                    parameters)
    dialect = Twilio(info, 8000)
    received: list[Any] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps(dialect.connected()))
        await ws.send(json.dumps(dialect.start()))
        try:
            async with asyncio.timeout(10):
                async for message in ws:
                    received.append(message)
        except TimeoutError:
            received.append("still open after 10 s")
    return received


def _token_for(daemon: DaemonProcess, call_sid: str) -> dict[str, str]:
    form = _form(call_sid)
    response = _post(daemon, form, sign(AUTH_TOKEN, daemon.http_url + WEBHOOK_PATH, form))
    return parse_twiml(response.text).parameters


def test_a_stream_without_a_token_is_closed(daemon: DaemonProcess) -> None:
    received = asyncio.run(_stream_with(daemon, sid("CA"), {"profile": PROFILE}))
    assert received == []  # closed at start: no greeting, nothing


def test_a_stream_with_a_forged_token_is_closed(daemon: DaemonProcess) -> None:
    call_sid = sid("CA")
    parameters = _token_for(daemon, call_sid)
    forged = {**parameters, "token": parameters["token"][:-4] + "AAAA"}
    assert asyncio.run(_stream_with(daemon, call_sid, forged)) == []


def test_a_token_for_another_call_is_closed(daemon: DaemonProcess) -> None:
    parameters = _token_for(daemon, sid("CA"))
    assert asyncio.run(_stream_with(daemon, sid("CA"), parameters)) == []


def test_a_token_is_good_for_one_stream(daemon: DaemonProcess) -> None:
    call_sid = sid("CA")
    parameters = _token_for(daemon, call_sid)
    first = asyncio.run(_stream_with(daemon, call_sid, parameters))
    assert first  # the greeting came
    assert asyncio.run(_stream_with(daemon, call_sid, parameters)) == []


def test_a_call_goes_through_every_event(daemon: DaemonProcess) -> None:
    """connected, start, media (speech, then keys), dtmf, marks echoed, stop."""
    report = asyncio.run(call(daemon, "twilio", [speech("What plans do you have?"),
                                                 keys("12#")]))
    assert report.ok, report.lines()
    greeting, spoken, pressed = report.replies
    assert greeting.first_media_ms is not None and greeting.audio_s > 0.5
    assert spoken.first_media_ms is not None, report.lines()
    assert pressed.first_media_ms is not None, report.lines()  # dtmf mode turn: a reply
    assert report.marks_sent >= 2 and report.marks_echoed == report.marks_sent
    assert report.ended_by == "caller"


def test_barge_in_clears_and_no_media_of_the_old_reply_follows(daemon: DaemonProcess) -> None:
    report = asyncio.run(call(daemon, "twilio", [speech("Tell me about roaming packs")],
                              barge_in_ms=300))
    assert report.ok, report.lines()  # no media after clear for the interrupted reply
    assert report.clears >= 1 and report.replies[0].interrupted
    assert report.replies[1].first_media_ms is not None  # and the new turn is answered


def _ended_by_the_daemon(daemon: DaemonProcess, sims: SimStack, number: str) -> None:
    """A call to `number` that the daemon ends: it must hang up through the REST API, since
    closing the stream only moves Twilio on to the next verb."""
    call_sid = sid("CA")
    sims.twilio_state.add(SimCall(call_sid, ACCOUNT_SID, number, "+14155550123",
                                  "in-progress", "inbound", time.time()))  # Twilio's own
    check = hangup_check(sims.env()["TWILIO_BASE_URL"], AUTH_TOKEN)
    report = asyncio.run(call(daemon, "twilio", [speech("Hello")], hangup="daemon",
                              call_sid=call_sid, check_hangup=check, to_number=number))
    hangups = [h for h in sims.twilio_state.hangups.items() if h.call_sid == call_sid]
    assert report.ended_by == "daemon" and report.rest_hangup is True, \
        (report.lines(), hangups, daemon.output[-2000:])
    assert report.ok, report.lines()
    assert [(h.call_sid, h.status) for h in hangups] == [(call_sid, "completed")]


def test_a_silent_caller_is_hung_up_through_the_rest_api(daemon: DaemonProcess,
                                                         sims: SimStack) -> None:
    """The profile's silence_timeout_s, twice."""
    _ended_by_the_daemon(daemon, sims, NUMBER)


def test_a_call_cut_at_max_duration_is_hung_up_through_the_rest_api(
        daemon: DaemonProcess, sims: SimStack) -> None:
    """max_duration_s (10 s on phone_short), on a daemon that has taken calls before."""
    report = asyncio.run(call(daemon, "twilio", [keys("1")]))  # an earlier, ordinary call
    assert report.ok, report.lines()
    _ended_by_the_daemon(daemon, sims, SHORT_NUMBER)
