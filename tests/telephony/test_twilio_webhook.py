"""Twilio's voice webhook: signatures as twilio-python's RequestValidator makes and checks
them (the judge), the TwiML answer, routing, and the daemon's token rule around it."""

from __future__ import annotations

import hashlib
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.datastructures import MultiDict
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.server.app import create_app
from voiceops.server.state import Runner, Settings
from voiceops.telephony import tokens
from voiceops.telephony.twilio_webhook import NOT_IN_SERVICE, SHARED_KEY_ENV, VOICE_PATH

AUTH_TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://abc.ngrok.app"
URL = PUBLIC + VOICE_PATH
CALL = "CA" + "1" * 32
ROUTED = "+14155550100"  # sales_en's number in these tests
FORM = {"AccountSid": "AC" + "2" * 32, "ApiVersion": "2010-04-01", "CallSid": CALL,
        "CallStatus": "ringing", "Direction": "inbound", "From": "+919812345678",
        "To": "+18005550199", "Caller": "+919812345678", "Called": "+18005550199"}

Post = Callable[..., "Posted"]


class Posted:
    def __init__(self, status: int, text: str) -> None:
        self.status, self.text = status, text

    def stream(self) -> tuple[str | None, dict[str, str]]:
        root = ET.fromstring(self.text)
        stream = root.find("Connect/Stream")
        assert stream is not None, self.text
        return stream.get("url"), {p.get("name", ""): p.get("value", "")
                                   for p in stream.findall("Parameter")}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    scaffold(tmp_path)
    sales = tmp_path / "configs" / "sales_en.yaml"
    sales.write_text(sales.read_text(encoding="utf-8") + f'phone:\n  numbers: ["{ROUTED}"]\n',
                     encoding="utf-8")
    return Project(tmp_path)


