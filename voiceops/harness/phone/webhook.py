"""Twilio's side of call set-up: POST the voice webhook, signed, and read the TwiML answer.

Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security): the full URL
Twilio requested (query string included), then each POST field's name and value, sorted
by name, concatenated; HMAC-SHA1 with the account's auth token; base64; sent as
`X-Twilio-Signature`. The form fields are the ones Twilio's voice webhook sends
(https://www.twilio.com/docs/usage/webhooks/voice-webhooks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voiceops.errors import DaemonConnectionError

if TYPE_CHECKING:
    import httpx

__all__ = ["Answer", "call_form", "parse_twiml", "post_webhook", "sign"]

WEBHOOK_PATH = "/v1/telephony/twilio/voice"


def sign(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    """The `X-Twilio-Signature` of a POST of `form` to `url`."""
    payload = url + "".join(f"{name}{form[name]}" for name in sorted(form))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def call_form(*, call_sid: str, account_sid: str, from_number: str,
              to_number: str) -> dict[str, str]:
    """The fields Twilio posts when a call to `to_number` comes in (ringing, inbound)."""
    return {"AccountSid": account_sid, "ApiVersion": "2010-04-01", "CallSid": call_sid,
            "CallStatus": "ringing", "Called": to_number, "Caller": from_number,
            "Direction": "inbound", "From": from_number, "To": to_number}


@dataclass(frozen=True)
class Answer:
    """What the TwiML says: a bidirectional stream to open, or words and a hang-up."""

    stream_url: str | None  # <Connect><Stream url>, None when the call is not streamed
    parameters: dict[str, str] = field(default_factory=dict)  # its <Parameter>s
    said: str = ""  # <Say> text (a refusal)
    hangup: bool = False
    listen_only: bool = False  # <Start><Stream>: nothing may be sent back


def parse_twiml(text: str) -> Answer:
    """Read a TwiML answer. Raises DaemonConnectionError when it is not TwiML."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise DaemonConnectionError(f"the webhook's answer is not TwiML ({exc})") from exc
    if root.tag != "Response":
        raise DaemonConnectionError(f"the webhook's answer is <{root.tag}>, not <Response>")
    said = " ".join((e.text or "").strip() for e in root.iter("Say")).strip()
    hangup = root.find("Hangup") is not None
    for verb, listen_only in (("Connect", False), ("Start", True)):
        stream = root.find(f"{verb}/Stream")
        if stream is not None:
            parameters = {p.get("name", ""): p.get("value", "")
                          for p in stream.findall("Parameter")}
            return Answer(stream.get("url"), parameters, said, hangup, listen_only)
    return Answer(None, {}, said, hangup)


async def post_webhook(client: httpx.AsyncClient, url: str, auth_token: str,
                       form: Mapping[str, str], *, signed_url: str | None = None,
                       ) -> tuple[int, str]:
    """POST `form` to `url` signed with `auth_token` for `signed_url` (the public URL
    Twilio would have used; default `url`): (status, body)."""
    import httpx

    headers = {"X-Twilio-Signature": sign(auth_token, signed_url or url, form),
               "User-Agent": "TwilioProxy/1.1"}
    try:
        response = await client.post(url, data=dict(form), headers=headers)
    except httpx.HTTPError as exc:
        raise DaemonConnectionError(f"cannot POST the voice webhook at {url}: {exc}") from exc
    return response.status_code, response.text
