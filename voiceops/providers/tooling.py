"""Function calling on the wire, in the two formats the LLM clients speak.

OpenAI chat completions (and OpenAI-compatible servers, Sarvam's `/v1` among them):

    tools:    [{"type": "function", "function": {name, description, parameters}}]
    assistant {"role": "assistant", "content": text | null,
               "tool_calls": [{"id", "type": "function", "function": {name, arguments}}]}
    result    {"role": "tool", "tool_call_id": id, "content": text}
    streamed  choices[0].delta.tool_calls: [{index, id?, type?, function: {name?, arguments?}}]
              pieces of each call by `index`: the id and name first, the arguments (JSON text)
              in fragments; the call is complete when the choice has a finish_reason.

Anthropic Messages:

    tools:    [{name, description, input_schema}]
    assistant content blocks: text, then {"type": "tool_use", id, name, input}
    result    a user turn's blocks: {"type": "tool_result", tool_use_id, content, is_error?}
    streamed  content_block_start (tool_use, input {}), content_block_delta
              (input_json_delta, partial_json fragments), content_block_stop: complete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from voiceops.providers.base import Message, ToolCall, ToolSpec

__all__ = ["Fragments", "anthropic_tools", "anthropic_turns", "openai_deltas",
           "openai_messages", "openai_tools", "parse_arguments"]


def parse_arguments(text: str) -> tuple[dict[str, Any], str | None]:
    """(arguments, problem) from the JSON text a model wrote: an empty text is no
    arguments; anything but a JSON object is a problem the session tells the model about."""
    if not text.strip():
        return {}, None
    try:
        value = json.loads(text)
    except ValueError:
        return {}, f"the arguments are not JSON: {text[:80]!r}"
    if not isinstance(value, dict):
        return {}, f"the arguments are not a JSON object: {text[:80]!r}"
    return value, None


@dataclass
class Fragments:
    """One tool call as its pieces arrive (an OpenAI `index` or an Anthropic block)."""

    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    def call(self) -> ToolCall:
        arguments, problem = parse_arguments("".join(self.arguments))
        return ToolCall(self.id, self.name, arguments, problem)


def openai_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools` as the chat completions API takes them."""
    return [{"type": "function", "function": {"name": t.name, "description": t.description,
                                              "parameters": dict(t.parameters)}}
            for t in tools]


def openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """`messages` as chat completions takes them (plain turns as before: role and content)."""
    found: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            found.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
        elif m.tool_calls:
            found.append({"role": "assistant", "content": m.content or None, "tool_calls": [
                {"id": c.id, "type": "function",
                 "function": {"name": c.name, "arguments": json.dumps(dict(c.arguments))}}
                for c in m.tool_calls]})
        else:
            found.append({"role": m.role, "content": m.content})
    return found


def anthropic_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    """`tools` as the Messages API takes them."""
    return [{"name": t.name, "description": t.description,
             "input_schema": dict(t.parameters)} for t in tools]


def anthropic_turns(messages: Sequence[Message]) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, user/assistant turns) as the Messages API takes them: system messages
    become `system`, a tool result is a `tool_result` block of a user turn, an assistant's
    calls are `tool_use` blocks; neighbouring turns of one role are joined, as the API
    would (plain text with a blank line, blocks one after the other)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system" and m.content)
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role, content = _anthropic_turn(message)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] = _joined(turns[-1]["content"], content)
        else:
            turns.append({"role": role, "content": content})
    return system, turns


def _anthropic_turn(message: Message) -> tuple[str, str | list[dict[str, Any]]]:
    if message.role == "tool":
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": message.tool_call_id,
                                 "content": message.content}
        if message.is_error:
            block["is_error"] = True
        return "user", [block]
    if message.tool_calls:
        text = [{"type": "text", "text": message.content}] if message.content else []
        return "assistant", [*text, *({"type": "tool_use", "id": c.id, "name": c.name,
                                       "input": dict(c.arguments)} for c in message.tool_calls)]
    return message.role, message.content


def _joined(first: str | list[dict[str, Any]],
            second: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    if isinstance(first, str) and isinstance(second, str):
        return first + "\n\n" + second
    return [*_blocks(first), *_blocks(second)]


def _blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def openai_deltas(calls: dict[int, Fragments], deltas: object) -> None:
    """Add the `tool_calls` of one streamed delta to `calls` (by index)."""
    for delta in deltas if isinstance(deltas, list) else ():
        if not isinstance(delta, Mapping):
            continue
        index = delta.get("index")
        fragments = calls.setdefault(index if isinstance(index, int) else len(calls),
                                     Fragments())
        if isinstance(delta.get("id"), str):
            fragments.id = delta["id"]
        function = delta.get("function")
        if isinstance(function, Mapping):
            if isinstance(function.get("name"), str) and not fragments.name:
                fragments.name = function["name"]  # sent once, in the call's first piece
            if isinstance(function.get("arguments"), str):
                fragments.arguments.append(function["arguments"])
