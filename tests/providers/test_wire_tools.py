"""What voiceops sends when it offers tools and returns their results is what the official
SDKs send for the same call (issue 16, item 3), captured on loopback: `openai` for OpenAI,
`sarvamai` for Sarvam's OpenAI-compatible chat (but for its auth header), `anthropic` for
the Messages API. voiceops builds these bodies by hand (tooling.py), so this keeps them equal."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import anthropic
import openai
import sarvamai

from tests.providers.capture import captured
from voiceops.errors import ProviderError
from voiceops.providers.anthropic.llm import DEFAULT_MAX_TOKENS
from voiceops.providers.base import Message, ToolCall, ToolSpec
from voiceops.providers.registry import ProviderPool, resolve_target

KEY = "sk-wire-0123456789"
SCHEMA = {"type": "object", "properties": {"date": {"type": "string", "format": "date"}},
          "required": ["date"]}
TOOLS = [ToolSpec("check_availability", "Free slots for a date.", SCHEMA)]
CALL = ToolCall("call_1", "check_availability", {"date": "2026-12-01"})
CONVERSATION = [Message("system", "Be brief."), Message("user", "Any slot on Monday?"),
                Message("assistant", "Let me check.", tool_calls=(CALL,)),
                Message.result(CALL, '{"slots": ["10:00"]}')]
OPENAI_TOOLS: Any = [{"type": "function", "function": {
    "name": "check_availability", "description": "Free slots for a date.", "parameters": SCHEMA}}]
OPENAI_MESSAGES: Any = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Any slot on Monday?"},
    {"role": "assistant", "content": "Let me check.", "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "check_availability", "arguments": json.dumps(
             {"date": "2026-12-01"})}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"slots": ["10:00"]}'},
]


def ours(section: dict[str, Any], env: dict[str, str]) -> None:
    async def go() -> None:
        async with ProviderPool() as pool:
            llm = pool.llm(resolve_target(section, env, 5.0))
            async for _ in llm.events(CONVERSATION, TOOLS):
                pass

    with contextlib.suppress(ProviderError):
        asyncio.run(go())


def test_openai_tools_and_results_match_the_sdk() -> None:
    section = {"provider": "openai", "model": "gpt-4o-mini"}
    mine = captured(lambda url: ours(section, {"OPENAI_API_KEY": KEY,
                                               "OPENAI_BASE_URL": url + "/v1"}))
    official = captured(lambda url: list(openai.OpenAI(
        api_key=KEY, base_url=url + "/v1", max_retries=0, timeout=5).chat.completions.create(
        model="gpt-4o-mini", messages=OPENAI_MESSAGES, tools=OPENAI_TOOLS, stream=True)))
    assert mine.wire() == official.wire()
    assert mine.json == official.json


def test_sarvam_tools_and_results_match_sarvams_sdk() -> None:
    section = {"provider": "sarvam", "model": "sarvam-105b"}

    def official_call(url: str) -> None:
        environment = sarvamai.SarvamAIEnvironment(base=url, creative=url, production=url)
        client = sarvamai.SarvamAI(api_subscription_key=KEY, environment=environment)
        list(client.chat.completions(messages=OPENAI_MESSAGES, model="sarvam-105b",
                                     tools=OPENAI_TOOLS, stream=True))

    mine = captured(lambda url: ours(section, {"SARVAM_API_KEY": KEY, "SARVAM_BASE_URL": url}))
    official = captured(official_call)
    assert {**mine.wire(), "auth": None} == {**official.wire(), "auth": None}
    assert mine.json == official.json


def test_anthropic_tools_and_results_match_the_sdk() -> None:
    section = {"provider": "anthropic", "model": "claude-haiku-4-5"}

    def official_call(url: str) -> None:
        client = anthropic.Anthropic(api_key=KEY, base_url=url, max_retries=0, timeout=5)
        with client.messages.stream(
                model="claude-haiku-4-5", max_tokens=DEFAULT_MAX_TOKENS, system="Be brief.",
                tools=[{"name": "check_availability", "description": "Free slots for a date.",
                        "input_schema": SCHEMA}],
                messages=[
                    {"role": "user", "content": "Any slot on Monday?"},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Let me check."},
                        {"type": "tool_use", "id": "call_1", "name": "check_availability",
                         "input": {"date": "2026-12-01"}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_1",
                         "content": '{"slots": ["10:00"]}'}]}]) as stream:
            "".join(stream.text_stream)

    mine = captured(lambda url: ours(section, {"ANTHROPIC_API_KEY": KEY,
                                               "ANTHROPIC_BASE_URL": url}))
    official = captured(official_call)
    assert mine.wire() == official.wire()
    assert mine.json == official.json
