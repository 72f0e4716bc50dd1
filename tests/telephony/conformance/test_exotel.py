"""Exotel conformance: the daemon's AgentStream endpoint driven as Exotel's Voicebot applet
drives it (docs: AgentStream WebSocket protocol; Stream and Voicebot applet): the sample
rates, the token rule (Basic auth or ?token=), every event, chunk sizes, clear and marks."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest
import websockets

from tests.telephony.conformance.conftest import DAEMON_TOKEN, NUMBER, call, speech
from voiceops.harness.daemon import DaemonProcess
from voiceops.harness.phone import keys
from voiceops.harness.phone.address import EXOTEL_PATH

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("rate", [8000, 16000, 24000])
def test_a_call_goes_through_every_event_at_each_rate(daemon: DaemonProcess, rate: int) -> None:
    """connected, start, media, dtmf, marks echoed, stop; every chunk the daemon sends is
    3.2 KB to 100 KB in multiples of 320 bytes (a violation otherwise)."""
    report = asyncio.run(call(daemon, "exotel", [speech("What plans do you have?", rate),
                                                 keys("12#")], rate=rate))
    assert report.ok, report.lines()
    greeting, spoken, pressed = report.replies
    assert greeting.first_media_ms is not None and greeting.audio_s > 0.5
    assert spoken.first_media_ms is not None, report.lines()
    assert pressed.first_media_ms is not None, report.lines()
    assert report.marks_sent >= 2 and report.marks_echoed == report.marks_sent


def test_barge_in_clears_and_no_media_of_the_old_reply_follows(daemon: DaemonProcess) -> None:
    report = asyncio.run(call(daemon, "exotel", [speech("Tell me about roaming packs")],
                              barge_in_ms=300))
    assert report.ok, report.lines()
    assert report.clears >= 1 and report.replies[0].interrupted
    assert report.replies[1].first_media_ms is not None


async def _opened(daemon: DaemonProcess, query: str = "", headers: dict[str, str] | None = None,
                  ) -> bool:
    """Whether the stream opens and greets (True) or is refused / closed at once."""
    url = daemon.ws_url.replace("/v1/sessions", EXOTEL_PATH) + f"?sample-rate=8000{query}"
    start = {"event": "start", "sequence_number": "1", "stream_sid": "MZ1", "start": {
        "stream_sid": "MZ1", "call_sid": "CA1", "account_sid": "AC1", "from": "+919876543210",
        "to": NUMBER, "custom_parameters": {},
        "media_format": {"encoding": "audio/x-raw", "sample_rate": "8000", "bit_rate": "16"}}}
    try:
        async with websockets.connect(url, additional_headers=headers or {}) as ws:
            await ws.send(json.dumps({"event": "connected"}))
            await ws.send(json.dumps(start))
            async with asyncio.timeout(10):
                async for message in ws:
                    if json.loads(message).get("event") == "media":
                        return True
    except (websockets.InvalidStatus, websockets.ConnectionClosed, TimeoutError):
        return False
    return False


def _basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"exotel:{password}".encode()).decode()}


def test_the_stream_is_open_on_loopback_without_a_daemon_token(daemon: DaemonProcess) -> None:
    assert asyncio.run(_opened(daemon))


def test_with_a_daemon_token_the_stream_needs_it(guarded: DaemonProcess) -> None:
    assert not asyncio.run(_opened(guarded))
    assert not asyncio.run(_opened(guarded, headers=_basic("wrong")))
    assert not asyncio.run(_opened(guarded, query="&token=wrong"))
    assert asyncio.run(_opened(guarded, headers=_basic(DAEMON_TOKEN)))
    assert asyncio.run(_opened(guarded, query=f"&token={DAEMON_TOKEN}"))


def test_a_number_nobody_answers_is_not_streamed(no_default: DaemonProcess) -> None:
    report = asyncio.run(call(no_default, "exotel", [speech("Hello")],
                              to_number="+919876500000", greeting_timeout_s=5.0))
    assert report.ended_by == "daemon", report.lines()  # closed (sorry said or not)
    assert all(r.first_media_ms is None for r in report.replies[1:])  # never answered


def test_the_daemon_hangs_up_instead_of_just_closing(daemon: DaemonProcess) -> None:
    """Silence ends the call: Exotel documents closing the stream as moving on to the next
    applet, so the daemon must end the call, not only close the socket."""
    report = asyncio.run(call(daemon, "exotel", [speech("Hello")], hangup="daemon"))
    assert report.ended_by == "daemon", report.lines()


def test_the_mulaw_variant_is_answered_in_mulaw(daemon: DaemonProcess) -> None:
    """One Exotel guide describes μ-law 8 kHz media: a start that says so gets μ-law back
    (decoded as μ-law it is a voice, smooth from sample to sample; PCM bytes read as μ-law
    would be noise), in chunks that keep the byte rules."""
    report = asyncio.run(call(daemon, "exotel", [speech("What plans do you have?")],
                              mulaw=True))
    assert report.ok, report.lines()
    greeting, spoken = report.replies
    assert greeting.audio_s > 0.5 and spoken.first_media_ms is not None, report.lines()
    agent = np.frombuffer(bytes(report.agent_track), dtype="<i2").astype(np.float64)
    assert np.count_nonzero(agent) > 4000
    assert np.corrcoef(agent[:-1], agent[1:])[0, 1] > 0.8  # a voice, not noise
