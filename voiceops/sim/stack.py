"""All the provider simulators at once (and the phone carriers' REST APIs), and the
environment that points clients at them.

    with SimStack() as sims:                   # or: async with SimStack() as sims:
        env = {**os.environ, **sims.env()}     # keys and base URLs of every provider
        sims.latency(stt=0.2, llm_ttft=0.3, tts_ttfb=0.15)
        sims.servers["elevenlabs"].faults.fail(503)
        sims.openai_state.transcripts.append("hello")

`env()` follows the convention `voiceops.provider_facts.base_url_override` reads:
`<PROVIDER>_API_KEY` and `<PROVIDER>_BASE_URL` (OPENAI_BASE_URL ends in /v1, as the openai
SDK expects; the others are the server roots), and each carrier's own variables (Twilio:
TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_BASE_URL; Exotel: EXOTEL_ACCOUNT_SID,
EXOTEL_API_KEY, EXOTEL_API_TOKEN, EXOTEL_BASE_URL), and the example booking service's
BOOKING_API_URL and BOOKING_API_TOKEN (the starter's booking tools). `voiceops run --sim` and the
benchmarks use this, so a whole voice pipeline runs with no keys and no internet.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from voiceops.server.heap import settle_heap
from voiceops.sim import anthropic, booking, elevenlabs, exotel, openai, sarvam, twilio
from voiceops.sim.knobs import LLMKnobs, STTKnobs, TTSKnobs
from voiceops.sim.recent import KEEP_REQUESTS, Recent
from voiceops.sim.server import SimServer, Startable

__all__ = ["SimStack", "reset", "serve_until_stopped"]


def reset(server: SimServer) -> None:
    """Put a simulator back as it started: default state (knobs, queues, request bodies
    and account data), no planned faults, an empty request log."""
    state = server.app.state.sim  # type: ignore[attr-defined]
    fresh = type(state)()
    for spec in fields(state):
        kept = getattr(state, spec.name)
        if isinstance(kept, Recent):
            kept.clear()  # emptied, but keeping as many as it was told to
        else:
            setattr(state, spec.name, getattr(fresh, spec.name))
    server.faults.clear()
    server.log.reset()


class SimStack(Startable):
    """The OpenAI, Anthropic, Sarvam and ElevenLabs simulators, Twilio's and Exotel's
    REST APIs, and the example booking service, started and stopped together.

    Each takes its state from the arguments (a fresh default one otherwise); `servers` maps
    a provider name to its `SimServer`, `states` to its state. Each keeps the latest
    `keep_requests` requests it received (0: none, for a process nobody inspects).
    """

    def __init__(
        self, *, openai_state: openai.OpenAIState | None = None,
        anthropic_state: anthropic.AnthropicState | None = None,
        sarvam_state: sarvam.SarvamState | None = None,
        elevenlabs_state: elevenlabs.ElevenLabsState | None = None,
        twilio_state: twilio.TwilioState | None = None,
        exotel_state: exotel.ExotelState | None = None,
        booking_state: booking.BookingState | None = None,
        keep_requests: int = KEEP_REQUESTS,
    ) -> None:
        self.openai_state = openai_state or openai.OpenAIState()
        self.anthropic_state = anthropic_state or anthropic.AnthropicState()
        self.sarvam_state = sarvam_state or sarvam.SarvamState()
        self.elevenlabs_state = elevenlabs_state or elevenlabs.ElevenLabsState()
        self.twilio_state = twilio_state or twilio.TwilioState()
        self.exotel_state = exotel_state or exotel.ExotelState()
        self.booking_state = booking_state or booking.BookingState()
        self.states: dict[str, Any] = {
            "openai": self.openai_state, "anthropic": self.anthropic_state,
            "sarvam": self.sarvam_state, "elevenlabs": self.elevenlabs_state,
            "twilio": self.twilio_state, "exotel": self.exotel_state,
            "booking": self.booking_state,
        }
        self.servers: dict[str, SimServer] = {
            "openai": openai.serve(self.openai_state),
            "anthropic": anthropic.serve(self.anthropic_state),
            "sarvam": sarvam.serve(self.sarvam_state),
            "elevenlabs": elevenlabs.serve(self.elevenlabs_state),
            "twilio": twilio.serve(self.twilio_state),
            "exotel": exotel.serve(self.exotel_state),
            "booking": booking.serve(self.booking_state),
        }
        for server in self.servers.values():
            server.keep_requests(keep_requests)
        self._keys = {
            "openai": self.openai_state.api_key, "anthropic": self.anthropic_state.api_key,
            "sarvam": self.sarvam_state.api_key, "elevenlabs": self.elevenlabs_state.api_key,
        }

    def start(self) -> SimStack:
        """Start every simulator; if one fails, the ones already started are stopped."""
        try:
            for server in self.servers.values():
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every simulator (a server that never started is left as it is)."""
        for server in self.servers.values():
            server.stop()

    def reset(self) -> None:
        """`reset` every simulator (between tests or benchmark runs)."""
        for server in self.servers.values():
            reset(server)

    def env(self) -> dict[str, str]:
        """`<PROVIDER>_API_KEY` and `<PROVIDER>_BASE_URL` for each simulated provider, and
        each carrier's credentials and base URL, and the booking service's URL and token."""
        found: dict[str, str] = {}
        for name, key in self._keys.items():
            found[f"{name.upper()}_API_KEY"] = key
            found[f"{name.upper()}_BASE_URL"] = self.servers[name].base_url
        found.update(twilio.env(self.servers["twilio"], self.twilio_state))
        found.update(exotel.env(self.servers["exotel"], self.exotel_state))
        found.update(booking.env(self.servers["booking"], self.booking_state))
        return found

    def latency(
        self, *, stt: float | None = None, llm_ttft: float | None = None,
        tts_ttfb: float | None = None, llm_token_interval: float | None = None,
    ) -> None:
        """Set the simulated latencies (seconds) on every simulator that has the stage;
        None leaves a value as it is."""
        for state in self.states.values():
            if isinstance(state, STTKnobs) and stt is not None:
                state.stt_latency_s = stt
            if isinstance(state, LLMKnobs):
                if llm_ttft is not None:
                    state.llm_ttft_s = llm_ttft
                if llm_token_interval is not None:
                    state.llm_token_interval_s = llm_token_interval
            if isinstance(state, TTSKnobs) and tts_ttfb is not None:
                state.tts_ttfb_s = tts_ttfb

    def reply_sentences(self, count: int) -> None:
        """Make every simulated chat model answer with an echo plus `count` sentences."""
        for state in self.states.values():
            if isinstance(state, LLMKnobs):
                state.reply_sentences = count

    def __repr__(self) -> str:
        return f"SimStack({', '.join(map(repr, self.servers.values()))})"


def serve_until_stopped(stack: SimStack, echo: Callable[[str], None],
                        note: Callable[[str], None]) -> None:
    """Serve `stack` until SIGINT or SIGTERM (`voiceops sim`): `echo` gets the environment
    as KEY=VALUE lines and then a blank line (the end of it, for scripts reading it), `note`
    gets what a person should read. The simulators keep no requests: they serve other
    processes, and nothing in this one reads them."""
    for server in stack.servers.values():
        server.keep_requests(0)
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    # The simulators are a thread each; a busy one would hold the others' answers for the
    # interpreter's 5 ms switch interval, which a benchmark would count as provider latency.
    sys.setswitchinterval(0.0005)
    with stack:
        settle_heap()  # its pauses would count as provider latency in a benchmark
        for name, value in stack.env().items():
            echo(f"{name}={value}")
        echo("")
        note(f"simulators ready: {', '.join(s.url for s in stack.servers.values())}; "
             "Ctrl-C stops them")
        stopped.wait()
    note("simulators stopped")
