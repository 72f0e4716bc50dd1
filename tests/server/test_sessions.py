"""Sessions through the real app and the real provider clients, against the simulators."""

from __future__ import annotations

import json
import time

import pytest
from starlette.testclient import TestClient

from tests.fixtures.speech.synthetic import vowel
from tests.server.conftest import MakeClient
from tests.server.wsclient import frames_until, greeted, session_setting, start
from voiceops.project import Project
from voiceops.runtime.history import MAX_HISTORY_CHARS
from voiceops.sim.stack import SimStack

#: Caller speech the runner's voice-activity model hears as speech (a loud constant or a
#: pure tone is not): 0.4 s, past session.vad.min_speech_ms, in 20 ms frames at 16 kHz.
SPEECH = vowel(0.4)
SPEECH_FRAMES = [SPEECH[i:i + 640] for i in range(0, len(SPEECH), 640)]


def test_typed_turn_streams_text_and_audio(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    client: TestClient = make_client()
    with client.websocket_connect("/v1/sessions") as ws:
        ready = start(ws)
        assert ready["profile"] == "support_hi" and ready["config_version"].startswith("v1-")
        assert ready["audio"]["output_rate"] == 22050
        greeting, audio = frames_until(ws, "reply.done")
        assert "Acme Telecom" in greeting[-1]["text"] and audio > 0
        ws.send_text(json.dumps({"type": "text", "text": "What plans do you have?"}))
        frames, audio = frames_until(ws, "turn.metrics")
        kinds = [f["type"] for f in frames]
        # support_hi answers from its knowledge: the passages found come first
        assert kinds[:2] == ["knowledge", "reply.delta"]
        assert kinds[-2:] == ["reply.done", "turn.metrics"]
        reply = frames[-2]["text"]
        assert "What plans do you have?" in reply
        assert reply == "".join(f["text"] for f in frames if f["type"] == "reply.delta")
        assert audio > 0
        metrics = frames[-1]
        assert metrics["first_audio_ms"] >= 0 and metrics["llm"] == "openai/gpt-5.4-mini"
        # the system prompt the LLM got is the rendered template
        body = sims.openai_state.last("/v1/chat/completions").body
        assert "Acme Telecom" in body["messages"][0]["content"]


def test_audio_turn_is_transcribed_then_answered(make_client: MakeClient,
                                                 sims: SimStack) -> None:
    sims.reset()
    sims.sarvam_state.transcripts.append("I want to recharge my number")
    with greeted(make_client()) as session:
        for frame in SPEECH_FRAMES:
            session.send_bytes(frame)
        session.send_text(json.dumps({"type": "end_of_turn"}))
        frames, audio = frames_until(session, "turn.metrics")
        # the greeting was still playing at the client: talking over it stops it
        assert frames[0] == {"type": "audio.stop"}
        assert frames[1] == {"type": "transcript", "final": True,
                             "text": "I want to recharge my number"}
        assert "recharge my number" in frames[-2]["text"] and audio > 0
        assert frames[-1]["stt_ms"] is not None
        assert sims.sarvam_state.last("/speech-to-text").body["language_code"] == "hi-IN"


def test_interrupt_cancels_llm_and_tts_at_once(make_client: MakeClient,
                                               sims: SimStack) -> None:
    sims.reset()
    sims.openai_state.reply_sentences = 40
    sims.latency(llm_token_interval=0.01)
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Tell me everything"}))
        first = json.loads(session.receive_text())
        if first["type"] == "knowledge":  # support_hi's passages come before the reply
            first = json.loads(session.receive_text())
        assert first["type"] == "reply.delta"
        session.send_text(json.dumps({"type": "interrupt"}))
        frames, _ = frames_until(session, "turn.metrics")
        done = next(f for f in frames if f["type"] == "reply.done")
        assert done["interrupted"] is True
        stream = sims.openai_state.last("/v1/chat/completions")
        assert stream.ended.wait(5) and stream.outcome == "disconnected"
        # and the session takes the next turn
        sims.openai_state.reply_sentences = 1
        session.send_text(json.dumps({"type": "text", "text": "Short answer please"}))
        frames, _ = frames_until(session, "turn.metrics")
        assert not frames[-2]["interrupted"]


def test_pieces_ready_while_the_voice_is_busy_go_out_as_one_request(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.openai_state.reply_sentences = 4
    sims.latency(tts_ttfb=0.3)  # the whole reply is written while its first piece is spoken
    with greeted(make_client()) as session:
        # the greeting is all there at once, but its first piece still goes alone
        greeting = [r.body["text"] for r in sims.sarvam_state.received]
        assert greeting == ["Namaste! Acme Telecom mein aapka swagat hai.",
                            "Main Asha hoon, main aapki kya madad kar sakti hoon?"]
        before = len(sims.sarvam_state.received)
        session.send_text(json.dumps({"type": "text", "text": "Any offers this month?"}))
        frames, audio = frames_until(session, "turn.metrics")
        spoken = [r.body["text"] for r in sims.sarvam_state.received[before:]]
        reply = frames[-2]["text"]
        assert len(spoken) == 2 and audio > 0
        assert spoken[0] == 'You said: "Any offers this month?".'  # never held back
        assert " ".join(spoken) == reply  # the rest, joined, in order, nothing lost
        # a long reply is joined in requests of at most join_chars (400 for "balanced")
        sims.openai_state.reply_sentences = 40
        before = len(sims.sarvam_state.received)
        session.send_text(json.dumps({"type": "text", "text": "Tell me everything"}))
        frames, _ = frames_until(session, "turn.metrics")
        spoken = [r.body["text"] for r in sims.sarvam_state.received[before:]]
        assert len(spoken) > 2 and max(map(len, spoken)) < 400
        assert " ".join(spoken) == frames[-2]["text"]


def test_each_piece_after_the_first_carries_what_was_said_before(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.anthropic_state.reply_sentences = 4
    sims.latency(tts_ttfb=0.3)
    with greeted(make_client(), profile="sales_en") as session:
        before = len(sims.elevenlabs_state.received)
        session.send_text(json.dumps({"type": "text", "text": "What does it cost?"}))
        frames_until(session, "turn.metrics")
        bodies = [r.body for r in sims.elevenlabs_state.received[before:]]
        assert len(bodies) == 2 and "previous_text" not in bodies[0]
        assert bodies[1]["previous_text"] == bodies[0]["text"]


def test_llm_fallback_when_the_main_provider_fails_first(make_client: MakeClient,
                                                         sims: SimStack) -> None:
    sims.reset()
    sims.servers["openai"].faults.fail(503, times=100, path="/v1/chat")
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Hello?"}))
        frames, audio = frames_until(session, "turn.metrics")
        assert frames[-1]["llm"] == "anthropic/claude-haiku-4-5" and audio > 0
        assert "Hello?" in frames[-2]["text"]


def test_a_provider_that_keeps_failing_is_tried_last_by_every_session(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.servers["openai"].faults.fail(503, times=100, path="/v1/chat")
    client = make_client()

    def chat_requests() -> int:
        return sims.servers["openai"].log.count("/v1/chat")

    with greeted(client) as session:
        for turn in range(2):  # each turn tries OpenAI first, then falls back
            session.send_text(json.dumps({"type": "text", "text": f"Hello {turn}?"}))
            assert frames_until(session, "turn.metrics")[0][-1]["llm"].startswith("anthropic")
        assert chat_requests() == 2
    status = client.get("/v1/status").json()
    assert [(d["provider"], d["model"]) for d in status["providers_down"]] == [
        ("openai", "gpt-5.4-mini")]
    metrics = client.get("/metrics").text
    assert 'voiceops_provider_failures_total{provider="openai",stage="llm"} 2.0' in metrics
    assert "voiceops_providers_down 1.0" in metrics
    with greeted(client) as other:  # a new session goes straight to the fallback
        other.send_text(json.dumps({"type": "text", "text": "Hello again?"}))
        assert frames_until(other, "turn.metrics")[0][-1]["llm"].startswith("anthropic")
    assert chat_requests() == 2


def test_missing_key_falls_back_too(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    with greeted(make_client(env={"OPENAI_API_KEY": ""})) as session:
        session.send_text(json.dumps({"type": "text", "text": "Hello?"}))
        frames, _ = frames_until(session, "turn.metrics")
        assert frames[-1]["llm"] == "anthropic/claude-haiku-4-5"


def test_all_llms_failing_gives_an_error_and_an_apology(make_client: MakeClient,
                                                        sims: SimStack) -> None:
    sims.reset()
    sims.servers["openai"].faults.fail(500, times=100, path="/v1/chat")
    sims.servers["anthropic"].faults.fail(529, times=100, path="/v1/messages")
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Hello?"}))
        frames, audio = frames_until(session, "turn.metrics")
        error = next(f for f in frames if f["type"] == "error")
        assert error["code"] == "llm_failed" and "openai" in error["message"]
        assert audio > 0  # the spoken apology
        sims.servers["openai"].faults.clear()
        session.send_text(json.dumps({"type": "text", "text": "Again?"}))
        frames, _ = frames_until(session, "turn.metrics")
        assert "Again?" in frames[-2]["text"]


def test_tts_fallback_voice_takes_over(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.servers["elevenlabs"].faults.fail(
        500, times=100, path="/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL")
    client = make_client()
    with client.websocket_connect("/v1/sessions") as session:
        start(session, profile="appointments_en")
        frames, audio = frames_until(session, "reply.done")
        assert audio > 0
        session.send_text(json.dumps({"type": "text", "text": "Book me in"}))
        frames, audio = frames_until(session, "turn.metrics")
        assert frames[-1]["tts"] == "elevenlabs/George" and audio > 0


def test_session_keeps_its_config_while_new_sessions_get_the_new_one(
        make_client: MakeClient, sims: SimStack) -> None:
    from voiceops.runtime.config import build_version

    sims.reset()
    client = make_client()
    runner = client.app.state.runner  # type: ignore[attr-defined]
    with greeted(client) as old:
        template = runner.project.prompts / "customer_support.j2"
        template.write_text(template.read_text() + "\nAlways mention the new offer.\n")
        assert runner.registry.offer(build_version(runner.project, 2))
        with client.websocket_connect("/v1/sessions") as fresh:
            ready = start(fresh)
            assert ready["config_version"].startswith("v2-")
        old.send_text(json.dumps({"type": "text", "text": "Hi"}))
        frames_until(old, "turn.metrics")
        system = sims.openai_state.last("/v1/chat/completions").body["messages"][0]["content"]
        assert "new offer" not in system


def test_speech_while_speaking_barges_in(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.openai_state.reply_sentences = 40
    sims.latency(llm_token_interval=0.01)
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Tell me everything"}))
        while session.receive().get("bytes") is None:  # until the agent is speaking
            pass
        for frame in SPEECH_FRAMES:  # speech
            session.send_bytes(frame)
        frames, _ = frames_until(session, "turn.metrics")
        assert next(f for f in frames if f["type"] == "reply.done")["interrupted"] is True


def test_speech_over_audio_still_playing_stops_it_at_the_client(
        make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.openai_state.reply_sentences = 0
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Hello"}))
        _, audio = frames_until(session, "turn.metrics")  # all sent; seconds left to play
        assert audio / (2 * 22050) > 1.0
        for frame in SPEECH_FRAMES:  # the caller talks over it
            session.send_bytes(frame)
        assert json.loads(session.receive_text()) == {"type": "audio.stop"}
        session.send_bytes(SPEECH)  # once stopped, it is not audible
        session.send_text(json.dumps({"type": "text", "text": "Sorry, go on"}))
        frames, _ = frames_until(session, "turn.metrics")
        assert "audio.stop" not in [f["type"] for f in frames]
        # the LLM is told the caller heard only the start of its last reply
        messages = sims.openai_state.last("/v1/chat/completions").body["messages"]
        said = [m for m in messages if m["role"] == "assistant"][-1]  # (knowledge after it)
        assert said["role"] == "assistant" and said["content"].endswith("[interrupted]")
        heard = said["content"].removesuffix("[interrupted]").removesuffix("... ")
        assert 'You said: "Hello".'.startswith(heard)  # the part heard, and no more


def test_quiet_audio_does_not_barge_in(make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.openai_state.reply_sentences = 3
    with greeted(make_client()) as session:
        session.send_text(json.dumps({"type": "text", "text": "Hello"}))
        while session.receive().get("bytes") is None:
            pass
        session.send_bytes(b"\x01\x00" * 320)  # line noise
        frames, _ = frames_until(session, "turn.metrics")
        assert next(f for f in frames if f["type"] == "reply.done")["interrupted"] is False


def test_frame_limits_and_session_limit(make_client: MakeClient) -> None:
    from voiceops.server.state import Settings

    client = make_client(Settings(default_profile="support_hi", reload=False,
                                  max_frame_bytes=1000, max_sessions=1))
    with client.websocket_connect("/v1/sessions") as first:
        first.send_bytes(b"\x00" * 2000)
        assert json.loads(first.receive_text())["code"] == "frame_too_large"
        start(first)
        frames_until(first, "reply.done")
        with client.websocket_connect("/v1/sessions") as second:
            busy = json.loads(second.receive_text())
            assert busy["code"] == "server_busy"
        first.send_text(json.dumps({"type": "zap"}))
        assert json.loads(first.receive_text())["code"] == "unknown_type"


@pytest.fixture
def one_second_of_silence(project: Project, sims: SimStack) -> None:
    """A silence timeout of 1 s, and short speech: the tests wait for it to play."""
    sims.reset()
    sims.sarvam_state.tts_ms_per_char = 5
    sims.openai_state.reply_sentences = 0
    session_setting(project, "silence_timeout_s: 1")


@pytest.mark.usefixtures("one_second_of_silence")
def test_a_silent_caller_is_reminded_then_hung_up_on(make_client: MakeClient) -> None:
    with greeted(make_client()) as session:
        session.send_bytes(SPEECH)  # the caller speaks...
        session.send_text(json.dumps({"type": "end_of_turn"}))
        frames_until(session, "turn.metrics")
        began = time.perf_counter()
        frames, audio = frames_until(session, "reply.done")  # ...then says nothing
        assert frames[0] == {"type": "silence", "seconds": 1, "ending": False}
        assert frames[-1]["text"] == "क्या आप अभी भी लाइन पर हैं?" and audio > 0
        assert time.perf_counter() - began >= 1.0
        frames, _ = frames_until(session, "silence")
        assert frames == [{"type": "silence", "seconds": 1, "ending": True}]
        assert session.receive() == {"type": "websocket.close", "code": 1000, "reason": ""}


@pytest.mark.usefixtures("one_second_of_silence")
def test_speaking_again_or_typing_keeps_the_line_open(make_client: MakeClient) -> None:
    with greeted(make_client()) as typed:  # typed sessions are never timed out
        typed.send_text(json.dumps({"type": "text", "text": "Hello"}))
        frames_until(typed, "turn.metrics")
        time.sleep(1.6)
        typed.send_text(json.dumps({"type": "text", "text": "Still here"}))
        frames, _ = frames_until(typed, "turn.metrics")
        assert "silence" not in [f["type"] for f in frames]
    with greeted(make_client()) as spoken:
        spoken.send_bytes(SPEECH)
        spoken.send_text(json.dumps({"type": "end_of_turn"}))
        frames_until(spoken, "turn.metrics")
        time.sleep(0.5)
        spoken.send_bytes(SPEECH)  # speech stops the clock...
        time.sleep(1.6)  # ...for as long as the caller takes to finish
        spoken.send_text(json.dumps({"type": "end_of_turn"}))
        frames, _ = frames_until(spoken, "turn.metrics")
        assert "silence" not in [f["type"] for f in frames]


def test_the_runner_ends_the_turn_of_a_caller_who_only_streams_audio(
        project: Project, make_client: MakeClient, sims: SimStack) -> None:
    sims.reset()
    sims.sarvam_state.transcripts.append("I want to recharge")
    session_setting(project, "end_of_turn_silence_ms: 300")
    quiet, said = bytes(640), vowel(0.5)  # 20 ms frames at 16 kHz
    loud = [said[i:i + 640] for i in range(0, len(said), 640)]
    with greeted(make_client()) as session:
        for frame in [quiet] * 100 + loud + [quiet] * 40:  # 2 s, 0.5 s, then 0.8 s
            session.send_bytes(frame)
        frames, audio = frames_until(session, "turn.metrics")  # no end_of_turn was sent
        assert {"type": "transcript", "final": True, "text": "I want to recharge"} in frames
        assert audio > 0
        upload = sims.sarvam_state.last("/speech-to-text").body["file"]
        # 0.52 s from before speech counted (0.3 s lead-in + the VAD's 0.22 s lag), then
        # 0.58 s to the end of 0.3 s of quiet
        assert upload["seconds"] == 1.1
        session.send_text(json.dumps({"type": "end_of_turn"}))  # a late one is ignored
        session.send_text(json.dumps({"type": "text", "text": "and my balance?"}))
        frames, _ = frames_until(session, "turn.metrics")
        assert "error" not in [f["type"] for f in frames]


def test_history_is_capped_by_characters_as_well_as_turns(make_client: MakeClient,
                                                          sims: SimStack) -> None:
    """A client typing turns as fast as it may (each barging in on the last) keeps only
    what fits the caps, in the session and in what the LLM is sent."""
    sims.reset()
    sims.openai_state.reply_sentences = 0
    client = make_client()
    runner = client.app.state.runner  # type: ignore[attr-defined]
    long_turn = "Please note this down for me. " * 100  # 3,000 characters
    with greeted(client) as session:
        for _ in range(120):
            session.send_text(json.dumps({"type": "text", "text": long_turn}))
        session.send_text(json.dumps({"type": "text", "text": "That is all."}))
        while True:
            frames, _ = frames_until(session, "reply.done")
            if "That is all." in frames[-1]["text"]:
                break
        (live,) = runner.sessions
        assert len(live.history) <= 80  # max_history_turns: 40
        assert sum(len(m.content) for m in live.history) <= MAX_HISTORY_CHARS
        sent = sims.openai_state.last("/v1/chat/completions").body["messages"]
        assert sent[-1]["content"] == "That is all." and sent[1]["role"] == "user"
        assert sum(len(m["content"]) for m in sent[1:]) <= MAX_HISTORY_CHARS


def test_a_session_ends_at_its_time_limit(make_client: MakeClient, sims: SimStack) -> None:
    from voiceops.server.state import Settings

    sims.reset()
    client = make_client(Settings(default_profile="sales_en", reload=False, max_session_s=1))
    with client.websocket_connect("/v1/sessions") as session:
        start(session)
        frames, _ = frames_until(session, "error")
        assert frames[-1]["code"] == "session_expired"
        assert session.receive() == {"type": "websocket.close", "code": 1000, "reason": ""}