@pytest.fixture
def make_client(project: Project) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def build(*, env: Mapping[str, str] | None = None, public_url: str | None = PUBLIC,
              default: str | None = "support_hi", token: str | None = None,
              base_url: str = PUBLIC) -> TestClient:
        version = build_version(project, 1).version
        assert version is not None
        settings = Settings(default_profile=default, reload=False, token=token,
                            public_url=public_url)
        runner = Runner(project, LiveRegistry(version), ProviderPool(), resolve_target,
                        {"TWILIO_AUTH_TOKEN": AUTH_TOKEN} if env is None else dict(env),
                        settings)
        client = TestClient(create_app(runner), base_url=base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def signed(url: str = URL, form: Mapping[str, str] | MultiDict = FORM,
           token: str = AUTH_TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


def post(client: TestClient, headers: Mapping[str, str], form: object = FORM,
         query: str = "") -> Posted:
    body = form if isinstance(form, (str, bytes)) else urlencode(
        list(form.multi_items()) if isinstance(form, MultiDict) else dict(form))  # type: ignore[arg-type]
    response = client.post(VOICE_PATH + query, content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    return Posted(response.status_code, response.text)


def test_a_signed_call_is_streamed_with_profile_token_and_numbers(make_client) -> None:  # type: ignore[no-untyped-def]
    answer = post(make_client(), signed())
    assert answer.status == 200
    url, params = answer.stream()
    assert url == "wss://abc.ngrok.app/v1/telephony/twilio/stream"
    assert params["profile"] == "support_hi"  # the To is not routed: the default answers
    assert (params["From"], params["To"]) == (FORM["From"], FORM["To"])
    assert tokens.verify(params["token"], CALL) == "support_hi"


def test_the_answer_is_twiml_the_twilio_sdk_would_write(make_client) -> None:  # type: ignore[no-untyped-def]
    from twilio.twiml.voice_response import Connect, VoiceResponse

    client = make_client()
    response = client.post(VOICE_PATH, content=urlencode(FORM), headers={
        "Content-Type": "application/x-www-form-urlencoded", **signed()})
    assert response.headers["content-type"].startswith("text/xml")
    _, params = Posted(200, response.text).stream()
    expected = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url="wss://abc.ngrok.app/v1/telephony/twilio/stream")
    for name, value in params.items():
        stream.parameter(name=name, value=value)
    expected.append(connect)
    assert ET.canonicalize(response.text) == ET.canonicalize(str(expected))


def test_a_routed_number_reaches_its_profile_whatever_the_default(make_client) -> None:  # type: ignore[no-untyped-def]
    form = {**FORM, "To": ROUTED}
    _, params = post(make_client(), signed(form=form), form).stream()
    assert params["profile"] == "sales_en"


def test_an_unrouted_number_without_a_default_is_told_sorry_and_hung_up_on(make_client) -> None:  # type: ignore[no-untyped-def]
    answer = post(make_client(default=None), signed())
    root = ET.fromstring(answer.text)
    assert answer.status == 200
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root.findtext("Say") == NOT_IN_SERVICE


def test_a_signature_with_the_default_port_written_is_twilios_too(make_client) -> None:  # type: ignore[no-untyped-def]
    validator_url = "https://abc.ngrok.app:443" + VOICE_PATH
    assert RequestValidator(AUTH_TOKEN).validate(URL, FORM, signed(validator_url)[
        "X-Twilio-Signature"])  # the judge accepts it...
    assert post(make_client(), signed(validator_url)).status == 200  # ...and so do we


def test_the_query_string_is_signed_and_its_parameters_reach_the_stream(make_client) -> None:  # type: ignore[no-untyped-def]
    query = "?campaign=spring%20sale&profile=admin&lang=hi"
    client = make_client()
    answer = post(client, signed(URL + query), query=query)
    _, params = answer.stream()
    assert params["campaign"] == "spring sale" and params["lang"] == "hi"
    assert params["profile"] == "support_hi"  # a query cannot choose the profile
    assert post(client, signed(URL), query=query).status == 403  # signed without the query


def test_query_parameters_that_would_pass_twilios_twiml_limit_are_dropped(  # type: ignore[no-untyped-def]
        make_client, caplog: pytest.LogCaptureFixture) -> None:
    query = "?notes=" + "x" * 4000
    with caplog.at_level(logging.WARNING, logger="voiceops.telephony"):
        answer = post(make_client(), signed(URL + query), query=query)
    assert answer.status == 200 and len(answer.text) <= 4000
    assert "notes" not in answer.stream()[1]
    assert any("dropped" in r.getMessage() for r in caplog.records)


def test_a_repeated_field_is_signed_as_the_sdk_signs_it(make_client) -> None:  # type: ignore[no-untyped-def]
    form = MultiDict([*FORM.items(), ("Digits", "2"), ("Digits", "1"), ("Digits", "2")])
    assert post(make_client(), signed(form=form), form).status == 200


@pytest.mark.parametrize("headers", [
    {},
    {"X-Twilio-Signature": ""},
    {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    signed(token="another-accounts-token"),
    signed(url="http://testserver" + VOICE_PATH),
], ids=["unsigned", "empty", "forged", "other-account", "other-url"])
def test_an_unsigned_or_forged_webhook_is_403(make_client, headers) -> None:  # type: ignore[no-untyped-def]
    assert post(make_client(), headers).status == 403


def test_a_changed_field_breaks_the_signature(make_client) -> None:  # type: ignore[no-untyped-def]
    assert post(make_client(), signed(), {**FORM, "From": "+15005550006"}).status == 403


def test_without_an_auth_token_every_webhook_is_refused_with_one_log_line(  # type: ignore[no-untyped-def]
        make_client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="voiceops.telephony"):
        assert post(make_client(env={}), signed()).status == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "voiceops.telephony"]
    assert len(lines) == 1 and "TWILIO_AUTH_TOKEN is not set" in lines[0]
    assert "\n" not in lines[0]


def test_without_public_url_the_request_url_is_what_is_checked(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(public_url=None, base_url="http://127.0.0.1:8765")
    own = "http://127.0.0.1:8765" + VOICE_PATH
    answer = post(client, signed(own))
    assert answer.status == 200
    assert answer.stream()[0] == "ws://127.0.0.1:8765/v1/telephony/twilio/stream"
    assert post(client, signed(URL)).status == 403


def test_a_json_body_is_checked_by_its_bodysha256(make_client) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"CallSid": CALL})
    query = "?bodySHA256=" + hashlib.sha256(body.encode()).hexdigest()
    headers = {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(
        URL + query, {}), "Content-Type": "application/json"}
    assert RequestValidator(AUTH_TOKEN).validate(URL + query, body,
                                                 headers["X-Twilio-Signature"])
    client = make_client()
    genuine = client.post(VOICE_PATH + query, content=body, headers=headers)
    tampered = client.post(VOICE_PATH + query, content=body.replace("1", "9"), headers=headers)
    assert tampered.status_code == 403
    assert genuine.status_code == 400  # genuine, but a voice webhook is a form with a CallSid


def test_a_shared_key_signature_uses_its_algorithm_and_secret(make_client) -> None:  # type: ignore[no-untyped-def]
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=KS123,algorithm=HMAC_SHA256"}
    signature = RequestValidator("shared-secret").compute_signature(URL, FORM, "HMAC_SHA256")
    headers = {**settings, "X-Twilio-Signature": signature}
    with_key = make_client(env={"TWILIO_AUTH_TOKEN": AUTH_TOKEN, SHARED_KEY_ENV: "shared-secret"})
    assert post(with_key, headers).status == 200
    assert post(make_client(), headers).status == 403  # no SharedKey secret to check with
    odd = {"X-Twilio-Webhooks-Signature-Settings": "key=KS123,algorithm=HMAC_MD5",
           "X-Twilio-Signature": signature}
    assert post(with_key, odd).status == 403


def test_a_daemon_with_a_token_takes_signed_webhooks_without_it(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(token="daemon-token")
    assert post(client, signed()).status == 200
    assert post(client, {}).status == 403
    assert client.get("/v1/status").status_code == 401  # the rest still needs the token


def test_only_the_webhook_may_post_a_form(make_client) -> None:  # type: ignore[no-untyped-def]
    response = make_client().post("/v1/tts/preview", content="a=b", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


def test_a_body_that_is_not_utf8_is_a_400_not_a_crash(make_client) -> None:  # type: ignore[no-untyped-def]
    assert post(make_client(), signed(), b"CallSid=%ff\xff").status in (400, 403)
