"""`POST /v1/telephony/twilio/voice`: Twilio's voice webhook, answered with TwiML.

Twilio POSTs the call's form fields (CallSid, AccountSid, From, To, ...) when a call comes
in (twilio.com/docs/usage/webhooks/voice-webhooks). It cannot send the daemon's bearer
token, so this path is exempt from the token check and authenticated by its signature
instead (`telephony.signature`): unsigned, forged, or with no TWILIO_AUTH_TOKEN to check
against, the answer is 403 and one log line. A genuine call gets
`<Connect><Stream url="wss://PUBLIC/v1/telephony/twilio/stream">` with the parameters the
stream needs: `profile` (routed by the dialled number), `token` (`telephony.tokens`, bound to
the CallSid), `From` and `To`, and any parameter of the webhook URL's own query string (set
per number in Twilio's console: `...?campaign=spring`), which reach the prompt as per-call
variables when its template declares them. A number no profile answers, with no default
profile, is told sorry and hung up on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from voiceops.server.http import problem
from voiceops.server.state import Runner
from voiceops.telephony import tokens
from voiceops.telephony.public_url import websocket_url
from voiceops.telephony.routing import route
from voiceops.telephony.signature import (
    ALGORITHMS,
    SETTINGS_HEADER,
    SIGNATURE_HEADER,
    signature_algorithm,
    signed_by_twilio,
)
from voiceops.telephony.twiml import MAX_TWIML_CHARS, MEDIA_TYPE, connect_stream, say_and_hang_up

__all__ = ["SHARED_KEY_ENV", "STREAM_PATH", "VOICE_PATH", "twilio_voice"]

log = logging.getLogger("voiceops.telephony")

VOICE_PATH = "/v1/telephony/twilio/voice"
STREAM_PATH = "/v1/telephony/twilio/stream"
#: The secret of a Twilio SharedKey, for webhooks a Webhook Rule signs with it.
SHARED_KEY_ENV = "TWILIO_WEBHOOK_SHARED_KEY"
#: What the stream's parameters are called; a query parameter of the same name is dropped.
_RESERVED = frozenset({"profile", "token", "From", "To", "bodySHA256"})
NOT_IN_SERVICE = "Sorry, this number is not in service. Goodbye."
_FORM = "application/x-www-form-urlencoded"


def _runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def _base(request: Request, public_url: str | None) -> str:
    """Where Twilio reaches the daemon: `--public-url` when it has one, else the scheme and
    host the request names (direct exposure, or the phone simulator on loopback)."""
    return public_url or f"{request.url.scheme}://{request.url.netloc}"


def _public_url(request: Request, public_url: str | None) -> str:
    """The URL Twilio requested and signed: the base, the path, and the query as sent."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{_base(request, public_url)}{request.url.path}" + (f"?{query}" if query else "")


def _secret(request: Request, env: Mapping[str, str]) -> tuple[str, str] | str:
    """(secret, algorithm) to check the signature with, or why it cannot be checked."""
    settings = request.headers.get(SETTINGS_HEADER)
    algorithm = signature_algorithm(settings)
    if algorithm not in ALGORITHMS:
        return f"it is signed with {algorithm}, which this version cannot check"
    name = SHARED_KEY_ENV if settings else "TWILIO_AUTH_TOKEN"
    secret = env.get(name)
    if not secret:
        return f"{name} is not set, so its signature cannot be checked"
    return secret, algorithm


def _form(request: Request, body: bytes) -> dict[str, list[str]] | None:
    """The POST fields by name (each value, in order); {} for a body that is not a form;
    None when the body cannot be read as UTF-8."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != _FORM:
        return {}
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _refuse(status: int, code: str, why: str) -> Response:
    log.warning("twilio webhook refused (%d): %s", status, why)
    return problem(status, code, why)


async def twilio_voice(request: Request) -> Response:
    """The voice webhook: verify, route, and answer with TwiML (see the module docstring)."""
    runner = _runner(request)
    checking = _secret(request, runner.env)
    if isinstance(checking, str):
        return _refuse(403, "forbidden", f"a Twilio webhook was refused: {checking}")
    secret, algorithm = checking
    body = await request.body()
    fields = _form(request, body)
    if fields is None:
        return _refuse(400, "bad_request", "the webhook's form is not UTF-8")
    url = _public_url(request, runner.settings.public_url)
    if not signed_by_twilio(secret, url, fields, body,
                            request.headers.get(SIGNATURE_HEADER, ""), algorithm):
        hint = "" if runner.settings.public_url else \
            "; behind a proxy or tunnel, start the daemon with --public-url"
        return _refuse(403, "forbidden", f"the {SIGNATURE_HEADER} of a request to {url} is "
                       f"missing or wrong{hint}")
    call_sid = (fields.get("CallSid") or [""])[0]
    if not call_sid:
        return _refuse(400, "bad_request", "the webhook has no CallSid")
    caller, dialled = (fields.get("From") or [""])[0], (fields.get("To") or [""])[0]
    profile = route(runner.registry.current, dialled, runner.settings.default_profile)
    if profile is None:
        log.info("call %s to %s refused: no profile answers that number and there is no "
                 "default profile", call_sid, dialled)
        return Response(say_and_hang_up(NOT_IN_SERVICE), media_type=MEDIA_TYPE)
    stream = websocket_url(_base(request, runner.settings.public_url), STREAM_PATH)
    parameters = {"profile": profile, "token": tokens.issue(call_sid, profile),
                  "From": caller, "To": dialled}
    custom = {name: value for name, value in parse_qsl(request.url.query)
              if name not in _RESERVED}
    twiml = connect_stream(stream, {**parameters, **custom})
    if len(twiml) > MAX_TWIML_CHARS:  # Twilio would refuse the whole answer (error 32018)
        log.warning("call %s: the webhook URL's query parameters (%s) are dropped: with them "
                    "the TwiML passes Twilio's %d characters", call_sid, ", ".join(custom),
                    MAX_TWIML_CHARS)
        twiml = connect_stream(stream, parameters)
    return Response(twiml, media_type=MEDIA_TYPE)
