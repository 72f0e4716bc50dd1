"""SarvamTTS against the Sarvam simulator: the streaming endpoint as raw PCM, the REST
endpoint's WAV for the rates streaming lacks, tuning per model, errors, retries, cuts."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from voiceops.errors import (
    AuthError,
    ProviderError,
    ProviderRequestError,
    ProviderSetupError,
    ProviderTimeout,
    ProviderUnavailable,
)
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim import speech
from voiceops.sim.stack import SimStack

TEXT = "Namaste, aapka order kal tak pahunch jayega."


def tts_section(**extra: Any) -> dict[str, Any]:
    return {"provider": "sarvam", "model": "bulbul:v3", "voice": "priya", **extra}


def synthesize(sims: SimStack, config: Mapping[str, Any], rate: int = 16000,
               text: str = TEXT, timeout: float = 5.0) -> list[bytes]:
    async def go() -> list[bytes]:
        async with ProviderPool() as pool:
            target = resolve_target(config, sims.env(), timeout, language="hi-IN")
            return [chunk async for chunk in pool.tts(target, rate).synthesize(text)]

    return asyncio.run(go())


def failure(sims: SimStack, config: Mapping[str, Any], rate: int = 16000,
            timeout: float = 5.0) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        synthesize(sims, config, rate, timeout=timeout)
    return caught.value


def test_streams_raw_pcm_from_the_stream_endpoint_as_it_is_made(sims: SimStack) -> None:
    sims.sarvam_state.tts_chunk_ms = 50
    chunks = synthesize(sims, tts_section())
    assert len(chunks) > 5 and all(len(c) % 2 == 0 for c in chunks)
    pcm = b"".join(chunks)
    # Exactly the simulated voice: WAV (the codec every streaming model documents; v4-flash
    # lists no linear16) arrives with its header stripped, nothing decoded.
    assert pcm == speech.synthesize(TEXT, 16000, voice="priya")
    entry = sims.sarvam_state.last()
    assert entry.path == "/text-to-speech/stream"
    assert entry.body["output_audio_codec"] == "wav"
    assert entry.body["speech_sample_rate"] == 16000
    assert entry.body["language_code"] == "hi-IN" and entry.body["speaker"] == "priya"


def test_audio_length_follows_the_text(sims: SimStack) -> None:
    short = b"".join(synthesize(sims, tts_section(), text="Haan."))
    long = b"".join(synthesize(sims, tts_section(), text=TEXT * 3))
    assert len(long) / len(short) == pytest.approx(len(TEXT * 3) / len("Haan."), rel=0.01)
    assert len(long) / 32000 == pytest.approx(len(TEXT * 3) * 0.070, rel=0.01)


@pytest.mark.parametrize("rate", [8000, 22050, 24000])
def test_streamed_rates_come_back_at_that_rate(sims: SimStack, rate: int) -> None:
    pcm = b"".join(synthesize(sims, tts_section(), rate))
    assert len(pcm) / (2 * rate) == pytest.approx(len(TEXT) * 0.070, rel=0.01)


def test_rates_streaming_lacks_use_the_rest_endpoint_and_unwrap_its_wav(sims: SimStack) -> None:
    pcm = b"".join(synthesize(sims, tts_section(model="bulbul:v3", voice="shubh"), 44100))
    assert pcm == speech.synthesize(TEXT, 44100, voice="shubh")
    entry = sims.sarvam_state.last()
    assert entry.path == "/text-to-speech" and "output_audio_codec" not in entry.body


def test_tuning_is_sent_as_the_model_takes_it(sims: SimStack) -> None:
    tuning = {"pitch": 0.2, "pace": 1.25, "loudness": 1.5, "temperature": 0.4,
              "enable_preprocessing": True}
    pcm = b"".join(synthesize(sims, tts_section(tuning=tuning)))
    body = sims.sarvam_state.last().body
    assert (body["pace"], body["temperature"]) == (1.25, 0.4)
    assert body["enable_preprocessing"] is True
    assert len(pcm) / 32000 == pytest.approx(len(TEXT) * 0.070 / 1.25, rel=0.01)
    # bulbul:v3 refuses pitch and loudness (bulbul:v2, which took them, is retired):
    # they are left out for it
    assert "pitch" not in body and "loudness" not in body


def test_an_unknown_speaker_is_a_request_error_quoting_sarvam(sims: SimStack) -> None:
    error = failure(sims, tts_section(voice="nobody"))
    assert isinstance(error, ProviderRequestError) and error.status == 400
    assert "nobody" in str(error) and "not recognized" in str(error)


def test_a_rate_sarvam_lacks_is_refused_before_any_call(sims: SimStack) -> None:
    with pytest.raises(ProviderSetupError, match="11025"):
        synthesize(sims, tts_section(), rate=11025)
    assert sims.servers["sarvam"].requests == 0


@pytest.mark.parametrize(("status", "kind"), [(401, AuthError), (403, AuthError)])
def test_a_refused_key_is_an_auth_error(sims: SimStack, status: int,
                                        kind: type[ProviderError]) -> None:
    sims.servers["sarvam"].faults.fail(status)
    error = failure(sims, tts_section())
    assert type(error) is kind and "SARVAM_API_KEY" in str(error)
    assert sims.servers["sarvam"].requests == 1


def test_one_quick_failure_is_retried_before_the_first_byte(sims: SimStack) -> None:
    sims.servers["sarvam"].faults.fail(503)
    assert b"".join(synthesize(sims, tts_section()))
    assert sims.servers["sarvam"].requests == 2


def test_a_second_failure_is_reported(sims: SimStack) -> None:
    sims.servers["sarvam"].faults.fail(500, times=2)
    error = failure(sims, tts_section())
    assert isinstance(error, ProviderUnavailable) and error.status == 500
    assert sims.servers["sarvam"].requests == 2


def test_a_stalled_first_byte_is_a_timeout_and_not_retried(sims: SimStack) -> None:
    sims.sarvam_state.tts_ttfb_s = 3.0
    assert isinstance(failure(sims, tts_section(), timeout=0.3), ProviderTimeout)
    assert sims.servers["sarvam"].requests == 1
