"""Did the daemon hang up through Twilio's REST API? Asked of that API (or its simulator)
after the daemon closed the stream: closing a Twilio stream moves the call on to the next
TwiML verb, it does not end the call.

GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json with basic auth (AccountSid,
auth token); the call's `status` is "completed" once hung up
(https://www.twilio.com/docs/voice/api/call-resource#fetch-a-call-resource). Exotel has no
hang-up API: closing its stream hands the call to the flow's next applet (a Hangup applet),
so an Exotel call the daemon ends is not asked about.
"""

from __future__ import annotations

from voiceops.harness.phone.options import HangupCheck
from voiceops.telephony.types import CallInfo

__all__ = ["hangup_check"]

_TIMEOUT_S = 10.0
_ENDED = {"completed", "canceled", "busy", "failed", "no-answer"}


def hangup_check(base_url: str, auth_token: str) -> HangupCheck:
    """A check that asks the Twilio API at `base_url` whether a call has ended: True or
    False, or None (not known) when the API cannot be reached or does not know the call."""

    async def check(call: CallInfo) -> bool | None:
        import httpx

        if call.carrier != "twilio":
            return None
        url = (f"{base_url.rstrip('/')}/2010-04-01/Accounts/{call.account_sid}/Calls/"
               f"{call.call_sid}.json")
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_S) as client:
                response = await client.get(url, auth=(call.account_sid, auth_token))
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None  # 404 too: this API does not know the call, so it cannot tell
        try:
            status = response.json().get("status")
        except (ValueError, AttributeError):
            return None
        return isinstance(status, str) and status.lower() in _ENDED

    return check
