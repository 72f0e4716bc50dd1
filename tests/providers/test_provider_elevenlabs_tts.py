"""ElevenLabsTTS against the ElevenLabs simulator: PCM at each output rate, voice settings
and language on the wire, the voice_not_found message, errors, retries, cuts, cancel."""

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
    RateLimitError,
)
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim import speech
from voiceops.sim.stack import SimStack

VOICE = "9BWtsMINqrJLrRacOk9x"  # Aria, a premade voice of the simulated account
TEXT = "Your order ships tomorrow morning."


def tts_section(**extra: Any) -> dict[str, Any]:
    return {"provider": "elevenlabs", "model": "eleven_flash_v2_5", "voice": VOICE, **extra}


def synthesize(sims: SimStack, config: Mapping[str, Any], rate: int = 16000,
               text: str = TEXT) -> list[bytes]:
    async def go() -> list[bytes]:
        async with ProviderPool() as pool:
            target = resolve_target(config, sims.env(), 5.0, language="en-IN")
            return [chunk async for chunk in pool.tts(target, rate).synthesize(text)]

    return asyncio.run(go())


def failure(sims: SimStack, config: Mapping[str, Any]) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        synthesize(sims, config)
    return caught.value


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
def test_pcm_arrives_at_the_rate_asked_for(sims: SimStack, rate: int) -> None:
    chunks = synthesize(sims, tts_section(), rate)
    assert all(len(c) % 2 == 0 for c in chunks)
    assert b"".join(chunks) == speech.synthesize(TEXT, rate, voice=VOICE)
    entry = sims.elevenlabs_state.last()
    assert entry.path == f"/v1/text-to-speech/{VOICE}/stream"
    assert entry.query == {"output_format": f"pcm_{rate}"}


def test_audio_length_follows_the_text(sims: SimStack) -> None:
    one = len(b"".join(synthesize(sims, tts_section(), text="Yes.")))
    many = len(b"".join(synthesize(sims, tts_section(), text=TEXT * 4)))
    assert many / one == pytest.approx(len(TEXT * 4) / len("Yes."), rel=0.01)


def test_tuning_becomes_voice_settings_and_language_a_code(sims: SimStack) -> None:
    tuning = {"stability": 0.3, "similarity_boost": 0.8, "style": 0.1, "speed": 1.1,
              "use_speaker_boost": False}
    pcm = b"".join(synthesize(sims, tts_section(tuning=tuning)))
    body = sims.elevenlabs_state.last().body
    assert body["voice_settings"] == tuning
    assert body["model_id"] == "eleven_flash_v2_5" and body["language_code"] == "en"
    assert body["text"] == TEXT
    assert len(pcm) / 32000 == pytest.approx(len(TEXT) * 0.070 / 1.1, rel=0.01)


def test_language_code_goes_only_to_models_that_take_it(sims: SimStack) -> None:
    synthesize(sims, tts_section(model="eleven_multilingual_v2"))
    body = sims.elevenlabs_state.last().body
    assert "language_code" not in body and "voice_settings" not in body


def test_a_voice_the_account_lacks_says_which_and_how_to_list_them(sims: SimStack) -> None:
    error = failure(sims, tts_section(voice="copiedFromAnotherAcct"))
    assert isinstance(error, ProviderRequestError) and error.status == 404
    assert "copiedFromAnotherAcct" in str(error)
    assert "voiceops voices --live" in str(error)


def test_an_unsupported_rate_is_refused_before_any_call(sims: SimStack) -> None:
    with pytest.raises(ProviderSetupError, match="32000"):
        synthesize(sims, tts_section(), rate=32000)


def test_a_refused_key_is_an_auth_error_without_the_key(sims: SimStack) -> None:
    sims.elevenlabs_state.api_key = "another-key"
    error = failure(sims, tts_section())
    assert isinstance(error, AuthError) and "ELEVENLABS_API_KEY" in str(error)
    assert sims.env()["ELEVENLABS_API_KEY"] not in str(error)


def test_a_429_is_retried_once_then_reported_with_its_wait(sims: SimStack) -> None:
    server = sims.servers["elevenlabs"]
    server.faults.fail(429)
    assert b"".join(synthesize(sims, tts_section()))  # the retry got through
    assert server.requests == 2
    server.log.reset()
    server.faults.fail(429, retry_after=5)  # longer than a caller can wait: no retry
    error = failure(sims, tts_section())
    assert isinstance(error, RateLimitError) and error.retry_after == 5
    assert server.requests == 1


def test_blank_text_costs_no_request(sims: SimStack) -> None:
    assert synthesize(sims, tts_section(), text="  ") == []
    assert sims.servers["elevenlabs"].requests == 0


def test_what_was_said_before_goes_as_previous_text(sims: SimStack) -> None:
    async def go(previous: str) -> None:
        async with ProviderPool() as pool:
            tts = pool.tts(resolve_target(tts_section(), sims.env(), 5.0), 16000)
            assert [chunk async for chunk in tts.synthesize(TEXT, previous)]

    asyncio.run(go(""))
    assert "previous_text" not in sims.elevenlabs_state.last().body
    earlier = "Thanks for waiting. " * 30  # longer than the context kept
    asyncio.run(go(earlier))
    sent = sims.elevenlabs_state.last().body["previous_text"]
    assert earlier.endswith(sent) and 0 < len(sent) <= 300
