"""One voice session: audio or text in, streamed reply text and audio out.

A turn runs STT (audio turns only) -> LLM stream -> sentence chunker -> TTS per piece, with
the TTS of one piece overlapping the generation of the next, and audio sent the moment it
arrives. Time to first audio is therefore STT + LLM first token + TTS first byte plus the
wait for the first complete phrase; the runner itself adds only bookkeeping.

Barge-in (an `interrupt` frame, or speech while the agent speaks when `barge_in` is on)
cancels the turn's task: the LLM stream and the TTS request are closed at once and nothing
more is sent. Each provider choice has a fallback chain, tried in order when a provider fails
before its first token or byte; when every one fails the client gets an `error` frame (and,
if a voice still works, a spoken apology) and the session stays open for the next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from voiceops import languages
from voiceops.errors import ProviderError, SessionError
from voiceops.providers.audio import SAMPLE_WIDTH, duration_s
from voiceops.providers.base import LLM, STT, TTS, Message, Target
from voiceops.runtime.chunker import ChunkPolicy, SentenceChunker
from voiceops.runtime.config import ConfigVersion, LiveProfile
from voiceops.runtime.endpointing import LEAD_IN_S, Endpointer
from voiceops.runtime.health import ProviderHealth
from voiceops.runtime.silence import SilenceWatch
from voiceops.runtime.vad import is_speech

log = logging.getLogger("voiceops.session")

#: Output sample rate by optimization: fewer samples are faster to make and to send.
OUTPUT_RATES = {"latency": 16000, "balanced": 22050, "quality": 24000}
MAX_UTTERANCE_S = 30.0  # the longest audio one STT call takes (Sarvam's REST limit)
_APOLOGY = {
    "hi": "माफ़ कीजिए, अभी मुझे कुछ दिक्कत हो रही है। कृपया फिर से कोशिश करें।",
    "en": "Sorry, I'm having trouble right now. Please try again in a moment.",
}
_STILL_THERE = {
    "hi": "क्या आप अभी भी लाइन पर हैं?",
    "en": "Are you still there?",
}


class Outbox(Protocol):
    """Where a session's frames go (the WebSocket, or a test's list)."""

    async def json(self, frame: Mapping[str, Any]) -> None: ...

    async def audio(self, pcm: bytes) -> None: ...

    async def end(self) -> None:
        """Hang up: the server ends the conversation."""
        ...


class Providers(Protocol):
    """Builds provider clients (`voiceops.providers.registry.ProviderPool`)."""

    def llm(self, target: Target) -> LLM: ...

    def tts(self, target: Target, sample_rate: int) -> TTS: ...

    def stt(self, target: Target) -> STT: ...


class ResolveTarget(Protocol):
    """Turns a profile section into a callable `Target` (`registry.resolve_target`)."""

    def __call__(self, section: Mapping[str, Any], env: Mapping[str, str],
                 default_timeout_s: float, *, language: str | None = None) -> Target: ...


@dataclass
class TurnMetrics:
    """Milliseconds per stage of one turn, as the client sees them in `turn.metrics`."""

    stt_ms: float | None = None
    llm_ttft_ms: float | None = None
    tts_ttfb_ms: float | None = None
    first_audio_ms: float | None = None
    #: first_audio_ms minus the providers' share of it (STT, the LLM until the first phrase
    #: was complete, TTS until its first byte): what the runner itself added.
    overhead_ms: float | None = None
    total_ms: float | None = None
    llm: str | None = None  # provider/model that answered
    tts: str | None = None

    def frame(self) -> dict[str, Any]:
        values = {k: (round(v, 1) if isinstance(v, float) else v)
                  for k, v in self.__dict__.items()}
        return {"type": "turn.metrics", **values}


class Observer(Protocol):
    """What a session reports for metrics (the server's Prometheus counters)."""

    def turn(self, metrics: TurnMetrics) -> None: ...

    def error(self, code: str) -> None: ...

    def provider_failed(self, stage: str, provider: str) -> None: ...


@dataclass
class _Timing:
    end_of_turn: float
    llm_started: float | None = None
    first_token: float | None = None
    first_piece: float | None = None
    first_audio: float | None = None
    audio_s: float = 0.0  # seconds of reply audio sent
    tts_ttfb: float | None = None
    metrics: TurnMetrics = field(default_factory=TurnMetrics)

    def ms(self, since: float, until: float | None) -> float | None:
        return None if until is None else (until - since) * 1000


class AllFailed(ProviderError):
    """Raised when a section's main provider and every fallback failed before answering."""


class Session:
    """One conversation on one config snapshot; frames in via `on_*`, out via the outbox."""

    def __init__(self, *, version: ConfigVersion, profile: LiveProfile, system_prompt: str,
                 first_message: str | None, providers: Providers, resolve: ResolveTarget,
                 env: Mapping[str, str], outbox: Outbox, observer: Observer,
                 input_rate: int = 16000, announce: Mapping[str, Any] | None = None,
                 health: ProviderHealth | None = None) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.version = version
        self.profile = profile
        self.system_prompt = system_prompt
        self.first_message = first_message
        self.providers = providers
        self.outbox = outbox
        self.observer = observer
        self.input_rate = input_rate
        self.announce = dict(announce or {})
        session = profile.section("session")
        self.barge_in = bool(session.get("barge_in", True))
        # a caller who speaks (rather than types) and then goes quiet is reminded, then
        # hung up on
        self._silence = SilenceWatch(float(session.get("silence_timeout_s", 8)),
                                     self._on_silence)
        self._spoken_to = False
        quiet_ms = session.get("end_of_turn_silence_ms")
        self._endpointer = Endpointer(quiet_ms / 1000) if isinstance(quiet_ms, int) else None
        self.max_history = int(session.get("max_history_turns", 40)) * 2
        tts = profile.section("tts")
        self.output_rate = int(tts.get("sample_rate") or OUTPUT_RATES.get(
            profile.optimization, 22050))
        self.policy = ChunkPolicy.for_optimization(profile.optimization)
        self.history: list[Message] = []
        self._audio = bytearray()
        self._turn: asyncio.Task[None] | None = None
        self._speaking = False  # audio is being made and sent
        # when the client started playing the last utterance, and will have played it all
        self._audible_from = self._audible_until = 0.0
        self._env = env
        self._resolve = resolve
        self._health = health or ProviderHealth()  # the runner's, shared by its sessions
        self._chains = {name: _chain(profile.section(name)) for name in ("llm", "tts", "stt")}

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
            self._start(self._say(self.first_message))

    async def on_text(self, text: str) -> None:
        """A typed turn: skips STT."""
        self._silence.heard()
        await self._barge()
        self._start(self._reply(text, _Timing(time.perf_counter())))

    async def on_audio(self, pcm: bytes) -> None:
        """A frame of caller audio; speech over the agent interrupts it when barge_in is on
        (while its audio is still being made, or still playing at the client)."""
        self._spoken_to = True
        now = time.perf_counter()
        audible = self._speaking or now < self._audible_until
        listening = self._endpointer is not None or audible or self._silence.pending
        speech = listening and is_speech(pcm)
        if speech:
            self._silence.heard()
            if audible and self.barge_in:
                # the client may hold seconds of reply audio: it must drop them now
                await self.outbox.json({"type": "audio.stop"})
                if not self._speaking:  # all of it was sent: the caller heard only part
                    self._cut_history(now)
                self._audible_until = 0.0
                await self.interrupt()
        limit = int(MAX_UTTERANCE_S * self.input_rate) * SAMPLE_WIDTH
        if len(self._audio) + len(pcm) > limit:
            raise SessionError("utterance_too_long",
                               f"more than {MAX_UTTERANCE_S:.0f} s of audio in one turn; "
                               "send end_of_turn more often")
        self._audio += pcm
        if self._endpointer is not None:
            if not self._endpointer.started and not speech:  # nothing said yet
                del self._audio[:-int(LEAD_IN_S * self.input_rate) * SAMPLE_WIDTH]
            if self._endpointer.frame(duration_s(pcm, self.input_rate), speech):
                await self.on_end_of_turn()

    async def on_end_of_turn(self) -> None:
        """The caller stopped speaking: transcribe what was sent and reply."""
        if self._endpointer is not None:
            if not self._endpointer.started:
                return  # the runner already ended this turn (or nobody spoke): nothing to do
            self._endpointer.reset()
        audio, self._audio = bytes(self._audio), bytearray()
        self._silence.heard()
        await self._barge()
        self._start(self._listen(audio, _Timing(time.perf_counter())))

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

    # -- turns -------------------------------------------------------------------------

    def _start(self, work: Awaitable[None]) -> None:
        self._turn = asyncio.ensure_future(work)

    async def _barge(self) -> None:
        if self._turn is not None and not self._turn.done():
            await self.interrupt()

    async def _listen(self, audio: bytes, timing: _Timing) -> None:
        if not audio:
            await self._error("no_audio", "end_of_turn without audio since the last turn")
            return
        try:
            transcript = await self._transcribe(audio)
        except AllFailed as exc:
            await self._error("stt_failed", str(exc))
            return
        timing.metrics.stt_ms = timing.ms(timing.end_of_turn, time.perf_counter())
        await self.outbox.json({"type": "transcript", "final": True, "text": transcript})
        if not transcript.strip():
            await self._error("no_speech", "no speech was recognised")
            return
        await self._reply(transcript, timing)

    async def _reply(self, text: str, timing: _Timing) -> None:
        self.history.append(Message("user", text))
        messages = [Message("system", self.system_prompt), *self.history[-self.max_history:]]
        pieces: asyncio.Queue[str | None] = asyncio.Queue()
        speaker = asyncio.ensure_future(self._speak(pieces, timing))
        reply = ""
        interrupted = False
        try:
            chunker = SentenceChunker(self.policy)
            async for delta in self._generate(messages, timing):
                reply += delta
                await self.outbox.json({"type": "reply.delta", "text": delta})
                for piece in chunker.feed(delta):
                    timing.first_piece = timing.first_piece or time.perf_counter()
                    pieces.put_nowait(piece)
            if (tail := chunker.flush()) is not None:
                timing.first_piece = timing.first_piece or time.perf_counter()
                pieces.put_nowait(tail)
            pieces.put_nowait(None)
            await speaker
        except asyncio.CancelledError:
            interrupted = True
            raise
        except AllFailed as exc:
            speaker.cancel()
            await self._error("llm_failed", str(exc))
            await self._apologise()
        finally:
            if not speaker.done():
                speaker.cancel()
                await asyncio.gather(speaker, return_exceptions=True)
            self._speaking = False
            if reply:  # what was said stays in the history, even when cut off
                self.history.append(Message("assistant", reply))
            await _shielded(self._finish(reply, interrupted, timing))

    async def _finish(self, reply: str, interrupted: bool, timing: _Timing) -> None:
        m = timing.metrics
        m.llm_ttft_ms = timing.ms(timing.llm_started or 0, timing.first_token)
        m.first_audio_ms = timing.ms(timing.end_of_turn, timing.first_audio)
        m.tts_ttfb_ms = timing.tts_ttfb
        m.total_ms = timing.ms(timing.end_of_turn, time.perf_counter())
        llm_share = timing.ms(timing.llm_started or 0, timing.first_piece)
        if m.first_audio_ms is not None and llm_share is not None and m.tts_ttfb_ms is not None:
            m.overhead_ms = m.first_audio_ms - (m.stt_ms or 0) - llm_share - m.tts_ttfb_ms
        await self.outbox.json({"type": "reply.done", "text": reply,
                                "interrupted": interrupted})
        await self.outbox.json(m.frame())
        self.observer.turn(m)
        if not interrupted:
            self._wait_for_caller()

    async def _say(self, text: str) -> None:
        """Speak fixed text (the first message): TTS only."""
        timing = _Timing(time.perf_counter())
        await self.outbox.json({"type": "reply.delta", "text": text})
        pieces = _queued(_pieces(text, self.policy))
        interrupted = False
        try:
            await self._speak(pieces, timing)
        except AllFailed as exc:
            await self._error("tts_failed", str(exc))
        except asyncio.CancelledError:
            interrupted = True
            raise
        finally:
            self._speaking = False
            self.history.append(Message("assistant", text))
            # like a reply, an interrupted greeting ends with reply.done, so clients can
            # drop its queued audio
            await _shielded(self.outbox.json({"type": "reply.done", "text": text,
                                              "interrupted": interrupted}))
            if not interrupted:
                self._wait_for_caller()

    def _cut_history(self, now: float) -> None:
        """The caller talked over the last reply while it played: keep in the history only
        about as much of it as they heard, so the LLM does not assume they heard the rest."""
        span = self._audible_until - self._audible_from
        if not self.history or self.history[-1].role != "assistant" or span <= 0:
            return
        heard = heard_part(self.history[-1].content, (now - self._audible_from) / span)
        self.history[-1] = Message("assistant", heard)

    def _wait_for_caller(self) -> None:
        """The agent has had its say: start the silence clock (for callers who speak)."""
        if self._spoken_to:
            self._silence.after_speaking(max(self._audible_until - time.perf_counter(), 0.0))

    async def _on_silence(self, in_a_row: int) -> None:
        seconds = self._silence.timeout_s
        if in_a_row == 1:
            await self.outbox.json({"type": "silence", "seconds": seconds, "ending": False})
            language = languages.base(self.profile.language or "en")
            self._start(self._say(_STILL_THERE.get(language, _STILL_THERE["en"])))
            return
        log.info("session %s: the caller has been silent twice; hanging up", self.id)
        await self.outbox.json({"type": "silence", "seconds": seconds, "ending": True})
        await self.outbox.end()

    async def _apologise(self) -> None:
        text = _APOLOGY.get(languages.base(self.profile.language or "en"), _APOLOGY["en"])
        pieces = _queued([text])
        with contextlib.suppress(AllFailed):  # no voice works either: the error frame says it
            await self._speak(pieces, _Timing(time.perf_counter()))

    async def _error(self, code: str, message: str) -> None:
        self.observer.error(code)
        await self.outbox.json({"type": "error", "code": code, "message": message})

    # -- providers, with fallbacks -------------------------------------------------------

    def _target(self, section: Mapping[str, Any]) -> Target:
        """Resolve a choice for calling (key, base URL); MissingKeyError when no key is set."""
        return self._resolve(section, self._env, float(section.get("timeout_s", 10)),
                             language=self.profile.language or None)

    async def _generate(self, messages: Sequence[Message], timing: _Timing
                        ) -> AsyncIterator[str]:
        failures: list[str] = []
        for section in self._health.order(self._chains["llm"]):
            timing.llm_started = time.perf_counter()
            try:
                target = self._target(section)
                stream = self.providers.llm(target).stream(messages)
                first = await anext(stream, "")
            except ProviderError as exc:
                self._failed("LLM", section, exc, failures)
                continue
            self._health.succeeded(section)
            timing.first_token = time.perf_counter()
            timing.metrics.llm = f"{target.provider}/{target.model}"
            try:
                if first:
                    yield first
                async for delta in stream:
                    yield delta
            finally:
                await _close(stream)
            return
        raise AllFailed("every LLM failed: " + "; ".join(failures), provider="llm")

    async def _speak(self, pieces: asyncio.Queue[str | None], timing: _Timing) -> None:
        # Pieces the LLM finished while the last one was being spoken go out as one
        # request: fewer requests (each costs a round trip and the runner's CPU), and the
        # voice gets whole sentences in context. The first piece goes alone, however much
        # text is waiting: a short request is the quickest to first audio.
        held: list[str | None] = []
        said = ""  # this utterance so far: context for voices that continue intonation
        while (piece := held.pop() if held else await pieces.get()) is not None:
            while said and not pieces.empty():
                more = pieces.get_nowait()
                if more is None or len(piece) + len(more) >= self.policy.join_chars:
                    held.append(more)
                    break
                piece = f"{piece} {more}"
            await self._synthesize(piece, said, timing)
            said = f"{said} {piece}" if said else piece

    async def _synthesize(self, text: str, previous: str, timing: _Timing) -> None:
        failures: list[str] = []
        chain = self._chains["tts"]
        for section in self._health.order(chain):
            started = time.perf_counter()
            try:
                target = self._target(section)
                stream = self.providers.tts(target, self.output_rate).synthesize(
                    text, previous)
                first = await anext(stream, b"")
            except ProviderError as exc:
                self._failed("TTS", section, exc, failures)
                continue
            self._health.succeeded(section)
            if section is not chain[0]:  # a fallback answered: this session keeps to it
                self._chains["tts"] = [section, *(c for c in chain if c is not section)]
            if timing.tts_ttfb is None:
                timing.tts_ttfb = (time.perf_counter() - started) * 1000
                timing.metrics.tts = _name(section)
            try:
                await self._send_audio(first, timing)
                async for chunk in stream:
                    await self._send_audio(chunk, timing)
            finally:
                await _close(stream)
            return
        raise AllFailed("every voice failed: " + "; ".join(failures), provider="tts")

    def _failed(self, stage: str, section: Mapping[str, Any], error: ProviderError,
                failures: list[str]) -> None:
        """One choice of a chain failed: note it for the error frame, the log and health."""
        self._health.failed(section, error)
        self.observer.provider_failed(stage.lower(), str(section.get("provider")))
        failures.append(f"{_name(section)}: {error}")
        log.warning("session %s: %s %s failed, trying the next: %s", self.id, stage,
                    _name(section), error)

    async def _send_audio(self, pcm: bytes, timing: _Timing) -> None:
        if timing.first_audio is None:
            timing.first_audio = time.perf_counter()
        timing.audio_s += duration_s(pcm, self.output_rate)
        self._audible_from = timing.first_audio
        self._audible_until = timing.first_audio + timing.audio_s
        self._speaking = True
        await self.outbox.audio(pcm)

    async def _transcribe(self, audio: bytes) -> str:
        failures: list[str] = []
        for section in self._health.order(self._chains["stt"]):
            try:
                result = await self.providers.stt(self._target(section)).transcribe(
                    audio, self.input_rate, self.profile.language or None)
            except ProviderError as exc:
                self._failed("STT", section, exc, failures)
                continue
            self._health.succeeded(section)
            return result.text
        raise AllFailed("every speech recogniser failed: " + "; ".join(failures),
                        provider="stt")


def heard_part(text: str, fraction: float) -> str:
    """About the first `fraction` of `text` (speech takes time in proportion to its
    letters), without a word cut in half, marked as cut off; all of it when `fraction` >= 1."""
    if fraction >= 1:
        return text
    cut = int(len(text) * max(fraction, 0.0))
    head = text[:cut]
    mid_word = cut < len(text) and not (text[cut].isspace()
                                        or unicodedata.category(text[cut]).startswith("P"))
    if mid_word and any(c.isspace() for c in head):
        head = head.rsplit(None, 1)[0]  # the word being spoken was not heard whole
    head = head.rstrip(" ,;:")
    return f"{head}... [interrupted]" if head else "[interrupted]"


def _chain(section: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The section's main choice, then its fallbacks (which inherit its timeout)."""
    main = {k: v for k, v in section.items() if k != "fallbacks"}
    timeout = {"timeout_s": section["timeout_s"]} if "timeout_s" in section else {}
    return [main, *[{**timeout, **f} for f in section.get("fallbacks") or ()
                    if isinstance(f, Mapping)]]


def _name(section: Mapping[str, Any]) -> str:
    name = section.get("voice_name") or section.get("voice") or section.get("model")
    return f"{section.get('provider')}/{name}"


def _queued(pieces: Sequence[str]) -> asyncio.Queue[str | None]:
    """Fixed text for `_speak`: its pieces, then the end marker."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for piece in (*pieces, None):
        queue.put_nowait(piece)
    return queue


def _pieces(text: str, policy: ChunkPolicy) -> list[str]:
    chunker = SentenceChunker(policy)
    pieces = chunker.feed(text)
    tail = chunker.flush()
    return [*pieces, tail] if tail else pieces


async def _close(stream: AsyncIterator[Any]) -> None:
    """Close a provider stream now (its HTTP request with it), not when it is collected."""
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()


async def _shielded(work: Awaitable[None]) -> None:
    """Run `work` to the end even when the turn is being cancelled (the client must still
    hear that the reply stopped)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise
