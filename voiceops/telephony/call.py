"""One phone call: a carrier's media stream in front of a voice `Session`.

The stream's `start` names the call; the profile comes from the Twilio webhook's signed
token (verified for this call, once) or, for Exotel, from routing the dialled number. Then
the session opens at once and its greeting goes out (the caller hears it within the first
few hundred milliseconds). Caller audio is decoded to PCM for the session; the session's
audio goes out through a `CarrierOutbox` (resampled, encoded, chunked, marked). Keys
pressed follow the profile's `phone.dtmf`: `turn` collects digits until the finish key or
a pause and sends them as a typed turn, `event` hands each to the session as it comes,
`ignore` drops them. The call ends when the caller hangs up (`stop`), or ours: the session
gives up on a silent caller, or `max_duration_s` passes; then the carrier's REST API hangs
up (closing the socket alone moves the call to the next TwiML verb or applet) and the
socket closes.

A frame that breaks the protocol is counted (`bad_stream_frame`) and logged once a call;
the call goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from voiceops.catalog.resolve import Catalog
from voiceops.config.settings import DtmfSettings
from voiceops.errors import PromptError, SessionError, TelephonyError
from voiceops.runtime.config import ConfigVersion, LiveProfile
from voiceops.runtime.fallback import chain_of
from voiceops.runtime.session import Session, output_rate_of
from voiceops.runtime.tools import Transfer, tools_for
from voiceops.server.state import Runner
from voiceops.telephony import tokens
from voiceops.telephony.codec import ulaw_to_pcm
from voiceops.telephony.events import (
    Connected,
    Dialect,
    Dtmf,
    Event,
    Marked,
    Media,
    Started,
    Stopped,
    StreamError,
)
from voiceops.telephony.live import LiveCall
from voiceops.telephony.outbox import CarrierOutbox, MarkedPlayback
from voiceops.telephony.routing import call_vars, phone_number, phone_settings, route
from voiceops.telephony.types import CallInfo

__all__ = ["Call", "Handover", "HangUp"]

log = logging.getLogger("voiceops.telephony")

HangUp = Callable[[CallInfo], Awaitable[None]]
#: The carrier's hand-over of a call to a number or SIP address (transfer_call).
Handover = Callable[[CallInfo, str], Awaitable[None]]


class Call:
    """Drives one media stream: feed it each text frame (`frame`) until it says the call
    is over; `close()` when the socket is gone."""

    def __init__(self, runner: Runner, dialect: Dialect, *, send: Callable[[str], Awaitable[None]],
                 close: Callable[[], Awaitable[None]], hang_up: HangUp,
                 token_required: bool, handover: Handover | None = None,
                 own: tuple[str, int] | None = None) -> None:
        self.runner = runner
        self.dialect = dialect
        self._send = send
        self._close = close
        self._hang_up = hang_up
        self._handover = handover
        self._own = own  # the daemon's address: no tool may call it
        self._token_required = token_required
        self.session: Session | None = None
        self.live: LiveCall | None = None
        self.outbox: CarrierOutbox | None = None
        self.over = asyncio.Event()  # the call has ended (either side)
        self._encoding = "pcm"
        self._started_at = 0.0
        self._dtmf: DtmfSettings | None = None
        self._keys = ""
        self._keys_timer: asyncio.TimerHandle | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._warned = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._ending: asyncio.Future[None] | None = None  # our hang-up, once begun

    async def frame(self, raw: str) -> bool:
        """Handle one text frame; True when the call is over."""
        try:
            await self._event(self.dialect.parse(raw))
        except TelephonyError as exc:
            await self._refused(exc)
        except SessionError as exc:  # the session could not start, or refused a frame
            if self.session is None:
                await self._refused(TelephonyError(exc.code, str(exc)))
            else:
                self.runner.metrics.error(exc.code)
        return self.over.is_set()

    def bad_frame(self, message: str) -> None:
        """A frame that is not text (Twilio reports binary frames as error 31950)."""
        self._protocol_error(StreamError(message))

    # -- events --------------------------------------------------------------------------

    async def _event(self, event: Event) -> None:
        if isinstance(event, Connected):
            return
        if isinstance(event, Started):
            if self.session is not None:
                raise StreamError("a second start on one stream")
            await self._start(event)
            return
        if self.session is None or self.outbox is None:
            raise StreamError(f"{type(event).__name__.lower()} before start")
        if self._ending is not None and not isinstance(event, Stopped):
            return  # hanging up: what the caller still sends changes nothing
        if event.stream_sid != self.outbox.stream_sid:
            raise StreamError(f"stream id {event.stream_sid!r} is not this stream's")
        if isinstance(event, Media):
            pcm = ulaw_to_pcm(event.payload) if self._encoding == "mulaw" else event.payload
            await self.session.on_audio(pcm)
        elif isinstance(event, Marked):
            self.outbox.marked(event.name)
        elif isinstance(event, Dtmf):
            await self._key(event.digit)
        elif isinstance(event, Stopped):
            log.info("call %s: the caller hung up", self.outbox.stream_sid)
            self.over.set()

    async def _start(self, event: Started) -> None:
        runner, call = self.runner, event.call
        self._started_at = time.perf_counter()
        version = runner.registry.current  # the call keeps this snapshot to the end
        name = self._profile_for(call, version)
        profile = version.profiles.get(name) if name else None
        if profile is None:
            raise TelephonyError("call_refused", f"no profile answers {call.to_number or '?'}"
                                 + (f" ('{name}' is not served)" if name else ""))
        try:
            prompt = version.render(profile, call_vars(version, profile, call))
        except PromptError as exc:
            raise TelephonyError("bad_vars", str(exc)) from exc
        self._encoding = event.encoding
        self._dtmf = phone_settings(profile).dtmf
        playback = MarkedPlayback()
        output_rate = (_line_rate_if_voiced(profile, event.sample_rate, version.catalog)
                       or output_rate_of(profile))
        self.outbox = CarrierOutbox(
            send=self._send, dialect=self.dialect, stream_sid=call.stream_sid,
            encoding=event.encoding, line_rate=event.sample_rate,
            output_rate=output_rate, playback=playback,
            on_end=self.end, on_frame=self._on_frame, on_first_media=self._greeted)
        session = Session(version=version, profile=profile, system_prompt=prompt.system,
                          first_message=prompt.first_message,
                          providers=runner.providers.for_session(), resolve=runner.resolve,
                          env=runner.env, outbox=self.outbox, observer=runner.metrics,
                          input_rate=event.sample_rate, output_rate=self.outbox.output_rate,
                          playback=playback, health=runner.health,
                          endpointing=True,  # a caller never sends end_of_turn
                          announce={"carrier": call.carrier, "call_sid": call.call_sid},
                          tools=tools_for(profile.data, runner.env, runner.providers.http.httpx,
                                          own=self._own, transfer=self._transfer_of(call)))
        self.session = session
        self.live = LiveCall(call=call, caller=phone_number(call.from_number, call.carrier),
                             called=phone_number(call.to_number, call.carrier),
                             profile=profile.name, session=session.id)
        runner.calls[call.stream_sid] = self.live
        runner.metrics.call_started(call.carrier)
        limit = min(profile.session_settings.max_duration_s, runner.settings.max_session_s)
        self._deadline = asyncio.get_running_loop().call_later(limit, self._spawn,
                                                               self._out_of_time)
        log.info("call %s (%s): profile %s on config %s", call.call_sid, call.carrier,
                 profile.name, version.label)
        await session.open()

    def _profile_for(self, call: CallInfo, version: ConfigVersion) -> str | None:
        """Twilio: the profile the webhook chose, from the token it signed for this call.
        Exotel: the profile routed to the dialled number (or the default)."""
        if not self._token_required:
            return route(version, call.to_number, self.runner.settings.default_profile)
        token = call.custom.get("token")
        if not token:
            raise TelephonyError("unauthorized", "the stream's start carries no token")
        return tokens.verify(token, call.call_sid)

    # -- keys ----------------------------------------------------------------------------

    async def _key(self, digit: str) -> None:
        settings, session = self._dtmf, self.session
        if settings is None or session is None or settings.mode == "ignore":
            return
        if self.live is not None:
            self.live.said("keys", digit)
        if settings.mode == "event":
            await session.on_key(digit)
            return
        if self._keys_timer is not None:
            self._keys_timer.cancel()
        if digit == settings.finish_on_key:
            await self._keys_done()
            return
        self._keys += digit
        self._keys_timer = asyncio.get_running_loop().call_later(
            settings.timeout_ms / 1000, self._spawn, self._keys_done)

    async def _keys_done(self) -> None:
        """The caller finished keying: the digits are their turn."""
        digits, self._keys, self._keys_timer = self._keys, "", None
        if digits and self.session is not None:
            await self.session.on_text(f"(keypad) {digits}")

    def _transfer_of(self, call: CallInfo) -> Transfer | None:
        handover = self._handover
        if handover is None:
            return None

        async def transfer(target: str) -> None:
            await handover(call, target)

        return transfer

    # -- the end -------------------------------------------------------------------------

    async def _out_of_time(self) -> None:
        log.info("call %s: max_duration_s reached; hanging up",
                 self.live.call.call_sid if self.live else "?")
        await self.end()

    async def end(self) -> None:
        """Our side ends the call: the carrier's REST hang-up, then the socket closes.

        It runs once, to its end, as a task of its own: whoever asked (the session's
        silence timer, the max_duration_s timer) is cancelled when the call closes, and the
        hang-up must not go with it."""
        if self.over.is_set():
            return
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        if self.live is not None:
            self.live.state = "ending"
            try:
                await self._hang_up(self.live.call)
            except Exception as exc:  # the call may still be up: say so, but close anyway
                log.warning("call %s: the %s hang-up failed (%s); closing the stream",
                            self.live.call.call_sid, self.live.call.carrier, exc)
                self.runner.metrics.error("hangup_failed")
        self.over.set()
        self.forget()  # before the stream closes: the call is over when the carrier sees it
        await self._close()

    async def close(self) -> None:
        """The socket is gone: finish hanging up (if our side was), stop the session,
        forget the call."""
        if self._ending is not None:
            await asyncio.gather(self._ending, return_exceptions=True)
        self.over.set()
        for timer in (self._deadline, self._keys_timer):
            if timer is not None:
                timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self.session is not None:
            await self.session.close()
        self.forget()

    def forget(self) -> None:
        """The call is no longer live (/v1/calls, voiceops_calls_live); once."""
        if self.live is not None and self.runner.calls.pop(self.live.call.stream_sid,
                                                           None) is not None:
            self.runner.metrics.call_ended()

    # -- helpers -------------------------------------------------------------------------

    def _spawn(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run a timer's work as a task that survives its own errors (logged, counted)."""
        async def supervised() -> None:
            try:
                await work()
            except Exception:
                log.exception("call: a timer's work failed")
                self.runner.metrics.error("internal_error")

        task = asyncio.ensure_future(supervised())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_frame(self, frame: Mapping[str, Any]) -> None:
        """A session frame (not for the phone line): the call's log and first audio."""
        live = self.live
        if live is None:
            return
        kind = frame.get("type")
        if kind == "transcript" and frame.get("final"):
            live.said("caller", str(frame.get("text", "")))
        elif kind == "reply.done" and frame.get("text"):
            live.said("agent", str(frame["text"]))

    def _greeted(self) -> None:
        """The first audio of the call went out: how long after `start` (the greeting)."""
        if self.live is not None:
            self.live.greeting_ms = (time.perf_counter() - self._started_at) * 1000
            self.live.state = "talking"

    async def _refused(self, exc: TelephonyError) -> None:
        if isinstance(exc, StreamError):
            self._protocol_error(exc)
            return
        log.warning("call refused: %s", exc)
        self.runner.metrics.error(exc.code)
        self.over.set()
        await self._close()

    def _protocol_error(self, exc: StreamError) -> None:
        self.runner.metrics.error(exc.code)
        if not self._warned:  # once a call: a broken peer would flood the log
            self._warned = True
            log.warning("%s stream: %s (further protocol errors on this call are only "
                        "counted)", self.dialect.carrier, exc)


def _line_rate_if_voiced(profile: LiveProfile, rate: int, catalog: Catalog) -> int | None:
    """`rate` when every voice of the profile's TTS chain lists it in the catalog (then
    nothing is resampled); None otherwise, or when the profile sets its own rate."""
    tts = profile.section("tts")
    if tts.get("sample_rate"):
        return None
    for choice in chain_of(tts):
        model = catalog.model(str(choice.get("provider")), str(choice.get("model")))
        if model is None or rate not in model.sample_rates:
            return None
    return rate
