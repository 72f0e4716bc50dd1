"""Exotel simulator: the v1 Call API a voice agent's operator uses around AgentStream.

Exotel documents no REST hang-up for a call in a Voicebot applet (see
`voiceops.telephony.rest`): the bot closes the stream and the flow's next applet (Hangup)
ends the call. So this simulator serves what Exotel does document, under
`/v1/Accounts/{AccountSid}/`, HTTP basic auth with the API key and token:
- `POST Calls/connect` (developer.exotel.com/docs/agentstream/developer-guide, "Connect
  Voice AI"; developer.exotel.com/docs/voice-v1/api-reference/connect-to-flow): dial `From`
  from `CallerId` and connect the answered call to a bot (`StreamUrl`, `StreamType=
  bidirectional`) or a flow (`Url`). Parameter names are read case-insensitively: the
  AgentStream guide writes them in lower case (`from`, `callerid`, `streamurl`).
- `GET Calls/{CallSid}` (developer.exotel.com/api/call-details): the call's details.
Answers are XML `<TwilioResponse><Call>...` as the v1 API's own example shows, or JSON
`{"Call": {...}}` when the path ends in `.json`. The simulated callee answers at once.
`end_call(sid)` is what the flow's Hangup applet does once the stream closes; the phone
simulator (playing Exotel) calls it. Errors: 401 for a wrong login, 404 for an unknown call,
400 for a missing parameter, in a neutral `{"RestException": {"Status", "Message"}}` shape
(Exotel's exact error body is unconfirmed).
"""

from __future__ import annotations

import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voiceops.sim.knobs import Recorder
from voiceops.sim.responses import error_response
from voiceops.sim.server import SimServer
from voiceops.sim.twilio import MAX_CALLS, basic_login

__all__ = ["ACCOUNT_SID", "API_KEY", "API_TOKEN", "ExotelCall", "ExotelState", "create_app",
           "env", "error_body", "serve"]

ACCOUNT_SID = "voiceopssim1"
API_KEY = "sim_exotel_api_key_0123456789"
API_TOKEN = "sim_exotel_api_token_0123456789"


@dataclass
class ExotelCall:
    """One call the simulator holds."""

    sid: str
    account_sid: str
    from_: str  # the number dialled first (the customer, for Connect Voice AI)
    caller_id: str  # the ExoPhone
    status: str
    created: float
    stream_url: str | None = None
    ended: float | None = None


@dataclass
class ExotelState(Recorder):
    """The simulated account, its calls, and the latest requests' fields in `received`."""

    account_sid: str = ACCOUNT_SID
    api_key: str = API_KEY
    api_token: str = API_TOKEN
    calls: OrderedDict[str, ExotelCall] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def end_call(self, sid: str) -> None:
        """Complete call `sid`, as the flow's Hangup applet does after the stream closes."""
        with self.lock:
            call = self.calls[sid]
            if call.ended is None:
                call.status, call.ended = "completed", time.time()


def env(server: SimServer, sim: ExotelState) -> dict[str, str]:
    """The variables pipecat's Exotel guide names, pointing at this simulator."""
    return {"EXOTEL_ACCOUNT_SID": sim.account_sid, "EXOTEL_API_KEY": sim.api_key,
            "EXOTEL_API_TOKEN": sim.api_token, "EXOTEL_BASE_URL": server.url}


def error_body(status: int, message: str) -> dict[str, Any]:
    """An error in the simulator's neutral shape."""
    return {"RestException": {"Status": status, "Message": message}}


def _error(status: int, message: str) -> Response:
    return error_response(error_body(status, message), status)


def _state(request: Request) -> ExotelState:
    return cast(ExotelState, request.app.state.sim)


def _denied(request: Request) -> Response | None:
    sim = _state(request)
    if basic_login(request) != (sim.api_key, sim.api_token):
        return _error(401, "Authentication is required to view this resource")
    if request.path_params["account"] != sim.account_sid:
        return _error(404, f"no account {request.path_params['account']}")
    return None


def _stamp(seconds: float | None) -> str | None:
    # the v1 API's "YYYY-MM-DD HH:mm:ss" (developer.exotel.com/api/statuscallback)
    return None if seconds is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _details(call: ExotelCall) -> dict[str, Any]:
    return {"Sid": call.sid, "AccountSid": call.account_sid, "From": call.from_,
            "To": call.caller_id, "PhoneNumberSid": call.caller_id, "Status": call.status,
            "Direction": "outbound-api", "DateCreated": _stamp(call.created),
            "DateUpdated": _stamp(call.ended or call.created),
            "StartTime": _stamp(call.created), "EndTime": _stamp(call.ended),
            "Duration": None if call.ended is None else round(call.ended - call.created),
            "Price": None, "RecordingUrl": None,
            "Uri": f"/v1/Accounts/{call.account_sid}/Calls/{call.sid}"}


def _answer(request: Request, call: ExotelCall) -> Response:
    details = _details(call)
    if request.url.path.endswith(".json"):
        return error_response({"Call": details}, 200)  # compact JSON, never cached
    root = ET.Element("TwilioResponse")
    element = ET.SubElement(root, "Call")
    for name, value in details.items():
        ET.SubElement(element, name).text = "" if value is None else str(value)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return Response(body, media_type="application/xml")


async def connect(request: Request) -> Response:
    """`POST Calls/connect`: dial and connect to a bot stream or a flow."""
    denied = _denied(request)
    if denied is not None:
        return denied
    body = (await request.body()).decode("utf-8", "replace")
    fields = {name.lower(): value for name, value in parse_qsl(body, keep_blank_values=True)}
    _state(request).record(request.url.path, dict(fields))
    for required in ("from", "callerid"):
        if not fields.get(required):
            return _error(400, f"{required} is required")
    stream = fields.get("streamurl")
    if not stream and not fields.get("url"):
        return _error(400, "give StreamUrl and StreamType=bidirectional, or a flow Url")
    if stream and fields.get("streamtype") != "bidirectional":
        return _error(400, "StreamType must be bidirectional for Connect Voice AI")
    sim = _state(request)
    call = ExotelCall(secrets.token_hex(16), sim.account_sid, fields["from"],
                      fields["callerid"], "in-progress", time.time(), stream)
    with sim.lock:
        sim.calls[call.sid] = call
        while len(sim.calls) > MAX_CALLS:
            sim.calls.popitem(last=False)
    return _answer(request, call)


async def details(request: Request) -> Response:
    """`GET Calls/{CallSid}`: the call's details."""
    denied = _denied(request)
    if denied is not None:
        return denied
    sim = _state(request)
    sim.record(request.url.path, {})
    found = sim.calls.get(request.path_params["sid"])
    return _answer(request, found) if found else _error(404, "no such call")


ROUTES = [
    *(Route(f"/v1/Accounts/{{account}}/Calls/connect{suffix}", connect, methods=["POST"])
      for suffix in (".json", "")),
    *(Route(f"/v1/Accounts/{{account}}/Calls/{{sid}}{suffix}", details, methods=["GET"])
      for suffix in (".json", "")),
]


def create_app(sim: ExotelState | None = None) -> Starlette:
    """The Exotel simulator app over `sim` (default: a fresh `ExotelState`)."""
    app = Starlette(routes=ROUTES)
    app.state.sim = sim if sim is not None else ExotelState()
    return app


def serve(sim: ExotelState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the Exotel simulator (`url` is the API root)."""
    return SimServer(create_app(sim), name="exotel", error_body=error_body)
