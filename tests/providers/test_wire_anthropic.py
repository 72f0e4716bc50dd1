"""What voiceops sends to Anthropic is what the official SDK (`anthropic`) sends for the same
call: method, path, auth and version headers, body keys and values, captured on loopback.
The live catalog's model listing is voiceops' own httpx code, so this is what keeps its
headers those of the SDK (`Authorization: Bearer` and the SDK's `anthropic-version`)."""

from __future__ import annotations

import asyncio
import contextlib

import anthropic

from tests.providers.capture import captured
from voiceops.catalog.live import anthropic as live
from voiceops.errors import ProviderError
from voiceops.providers.base import Message
from voiceops.providers.registry import ProviderPool, resolve_target

KEY = "sk-ant-wire-0123456789"
MODEL = "claude-haiku-4-5"
CONVERSATION = [Message("system", "Be brief."), Message("user", "Hello")]


def theirs(url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=KEY, base_url=url, max_retries=0, timeout=5)


def test_messages_stream_matches_the_sdk() -> None:
    section = {"provider": "anthropic", "model": MODEL, "max_tokens": 150}

    def mine_call(url: str) -> None:
        async def go() -> None:
            async with ProviderPool() as pool:
                target = resolve_target(section, {"ANTHROPIC_API_KEY": KEY,
                                                  "ANTHROPIC_BASE_URL": url}, 5.0)
                async for _ in pool.llm(target).stream(CONVERSATION):
                    pass

        with contextlib.suppress(ProviderError):
            asyncio.run(go())

    def sdk_call(url: str) -> None:
        with theirs(url).messages.stream(model=MODEL, max_tokens=150, system="Be brief.",
                                         messages=[{"role": "user", "content": "Hello"}]) as s:
            "".join(s.text_stream)

    mine, official = captured(mine_call), captured(sdk_call)
    assert mine.wire() == official.wire()
    assert mine.json == official.json


def test_model_listing_matches_the_sdk() -> None:
    mine = captured(lambda url: asyncio.run(live.fetch(api_key=KEY, base_url=url)))
    official = captured(lambda url: list(theirs(url).models.list(limit=1000)))
    assert mine.wire() == official.wire()
    assert mine.auth() == {"authorization": "Bearer",
                           "anthropic-version": official.headers["anthropic-version"]}
