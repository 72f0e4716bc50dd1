"""WebSocket `/v1/sessions`: one voice session per connection.

Bad frames get an `error` frame with a code and the session goes on (so does a frame that
hits a bug: `internal_error`, logged with its traceback); only a refused token, a full
server, or the session's time running out close the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from voiceops.errors import PromptError, SessionError
from voiceops.runtime.session import Session
from voiceops.runtime.tools import own_address, tools_for
from voiceops.server import protocol
from voiceops.server.auth import authorized
from voiceops.server.state import Runner
from voiceops.suggest import did_you_mean

log = logging.getLogger("voiceops.server")

CLOSE_NORMAL, CLOSE_POLICY, CLOSE_TRY_LATER, CLOSE_UNAUTHORIZED = 1000, 1008, 1013, 4401


class SocketOutbox:
    """Frames to the client; once the client is gone, further frames are dropped."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.closed = False

    async def json(self, frame: Mapping[str, Any]) -> None:
        if not self.closed:
            try:
                await self.ws.send_text(json.dumps(frame, ensure_ascii=False))
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True

    async def audio(self, pcm: bytes) -> None:
        if not self.closed:
            try:
                await self.ws.send_bytes(pcm)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True

    async def end(self) -> None:
        if not self.closed:
            self.closed = True
            await close_quietly(self.ws, CLOSE_NORMAL)


class RateLimit:
    """A token bucket: `rate` frames a second sustained, bursts up to twice that."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = rate * 2
        self.tokens = self.capacity
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


async def session_endpoint(ws: WebSocket) -> None:
    runner: Runner = ws.app.state.runner
    settings = runner.settings
    await ws.accept()
    outbox = SocketOutbox(ws)
    if not authorized(ws, settings.token):
        await _refuse(ws, outbox, runner, "unauthorized", "a valid token is required "
                      "(Authorization: Bearer ... or ?token=)", CLOSE_UNAUTHORIZED)
        return
    # sockets count, not started sessions: clients that connect first and start later
    # would otherwise all pass the check
    if runner.sockets >= settings.max_sessions:
        await _refuse(ws, outbox, runner, "server_busy", _busy(settings.max_sessions),
                      CLOSE_TRY_LATER)
        return
    runner.sockets += 1
    connection = _Connection(runner, ws, outbox)
    try:
        await connection.serve()
    except WebSocketDisconnect:
        pass  # the client left mid-frame: nothing to answer
    finally:
        try:
            await connection.close()
        finally:  # the slot frees once its session is gone, not before
            runner.sockets -= 1


def _busy(cap: int) -> str:
    return f"the server is at its limit of {cap} sessions"


async def close_quietly(ws: WebSocket, code: int) -> None:
    """Close the connection, unless the client has already gone (it often goes first)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await ws.close(code)


async def _refuse(ws: WebSocket, outbox: SocketOutbox, runner: Runner, code: str,
                  message: str, close_code: int) -> None:
    runner.metrics.error(code)
    await outbox.json({"type": "error", "code": code, "message": message})
    await close_quietly(ws, close_code)


