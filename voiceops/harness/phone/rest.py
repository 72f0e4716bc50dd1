"""Did the daemon hang up through the carrier's REST API? Asked of that API (or its
simulator) after the daemon closed the stream: closing a stream does not end a call.

Twilio: GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json, basic auth
(AccountSid, auth token); `status` is "completed" once hung up
(https://www.twilio.com/docs/voice/api/call-resource#fetch-a-call-resource).
Exotel: GET /v1/Accounts/{sid}/Calls/{CallSid}.json, basic auth (API key, token);
`Call.Status` is "completed" (https://developer.exotel.com/api/call-details).
"""

from __future__ import annotations

from voiceops.harness.phone.call import HangupCheck
from voiceops.telephony.types import CallInfo

__all__ = ["hangup_check"]

_TIMEOUT_S = 10.0
_ENDED = {"completed", "canceled", "busy", "failed", "no-answer"}


def hangup_check(base_url: str, user: str, password: str) -> HangupCheck:
    """A check that asks the carrier API at `base_url` whether the call has ended.
    Answers None (not known) when the API cannot be reached or does not know the call."""

    async def check(call: CallInfo) -> bool | None:
        import httpx

        base = base_url.rstrip("/")
        if call.carrier == "twilio":
            url = f"{base}/2010-04-01/Accounts/{call.account_sid}/Calls/{call.call_sid}.json"
        else:
            url = f"{base}/v1/Accounts/{user or call.account_sid}/Calls/{call.call_sid}.json"
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_S) as client:
                response = await client.get(url, auth=(user or call.account_sid, password))
        except httpx.HTTPError:
            return None
        if response.status_code == 404:
            return False  # the carrier has no record of a hang-up for this call
        if response.status_code != 200:
            return None
        try:
            body = response.json()
        except ValueError:
            return None
        status = body.get("status") if call.carrier == "twilio" else \
            (body.get("Call") or {}).get("Status")
        return isinstance(status, str) and status.lower() in _ENDED

    return check
