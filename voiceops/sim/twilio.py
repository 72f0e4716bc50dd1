"""Twilio simulator: the part of the REST API a voice agent uses, the Calls resource.

Served under `/2010-04-01/Accounts/{AccountSid}/` (twilio.com/docs/voice/api/call-resource),
HTTP basic auth with the account SID and auth token or an API key's SID and secret
(twilio.com/docs/api/errors/20003), form-encoded requests, JSON answers:
- `POST Calls.json` (To, From, and Url or Twiml): a new call, 201, status `queued`; the
  simulated callee answers at once, so it is `in-progress` from then on. The phone simulator
  (`voiceops phone`) makes its calls this way before it posts the voice webhook.
- `GET Calls/{CallSid}.json`: the call.
- `POST Calls/{CallSid}.json` with `Status=completed` (hangs up a call in progress, or one
  queued or ringing) or `Status=canceled` (only a queued or ringing call; a call in progress
  goes on: twilio/twilio-python#10). Every such request is kept in `hangups`, whatever it
  answered, so a test sees a hang-up the daemon attempted on a call the simulator never
  made.
- `POST Calls/{CallSid}.json` with `Twiml` (a call in progress runs new TwiML: how a
  transfer's `<Dial>` is made): kept in `twiml_updates` with its answer; a call that has
  ended answers 21220, TwiML that is not XML 21200.
Errors are Twilio's shape `{"code", "message", "more_info", "status"}`: a wrong or missing
login 401 code 20003 "Authenticate"; a call or account that is not there 404 code 20404;
an update to a call that has ended 400 code 21220 "Invalid call state"; a new call without
To 21201, without From 21213, other bad Calls requests 21200
(twilio.com/docs/api/errors/{20003,20404,21220,21201,21213,21200}).

`ACCOUNT_SID` and `AUTH_TOKEN` are the simulated account's, well known: `voiceops run --sim`
gives them to the daemon (so it checks webhook signatures with AUTH_TOKEN) and
`voiceops phone` signs its webhooks with the same token.
"""

from __future__ import annotations

import base64
import binascii
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
from voiceops.sim.recent import Recent
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer

__all__ = ["ACCOUNT_SID", "API_KEY_SECRET", "API_KEY_SID", "AUTH_TOKEN", "HangUpRequest",
           "SimCall", "TwilioState", "basic_login", "create_app", "env", "error_body", "serve"]

ACCOUNT_SID = "AC" + "51" * 16  # "sim"-looking, and shaped like a real one (AC + 32 hex)
AUTH_TOKEN = "sim_twilio_auth_token_0123456789"
#: An API key of the account: REST requests may log in with it instead of the auth token.
API_KEY_SID = "SK" + "51" * 16
API_KEY_SECRET = "sim_twilio_api_key_secret_0123"
API_VERSION = "2010-04-01"
#: Calls a simulator remembers; the oldest go first (a daemon on --sim runs for days).
MAX_CALLS = 10_000
_ENDED = frozenset({"completed", "canceled", "busy", "failed", "no-answer"})
_MESSAGES = {20003: "Authenticate", 20404: "The requested resource {path} was not found",
             21220: "Invalid call state", 21201: "No 'To' number specified",
             21213: "'From' phone number is required", 21200: "Calls Resource: {what}"}


@dataclass
class SimCall:
    """One call the simulator holds."""

    sid: str
    account_sid: str
    to: str
    from_: str
    status: str
    direction: str
    created: float
    ended: float | None = None


@dataclass(frozen=True)
class HangUpRequest:
    """An update asking for `status` (completed or canceled) and what it answered."""

    call_sid: str
    status: str
    answered: int  # the HTTP status of the answer


@dataclass(frozen=True)
class TwimlUpdate:
    """An update with `Twiml` (a transfer's `<Dial>`) and what it answered."""

    call_sid: str
    twiml: str
    answered: int


@dataclass
class TwilioState(Recorder):
    """The simulated account: its calls, the hang-ups asked of it, and (as every
    simulator's state) the latest requests' form fields in `received`."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    api_keys: dict[str, str] = field(default_factory=lambda: {API_KEY_SID: API_KEY_SECRET})
    calls: OrderedDict[str, SimCall] = field(default_factory=OrderedDict)
    hangups: Recent[HangUpRequest] = field(default_factory=Recent)
    twiml_updates: Recent[TwimlUpdate] = field(default_factory=Recent)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, call: SimCall) -> None:
        with self.lock:
            self.calls[call.sid] = call
            while len(self.calls) > MAX_CALLS:
                self.calls.popitem(last=False)


def env(server: SimServer, sim: TwilioState) -> dict[str, str]:
    """The variables that point voiceops at this simulator, with the simulated account's
    credentials (the twilio SDK reads the same TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)."""
    return {"TWILIO_ACCOUNT_SID": sim.account_sid, "TWILIO_AUTH_TOKEN": sim.auth_token,
            "TWILIO_BASE_URL": server.url}


def error_body(status: int, message: str, code: int | None = None) -> dict[str, Any]:
    """An error as Twilio shapes it."""
    code = code or status  # a planned fault (a 503) has no Twilio code of its own
    return {"code": code, "message": message, "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}"}


def _error(status: int, code: int, **words: str) -> Response:
    return error_response(error_body(status, _MESSAGES[code].format(**words), code), status)


def _state(request: Request) -> TwilioState:
    return cast(TwilioState, request.app.state.sim)


def basic_login(request: Request) -> tuple[str, str] | None:
    """(user, password) of the request's HTTP basic auth; None without a readable one."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        user, colon, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if scheme.lower() == "basic" and colon and user else None


