"""One voice session: audio or text in, streamed reply text and audio out.

The session takes the client's frames (`on_text`, `on_audio`, `on_end_of_turn`,
`interrupt`) and runs one turn at a time as a task; the modules beside it do the work:

    turn.py          a turn: STT -> LLM -> chunker -> TTS, failures -> error + apology
    fallback.py      each stage's fallback chain (`first_answer`)
    caller_audio.py  the caller's audio: barge-in, the utterance, endpointing
    history.py       the conversation, capped in turns and characters
    timing.py        the moments of a turn and its `turn.metrics`
    silence.py       the caller who has gone quiet

Barge-in (an `interrupt` frame, or speech while the agent is audible when `barge_in` is
on) cancels the turn's task: the LLM stream and the TTS request are closed at once and
nothing more is sent. Every task of the session (turns, the silence timer) is supervised:
an unexpected error is logged once with its traceback, counted, and told to the client as
an `internal_error` frame, and the session goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from voiceops import languages
from voiceops.providers.base import Message
from voiceops.runtime.caller_audio import CallerAudio, Playback, heard_part
from voiceops.runtime.config import ConfigVersion, LiveProfile
from voiceops.runtime.health import ProviderHealth
from voiceops.runtime.history import History
from voiceops.runtime.silence import SilenceWatch
from voiceops.runtime.timing import Timing, TurnMetrics
from voiceops.runtime.tools import ToolRunner
from voiceops.runtime.turn import Observer, Outbox, Providers, ResolveTarget, Turns

__all__ = ["OUTPUT_RATES", "Observer", "Outbox", "Providers", "ResolveTarget", "Session",
           "TurnMetrics", "heard_part", "output_rate_of"]

log = logging.getLogger("voiceops.session")

#: Output sample rate by optimization: fewer samples are faster to make and to send.
OUTPUT_RATES = {"latency": 16000, "balanced": 22050, "quality": 24000}
_STILL_THERE = {
    "hi": "क्या आप अभी भी लाइन पर हैं?",
    "en": "Are you still there?",
}


def output_rate_of(profile: LiveProfile) -> int:
    """The rate the profile's voice speaks at: its `tts.sample_rate`, else by optimization."""
    rate = profile.section("tts").get("sample_rate")
    return int(rate or OUTPUT_RATES.get(profile.optimization, 22050))


