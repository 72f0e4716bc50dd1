"""What voiceops sends to OpenAI (and to Sarvam's OpenAI-compatible chat) is what the official
SDKs send for the same call: method, path, auth header, body keys and values, captured on
loopback. voiceops' chat client posts through the SDK's low-level `post()`, so its body is
built by hand: this is what keeps it equal to `chat.completions.create()`'s."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import openai
import sarvamai

from tests.providers.capture import captured
from voiceops.catalog.live import openai as live_openai
from voiceops.errors import ProviderError
from voiceops.providers.audio import pcm_to_wav
from voiceops.providers.base import Message
from voiceops.providers.registry import ProviderPool, resolve_target

KEY = "sk-wire-0123456789"
CONVERSATION = [Message("system", "Be brief."), Message("user", "Hello")]
SDK_MESSAGES: Any = [{"role": m.role, "content": m.content} for m in CONVERSATION]


def ours(url: str, section: dict[str, Any], kind: str, env_prefix: str = "OPENAI") -> None:
    async def go() -> None:
        async with ProviderPool() as pool:
            target = resolve_target(section, {f"{env_prefix}_API_KEY": KEY,
                                              f"{env_prefix}_BASE_URL": url}, 5.0)
            if kind == "llm":
                async for _ in pool.llm(target).stream(CONVERSATION):
                    pass
            else:
                await pool.stt(target).transcribe(b"\0\0" * 8000, 16000, "hi-IN")

    with contextlib.suppress(ProviderError):
        asyncio.run(go())


def theirs(url: str) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=url, max_retries=0, timeout=5)


def test_chat_stream_matches_the_sdk() -> None:
    section = {"provider": "openai", "model": "gpt-4o-mini", "temperature": 0.3,
               "max_tokens": 120}
    mine = captured(lambda url: ours(url + "/v1", section, "llm"))
    official = captured(lambda url: list(theirs(url + "/v1").chat.completions.create(
        model="gpt-4o-mini", messages=SDK_MESSAGES, stream=True, temperature=0.3,
        max_completion_tokens=120)))
    assert mine.wire() == official.wire()
    assert mine.json == official.json


def test_transcription_matches_the_sdk() -> None:
    section = {"provider": "openai", "model": "gpt-transcribe"}
    wav = pcm_to_wav(b"\0\0" * 8000, 16000)
    mine = captured(lambda url: ours(url + "/v1", section, "stt"))
    official = captured(lambda url: theirs(url + "/v1").audio.transcriptions.create(
        model="gpt-transcribe", file=("utterance.wav", wav, "audio/wav"), language="hi",
        response_format="json"))
    assert mine.wire() == official.wire()
    assert mine.form == official.form


def test_model_listing_matches_the_sdk() -> None:
    mine = captured(lambda url: asyncio.run(live_openai.fetch(api_key=KEY,
                                                             base_url=url + "/v1")))
    official = captured(lambda url: list(theirs(url + "/v1").models.list()))
    assert mine.wire() == official.wire()


def test_sarvam_chat_matches_sarvams_sdk_but_for_the_auth_header() -> None:
    section = {"provider": "sarvam", "model": "sarvam-105b-conversations", "max_tokens": 200,
               "temperature": 0.2}

    def official_call(url: str) -> None:
        environment = sarvamai.SarvamAIEnvironment(base=url, creative=url, production=url)
        client = sarvamai.SarvamAI(api_subscription_key=KEY, environment=environment)
        list(client.chat.completions(messages=SDK_MESSAGES, model="sarvam-105b-conversations",
                                     max_tokens=200, temperature=0.2, stream=True))

    mine = captured(lambda url: ours(url, section, "llm", env_prefix="SARVAM"))
    official = captured(official_call)
    # voiceops drives Sarvam's chat with the openai SDK, whose `Authorization: Bearer` Sarvam
    # accepts (seen 2026-11-30); sarvamai sends `api-subscription-key`.
    assert mine.auth() == {"authorization": "Bearer"}
    assert official.auth() == {"api-subscription-key": "<key>"}
    assert {**mine.wire(), "auth": None} == {**official.wire(), "auth": None}
    assert mine.json == official.json