def _denied(request: Request) -> Response | None:
    """None when basic auth gives the account's SID and auth token (or one of its API keys)
    and the path names that account; else 401 (20003) or 404 (20404)."""
    sim = _state(request)
    login = basic_login(request)
    logins = {sim.account_sid: sim.auth_token, **sim.api_keys}
    if login is None or logins.get(login[0]) != login[1]:
        return _error(401, 20003)
    if request.path_params["account"] != sim.account_sid:
        return _error(404, 20404, path=request.url.path)
    return None


def _date(seconds: float | None) -> str | None:
    # RFC 2822 with a numeric zone, as Twilio writes dates ("Tue, 31 Aug 2010 20:36:28 +0000")
    return None if seconds is None else \
        time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(seconds))


def _resource(call: SimCall) -> dict[str, Any]:
    duration = None if call.ended is None else str(round(call.ended - call.created))
    return {"sid": call.sid, "account_sid": call.account_sid, "to": call.to,
            "to_formatted": call.to, "from": call.from_, "from_formatted": call.from_,
            "status": call.status, "direction": call.direction, "api_version": API_VERSION,
            "date_created": _date(call.created), "date_updated": _date(call.ended or
                                                                      call.created),
            "start_time": _date(call.created), "end_time": _date(call.ended),
            "duration": duration, "parent_call_sid": None, "price": None, "price_unit": "USD",
            "answered_by": None, "forwarded_from": None, "caller_name": None,
            "phone_number_sid": None, "group_sid": None, "queue_time": "0", "trunk_sid": None,
            "uri": f"/{API_VERSION}/Accounts/{call.account_sid}/Calls/{call.sid}.json",
            "subresource_uris": {}}


async def _fields(request: Request) -> dict[str, str]:
    """The request's form fields, recorded in the state's `received`."""
    body = (await request.body()).decode("utf-8", "replace")
    fields = dict(parse_qsl(body, keep_blank_values=True))
    _state(request).record(request.url.path, dict(fields))
    return fields


async def create_call(request: Request) -> Response:
    """`POST Calls.json`: a new outbound call, answered at once."""
    denied = _denied(request)
    if denied is not None:
        return denied
    fields = await _fields(request)
    if not fields.get("To"):
        return _error(400, 21201)
    if not fields.get("From"):
        return _error(400, 21213)
    if not fields.get("Url") and not fields.get("Twiml"):
        return _error(400, 21200, what="give Url or Twiml")
    sim = _state(request)
    call = SimCall("CA" + secrets.token_hex(16), sim.account_sid, fields["To"], fields["From"],
                   "queued", "outbound-api", time.time())
    answer = json_response(request, _resource(call), status=201)
    call.status = "in-progress"  # the simulated callee picks up at once
    sim.add(call)
    return answer


async def call(request: Request) -> Response:
    """`GET` or `POST Calls/{CallSid}.json`: read a call, or end it."""
    denied = _denied(request)
    if denied is not None:
        return denied
    sim = _state(request)
    found = sim.calls.get(request.path_params["sid"])
    if request.method == "GET":
        sim.record(request.url.path, {})
        return json_response(request, _resource(found)) if found else \
            _error(404, 20404, path=request.url.path)
    form = await _fields(request)
    wanted = form.get("Status", "")
    if "Twiml" in form and not wanted:
        answer = _new_twiml(request, found, form["Twiml"])
        sim.twiml_updates.add(TwimlUpdate(request.path_params["sid"], form["Twiml"],
                                          answer.status_code))
        return answer
    answer = _update(request, found, wanted)
    if wanted:
        sim.hangups.add(HangUpRequest(request.path_params["sid"], wanted, answer.status_code))
    return answer


def _update(request: Request, found: SimCall | None, wanted: str) -> Response:
    if found is None:
        return _error(404, 20404, path=request.url.path)
    if wanted and wanted not in ("completed", "canceled"):
        return _error(400, 21200, what=f"Status {wanted!r} is not completed or canceled")
    if found.status in _ENDED:
        return _error(400, 21220)
    if wanted == "completed" or (wanted == "canceled" and found.status != "in-progress"):
        found.status, found.ended = wanted, time.time()
    return json_response(request, _resource(found))


def _new_twiml(request: Request, found: SimCall | None, twiml: str) -> Response:
    if found is None:
        return _error(404, 20404, path=request.url.path)
    if found.status in _ENDED:
        return _error(400, 21220)
    try:
        ET.fromstring(twiml)
    except ET.ParseError:
        return _error(400, 21200, what="Twiml is not valid XML")
    return json_response(request, _resource(found))


ROUTES = [
    Route(f"/{API_VERSION}/Accounts/{{account}}/Calls.json", create_call, methods=["POST"]),
    Route(f"/{API_VERSION}/Accounts/{{account}}/Calls/{{sid}}.json", call,
          methods=["GET", "POST"]),
]


def create_app(sim: TwilioState | None = None) -> Starlette:
    """The Twilio simulator app over `sim` (default: a fresh `TwilioState`)."""
    app = Starlette(routes=ROUTES)
    app.state.sim = sim if sim is not None else TwilioState()
    return app


def serve(sim: TwilioState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the Twilio simulator (`url` is the API root)."""
    return SimServer(create_app(sim), name="twilio", error_body=error_body)