class Session:
    """One conversation on one config snapshot; frames in via `on_*`, out via the outbox."""

    def __init__(self, *, version: ConfigVersion, profile: LiveProfile, system_prompt: str,
                 first_message: str | None, providers: Providers, resolve: ResolveTarget,
                 env: Mapping[str, str], outbox: Outbox, observer: Observer,
                 input_rate: int = 16000, announce: Mapping[str, Any] | None = None,
                 endpointing: bool = False,
                 health: ProviderHealth | None = None, output_rate: int | None = None,
                 playback: Playback | None = None, tools: ToolRunner | None = None) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.version = version
        self.profile = profile
        self.first_message = first_message
        self.outbox = outbox
        self.input_rate = input_rate
        self.announce = dict(announce or {})
        session = profile.session_settings
        # a phone call asks for its line's rate when every voice of the profile has it
        self.output_rate = output_rate or output_rate_of(profile)
        self.history = History(session.max_history_turns)
        # a phone call's playback is told by the carrier's marks what has played
        self.playback = playback or Playback()
        # endpointing: the runner ends the caller's turns whatever the profile says (a phone
        # caller never sends end_of_turn); raises SessionError when the VAD cannot run here
        self._caller = CallerAudio.for_session(session, input_rate, self.playback,
                                               endpointing=endpointing)
        # a caller who speaks (rather than types) and then goes quiet is reminded, then
        # hung up on
        self._silence = SilenceWatch(session.silence_timeout_s,
                                     self._silence_passed)
        self._spoken_to = False
        self._turn: asyncio.Task[None] | None = None
        self._turns = Turns(owner=f"session {self.id}", profile=profile,
                            system_prompt=system_prompt, providers=providers, resolve=resolve,
                            env=env, outbox=outbox, observer=observer,
                            health=health or ProviderHealth(), history=self.history,
                            playback=self.playback, input_rate=input_rate,
                            output_rate=self.output_rate, tools=tools)

    # -- frames in ---------------------------------------------------------------------

    async def open(self) -> None:
        """Say hello: the `ready` frame, then the first message spoken."""
        await self.outbox.json({
            "type": "ready", "session": self.id, "profile": self.profile.name,
            "config_version": self.version.label, "language": self.profile.language,
            "audio": {"input_rate": self.input_rate, "output_rate": self.output_rate,
                      "encoding": "pcm_s16le"},
            "first_message": bool(self.first_message), **self.announce,
        })
        if self.first_message:
            greeting = self.first_message
            self._start(lambda: self._turns.say(greeting))

    async def on_text(self, text: str) -> None:
        """A typed turn: skips STT."""
        self._silence.heard()
        await self._barge()
        timing = Timing()
        self._start(lambda: self._turns.reply(text, timing))

    async def on_audio(self, pcm: bytes) -> None:
        """A frame of caller audio; speech over the agent interrupts it when barge_in is on
        (while its audio is still being made, or still playing at the client)."""
        self._spoken_to = True
        now = time.perf_counter()
        heard = self._caller.hear(pcm, now, awaited=self._silence.pending)
        if heard.speech:
            self._silence.heard()
        if heard.barge_in:
            cut = self.playback.hearing(now)  # what they heard, before the rest is dropped
            if self._turn is not None:
                self._turn.cancel()  # none of its audio may follow the stop, even while sent
            # the client may hold seconds of reply audio: it must drop them now
            await self.outbox.json({"type": "audio.stop"})
            self.playback.silenced()
            await self.interrupt()
            if cut is not None:  # the caller heard only part of the reply
                self._cut_history(cut)
        if self._caller.add(pcm, heard.speech):
            await self.on_end_of_turn()

    async def on_key(self, digit: str) -> None:
        """A key the caller pressed, as an event (a phone profile's `phone.dtmf.mode:
        event`): the caller is there, and the client gets a `dtmf` frame."""
        self._silence.heard()
        await self.outbox.json({"type": "dtmf", "digit": digit})

    async def on_end_of_turn(self) -> None:
        """The caller stopped speaking: transcribe what was sent and reply."""
        audio = self._caller.utterance()
        if audio is None:
            return  # the runner already ended this turn (or nobody spoke): nothing to do
        self._silence.heard()
        await self._barge()
        timing = Timing()
        self._start(lambda: self._turns.listen(audio, timing))

    async def interrupt(self) -> None:
        """Stop speaking now: cancel the LLM and TTS of the current turn."""
        self._silence.heard()
        task = self._turn
        if task is None or task.done():
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def close(self) -> None:
        await self.interrupt()
        self._silence.cancel()

    async def wait_idle(self) -> None:
        """Until the current turn (if any) has finished: for tests and orderly shutdown."""
        if self._turn is not None:
            await asyncio.gather(self._turn, return_exceptions=True)

    # -- tasks -------------------------------------------------------------------------

    def _start(self, turn: Callable[[], Awaitable[bool]]) -> None:
        """Run a turn as the session's task; `turn` makes it once the task runs (a turn
        barged in on before it started is then never made)."""
        async def run() -> None:
            if await turn():
                self._wait_for_caller()

        self._turn = asyncio.ensure_future(self._supervised("turn", run))

    async def _supervised(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run one of the session's tasks so that no failure goes unseen: an unexpected
        error is logged once, counted, and sent as an `internal_error` frame."""
        try:
            await work()
        except Exception as exc:  # a bug: the session survives it (cancelling still works)
            log.exception("session %s: the %s failed unexpectedly", self.id, what)
            await self._turns.error("internal_error", f"the {what} failed unexpectedly "
                                    f"({type(exc).__name__}); the session goes on")

    async def _barge(self) -> None:
        if self._turn is not None and not self._turn.done():
            await self.interrupt()

    # -- the caller --------------------------------------------------------------------

    def _cut_history(self, cut: Callable[[str], str]) -> None:
        """The caller talked over the last reply while it played: keep in the history only
        as much of it as they heard, so the LLM does not assume they heard the rest."""
        last = self.history.last()
        if last is not None and last.role == "assistant":
            self.history.replace_last(Message("assistant", cut(last.content)))

    def _wait_for_caller(self) -> None:
        """The agent has had its say: start the silence clock (for callers who speak)."""
        if self._spoken_to:
            self._silence.after_speaking(self.playback.still_playing_s())

    async def _silence_passed(self, in_a_row: int) -> None:
        await self._supervised("silence timer", lambda: self._on_silence(in_a_row))

    async def _on_silence(self, in_a_row: int) -> None:
        seconds = self._silence.timeout_s
        if in_a_row == 1:
            await self.outbox.json({"type": "silence", "seconds": seconds, "ending": False})
            language = languages.base(self.profile.language or "en")
            reminder = _STILL_THERE.get(language, _STILL_THERE["en"])
            self._start(lambda: self._turns.say(reminder))
            return
        log.info("session %s: the caller has been silent twice; hanging up", self.id)
        await self.outbox.json({"type": "silence", "seconds": seconds, "ending": True})
        await self.outbox.end()
