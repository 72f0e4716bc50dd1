"""What voiceops' Sarvam clients send is what Sarvam's official SDK (`sarvamai`) sends for the
same call: method, path, auth header, body keys and values (captured on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import sarvamai

from tests.providers.capture import Capture, Captured
from voiceops.errors import ProviderError
from voiceops.providers.audio import pcm_to_wav
from voiceops.providers.registry import ProviderPool, resolve_target

KEY = "sk_wire_sarvam"
TEXT = "Namaste, aapka order kal aayega."


@pytest.fixture
def capture() -> Iterator[Capture]:
    with Capture() as server:
        yield server


def sdk(capture: Capture) -> sarvamai.SarvamAI:
    environment = sarvamai.SarvamAIEnvironment(base=capture.url, creative=capture.url,
                                               production=capture.url)
    return sarvamai.SarvamAI(api_subscription_key=KEY, environment=environment, timeout=5)


def sdk_call(capture: Capture, call: Any) -> Captured:
    with contextlib.suppress(Exception):  # the capture server refuses everything
        result = call(sdk(capture))
        if not isinstance(result, Mapping | sarvamai.TextToSpeechResponse):
            list(result)
    return capture.first()


def voiceops_call(capture: Capture, section: Mapping[str, Any], kind: str,
                  rate: int = 16000) -> Captured:
    async def go() -> None:
        async with ProviderPool() as pool:
            target = resolve_target(section, {"SARVAM_API_KEY": KEY,
                                              "SARVAM_BASE_URL": capture.url}, 5.0,
                                    language="hi-IN")
            if kind == "tts":
                async for _ in pool.tts(target, rate).synthesize(TEXT):
                    pass
            else:
                await pool.stt(target).transcribe(b"\0\0" * 8000, 16000, "hi-IN")

    with contextlib.suppress(ProviderError):
        asyncio.run(go())
    return capture.first()


TTS = {"provider": "sarvam", "model": "bulbul:v3", "voice": "priya", "tuning": {"pace": 1.1}}


def test_tts_stream_matches_the_sdk() -> None:
    with Capture() as ours, Capture() as theirs:
        mine = voiceops_call(ours, TTS, "tts", rate=16000)
        official = sdk_call(theirs, lambda c: c.text_to_speech.convert_stream(
            text=TEXT, language_code="hi-IN", model="bulbul:v3", speaker="priya",
            speech_sample_rate=16000, pace=1.1, output_audio_codec="wav"))
    assert mine.wire() == official.wire()
    assert mine.json == official.json
    assert mine.json is not None and mine.json["language_code"] == "hi-IN"


def test_tts_rest_matches_the_sdk() -> None:
    # 48 kHz is REST-only: voiceops falls back to /text-to-speech.
    with Capture() as ours, Capture() as theirs:
        mine = voiceops_call(ours, TTS, "tts", rate=48000)
        official = sdk_call(theirs, lambda c: c.text_to_speech.convert(
            text=TEXT, language_code="hi-IN", model="bulbul:v3", speaker="priya",
            speech_sample_rate=48000, pace=1.1))
    assert mine.wire() == official.wire()
    assert mine.json == official.json


def test_stt_matches_the_sdk() -> None:
    section = {"provider": "sarvam", "model": "saaras:v3", "mode": "transcribe"}
    wav = pcm_to_wav(b"\0\0" * 8000, 16000)
    with Capture() as ours, Capture() as theirs:
        mine = voiceops_call(ours, section, "stt")
        official = sdk_call(theirs, lambda c: c.speech_to_text.transcribe(
            file=("utterance.wav", wav, "audio/wav"), model="saaras:v3", mode="transcribe",
            language_code="hi-IN"))
    # sarvamai 0.1.39 always adds `keyterms`, as the text "null" when not given; the API
    # takes a form without it (older SDKs never sent it), so voiceops leaves it out.
    sdk_fields = {k: v for k, v in official.form.items()
                  if not (k == "keyterms" and v in ("", "null"))}
    assert {**mine.wire(), "form_keys": None} == {**official.wire(), "form_keys": None}
    assert mine.form == sdk_fields
