"""WebSocket `/v1/telephony/twilio/stream` and `/v1/telephony/exotel/stream`: phone calls;
`/v1/calls`: the calls in progress (for the console).

Each connection is one carrier media stream driven by `telephony.call.Call`. Twilio's is
authenticated by the signed token the voice webhook put in the stream's `<Parameter>`s
(Twilio cannot send headers); Exotel's by the daemon's token rule: open when the daemon has
no token (it then listens on loopback only), else HTTP Basic auth with the token as the
password (what Exotel's applet sends for `wss://user:token@host/...`), a Bearer header, or
`?token=`. Exotel's rate is the URL's `?sample-rate=` (8000 by default).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from voiceops.runtime.tools import own_address
from voiceops.server.auth import authorized
from voiceops.server.state import Runner
from voiceops.server.ws import CLOSE_NORMAL, CLOSE_POLICY, CLOSE_TRY_LATER, close_quietly
from voiceops.telephony.call import Call, Handover, HangUp
from voiceops.telephony.events import Dialect
from voiceops.telephony.exotel_stream import EXOTEL_RATES, ExotelDialect
from voiceops.telephony.twilio_stream import TWILIO

__all__ = ["TELEPHONY_ROUTES"]

log = logging.getLogger("voiceops.telephony")

#: A carrier streams media every 20-100 ms for the whole call: this long without a frame
#: means the stream is dead.
STREAM_QUIET_S = 30.0
#: Query parameters of the Exotel URL that are the daemon's, not the call's
_OUR_PARAMETERS = frozenset({"sample-rate", "token"})


async def twilio_stream(ws: WebSocket) -> None:
    await _serve(ws, TWILIO, token_required=True)


async def exotel_stream(ws: WebSocket) -> None:
    runner: Runner = ws.app.state.runner
    if not _exotel_authorized(ws, runner.settings.token):
        log.warning("exotel stream refused: no valid token (Basic auth password or ?token=)")
        runner.metrics.error("unauthorized")
        await ws.close(CLOSE_POLICY)
        return
    asked = ws.query_params.get("sample-rate", "8000")
    if not asked.isdigit() or int(asked) not in EXOTEL_RATES:
        runner.metrics.error("bad_sample_rate")
        await ws.close(CLOSE_POLICY, f"sample-rate must be one of "
                       f"{', '.join(map(str, EXOTEL_RATES))}")
        return
    # the applet's custom parameters ride in the URL's query, beside ours
    custom = {k: v for k, v in ws.query_params.items() if k not in _OUR_PARAMETERS}
    await _serve(ws, ExotelDialect(int(asked), custom), token_required=False)


def _exotel_authorized(ws: WebSocket, token: str | None) -> bool:
    """The daemon's token as a Basic auth password, a Bearer token, or `?token=`."""
    header = ws.headers.get("authorization", "")
    if token is not None and header.lower().startswith("basic "):
        try:
            _, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(password.encode(), token.encode())
    return authorized(ws, token)


async def _serve(ws: WebSocket, dialect: Dialect, *, token_required: bool) -> None:
    runner: Runner = ws.app.state.runner
    await ws.accept()
    if runner.sockets >= runner.settings.max_sessions:
        runner.metrics.error("server_busy")
        await close_quietly(ws, CLOSE_TRY_LATER)
        return
    runner.sockets += 1

    async def send(text: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await ws.send_text(text)

    async def close() -> None:
        await close_quietly(ws, CLOSE_NORMAL)

    call = Call(runner, dialect, send=send, close=close, hang_up=_hang_up(ws),
                token_required=token_required, handover=_handover(ws),
                own=own_address(ws.scope))
    try:
        await _receive(ws, runner, call)
    finally:
        try:
            await call.close()
            if call.session is not None:
                runner.sessions.discard(call.session)
                runner.metrics.sessions_live.set(len(runner.sessions))
        finally:
            runner.sockets -= 1
            # closed last: whoever sees the stream end sees the call gone from /v1/calls
            await close_quietly(ws, CLOSE_NORMAL)


async def _receive(ws: WebSocket, runner: Runner, call: Call) -> None:
    """Frames into the call until either side ends it."""
    while not call.over.is_set():
        quiet_s = STREAM_QUIET_S if call.session is not None else \
            runner.settings.start_timeout_s
        try:
            message = await asyncio.wait_for(ws.receive(), timeout=quiet_s)
        except TimeoutError:
            runner.metrics.error("stream_timeout")
            log.warning("%s stream: nothing for %g s; closing", call.dialect.carrier, quiet_s)
            return
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            had_session = call.session is not None
            try:
                await call.frame(message["text"])
            except Exception:  # a bug: logged once, counted, and the call goes on
                log.exception("a %s frame failed unexpectedly", call.dialect.carrier)
                runner.metrics.error("internal_error")
            if call.session is not None and not had_session:
                runner.sessions.add(call.session)
                runner.metrics.sessions.inc()
                runner.metrics.sessions_live.set(len(runner.sessions))
        elif message.get("bytes") is not None:
            call.bad_frame("binary frame; carriers send JSON text frames")


def _hang_up(ws: WebSocket) -> HangUp:
    """The carriers' REST hang-up (tests may set `app.state.hang_up` to record it)."""
    injected: HangUp | None = getattr(ws.app.state, "hang_up", None)
    if injected is not None:
        return injected
    from voiceops.telephony.rest import CarrierRest

    runner: Runner = ws.app.state.runner
    return CarrierRest(runner.env, runner.providers.http.httpx).hang_up


def _handover(ws: WebSocket) -> Handover:
    """The carriers' REST hand-over (transfer_call)."""
    from voiceops.telephony.rest import CarrierRest

    runner: Runner = ws.app.state.runner
    return CarrierRest(runner.env, runner.providers.http.httpx).transfer


async def calls(request: Request) -> Response:
    """The phone calls in progress: carrier, numbers, profile, duration, latest words."""
    runner: Runner = request.app.state.runner
    return JSONResponse([call.row() for call in runner.calls.values()])


TELEPHONY_ROUTES = [WebSocketRoute("/v1/telephony/twilio/stream", twilio_stream),
                    WebSocketRoute("/v1/telephony/exotel/stream", exotel_stream),
                    Route("/v1/calls", calls)]
