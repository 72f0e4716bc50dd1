"""The simulators' function calling, judged by the official SDKs (issue 16, item 3): a
simulated model calls a declared tool when the user names it, with the `key=value` words of
that message typed by the parameter schema; it streams the call in each API's format (OpenAI
`delta.tool_calls`, also for Sarvam's OpenAI-compatible chat; Anthropic `tool_use` with
`input_json_delta`), and after the result comes back replies `Tool NAME returned: ...`."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
import pytest
import sarvamai
from anthropic.types import Message as AnthropicMessage
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from tests.sim.strict import strict
from voiceops.sim.stack import SimStack
from voiceops.sim.tools import RESULT_CHARS

SCHEMA = {"type": "object", "properties": {"date": {"type": "string"},
                                           "people": {"type": "integer"},
                                           "urgent": {"type": "boolean"}},
          "required": ["date"]}
OPENAI_TOOLS: Any = [
    {"type": "function", "function": {"name": "check_availability",
                                      "description": "Free slots.", "parameters": SCHEMA}},
    {"type": "function", "function": {"name": "book_appointment", "description": "Book.",
                                      "parameters": {"type": "object",
                                                     "properties": {"slot": {"type": "string"}}}}},
]
ANTHROPIC_TOOLS: Any = [{"name": t["function"]["name"], "description": t["function"]["description"],
                         "input_schema": t["function"]["parameters"]} for t in OPENAI_TOOLS]
ASK = "Please check_availability date=2026-12-01 people=3 urgent=yes color=red."


def openai_client(sims: SimStack, provider: str = "openai") -> openai.OpenAI:
    return openai.OpenAI(api_key=sims.states[provider].api_key,
                         base_url=sims.servers[provider].url + "/v1", max_retries=0, timeout=10)


def anthropic_client(sims: SimStack) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=sims.states["anthropic"].api_key,
                               base_url=sims.servers["anthropic"].url, max_retries=0,
                               timeout=10)


@pytest.mark.parametrize(("provider", "model"), [("openai", "gpt-4o-mini"),
                                                 ("sarvam", "sarvam-105b-conversations")])
def test_openai_format_streams_a_typed_tool_call(sims: SimStack, provider: str,
                                                 model: str) -> None:
    chunks = list(openai_client(sims, provider).chat.completions.create(
        model=model, messages=[{"role": "user", "content": ASK}], tools=OPENAI_TOOLS,
        stream=True))
    assert all(isinstance(strict(c), ChatCompletionChunk) for c in chunks)
    pieces = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or ()]
    assert len(pieces) > 1  # the arguments arrive in fragments
    assert pieces[0].id and pieces[0].function and pieces[0].function.name == "check_availability"
    arguments = "".join(p.function.arguments or "" for p in pieces if p.function)
    assert json.loads(arguments) == {"date": "2026-12-01", "people": 3, "urgent": True}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_openai_whole_answer_and_the_result_round_trip(sims: SimStack) -> None:
    sdk = openai_client(sims)
    messages: Any = [{"role": "user", "content": ASK}]
    first = sdk.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                        tools=OPENAI_TOOLS)
    assert isinstance(strict(first), ChatCompletion)
    assert first.choices[0].finish_reason == "tool_calls"
    (call,) = first.choices[0].message.tool_calls or []
    assert call.type == "function"
    result = "Free at " + ", ".join(f"{h}:00" for h in range(9, 40))  # long: it is shortened
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": result}]
    second = sdk.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                         tools=OPENAI_TOOLS)
    text = second.choices[0].message.content or ""
    assert text.startswith("Tool check_availability returned: Free at 9:00, 10:00")
    assert text.endswith("...") and len(text) < RESULT_CHARS + 50
    assert second.choices[0].finish_reason == "stop"


def test_two_named_tools_are_called_one_after_the_other(sims: SimStack) -> None:
    sdk = openai_client(sims)
    messages: Any = [{"role": "user", "content": "check_availability date=today, then "
                                                 "book_appointment slot=10:00"}]
    names = []
    for _ in range(3):
        answer = sdk.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                             tools=OPENAI_TOOLS)
        message = answer.choices[0].message
        if not message.tool_calls:
            break
        call = message.tool_calls[0]
        names.append((call.function.name, json.loads(call.function.arguments)))
        messages += [message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": call.id, "content": f"ok {len(names)}"}]
    assert names == [("check_availability", {"date": "today"}),
                     ("book_appointment", {"slot": "10:00"})]
    assert message.content == ("Tool check_availability returned: ok 1 "
                               "Tool book_appointment returned: ok 2")


def test_openai_refuses_what_the_api_refuses(sims: SimStack) -> None:
    sdk = openai_client(sims)
    bad_name: Any = [{"type": "function", "function": {"name": "check.slots",
                                                       "parameters": SCHEMA}}]
    with pytest.raises(openai.BadRequestError, match="does not match pattern"):
        sdk.chat.completions.create(model="gpt-4o-mini", tools=bad_name,
                                    messages=[{"role": "user", "content": "hi"}])
    not_object: Any = [{"type": "function", "function": {"name": "x",
                                                         "parameters": {"type": "string"}}}]
    with pytest.raises(openai.BadRequestError, match="must be a JSON Schema of"):
        sdk.chat.completions.create(model="gpt-4o-mini", tools=not_object,
                                    messages=[{"role": "user", "content": "hi"}])
    orphan: Any = [{"role": "user", "content": "hi"},
                   {"role": "tool", "tool_call_id": "call_nowhere", "content": "x"}]
    with pytest.raises(openai.BadRequestError, match="no earlier tool call"):
        sdk.chat.completions.create(model="gpt-4o-mini", messages=orphan, tools=OPENAI_TOOLS)


def test_sarvam_sdk_reads_the_streamed_call(sims: SimStack) -> None:
    root = sims.servers["sarvam"].url
    sdk = sarvamai.SarvamAI(api_subscription_key=sims.sarvam_state.api_key, timeout=10,
                            environment=sarvamai.SarvamAIEnvironment(
                                base=root, creative=root, production=root))
    chunks = list(sdk.chat.completions(messages=[{"role": "user", "content": ASK}],
                                       model="sarvam-105b", tools=OPENAI_TOOLS, stream=True))
    pieces = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or ()]
    assert pieces[0].function is not None and pieces[0].function.name == "check_availability"
    assert json.loads("".join(p.function.arguments or "" for p in pieces if p.function))[
        "people"] == 3


def test_anthropic_streams_tool_use_with_input_json_deltas(sims: SimStack) -> None:
    sdk = anthropic_client(sims)
    with sdk.messages.stream(model="claude-haiku-4-5", max_tokens=300, tools=ANTHROPIC_TOOLS,
                             messages=[{"role": "user", "content": ASK}]) as stream:
        kinds = [(e.type, getattr(getattr(e, "delta", None), "type", None)) for e in stream]
        final = stream.get_final_message()
    assert ("content_block_delta", "input_json_delta") in kinds
    assert isinstance(strict(final), AnthropicMessage) and final.stop_reason == "tool_use"
    (block,) = final.content
    assert block.type == "tool_use" and block.name == "check_availability"
    assert block.input == {"date": "2026-12-01", "people": 3, "urgent": True}


def test_anthropic_result_and_error_round_trip(sims: SimStack) -> None:
    sdk = anthropic_client(sims)
    messages: Any = [{"role": "user", "content": ASK}]
    first = sdk.messages.create(model="claude-haiku-4-5", max_tokens=300,
                                tools=ANTHROPIC_TOOLS, messages=messages)
    (block,) = first.content
    assert block.type == "tool_use"
    messages += [{"role": "assistant", "content": [block.model_dump()]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id,
                                               "content": "calendar down", "is_error": True}]}]
    second = sdk.messages.create(model="claude-haiku-4-5", max_tokens=300,
                                 tools=ANTHROPIC_TOOLS, messages=messages)
    assert second.stop_reason == "end_turn"
    assert second.content[0].type == "text"
    assert second.content[0].text == "Tool check_availability failed: calendar down"


def test_anthropic_refuses_what_the_api_refuses(sims: SimStack) -> None:
    sdk = anthropic_client(sims)
    top_level: Any = [{"name": "x", "input_schema": {"type": "object", "anyOf": [{}]}}]
    with pytest.raises(anthropic.BadRequestError, match="at the top level"):
        sdk.messages.create(model="claude-haiku-4-5", max_tokens=10, tools=top_level,
                            messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.BadRequestError, match="should match pattern"):
        sdk.messages.create(model="claude-haiku-4-5", max_tokens=10,
                            tools=[{"name": "a b", "input_schema": {"type": "object"}}],
                            messages=[{"role": "user", "content": "hi"}])
    unanswered: Any = [{"role": "user", "content": ASK},
                       {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1",
                                                          "name": "check_availability",
                                                          "input": {}}]},
                       {"role": "user", "content": "hello?"}]
    with pytest.raises(anthropic.BadRequestError, match="missing: toolu_1"):
        sdk.messages.create(model="claude-haiku-4-5", max_tokens=10, tools=ANTHROPIC_TOOLS,
                            messages=unanswered)


def test_without_tools_the_reply_is_as_before(sims: SimStack) -> None:
    answer = openai_client(sims).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "check_availability now"}])
    assert (answer.choices[0].message.content or "").startswith(
        'You said: "check_availability now".')


TWO_TOOLS = "check_availability date=2026-12-01 then book_appointment slot=10"


def test_anthropic_refuses_tool_blocks_without_tools_and_tool_choice_none_answers(
        sims: SimStack) -> None:
    # the API: 400 "Requests which include tool_use or tool_result blocks must define
    # tools." (anthropics/anthropic-sdk-python#494); tool_choice none keeps them declared
    sdk = anthropic_client(sims)
    messages: Any = [{"role": "user", "content": TWO_TOOLS}]
    first = sdk.messages.create(model="claude-haiku-4-5", max_tokens=300,
                                tools=ANTHROPIC_TOOLS, messages=messages)
    (block,) = first.content
    messages += [{"role": "assistant", "content": [block.model_dump()]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id,
                                               "content": "10:00 free"}]}]
    with pytest.raises(anthropic.BadRequestError, match="must define tools"):
        sdk.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=messages)
    answered = sdk.messages.create(model="claude-haiku-4-5", max_tokens=300,
                                   tools=ANTHROPIC_TOOLS, tool_choice={"type": "none"},
                                   messages=messages)
    assert [b.type for b in answered.content] == ["text"]  # book_appointment not called
    assert answered.content[0].text == "Tool check_availability returned: 10:00 free"


def test_openai_tool_choice_none_answers_without_a_call(sims: SimStack) -> None:
    answer = openai_client(sims).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": TWO_TOOLS}],
        tools=OPENAI_TOOLS, tool_choice="none")
    assert not answer.choices[0].message.tool_calls
    assert answer.choices[0].finish_reason == "stop"
