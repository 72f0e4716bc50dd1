"""A turn's failures always reach the caller: whatever stage fails, and whenever (before its
first token or byte, or midway), the turn ends with an `error` frame naming the stage, an
apology in a voice that still works, and the session open for the next turn."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession

from tests.server.conftest import MakeClient
from tests.server.wsclient import frames_until, greeted, receive, say, session_setting
from voiceops.project import Project
from voiceops.providers.transport.policy import ONE_RETRY
from voiceops.runtime.session import Session
from voiceops.server.ws import SocketOutbox
from voiceops.sim.stack import SimStack

SARAH = "/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL"  # appointments_en's voice
GEORGE = "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb"  # ... and its fallback
APOLOGY_HI = "माफ़ कीजिए, अभी मुझे कुछ दिक्कत हो रही है। कृपया फिर से कोशिश करें।"
APOLOGY_EN = "Sorry, I'm having trouble right now. Please try again in a moment."


@pytest.fixture(autouse=True)
def fresh_simulators(sims: SimStack) -> None:
    sims.reset()


def failed_turn(session: WebSocketTestSession, text: str
                ) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """Send a typed turn that fails: its frames, its error frame, and the audio bytes
    received after the error (the apology)."""
    say(session, text)
    before, _ = frames_until(session, "error")
    after, apology = frames_until(session, "turn.metrics")
    return before + after, before[-1], apology


def next_turn_works(session: WebSocketTestSession) -> None:
    say(session, "Are you back?")
    frames, audio = frames_until(session, "turn.metrics")
    assert "error" not in [f["type"] for f in frames]
    assert "Are you back?" in frames[-2]["text"] and audio > 0


def openai_stream_error(sims: SimStack) -> None:
    sims.openai_state.llm_stream_error = "server_error"


def anthropic_stream_error(sims: SimStack) -> None:
    sims.anthropic_state.llm_stream_error = "overloaded_error"


def openai_connection_cut(sims: SimStack) -> None:
    sims.servers["openai"].faults.truncate(keep_bytes=300, path="/v1/chat")


def openai_stream_ends_early(sims: SimStack) -> None:  # no finish_reason: a cut reply
    sims.servers["openai"].faults.truncate(mode="cut", keep_bytes=300, path="/v1/chat")


@pytest.mark.parametrize(("profile", "fault", "apology"), [
    ("support_hi", openai_stream_error, APOLOGY_HI),
    ("support_hi", openai_connection_cut, APOLOGY_HI),
    ("support_hi", openai_stream_ends_early, APOLOGY_HI),
    ("sales_en", anthropic_stream_error, APOLOGY_EN),
], ids=["sse-error-event", "connection-cut", "ends-early", "anthropic-error-event"])
def test_an_llm_failing_after_its_first_token_ends_the_turn_with_an_error_and_an_apology(
        make_client: MakeClient, sims: SimStack, profile: str,
        fault: Callable[[SimStack], None], apology: str) -> None:
    sims.reply_sentences(3)
    with greeted(make_client(), profile=profile) as session:
        fault(sims)
        frames, error, audio = failed_turn(session, "Tell me about your plans")
        kinds = [f["type"] for f in frames if f["type"] != "knowledge"]  # support_hi's passages
        assert kinds[0] == "reply.delta"  # it had started to answer
        assert error["code"] == "llm_failed"
        assert audio > 0 and frames[-2]["type"] == "reply.done"
        voice = sims.sarvam_state if profile == "support_hi" else sims.elevenlabs_state
        assert voice.received[-1].body["text"] == apology
        sims.reset()
        next_turn_works(session)


def test_a_voice_failing_midway_stops_the_llm_and_the_apology_takes_another_voice(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reply_sentences(40)
    sims.latency(llm_token_interval=0.01)  # the LLM is still writing when the voice dies
    with greeted(make_client(), profile="appointments_en") as session:
        sims.servers["elevenlabs"].faults.truncate(keep_bytes=8000, path=SARAH)
        _, error, audio = failed_turn(session, "Book me in")
        assert error["code"] == "tts_failed" and "elevenlabs" in error["message"]
        stream = sims.openai_state.last("/v1/chat/completions")
        assert stream.ended.wait(5) and stream.outcome == "disconnected"
        spoken = [(r.path, r.body["text"]) for r in sims.elevenlabs_state.received]
        assert spoken[-1][1] == APOLOGY_EN and spoken[-1][0].startswith(GEORGE)
        assert not any(path.startswith(SARAH) and text == APOLOGY_EN for path, text in spoken)
        assert audio > 0
        sims.reset()
        next_turn_works(session)


def test_no_voice_answering_is_tts_failed_and_no_dead_voice_is_asked_to_apologise(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reply_sentences(40)
    sims.latency(llm_token_interval=0.01)
    log = sims.servers["elevenlabs"].log
    with greeted(make_client(), profile="appointments_en") as session:
        for voice in (SARAH, GEORGE):
            sims.servers["elevenlabs"].faults.fail(500, times=100, path=voice)
        sarah, george = log.count(SARAH), log.count(GEORGE)
        _, error, audio = failed_turn(session, "Book me in")
        assert error["code"] == "tts_failed" and audio == 0
        stream = sims.openai_state.last("/v1/chat/completions")
        assert stream.ended.wait(5) and stream.outcome == "disconnected"
        # each voice was asked once for the reply (a request and its retry), never again
        assert log.count(SARAH) - sarah == ONE_RETRY.attempts
        assert log.count(GEORGE) - george == ONE_RETRY.attempts
        sims.reset()
        next_turn_works(session)


def test_a_voice_stalling_midway_ends_the_turn(project: Project, make_client: MakeClient,
                                               sims: SimStack) -> None:
    profile = project.configs / "support_hi.yaml"
    profile.write_text(profile.read_text().replace("  voice: anushka\n",
                                                   "  voice: anushka\n  timeout_s: 1\n"))
    with greeted(make_client()) as session:
        sims.sarvam_state.tts_chunk_interval_s = 30  # the first chunk, then nothing
        before = len(sims.sarvam_state.received)
        _, error, _ = failed_turn(session, "Hello?")
        assert error["code"] == "tts_failed"
        assert len(sims.sarvam_state.received) == before + 1  # its only voice: no apology
        sims.reset()
        next_turn_works(session)


def test_a_failed_transcription_is_stt_failed_with_an_apology(
        make_client: MakeClient, sims: SimStack) -> None:
    with greeted(make_client()) as session:
        sims.servers["sarvam"].faults.fail(500, times=100, path="/speech-to-text")
        spoken = len(sims.sarvam_state.received)
        session.send_bytes(b"\x10\x27" * 3200)
        session.send_text(json.dumps({"type": "end_of_turn"}))
        frames, _ = frames_until(session, "error")
        assert frames[-1]["code"] == "stt_failed"
        sims.servers["sarvam"].faults.clear()
        next_turn_works(session)  # (its audio comes after the apology's)
        assert sims.sarvam_state.received[spoken].body["text"] == APOLOGY_HI


def test_a_turn_that_breaks_unexpectedly_is_logged_counted_and_reported(
        make_client: MakeClient, sims: SimStack, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    client = make_client()
    metrics = client.app.state.runner.metrics  # type: ignore[attr-defined]
    report = metrics.turn
    broken: list[bool] = []

    def turn_once(*args: Any) -> None:  # the first report after the greeting breaks
        if not broken:
            broken.append(True)
            raise ValueError("metrics backend exploded")
        report(*args)

    with greeted(client) as session:
        monkeypatch.setattr(metrics, "turn", turn_once)
        say(session, "Hello")
        frames, _ = frames_until(session, "error")
        assert frames[-1]["code"] == "internal_error"
        next_turn_works(session)
    gc.collect()
    assert 'voiceops_errors_total{code="internal_error"} 1.0' in client.get("/metrics").text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and "metrics backend exploded" in (failures[0].exc_text or "")
    assert "never retrieved" not in caplog.text


def test_a_silence_timer_that_breaks_is_reported(
        project: Project, make_client: MakeClient, sims: SimStack,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    sims.sarvam_state.tts_ms_per_char = 5
    sims.openai_state.reply_sentences = 0
    session_setting(project, "silence_timeout_s: 1")

    async def cannot_hang_up(self: SocketOutbox) -> None:
        raise OSError("the line is jammed")

    monkeypatch.setattr(SocketOutbox, "end", cannot_hang_up)
    client = make_client()
    with greeted(client) as session:
        session.send_bytes(b"\x10\x27" * 3200)
        session.send_text(json.dumps({"type": "end_of_turn"}))
        frames_until(session, "turn.metrics")
        frames_until(session, "reply.done")  # "are you still there?"
        frames, _ = frames_until(session, "error")  # the hang-up that failed
        assert frames[-2:] == [{"type": "silence", "seconds": 1, "ending": True},
                               {"type": "error", "code": "internal_error",
                                "message": frames[-1]["message"]}]
    assert 'voiceops_errors_total{code="internal_error"} 1.0' in client.get("/metrics").text
    assert "the line is jammed" in caplog.text


def test_a_frame_that_breaks_unexpectedly_is_reported_and_the_session_goes_on(
        make_client: MakeClient, sims: SimStack, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    handle = Session.on_text
    broken: list[bool] = []

    async def on_text_once(self: Session, text: str) -> None:
        if not broken:
            broken.append(True)
            raise KeyError("a bug in the frame handler")
        await handle(self, text)

    monkeypatch.setattr(Session, "on_text", on_text_once)
    client = make_client()
    with greeted(client) as session:
        say(session, "Hello")
        assert json.loads(receive(session)["text"])["code"] == "internal_error"
        next_turn_works(session)
    assert 'voiceops_errors_total{code="internal_error"} 1.0' in client.get("/metrics").text
    assert "a bug in the frame handler" in caplog.text
