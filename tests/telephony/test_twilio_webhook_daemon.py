"""`voiceops run --sim --public-url`: a real daemon behind a pretend tunnel takes Twilio's
webhook signed with the simulated account's well-known token; and --public-url itself."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from twilio.request_validator import RequestValidator

from voiceops.cli import cli
from voiceops.harness.daemon import DaemonProcess
from voiceops.project.scaffold import scaffold
from voiceops.sim import twilio as sim_twilio
from voiceops.telephony.public_url import normalize_public_url, public_origin, websocket_url
from voiceops.telephony.twilio_webhook import VOICE_PATH

PUBLIC = "https://voice.example.test"
FORM = {"AccountSid": sim_twilio.ACCOUNT_SID, "CallSid": "CA" + "3" * 32, "CallStatus": "ringing",
        "Direction": "inbound", "From": "+919812345678", "To": "+14155550100"}


@pytest.mark.slow
def test_a_sim_daemon_checks_webhooks_with_the_simulated_accounts_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    scaffold(tmp_path)
    args = ["support_hi", "--sim", "--public-url", PUBLIC + "/"]
    with DaemonProcess(tmp_path, args) as daemon:
        daemon.wait_for_line(r"Twilio voice webhook https://voice\.example\.test"
                             r"/v1/telephony/twilio/voice")
        rest = re.search(r"Twilio (http://127\.0\.0\.1:\d+)",
                         daemon.wait_for_line(r"REST APIs: SIMULATED, Twilio http"))
        assert rest is not None  # the simulated account the daemon hangs up through
        made = httpx.post(f"{rest[1]}/2010-04-01/Accounts/{sim_twilio.ACCOUNT_SID}/Calls.json",
                          data={"To": "+1", "From": "+1", "Url": PUBLIC + VOICE_PATH},
                          auth=(sim_twilio.ACCOUNT_SID, sim_twilio.AUTH_TOKEN))
        assert made.status_code == 201
        signature = RequestValidator(sim_twilio.AUTH_TOKEN).compute_signature(
            PUBLIC + VOICE_PATH, FORM)

        def post(host: str, signed: str) -> httpx.Response:
            # the tunnel passes the public Host on, as ngrok does by default
            return httpx.post(daemon.http_url + VOICE_PATH, data=FORM, headers={
                "Host": host, "X-Twilio-Signature": signed})

        answer = post("voice.example.test", signature)
        assert answer.status_code == 200, answer.text
        stream = ET.fromstring(answer.text).find("Connect/Stream")
        assert stream is not None
        assert stream.get("url") == "wss://voice.example.test/v1/telephony/twilio/stream"
        assert post("voice.example.test", signature[::-1]).status_code == 403
        assert post("elsewhere.example.test", signature).status_code == 403  # the Host guard


def test_a_bad_public_url_is_a_one_line_usage_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", "--public-url", "ftp://voice.example.test"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "--public-url: expected https://host" in result.output


@pytest.mark.parametrize(("given", "normalized"), [
    ("https://Voice.Example.test/", "https://voice.example.test"),
    ("https://voice.example.test:8443/voiceops/", "https://voice.example.test:8443/voiceops"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
])
def test_public_urls_are_normalized(given: str, normalized: str) -> None:
    assert normalize_public_url(given) == normalized


@pytest.mark.parametrize("bad", ["voice.example.test", "wss://voice.example.test",
                                 "https://voice.example.test/?x=1", "https://", "https://h:99999"])
def test_what_is_not_a_public_url_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_public_url(bad)


def test_stream_urls_follow_the_public_scheme_and_prefix() -> None:
    base = "https://voice.example.test:8443/voiceops"
    assert websocket_url(base, "/v1/x") == "wss://voice.example.test:8443/voiceops/v1/x"
    assert websocket_url("http://127.0.0.1:8765", "/v1/x") == "ws://127.0.0.1:8765/v1/x"
    assert public_origin(base) == "https://voice.example.test:8443"
