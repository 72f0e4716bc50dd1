"""One simulated phone call against a daemon, played from the phone network's side.

Twilio: POST the signed voice webhook, read the TwiML, open the `<Connect><Stream>` it
names. Exotel: open the Voicebot stream URL (`?sample-rate=`, custom parameters, Basic
auth with the daemon's token). Then `connected`, `start`, and caller audio in real time:
one tick every 20 ms moves the clock, sends the caller's frame when one is due (20 ms for
Twilio, 100 ms for Exotel) and plays 20 ms of the agent's queued audio, echoing each mark
whose audio has played. A `clear` drops the queue and echoes its pending marks. Every frame
from the daemon is checked against the carrier's rules (dialects.py).

Turn timing is measured at the wire: from the moment the frame carrying the end of the
caller's speech is sent to the first agent media frame that arrives after it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from typing import Any

from voiceops.errors import DaemonConnectionError
from voiceops.harness.phone.address import stream_address
from voiceops.harness.phone.dialects import DIALECTS, Dialect, Violation
from voiceops.harness.phone.options import PhoneOptions, sid
from voiceops.harness.phone.playout import Playout
from voiceops.harness.phone.report import CallReport, Reply
from voiceops.harness.phone.voice import CallerTurn
from voiceops.telephony.types import CallInfo

__all__ = ["place_call"]

TICK_S = 0.02
_KEY_GAP_S = 0.1  # between the keys of one --dtmf entry, as a quick finger presses them
_CONNECT_TIMEOUT_S = 15.0
async def place_call(options: PhoneOptions) -> CallReport:
    """Place the call, hold the conversation, and return what the phone saw.

    Raises DaemonConnectionError when the daemon cannot be reached or refuses the
    stream before it starts.
    """
    return await _Call(options).run()


class _Call:
    def __init__(self, options: PhoneOptions) -> None:
        self.o = options
        rate = 8000 if options.carrier == "twilio" or options.mulaw else options.rate
        self.rate = rate
        self.info = CallInfo(carrier=options.carrier, call_sid=options.call_sid,
                             stream_sid=sid("MZ"), account_sid=options.account_sid,
                             from_number=options.from_number, to_number=options.to_number,
                             custom=dict(options.custom))
        self.report = CallReport(options.carrier, self.info.call_sid, self.info.stream_sid,
                                 rate)
        self.playout = Playout()
        self.closed = asyncio.Event()
        self.ws: Any = None
        self.dialect: Dialect | None = None
        # caller speech in progress: the turn, how far it has been sent, and its reply
        self.speaking: CallerTurn | None = None
        self.sent = 0
        self.spoken = asyncio.Event()
        self.reply = Reply("greeting")
        self.after_clear = False  # a clear came while the caller was speaking
        self.last_media = 0.0
        self.started = 0.0
        self._heard_at = 0.0  # loop time the current turn's speech ended on the wire
        self.http: Any = None  # the daemon's HTTP API, for the words (/v1/calls)

    # set-up ----------------------------------------------------------------------
    async def run(self) -> CallReport:
        import httpx
        import websockets

        async with httpx.AsyncClient(timeout=_CONNECT_TIMEOUT_S) as client:
            self.http = client
            url, headers = await self._open(client)
            if url is None:
                return self.report
            try:
                self.ws = await websockets.connect(url, additional_headers=headers,
                                                   max_size=None,
                                                   open_timeout=_CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, websockets.InvalidHandshake) as exc:
                raise DaemonConnectionError(f"cannot open the media stream {url}: "
                                            f"{exc}") from exc
            self.dialect = DIALECTS[self.o.carrier](self.info, self.rate, mulaw=self.o.mulaw)
            try:
                await self._converse()
            finally:
                await self.ws.close()
            if self.report.ended_by == "daemon":
                await self._check_hangup()
        return self.report

    async def _open(self, client: Any) -> tuple[str | None, dict[str, str]]:
        """Where the stream is (None: the call was refused), and the headers to open it."""
        url, headers, answer = await stream_address(self.o, self.info, client)
        if answer is not None and answer.stream_url is None:
            self.report.refused = answer.said or "(no stream)"
        elif answer is not None:
            if answer.listen_only:
                self.report.violations.append(Violation(
                    "listen_only", "the TwiML opens <Start><Stream> (listen-only): the agent "
                    "could not be heard; use <Connect><Stream>"))
            self.info = dataclasses.replace(self.info, custom=answer.parameters)
        return url, headers

    # the conversation -----------------------------------------------------------
    async def _converse(self) -> None:
        assert self.dialect is not None
        await self._send(self.dialect.connected())
        await self._send(self.dialect.start())
        loop = asyncio.get_running_loop()
        self.started = loop.time()
        reader = asyncio.create_task(self._read())
        ticker = asyncio.create_task(self._tick())
        try:
            await self._script()
        finally:
            ticker.cancel()
            reader.cancel()
            await asyncio.gather(ticker, reader, return_exceptions=True)
        self.report.replies.append(self.reply)

    async def _script(self) -> None:
        """The caller's part: hear the greeting, take each turn, then hang up or wait."""
        begun = await self._until(self._answering, self.o.greeting_timeout_s)
        for turn in self.o.turns:
            if self.closed.is_set():
                return
            if begun and self.o.barge_in_ms is not None:  # talk over the reply
                await asyncio.sleep(self.o.barge_in_ms / 1000)
            elif begun:
                await self._until(self._quiet, self.o.reply_timeout_s)
                await self._words()
            await self._take(turn)
            begun = await self._until(self._answering, self.o.reply_timeout_s)
        if begun:
            await self._until(self._quiet, self.o.reply_timeout_s)
        await self._words()
        if self.o.hangup == "daemon":
            await self._until(lambda: False, self.o.daemon_hangup_timeout_s)
            if not self.closed.is_set():
                self.report.violations.append(Violation(
                    "no_hangup", f"the daemon had not ended the call after "
                    f"{self.o.daemon_hangup_timeout_s:.0f} s"))
        if not self.closed.is_set():
            assert self.dialect is not None
            await self._send(self.dialect.stop())
            self.report.ended_by = "caller"

    async def _take(self, turn: CallerTurn) -> None:
        self.report.replies.append(self.reply)
        self.reply = Reply(turn.label)
        if turn.digits:
            assert self.dialect is not None
            for i, digit in enumerate(turn.digits):
                if i:
                    await asyncio.sleep(_KEY_GAP_S)
                await self._send(self.dialect.dtmf(digit))
            self.reply.heard_end_s = self._now()  # the last key is the end of the turn
            self._heard_at = asyncio.get_running_loop().time()
            return
        self.spoken.clear()
        self.sent = 0
        self.speaking = turn
        await self._until(self.spoken.is_set, len(turn.pcm) / (2 * self.rate) + 30)

    async def _words(self) -> None:
        """The conversation so far as the daemon logs it (`GET /v1/calls`, its row for this
        call): the words are not on the phone wire. Nothing when the daemon does not say."""
        import httpx

        headers = {"Authorization": f"Bearer {self.o.token}"} if self.o.token else {}
        try:
            response = await self.http.get(self.o.base_url.rstrip("/") + "/v1/calls",
                                           headers=headers)
            rows = response.json() if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            return
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("call_sid") == self.info.call_sid:
                log = row.get("log")
                if isinstance(log, list):
                    self.report.words = [(str(e.get("who", "")), str(e.get("text", "")))
                                         for e in log if isinstance(e, dict)]

    def _answering(self) -> bool:
        return self.reply.first_media_ms is not None

    def _quiet(self) -> bool:
        loop = asyncio.get_running_loop()
        return not self.playout.busy and loop.time() - self.last_media >= self.o.pause_s

    async def _until(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        """Poll `condition` each tick until true (True), the timeout or a closed socket."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not condition():
            if self.closed.is_set() or loop.time() >= deadline:
                return False
            await asyncio.sleep(TICK_S)
        return True

    def _now(self) -> float:
        return asyncio.get_running_loop().time() - self.started

    # the clock ---------------------------------------------------------------------
    async def _tick(self) -> None:
        assert self.dialect is not None
        loop = asyncio.get_running_loop()
        tick_bytes = int(self.rate * TICK_S) * 2
        per_frame = self.dialect.frame_ms // 20
        pending = bytearray()
        ticks = 0
        while not self.closed.is_set():
            caller = self._caller_audio(tick_bytes)
            pending += caller
            ticks += 1
            played, reached = self.playout.advance(tick_bytes)
            self.report.caller_track += caller
            self.report.agent_track += played + bytes(tick_bytes - len(played))
            if ticks % per_frame == 0:
                timestamp = (ticks - per_frame) * 20
                await self._send(self.dialect.media(bytes(pending), timestamp))
                pending.clear()
                self._spoke_through()
            for name in reached:
                await self._echo_mark(name)
            await asyncio.sleep(max(self.started + ticks * TICK_S - loop.time(), 0))

    def _caller_audio(self, size: int) -> bytes:
        turn = self.speaking
        if turn is None:
            return bytes(size)
        piece = turn.pcm[self.sent:self.sent + size]
        self.sent += len(piece)
        return piece + bytes(size - len(piece))

    def _spoke_through(self) -> None:
        """After a media frame went out: has the caller's speech now ended on the wire?"""
        turn = self.speaking
        if turn is None:
            return
        if self.reply.heard_end_s is None and self.sent >= turn.speech_end:
            self.reply.heard_end_s = self._now()
            self._heard_at = asyncio.get_running_loop().time()
            self.after_clear = False
        if self.sent >= len(turn.pcm):
            self.speaking = None
            self.spoken.set()

    async def _echo_mark(self, name: str) -> None:
        assert self.dialect is not None
        self.report.marks_echoed += 1
        await self._send(self.dialect.mark(name))

    # frames from the daemon -------------------------------------------------------
    async def _read(self) -> None:
        import websockets

        assert self.dialect is not None
        try:
            async for message in self.ws:
                heard = self.dialect.read(message)
                self.report.violations.extend(heard.violations)
                if heard.event == "media":
                    self._media(heard.pcm)
                elif heard.event == "mark":
                    self.report.marks_sent += 1
                    self.playout.mark(heard.name)
                elif heard.event == "clear":
                    await self._clear()
        except websockets.ConnectionClosed:
            pass  # a clean close ends the loop instead; the close frame is read below
        finally:
            if not self.report.ended_by:
                self.report.ended_by = "daemon"
                self.report.close_code = self.ws.close_code
                self.report.close_reason = self.ws.close_reason or ""
            self.closed.set()

    def _media(self, pcm: bytes) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.after_clear:
            self.report.violations.append(Violation(
                "media_after_clear", f"{len(pcm) / (2 * self.rate):.3f} s of media for the "
                f"interrupted reply arrived after clear, {self._now():.2f} s into the call"))
            return  # the carrier would play it; the report counts it as a violation
        self.playout.push(pcm)
        self.last_media = now
        reply = self.reply
        if reply.heard_end_s is None and reply.label != "greeting" and self.report.replies:
            reply = self.report.replies[-1]  # the caller talks over the previous reply
            reply.audio_s += len(pcm) / (2 * self.rate)
            return
        reply.audio_s += len(pcm) / (2 * self.rate)
        if reply.first_media_ms is None:
            if reply.label == "greeting":
                reply.first_media_ms = (now - self.started) * 1000
            elif reply.heard_end_s is not None:
                reply.first_media_ms = (now - self._heard_at) * 1000

    async def _clear(self) -> None:
        dropped, names = self.playout.clear()
        self.report.clears += 1
        self.report.dropped_s += dropped / (2 * self.rate)
        if self.speaking is not None and self.reply.heard_end_s is None:
            self.after_clear = True  # until this turn's speech ends, media is the old reply
            previous = self.report.replies[-1] if self.report.replies else None
            if previous is not None:
                previous.interrupted = True
        for name in names:
            await self._echo_mark(name)

    async def _send(self, frame: dict[str, Any]) -> None:
        import websockets

        if self.closed.is_set():
            return
        try:
            await self.ws.send(json.dumps(frame))
        except websockets.ConnectionClosed:
            self.closed.set()

    async def _check_hangup(self) -> None:
        if self.o.check_hangup is None:
            return
        self.report.rest_hangup = await self.o.check_hangup(self.info)
        if self.report.rest_hangup is False:
            self.report.violations.append(Violation(
                "no_rest_hangup", "the daemon closed the stream without hanging up through "
                f"the {self.o.carrier} REST API (closing a stream moves the call on to the "
                "next verb or applet; it does not end it)"))

