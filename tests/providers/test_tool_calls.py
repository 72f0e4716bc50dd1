"""voiceops' own LLM clients call tools (issue 16, item 3), against the simulators on
loopback, for each family: OpenAI, an OpenAI-compatible server, Sarvam (both over the OpenAI
client) and Anthropic. `events(messages, tools)` yields text deltas as `str` and each complete
call as a `ToolCall`; a conversation carrying the call and its result gets the model's answer;
`stream()` and callers that offer no tools see text only, as before."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voiceops.providers.base import LLMEvent, Message, ToolCall, ToolSpec
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.providers.tooling import anthropic_turns, parse_arguments
from voiceops.sim.stack import SimStack

TOOLS = [
    ToolSpec("check_availability", "Free slots for a date.",
             {"type": "object", "properties": {"date": {"type": "string"},
                                               "people": {"type": "integer"}},
              "required": ["date"]}),
    ToolSpec("end_call", "End the call.", {"type": "object", "properties": {}}),
]
ASK = [Message("system", "You book appointments."),
       Message("user", "check_availability date=2026-12-01 people=2 please")]


def sections(sims: SimStack) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    compatible_env = {"MY_LLM_KEY": sims.openai_state.api_key}
    return [
        ("openai", {"provider": "openai", "model": "gpt-4o-mini"}, {}),
        ("openai_compatible", {"provider": "openai_compatible", "model": "gpt-4o-mini",
                               "base_url": sims.servers["openai"].base_url,
                               "api_key": "${MY_LLM_KEY}"}, compatible_env),
        ("sarvam", {"provider": "sarvam", "model": "sarvam-105b"}, {}),
        ("anthropic", {"provider": "anthropic", "model": "claude-haiku-4-5"}, {}),
    ]


FAMILIES = ["openai", "openai_compatible", "sarvam", "anthropic"]


def run(sims: SimStack, family: str, messages: list[Message],
        tools: list[ToolSpec]) -> list[LLMEvent]:
    (_, section, extra), = [s for s in sections(sims) if s[0] == family]

    async def go() -> list[LLMEvent]:
        async with ProviderPool() as pool:
            llm = pool.llm(resolve_target(section, {**sims.env(), **extra}, 5.0))
            return [event async for event in llm.events(messages, tools)]

    return asyncio.run(go())


@pytest.mark.parametrize("family", FAMILIES)
def test_a_named_tool_is_one_typed_call_and_its_result_gets_an_answer(sims: SimStack,
                                                                      family: str) -> None:
    sims.latency(llm_ttft=0.0, llm_token_interval=0.0)
    events = run(sims, family, ASK, TOOLS)
    (call,) = events  # no text: the simulated model only calls
    assert isinstance(call, ToolCall) and call.id
    assert (call.name, dict(call.arguments), call.problem) == (
        "check_availability", {"date": "2026-12-01", "people": 2}, None)
    follow = [*ASK, Message("assistant", "", tool_calls=(call,)),
              Message.result(call, '{"slots": ["10:00", "11:30"]}')]
    answer = run(sims, family, follow, TOOLS)
    assert all(isinstance(e, str) for e in answer)
    assert "".join(str(e) for e in answer) == \
        'Tool check_availability returned: {"slots": ["10:00", "11:30"]}'


@pytest.mark.parametrize("family", FAMILIES)
def test_a_failed_result_and_a_second_call_in_one_turn(sims: SimStack, family: str) -> None:
    sims.latency(llm_ttft=0.0, llm_token_interval=0.0)
    ask = [Message("user", "check_availability date=today and then end_call")]
    (first,) = run(sims, family, ask, TOOLS)
    assert isinstance(first, ToolCall)
    ask += [Message("assistant", "Let me see.", tool_calls=(first,)),
            Message.result(first, "timed out", ok=False)]
    (second,) = run(sims, family, ask, TOOLS)
    assert isinstance(second, ToolCall) and second.name == "end_call"
    assert dict(second.arguments) == {}
    ask += [Message("assistant", "", tool_calls=(second,)), Message.result(second, "ok")]
    text = "".join(str(e) for e in run(sims, family, ask, TOOLS))
    # only Anthropic's API carries is_error; the OpenAI format says nothing of it
    verb = "failed" if family == "anthropic" else "returned"
    assert text == f"Tool check_availability {verb}: timed out Tool end_call returned: ok"


@pytest.mark.parametrize("family", FAMILIES)
def test_stream_and_callers_without_tools_get_text_as_before(sims: SimStack,
                                                             family: str) -> None:
    sims.latency(llm_ttft=0.0, llm_token_interval=0.0)
    events = run(sims, family, ASK, [])
    assert events and all(isinstance(e, str) for e in events)
    assert "".join(str(e) for e in events).startswith('You said: "check_availability')
    body = sims.states["anthropic" if family == "anthropic" else
                       "sarvam" if family == "sarvam" else "openai"].received[-1].body
    assert "tools" not in body


def test_arguments_that_are_not_a_json_object_are_a_problem_not_a_crash() -> None:
    assert parse_arguments("") == ({}, None)
    assert parse_arguments('{"a": 1}') == ({"a": 1}, None)
    assert parse_arguments("[1, 2]")[1] == "the arguments are not a JSON object: '[1, 2]'"
    assert parse_arguments('{"a": ')[1] is not None


def test_anthropic_turns_put_results_first_in_one_user_turn() -> None:
    call_a = ToolCall("toolu_a", "check_availability", {"date": "x"})
    call_b = ToolCall("toolu_b", "end_call", {})
    system, turns = anthropic_turns([
        Message("system", "Be brief."), Message("user", "hi"),
        Message("assistant", "One moment.", tool_calls=(call_a, call_b)),
        Message.result(call_a, "free at 10"), Message.result(call_b, "no", ok=False),
        Message("user", "and?")])
    assert system == "Be brief."
    assert turns == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "One moment."},
            {"type": "tool_use", "id": "toolu_a", "name": "check_availability",
             "input": {"date": "x"}},
            {"type": "tool_use", "id": "toolu_b", "name": "end_call", "input": {}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_a", "content": "free at 10"},
            {"type": "tool_result", "tool_use_id": "toolu_b", "content": "no",
             "is_error": True},
            {"type": "text", "text": "and?"}]},
    ]
