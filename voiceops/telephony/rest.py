"""Ending a call the carrier's way, so that it ends and does not fall through to what's next.

Closing a media stream does not hang up. Twilio then runs the TwiML after `<Connect>` (none:
the call ends, but only after Twilio notices); Exotel moves to the flow's next applet.

- Twilio: `POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` with
  `Status=completed`, HTTP basic auth (AccountSid and auth token, or an API key SID and
  secret) (twilio.com/docs/voice/api/call-resource#update-a-call-resource; pipecat's
  serializers/twilio.py does the same). `Status=canceled` would not end a call in progress
  (twilio/twilio-python#10). A call that has already ended answers 404 with code 20404
  (pipecat treats that as done) or 400 with code 21220 "Invalid call state"
  (twilio.com/docs/api/errors/21220): both mean there is nothing left to hang up.
- Exotel: the Voicebot applet (App Bazaar) has no documented API to end a call in progress.
  Its v1 Call API reads a call's details (`GET /v1/Accounts/{sid}/Calls/{CallSid}`) but
  does not end one; the Legs API's `/v2/accounts/{sid}/legs/{leg_sid}/actions/hangup`
  (developer.exotel.com/docs/exoml/verbs/hangup) acts on legs of its newer ExoML platform,
  not on a Voicebot applet's call. What Exotel documents instead: closing the WebSocket ends
  the applet and the call moves to the next applet in the flow
  (support.exotel.com, "Working with the Stream and Voicebot applet"), so a flow built as
  Voicebot -> Hangup ends the call when the stream closes. `hang_up` makes no request
  for Exotel and leaves the closing to the caller; pipecat's serializers/exotel.py has no
  hang-up either.

Transfer (`transfer`, the `transfer_call` tool): Twilio updates a call in progress with new
TwiML (`POST .../Calls/{CallSid}.json` with `Twiml`, twilio.com/docs/voice/api/call-resource
#update-a-call-resource): the call leaves the `<Connect><Stream>` (the stream stops) and
runs `<Response><Dial>+15551234567</Dial></Response>`, or `<Dial><Sip>sip:...</Sip></Dial>`
for a SIP address (twilio.com/docs/voice/twiml/dial, /twiml/sip). It is not retried: a
second update would dial again. Exotel documents no API that moves a Voicebot applet's call
(the flow's next applet can be a Connect applet, configured in Exotel, not by voiceops), so
`transfer` refuses it with a message that says so.

Base URLs: TWILIO_BASE_URL (default https://api.twilio.com) as `provider_facts`'
`base_url_override` reads for every provider, so `voiceops run --sim` points it at the
simulator. Requests go over the daemon's shared `httpx` client; failures are worded by the
one transport (`providers.transport`) as `ProviderError`s naming "Twilio".
"""

from __future__ import annotations

import base64
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import httpx

from voiceops.errors import (
    MissingKeyError,
    ProviderError,
    ProviderRequestError,
    ProviderSetupError,
)
from voiceops.provider_facts import base_url_override
from voiceops.providers.http import timeout_for
from voiceops.providers.transport import rest
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.providers.transport.wording import Call
from voiceops.telephony.types import CallInfo

__all__ = ["TWILIO_API", "CarrierRest", "dial_twiml"]

log = logging.getLogger("voiceops.telephony")
TWILIO_API = "https://api.twilio.com"
_TIMEOUT_S = 5.0
# The caller has been told goodbye and is waiting for the line to drop: a few quick tries
# (a hang-up is idempotent), a couple of seconds at most.
_RETRY = RetryPolicy(attempts=3, base_delay=0.2, max_delay=1.0, max_total_wait=2.0)
_ONCE = RetryPolicy(attempts=1)
#: Twilio's codes for "that call is over already" (see the module docstring).
_ENDED_CODES = frozenset({20404, 21220})


class _Ended(ProviderRequestError):
    """Twilio's answer that the call is over already (never leaves this module)."""


def _twilio_code(body: bytes) -> int | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, int) else None


