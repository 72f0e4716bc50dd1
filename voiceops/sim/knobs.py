"""What the streaming endpoints of a simulator do, set on its state while it serves.

The provider states (`OpenAIState`, `SarvamState`, ...) mix these in, so a test or a
benchmark tunes any simulator the same way:

    state.llm_ttft_s = 0.3            # first token 300 ms after the request
    state.llm_token_interval_s = 0.02 # then one token every 20 ms
    state.reply_sentences = 3         # the reply: an echo plus 3 short sentences
    state.llm_stream_error = "overloaded_error"  # the stream fails after its first token
    state.tts_ttfb_s = 0.15           # first audio 150 ms after the request
    state.stt_latency_s = 0.2         # transcripts 200 ms after the upload
    state.transcripts.append("I want to cancel my order")  # the next STT answer
    state.received[-1].body           # what the last request sent (no headers, no keys)
    state.keep_received(0)            # keep no request bodies (the latest 1,000 by default)

Every latency defaults to 0, so tests run at full speed unless they ask otherwise; the
fault layer (`sim.faults`) still applies on top. The server thread reads these fields and
the test thread writes them: plain attribute writes, and a deque whose appends and pops are
atomic, need no lock (the recorder has its own).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from voiceops.sim.recent import Recent

__all__ = ["LLMKnobs", "Received", "Recorder", "STTKnobs", "TTSKnobs"]

Outcome = Literal["answered", "streaming", "done", "disconnected"]


@dataclass
class Received:
    """One request a streaming endpoint handled: what it asked (never headers or keys) and
    how its answer ended ("disconnected": the client closed the stream midway)."""

    path: str
    body: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    outcome: Outcome = "answered"
    #: Set when the answer ends (done or disconnected); tests wait on it.
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def finish(self, outcome: Outcome) -> None:
        """Record how the answer ended."""
        self.outcome = outcome
        self.ended.set()


@dataclass(kw_only=True)
class Recorder:
    """The latest requests the streaming endpoints received (`KEEP_REQUESTS` of them unless
    told otherwise), oldest first: tests inspect what a client sent, and a simulator that
    serves for days must not keep every body (a chat body holds the whole conversation)."""

    recent: Recent[Received] = field(default_factory=Recent, repr=False)

    @property
    def received(self) -> list[Received]:
        """A copy of the kept requests, oldest first."""
        return self.recent.items()

    @property
    def requests_received(self) -> int:
        """How many requests the endpoints received, kept or not (for answer ids)."""
        return self.recent.total

    def keep_received(self, count: int) -> None:
        """Keep only the latest `count` requests from now on (0: none)."""
        self.recent.resize(count)

    def record(self, path: str, body: dict[str, Any], query: dict[str, str] | None = None,
               outcome: Outcome = "answered") -> Received:
        """Keep one request's body; returns the entry, to mark how its answer ends."""
        entry = Received(path, body, dict(query or {}), outcome)
        if outcome == "answered":
            entry.ended.set()
        self.recent.add(entry)
        return entry

    def last(self, path: str | None = None) -> Received:
        """The latest request (under `path` when given); IndexError when there is none."""
        found = self.recent.latest(lambda e: path is None or e.path.startswith(path))
        if found is None:
            raise IndexError(f"no request received under {path!r}")
        return found


@dataclass(kw_only=True)
class LLMKnobs:
    """A simulated chat model: how long the reply is and how fast it streams."""

    #: Short sentences added after the echo of the last user message.
    reply_sentences: int = 2
    #: Seconds from the request to the first token.
    llm_ttft_s: float = 0.0
    #: Seconds between tokens after the first.
    llm_token_interval_s: float = 0.0
    #: When set, the stream fails after its first token with an error of this type, as
    #: the APIs report errors mid-stream (Anthropic: `event: error`, e.g.
    #: "overloaded_error"; OpenAI-compatible: a `data: {"error": ...}` line).
    llm_stream_error: str | None = None


@dataclass(kw_only=True)
class TTSKnobs:
    """A simulated voice: how long its speech lasts and how fast it streams."""

    #: Milliseconds of speech per character of text (at pace/speed 1.0).
    tts_ms_per_char: float = 70.0
    #: Seconds from the request to the first audio byte.
    tts_ttfb_s: float = 0.0
    #: Milliseconds of audio per streamed chunk.
    tts_chunk_ms: int = 100
    #: Seconds between chunks after the first (0: as fast as the connection takes them).
    tts_chunk_interval_s: float = 0.0


@dataclass(kw_only=True)
class STTKnobs:
    """A simulated recogniser: what it hears and how long it takes."""

    #: Seconds from the upload to the answer.
    stt_latency_s: float = 0.0
    #: Transcripts to answer with, first in first out; when empty, the answer describes
    #: the audio ("I heard 1.2 seconds of audio.").
    transcripts: deque[str] = field(default_factory=deque)

    def next_transcript(self, seconds: float) -> str:
        """The next queued transcript, else the description of `seconds` of audio."""
        try:
            return self.transcripts.popleft()
        except IndexError:
            return f"I heard {seconds:.1f} seconds of audio."
