"""Running one turn: STT (audio turns) -> LLM stream -> sentence chunker -> TTS per piece.

The LLM writes pieces into a queue while the speaker voices them, so the TTS of one piece
overlaps the generation of the next, and audio goes out the moment it arrives. The writer
and the speaker run as one unit (an `asyncio.TaskGroup`): when either fails, the other is
cancelled at once, so no LLM keeps generating for a dead voice and no voice waits for a
dead LLM. Cancelling the turn (barge-in) cancels both, closing their HTTP streams.

A profile with tools (`tools:`) offers them to the LLM: a round that ends in tool calls has
them made (`tool_steps.py`, `tools.py`: `say.start` spoken meanwhile, `tool.call` and
`tool.result` frames) and the LLM goes on with their results, at most `MAX_TOOL_STEPS`
rounds with tools offered; after an `end_call` the session ends once the reply has played.

A profile with knowledge (`rag:`) first retrieves passages for the caller's words (with the
last exchange as context): the client gets a `knowledge` frame, and the LLM one context
message just before the caller's (`retrieval.py`). A retriever that fails leaves the turn
without context, counted as a provider failure of stage "retrieval".

Every failure ends the turn the same way: an `error` frame whose code names the stage
(`stt_failed`, `llm_failed`, `tts_failed`), the apology spoken by a voice that has not
failed in this turn (none is asked twice), then `reply.done` and `turn.metrics` as after
any reply; the session stays open for the next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Mapping,
    Sequence,
)
from typing import Any, Protocol

from voiceops import languages
from voiceops.config.settings import provider_timeout_s
from voiceops.errors import ProviderError
from voiceops.providers.audio import duration_s
from voiceops.providers.base import LLM, STT, TTS, LLMEvent, Message, Target, ToolCall, ToolSpec
from voiceops.runtime.caller_audio import Playback
from voiceops.runtime.chunker import ChunkPolicy, SentenceChunker
from voiceops.runtime.config import LiveProfile
from voiceops.runtime.fallback import (
    AllFailed,
    Chain,
    Choice,
    Dead,
    FailureObserver,
    chain_of,
    first_answer,
    name,
)
from voiceops.runtime.health import ProviderHealth, choice_key
from voiceops.runtime.history import History
from voiceops.runtime.retrieval import (
    RETRIEVER,
    RetrievalFailed,
    context_message,
    knowledge_frame,
    query_for,
)
from voiceops.runtime.stages import TurnFailed, close, queued, shielded, stage, together
from voiceops.runtime.timing import Timing, TurnMetrics
from voiceops.runtime.tool_steps import Reply, ToolSteps, write_text
from voiceops.runtime.tools import MAX_TOOL_STEPS, ToolRunner

__all__ = ["Observer", "Outbox", "Providers", "ResolveTarget", "TurnFailed", "Turns"]


#: At most this long for an end_call's goodbye to play before the session ends.
_GOODBYE_MAX_S = 30.0
_APOLOGY = {
    "hi": "माफ़ कीजिए, अभी मुझे कुछ दिक्कत हो रही है। कृपया फिर से कोशिश करें।",
    "en": "Sorry, I'm having trouble right now. Please try again in a moment.",
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


class Observer(FailureObserver, Protocol):
    """What a session reports for metrics (the server's Prometheus counters)."""

    def turn(self, metrics: TurnMetrics) -> None: ...

    def error(self, code: str) -> None: ...


class Turns:
    """Runs the turns of one session, each stage on its fallback chain."""

    def __init__(self, *, owner: str, profile: LiveProfile, system_prompt: str,
                 providers: Providers, resolve: ResolveTarget, env: Mapping[str, str],
                 outbox: Outbox, observer: Observer, health: ProviderHealth,
                 history: History, playback: Playback, input_rate: int,
                 output_rate: int, tools: ToolRunner | None = None) -> None:
        self.profile = profile
        self.system_prompt = system_prompt
        self.providers = providers
        self.outbox = outbox
        self.observer = observer
        self.history = history
        self.playback = playback
        self.input_rate = input_rate
        self.output_rate = output_rate
        self.policy = ChunkPolicy.for_optimization(profile.optimization)
        self._resolve = resolve
        self._env = env
        self.tools = tools
        self.chains = {stage: Chain(stage, chain_of(profile.section(stage)), health, observer,
                                    owner, sticky=stage == "tts")
                       for stage in ("llm", "tts", "stt")}

    # -- turns: each returns True when the agent has had its say ---------------------------

    async def listen(self, audio: bytes, timing: Timing) -> bool:
        """An audio turn: transcribe it, then reply."""
        if not audio:
            await self.error("no_audio", "end_of_turn without audio since the last turn")
            return False
        try:
            transcript = await self._transcribe(audio)
        except AllFailed as exc:
            await self._failed(TurnFailed("stt_failed", str(exc)), set())
            return False
        timing.metrics.stt_ms = timing.since_end_of_turn()
        await self.outbox.json({"type": "transcript", "final": True, "text": transcript})
        if not transcript.strip():
            await self.error("no_speech", "no speech was recognised")
            return False
        return await self.reply(transcript, timing)

    async def reply(self, text: str, timing: Timing) -> bool:
        """A turn of the caller's `text`: the LLM's reply, written and spoken."""
        query = query_for(text, list(self.history))  # the last exchange, before this turn
        self.history.add(Message("user", text))
        messages = self.history.prompt(self.system_prompt)
        pieces: asyncio.Queue[str | None] = asyncio.Queue()
        reply = Reply()
        dead: Dead = set()

        def ended(interrupted: bool) -> Awaitable[None]:
            if said := reply.since_step():  # what was said stays, even when cut off
                self.history.add(Message("assistant", said))
            return self._finish(reply.text(), interrupted, timing)

        async with self._speaking(ended):
            if (context := await self._retrieve(query, timing)) is not None:
                messages.insert(len(messages) - 1, context)  # just before the caller's
            await self._perform(
                dead, stage("llm_failed", self._write(messages, pieces, reply, timing)),
                stage("tts_failed", self._speak(pieces, timing, dead)))
        if self.tools is not None and self.tools.ending:
            return await self._hang_up()
        return True

    async def _hang_up(self) -> bool:
        """end_call: the goodbye has been sent; once it has played, the session ends (the
        outbox's end: a phone call's waits for the carrier to have played it). It runs to
        its end even if the caller talks over the goodbye: the model has decided."""
        async def end() -> None:
            await asyncio.sleep(min(self.playback.still_playing_s(), _GOODBYE_MAX_S))
            await self.outbox.end()

        await shielded(end())
        return False

    async def say(self, text: str) -> bool:
        """Speak fixed text (the first message, a reminder): TTS only."""
        timing = Timing()
        await self.outbox.json({"type": "reply.delta", "text": text})
        dead: Dead = set()

        def ended(interrupted: bool) -> Awaitable[None]:
            self.history.add(Message("assistant", text))
            # like a reply, an interrupted greeting ends with reply.done, so clients can
            # drop its queued audio
            return self.outbox.json({"type": "reply.done", "text": text,
                                     "interrupted": interrupted})

        async with self._speaking(ended):
            await self._perform(dead, stage(
                "tts_failed", self._speak(queued(self._pieces(text)), timing, dead)))
        return True

    @contextlib.asynccontextmanager
    async def _speaking(self, ended: Callable[[bool], Awaitable[None]]) -> AsyncIterator[None]:
        """The agent speaking: however it ends (done, failed, barged in on), playback stops
        and `ended(interrupted)` runs to its end, cancellation or not."""
        interrupted = False
        try:
            yield
        except asyncio.CancelledError:
            interrupted = True
            raise
        finally:
            self.playback.speaking = False
            await shielded(ended(interrupted))

    async def _perform(self, dead: Dead, *stages: Coroutine[Any, Any, None]) -> None:
        """Run a turn's stages as one unit; a failure ends the turn for the caller."""
        failure = await together(*stages)
        if failure is not None:
            await self._failed(failure, dead)

    async def error(self, code: str, message: str) -> None:
        """Tell the client (and the metrics) that something went wrong."""
        self.observer.error(code)
        await self.outbox.json({"type": "error", "code": code, "message": message})

    # -- the stages ----------------------------------------------------------------------

    async def _retrieve(self, query: str | None, timing: Timing) -> Message | None:
        """The knowledge for this turn as a context message (None: no rag, nothing to
        search, or nothing found); the client gets the `knowledge` frame whenever it ran."""
        retrieval = self.profile.retrieval
        if retrieval is None or query is None:
            return None
        started = time.perf_counter()
        try:
            passages = await retrieval.passages(query, self.profile.name, self._env)
        except RetrievalFailed:
            self.observer.provider_failed("retrieval", RETRIEVER)
            passages = []
        timing.metrics.retrieval_ms = (time.perf_counter() - started) * 1000
        await self.outbox.json(knowledge_frame(passages))
        return context_message(passages) if passages else None

    async def _write(self, messages: Sequence[Message], pieces: asyncio.Queue[str | None],
                     reply: Reply, timing: Timing) -> None:
        chunker = SentenceChunker(self.policy)
        steps = ToolSteps(self.tools, self.history, self.outbox, reply, chunker, pieces,
                          timing) if self.tools is not None else None
        offered: Sequence[ToolSpec] = self.tools.specs if self.tools is not None else ()
        for step in range(MAX_TOOL_STEPS + 1):
            calls: list[ToolCall] = []
            # the last round: the model must answer the caller now. The tools stay declared
            # (Anthropic refuses a history of calls without them) with tool_choice none
            last = step == MAX_TOOL_STEPS
            # aclosing: a cancelled turn closes the LLM's stream now, not when collected
            async with contextlib.aclosing(
                    self._generate(messages, timing, offered, must_answer=last)) as events:
                async for event in events:
                    if isinstance(event, ToolCall):
                        calls.append(event)
                    else:
                        await write_text(self.outbox, reply, chunker, pieces, timing, event)
            if not calls or steps is None:
                break
            messages = [*messages, *await steps.run(calls)]
        if (tail := chunker.flush()) is not None:
            timing.piece_ready()
            pieces.put_nowait(tail)
        pieces.put_nowait(None)

    async def _generate(self, messages: Sequence[Message], timing: Timing,
                        tools: Sequence[ToolSpec], *, must_answer: bool = False
                        ) -> AsyncGenerator[LLMEvent, None]:
        async def first_token(choice: Choice
                              ) -> tuple[Target, AsyncIterator[LLMEvent], LLMEvent]:
            if timing.first_token is None:  # the time to first token is the first step's
                timing.llm_started = time.perf_counter()
            target = self._target(choice)
            stream = self.providers.llm(target).events(messages, tools,
                                                       must_answer=must_answer)
            return target, stream, await anext(stream, "")

        chain = self.chains["llm"]
        choice, (target, stream, first) = await first_answer(chain, first_token)
        if timing.first_token is None:
            timing.first_token = time.perf_counter()
        timing.metrics.llm = f"{target.provider}/{target.model}"
        try:
            if first:
                yield first
            async for delta in stream:
                yield delta
        except ProviderError as exc:
            raise chain.midway(choice, exc) from exc
        finally:
            await close(stream)

    async def _speak(self, pieces: asyncio.Queue[str | None], timing: Timing,
                     dead: Dead) -> None:
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
            await self._synthesize(piece, said, timing, dead)
            said = f"{said} {piece}" if said else piece

    async def _synthesize(self, text: str, previous: str, timing: Timing, dead: Dead) -> None:
        async def first_byte(choice: Choice) -> tuple[float, AsyncIterator[bytes], bytes]:
            started = time.perf_counter()
            stream = self.providers.tts(self._target(choice), self.output_rate).synthesize(
                text, previous)
            return started, stream, await anext(stream, b"")

        chain = self.chains["tts"]
        choice, (started, stream, first) = await first_answer(chain, first_byte, dead)
        self.playback.voicing(text)
        if timing.tts_ttfb is None:
            timing.tts_ttfb = (time.perf_counter() - started) * 1000
            timing.metrics.tts = name(choice)
        try:
            await self._send_audio(first, timing)
            async for chunk in stream:
                await self._send_audio(chunk, timing)
        except ProviderError as exc:
            dead.add(choice_key(choice))  # not asked again in this turn (the apology)
            raise chain.midway(choice, exc) from exc
        finally:
            await close(stream)

    async def _transcribe(self, audio: bytes) -> str:
        async def transcript(choice: Choice) -> str:
            stt = self.providers.stt(self._target(choice))
            result = await stt.transcribe(audio, self.input_rate, self.profile.language or None)
            return result.text

        _, text = await first_answer(self.chains["stt"], transcript)
        return text

    async def _send_audio(self, pcm: bytes, timing: Timing) -> None:
        if timing.first_audio is None:
            timing.first_audio = time.perf_counter()
        timing.audio_s += duration_s(pcm, self.output_rate)
        self.playback.sent(timing.first_audio, timing.audio_s)
        await self.outbox.audio(pcm)

    # -- the end of a turn ---------------------------------------------------------------

    async def _failed(self, failure: TurnFailed, dead: Dead) -> None:
        await self.error(failure.code, str(failure))
        language = languages.base(self.profile.language or "en")
        apology = _APOLOGY.get(language, _APOLOGY["en"])
        try:
            # no voice works either: the error frame has said it
            with contextlib.suppress(ProviderError):
                await self._speak(queued([apology]), Timing(), dead)
        finally:
            self.playback.speaking = False

    async def _finish(self, reply: str, interrupted: bool, timing: Timing) -> None:
        metrics = timing.finish()
        await self.outbox.json({"type": "reply.done", "text": reply,
                                "interrupted": interrupted})
        await self.outbox.json(metrics.frame())
        self.observer.turn(metrics)

    def _target(self, choice: Choice) -> Target:
        """Resolve a choice for calling (key, base URL); MissingKeyError when no key is set."""
        # the optimization level picks settings such as the LLM's reasoning effort
        return self._resolve({**choice, "optimization": self.profile.optimization},
                             self._env, provider_timeout_s(choice),
                             language=self.profile.language or None)

    def _pieces(self, text: str) -> list[str]:
        chunker = SentenceChunker(self.policy)
        pieces = chunker.feed(text)
        tail = chunker.flush()
        return [*pieces, tail] if tail else pieces