class CarrierRest:
    """The carriers' REST APIs as a call needs them: `await CarrierRest(env, http).hang_up(call)`.

    `env` holds the credentials (TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and
    TWILIO_API_SECRET; TWILIO_ACCOUNT_SID when a call does not name its account) and the
    base URL overrides; `http` is the daemon's shared client (`ProviderPool.http.httpx`).
    """

    def __init__(self, env: Mapping[str, str], http: httpx.AsyncClient, *,
                 timeout_s: float = _TIMEOUT_S, retry: RetryPolicy = _RETRY) -> None:
        self._env = env
        self._http = http
        self._timeout = timeout_for(timeout_s)
        self._retry = retry

    async def hang_up(self, call: CallInfo) -> None:
        """End `call` through its carrier; the caller closes the stream afterwards (for
        Exotel that is what ends it). A call that had ended already is no error. Raises
        `ProviderError` (MissingKeyError without credentials, AuthError,
        ProviderUnavailable...) when the carrier could not be told."""
        if call.carrier == "exotel":
            log.debug("call %s: Exotel has no hang-up API; closing the stream ends the "
                      "Voicebot applet", call.call_sid)
            return
        try:
            await self._update_twilio_call(call, {"Status": "completed"})
        except _Ended:
            log.info("call %s had ended already", call.call_sid)
            return
        log.info("call %s hung up through Twilio's REST API", call.call_sid)

    async def transfer(self, call: CallInfo, target: str) -> None:
        """Hand `call` over to `target` (a phone number, or a `sip:` address). Raises
        `ProviderError`: ProviderSetupError for a carrier without such an API (Exotel),
        ProviderRequestError for a call that has ended, and the rest as `hang_up` does."""
        if call.carrier != "twilio":
            raise ProviderSetupError(
                f"{call.carrier.title()} has no API to transfer a call in progress; the "
                "call cannot be transferred from here", provider=call.carrier)
        await self._update_twilio_call(call, {"Twiml": dial_twiml(target)}, retry=_ONCE)
        log.info("call %s transferred to %s through Twilio's REST API", call.call_sid, target)

    async def _update_twilio_call(self, call: CallInfo, fields: Mapping[str, str], *,
                                  retry: RetryPolicy | None = None) -> None:
        # The URL names the call's own account; the login is the account whose token we
        # hold, which may be its parent (a parent's credentials reach its subaccounts).
        owner = self._env.get("TWILIO_ACCOUNT_SID", "")
        account = call.account_sid or owner
        key, secret, env_var = self._twilio_credentials(owner or account)
        root = (base_url_override("twilio", self._env) or TWILIO_API).rstrip("/")
        url = f"{root}/2010-04-01/Accounts/{account}/Calls/{call.call_sid}.json"
        wording = Call("twilio", f"POST {url}", secret, env_var, self._timeout)
        basic = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
        headers = {"Accept": "application/json", "Authorization": f"Basic {basic}"}
        # Twilio's error bodies ({"code", "message", "more_info", "status"}) are worded by
        # the transport like any provider's: it quotes a top-level "message".
        build = rest.post(self._http, url, headers, self._timeout, data=dict(fields))

        def refine(status: int, body: bytes) -> ProviderError | None:
            if _twilio_code(body) in _ENDED_CODES:
                return _Ended(f"Twilio call {call.call_sid} has ended already",
                              provider="twilio", status=status)
            return None

        async with rest.open_response(self._http, wording, build,
                                      retry=retry or self._retry, refine=refine) as response:
            await rest.read_body(response, wording)

    def _twilio_credentials(self, account: str) -> tuple[str, str, str]:
        """(username, password, the variable the password came from) for basic auth as
        `account` (or an API key)."""
        api_key, api_secret = self._env.get("TWILIO_API_KEY"), self._env.get("TWILIO_API_SECRET")
        if api_key and api_secret:
            return api_key, api_secret, "TWILIO_API_SECRET"
        token = self._env.get("TWILIO_AUTH_TOKEN")
        if not token or not account:
            missing = "TWILIO_AUTH_TOKEN" if not token else "TWILIO_ACCOUNT_SID"
            raise MissingKeyError(f"Twilio: cannot hang up without {missing} (or "
                                  "TWILIO_API_KEY and TWILIO_API_SECRET)",
                                  provider="twilio", env_var=missing)
        return account, token, "TWILIO_AUTH_TOKEN"



def dial_twiml(target: str) -> str:
    """`<Response><Dial>target</Dial></Response>`; a `sip:` target inside `<Sip>`."""
    response = ET.Element("Response")
    dial = ET.SubElement(response, "Dial")
    if target.lower().startswith(("sip:", "sips:")):
        ET.SubElement(dial, "Sip").text = target
    else:
        dial.text = target
    return ET.tostring(response, encoding="unicode")
