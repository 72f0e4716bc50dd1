"""SarvamSTT (httpx multipart) and OpenAISTT (the `openai` SDK) against their simulators:
the transcript, what was uploaded, language handling, errors, the one retry, timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import pytest

from voiceops.errors import (
    AuthError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
)
from voiceops.providers.base import Transcript
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim import speech
from voiceops.sim.stack import SimStack

PCM = speech.synthesize("x" * 20, 16000)  # 1.4 s of audio at 16 kHz
SARVAM = {"provider": "sarvam", "model": "saaras:v3"}
OPENAI = {"provider": "openai", "model": "whisper-1"}


def transcribe(sims: SimStack, config: Mapping[str, Any], language: str | None = "hi-IN",
               pcm: bytes = PCM, timeout: float = 5.0, rate: int = 16000) -> Transcript:
    async def go() -> Transcript:
        async with ProviderPool() as pool:
            stt = pool.stt(resolve_target(config, sims.env(), timeout))
            return await stt.transcribe(pcm, rate, language)

    return asyncio.run(go())


def failure(sims: SimStack, config: Mapping[str, Any], timeout: float = 5.0) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        transcribe(sims, config, timeout=timeout)
    return caught.value


def test_sarvam_answers_with_the_queued_transcript(sims: SimStack) -> None:
    sims.sarvam_state.transcripts.append("mera order kahan hai")
    assert transcribe(sims, {**SARVAM, "mode": "transcribe"}) == \
        Transcript("mera order kahan hai", "hi-IN")
    upload = sims.sarvam_state.last("/speech-to-text").body
    assert upload["model"] == "saaras:v3" and upload["language_code"] == "hi-IN"
    assert upload["mode"] == "transcribe"
    assert upload["file"]["content_type"] == "audio/wav"
    assert upload["file"]["sample_rate"] == 16000 and upload["file"]["seconds"] == 1.4


@pytest.mark.parametrize("rate", [8000, 48000])
def test_sarvam_gets_16_khz_whatever_the_caller_sends(sims: SimStack, rate: int) -> None:
    sims.sarvam_state.transcripts.append("haan ji")
    pcm = speech.synthesize("x" * 20, rate)  # 1.4 s at the caller's rate
    assert transcribe(sims, SARVAM, pcm=pcm, rate=rate).text == "haan ji"
    upload = sims.sarvam_state.last("/speech-to-text").body["file"]
    assert upload["sample_rate"] == 16000 and upload["seconds"] == 1.4


def test_sarvam_detects_the_language_when_none_is_given(sims: SimStack) -> None:
    result = transcribe(sims, SARVAM, language=None)
    assert result == Transcript("I heard 1.4 seconds of audio.", "en-IN")
    body = sims.sarvam_state.last().body
    assert body["language_code"] == "unknown" and "mode" not in body


def test_sarvam_refuses_more_than_30_seconds_before_uploading(sims: SimStack) -> None:
    with pytest.raises(ProviderRequestError, match="30 s"):
        transcribe(sims, SARVAM, pcm=bytes(2 * 16000 * 31))
    assert sims.servers["sarvam"].requests == 0


def test_sarvam_refuses_mode_on_a_model_without_it(sims: SimStack) -> None:
    error = failure(sims, {"provider": "sarvam", "model": "saarika:v2.5", "mode": "translate"})
    assert isinstance(error, ProviderRequestError) and "mode" in str(error)


def test_openai_answers_with_the_queued_transcript(sims: SimStack) -> None:
    sims.openai_state.transcripts.extend(["first", "second"])
    assert transcribe(sims, OPENAI).text == "first"
    assert transcribe(sims, OPENAI, language=None).text == "second"
    assert transcribe(sims, OPENAI).text == "I heard 1.4 seconds of audio."
    bodies = [e.body for e in sims.openai_state.received]
    assert bodies[0]["language"] == "hi" and "language" not in bodies[1]
    assert bodies[0]["model"] == "whisper-1" and bodies[0]["file"]["seconds"] == 1.4


@pytest.mark.parametrize("config", [SARVAM, OPENAI], ids=["sarvam", "openai"])
def test_the_answer_waits_for_the_simulated_latency(sims: SimStack,
                                                     config: dict[str, Any]) -> None:
    sims.latency(stt=0.25)
    began = time.perf_counter()
    transcribe(sims, config)
    assert time.perf_counter() - began >= 0.25


@pytest.mark.parametrize("config", [SARVAM, OPENAI], ids=["sarvam", "openai"])
def test_one_quick_failure_is_retried(sims: SimStack, config: dict[str, Any]) -> None:
    server = sims.servers[config["provider"]]
    server.faults.fail(502)
    assert transcribe(sims, config).text.startswith("I heard")
    assert server.requests == 2


@pytest.mark.parametrize(("config", "status", "kind"), [
    (SARVAM, 403, AuthError), (SARVAM, 500, ProviderUnavailable),
    (SARVAM, 429, RateLimitError), (OPENAI, 401, AuthError),
    (OPENAI, 503, ProviderUnavailable), (OPENAI, 429, RateLimitError),
], ids=["sarvam-403", "sarvam-500", "sarvam-429", "openai-401", "openai-503", "openai-429"])
def test_failures_map_to_their_errors(sims: SimStack, config: dict[str, Any], status: int,
                                      kind: type[ProviderError]) -> None:
    sims.servers[config["provider"]].faults.fail(status, times=2)
    error = failure(sims, config)
    assert type(error) is kind and error.provider == config["provider"]


@pytest.mark.parametrize("config", [SARVAM, OPENAI], ids=["sarvam", "openai"])
def test_no_answer_in_time_is_a_timeout(sims: SimStack, config: dict[str, Any]) -> None:
    sims.latency(stt=3.0)
    assert isinstance(failure(sims, config, timeout=0.3), ProviderTimeout)
    assert sims.servers[config["provider"]].requests == 1  # not retried