class _Connection:
    def __init__(self, runner: Runner, ws: WebSocket, outbox: SocketOutbox) -> None:
        self.runner = runner
        self.ws = ws
        self.outbox = outbox
        self.session: Session | None = None
        self.limit = RateLimit(runner.settings.max_messages_per_s)
        now = time.monotonic()
        self.deadline = now + runner.settings.max_session_s
        # until `start`, the socket has start_timeout_s; then the profile's idle limit
        self.idle_s = runner.settings.start_timeout_s
        self.heard_at = now

    async def serve(self) -> None:
        settings = self.runner.settings
        while True:
            now = time.monotonic()
            quiet_until = self.heard_at + self.idle_s
            try:
                message = await asyncio.wait_for(
                    self.ws.receive(), timeout=max(min(self.deadline, quiet_until) - now, 0))
            except TimeoutError:
                await self.expire(time.monotonic() >= self.deadline)
                return
            self.heard_at = time.monotonic()
            if message["type"] == "websocket.disconnect":
                return
            payload = message.get("bytes") if message.get("bytes") is not None else \
                message.get("text")
            if payload is None:
                continue
            if not self.limit.take():
                await self.error("rate_limited", "too many frames; slow down")
                continue
            if len(payload) > settings.max_frame_bytes:
                await self.error("frame_too_large", f"frames are limited to "
                                 f"{settings.max_frame_bytes} bytes")
                continue
            try:
                if isinstance(payload, bytes):
                    await self.on_audio(payload)
                elif await self.on_frame(protocol.parse(payload)):
                    return
            except SessionError as exc:
                await self.error(exc.code, str(exc))
            except Exception:  # a bug: logged once, counted, and the connection goes on
                log.exception("a %s frame failed unexpectedly",
                              "binary" if isinstance(payload, bytes) else "text")
                await self.error("internal_error", "the frame could not be handled; the "
                                 "session goes on")

    async def expire(self, session_over: bool) -> None:
        """Close a socket whose time ran out: the session's length, no `start`, or silence."""
        if session_over:
            await self.error("session_expired", "the session reached its time limit")
        elif self.session is None:
            await self.error("start_timeout", f"no start frame within "
                             f"{self.idle_s:g} s; connect when ready to start")
        else:
            await self.error("idle_timeout", f"nothing from the client for {self.idle_s:g} "
                             "s (the profile's session.idle_timeout_s)")
        await close_quietly(self.ws, CLOSE_NORMAL)

    async def on_audio(self, pcm: bytes) -> None:
        if self.session is None:
            raise SessionError("not_started", "send a start frame before audio")
        await self.session.on_audio(pcm)

    async def on_frame(self, frame: protocol.ClientFrame) -> bool:
        """Handle one frame; True when the session should end."""
        if isinstance(frame, protocol.Start):
            await self.start(frame)
            return False
        if isinstance(frame, protocol.Stop):
            await close_quietly(self.ws, CLOSE_NORMAL)
            return True
        if self.session is None:
            raise SessionError("not_started", "send a start frame first")
        if isinstance(frame, protocol.Text):
            await self.session.on_text(frame.text)
        elif isinstance(frame, protocol.EndOfTurn):
            await self.session.on_end_of_turn()
        elif isinstance(frame, protocol.Interrupt):
            await self.session.interrupt()
        return False

    async def start(self, frame: protocol.Start) -> None:
        if self.session is not None:
            raise SessionError("already_started", "this connection already has a session")
        runner = self.runner
        version = runner.registry.current  # the session keeps this snapshot to the end
        name = frame.profile or runner.settings.default_profile
        if name is None:
            raise SessionError("unknown_profile", "name a profile in the start frame")
        profile = version.profiles.get(name)
        if profile is None:
            hint = did_you_mean(name, version.profiles)
            raise SessionError("unknown_profile", f"no profile '{name}'"
                               + (f"; {hint}" if hint else ""))
        try:
            prompt = version.render(profile, frame.vars)
        except PromptError as exc:
            raise SessionError("bad_vars", str(exc)) from exc
        if len(runner.sessions) >= runner.settings.max_sessions:
            raise SessionError("server_busy", _busy(runner.settings.max_sessions))
        limits = profile.session_settings
        self.deadline = time.monotonic() + min(limits.max_duration_s,
                                               runner.settings.max_session_s)
        self.idle_s = min(limits.idle_timeout_s, runner.settings.max_idle_s)
        self.session = Session(version=version, profile=profile, system_prompt=prompt.system,
                               first_message=prompt.first_message,
                               providers=runner.providers.for_session(),
                               resolve=runner.resolve, env=runner.env, outbox=self.outbox,
                               observer=runner.metrics, input_rate=frame.sample_rate,
                               announce={"simulated": runner.settings.simulated},
                               health=runner.health,
                               tools=tools_for(profile.data, runner.env,
                                               runner.providers.http.httpx,
                                               own=own_address(self.ws.scope)))
        runner.sessions.add(self.session)
        runner.metrics.sessions.inc()
        runner.metrics.sessions_live.set(len(runner.sessions))
        log.info("session %s: profile %s on config %s", self.session.id, name, version.label)
        await self.session.open()

    async def error(self, code: str, message: str) -> None:
        self.runner.metrics.error(code)
        await self.outbox.json({"type": "error", "code": code, "message": message})

    async def close(self) -> None:
        self.outbox.closed = True
        if self.session is not None:
            await self.session.close()
            self.runner.sessions.discard(self.session)
            self.runner.metrics.sessions_live.set(len(self.runner.sessions))
