"""Anthropic's `POST /v1/messages`, streamed as the `anthropic` SDK reads it.

With `stream: true` the answer is SSE with `event:` lines, in the API's order:
message_start, content_block_start, ping, content_block_delta (text_delta) per token,
content_block_stop, message_delta (stop_reason, usage), message_stop; or, with the state's
`llm_stream_error` set, an `error` event after the first delta. Without `stream`, one
`message` object after the time the stream would take.

Checks follow the API: `max_tokens` is required; a "system" role among the messages is
refused with the API's own hint (the system prompt is the top-level `system`); an unknown
model is a 404 `not_found_error`; a parameter the model's rules refuse on the request's
`anthropic-version` (temperature, top_p, top_k on 2026-10-21) is the API's 400
(`voiceops.sim.refusals`). The reply is `replies.reply()` of the conversation
(system prompt included) and `stop_reason` is "max_tokens" when `max_tokens` cut it.

With `tools` offered, the model calls one when the user names it (`voiceops.sim.tools`): a
`tool_use` content block whose input streams as `input_json_delta` fragments, and
`stop_reason` "tool_use"; the `tool_result` blocks of the next user turn (`is_error` read too)
get a reply saying what they returned. A bad tool name, a non-object input_schema or one with
a top-level anyOf/oneOf/allOf is the API's 400, as is a tool_use left without its result.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voiceops.sim import replies
from voiceops.sim.chat import Authorize, Conversation
from voiceops.sim.data import stable_id
from voiceops.sim.knobs import LLMKnobs, Recorder
from voiceops.sim.pacing import hold, paced, stream_time
from voiceops.sim.refusals import refusal
from voiceops.sim.streams import SSE, ClosingStream, ErrorFactory, authorized_body, sse, tracked
from voiceops.sim.tools import Call, Step, check, decide
from voiceops.tools.rules import rules_for

__all__ = ["messages_route"]

#: The model id `model` names (an alias resolved), or None when the account lacks it.
ResolveModel = Callable[[Any, str], str | None]
#: The tool-name rule the API enforces (its 400: "String should match pattern").
#: the API's tool rules (voiceops/tools/rules.py holds the facts and their sources)
_RULES = rules_for("anthropic")


def _text_of(content: object) -> str | None:
    """The text of a `content` (a string, or a list of blocks); None when malformed."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(b, dict) for b in content):
        return "".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
    return None


def _conversation(body: dict[str, Any]) -> Conversation | str:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    found: Conversation = []
    system = body.get("system")
    if system is not None:
        text = _text_of(system)
        if text is None:
            return "system: Input should be a valid string or a list of text blocks"
        found.append(("system", text))
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return ('messages: Unexpected role "system". The Messages API accepts a top-level '
                    '`system` parameter, not "system" as an input message role.')
        if role not in ("user", "assistant"):
            return f"messages.{index}.role: Input should be 'user' or 'assistant'"
        text = _text_of(message.get("content"))
        if text is None:
            return f"messages.{index}.content: Input should be a valid string or list"
        found.append((role, text))
    return found


def _check_numbers(body: dict[str, Any]) -> str | None:
    limit = body.get("max_tokens")
    if limit is None:
        return "max_tokens: Field required"
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        return "max_tokens: Input should be an integer of at least 1"
    for key in ("temperature", "top_p"):
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not 0 <= value <= 1):
            return f"{key}: Input should be a number between 0 and 1"
    return None


def messages_route(authorize: Authorize, error: ErrorFactory, resolve_model: ResolveModel,
                   path: str = "/v1/messages") -> Route:
    """The Messages endpoint, with the provider's header checks and errors."""

    async def create(request: Request) -> Response:
        parsed = await authorized_body(request, authorize, error)
        if parsed.error is not None:
            return parsed.error
        body, sim = parsed.data, request.app.state.sim
        model = body.get("model")
        resolved = resolve_model(sim, model) if isinstance(model, str) else None
        # the API version the request names decides which parameters exist at all
        refused = refusal(("anthropic",), str(resolved or model), body, error,
                          request.headers.get("anthropic-version"))
        if refused is not None:
            return refused
        problem = _check_numbers(body)
        if problem:
            return error(400, problem)
        if resolved is None:
            return error(404, f"model: {model}")
        conversation = _conversation(body)
        if isinstance(conversation, str):
            return error(400, conversation)
        offered = _offered_tools(body.get("tools"))
        if isinstance(offered, str):
            return error(400, offered)
        steps = _steps(body["messages"])
        problem = check(steps)
        if problem:
            return error(400, f"messages: {problem}")
        if not offered and any(step.kind != "user" for step in steps):
            return error(400, "Requests which include tool_use or tool_result blocks must "
                         "define tools.")
        knobs, recorder = cast(LLMKnobs, sim), cast(Recorder, sim)
        choice = body.get("tool_choice")
        answer = _Answer(str(model), conversation, knobs, int(body["max_tokens"]),
                         decide(offered, steps, str(model),
                                may_call=not (isinstance(choice, dict)
                                              and choice.get("type") == "none")))
        if body.get("stream") is True:
            entry = recorder.record(path, body, outcome="streaming")
            return ClosingStream(tracked(answer.events(knobs), entry), media_type=SSE)
        recorder.record(path, body)
        if not await hold(request, stream_time(len(answer.tokens), knobs.llm_ttft_s,
                                               knobs.llm_token_interval_s)):
            return Response(status_code=499)  # the client is gone: nobody reads this
        return JSONResponse(answer.message(done=True))

    return Route(path, create, methods=["POST"])


def _offered_tools(tools: object) -> dict[str, dict[str, Any]] | str:
    """name -> input schema of a request's `tools`, or the API's refusal."""
    if tools is None:
        return {}
    if not isinstance(tools, list):
        return "tools: Input should be a valid list"
    found: dict[str, dict[str, Any]] = {}
    for index, tool in enumerate(tools):
        where = f"tools.{index}.custom"
        if not isinstance(tool, dict):
            return f"tools.{index}: Input should be a valid dictionary"
        name = tool.get("name")
        if not isinstance(name, str) or not _RULES.name.match(name):
            return f"{where}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            return f"{where}.input_schema: Field required"
        if schema.get("type") != "object":
            return f"{where}.input_schema.type: Input should be 'object'"
        if any(k in schema for k in _RULES.top_level_refused):
            return (f"{where}.input_schema: input_schema does not support oneOf, allOf, or "
                    "anyOf at the top level")
        found[name] = schema
    return found


def _steps(messages: list[dict[str, Any]]) -> list[Step]:
    """The user turns, tool calls and tool results of a (checked) `messages` list."""
    steps: list[Step] = []
    for message in messages:
        content = message.get("content")
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        if message.get("role") == "assistant":
            steps += [Step("call", id=str(b.get("id")), name=str(b.get("name")))
                      for b in blocks if b.get("type") == "tool_use"]
            continue
        for block in blocks:
            if block.get("type") == "tool_result":
                steps.append(Step("result", _text_of(block.get("content")) or "",
                                  id=str(block.get("tool_use_id")),
                                  error=block.get("is_error") is True))
        said = "".join(str(b.get("text") or "") for b in blocks if b.get("type") == "text")
        if said or not any(b.get("type") == "tool_result" for b in blocks):
            steps.append(Step("user", said))
    return steps


class _Answer:
    def __init__(self, model: str, conversation: Conversation, knobs: LLMKnobs,
                 limit: int, decision: Call | str | None = None) -> None:
        self.call = decision if isinstance(decision, Call) else None
        text = decision if isinstance(decision, str) else (
            self.call.json() if self.call else replies.reply(conversation,
                                                             knobs.reply_sentences))
        self.model = model
        # a call's input streams as input_json_delta fragments
        self.tokens = [text[i:i + 12] for i in range(0, len(text), 12)] if self.call \
            else replies.tokens(text)
        self.stop_reason = "tool_use" if self.call else "end_turn"
        if len(self.tokens) > limit:
            self.tokens, self.stop_reason = self.tokens[:limit], "max_tokens"
        self.id = "msg_sim" + stable_id(model + "\x1f" + text, 20)
        self.input_tokens = sum(len(replies.tokens(content)) + 3 for _, content in conversation)

    def _block(self, done: bool) -> dict[str, Any]:
        text = "".join(self.tokens) if done else ""
        if self.call is None:
            return {"type": "text", "text": text}
        return {"type": "tool_use", "id": self.call.id, "name": self.call.name,
                "input": self.call.arguments if done else {}}

    def message(self, *, done: bool) -> dict[str, Any]:
        return {
            "id": self.id, "type": "message", "role": "assistant", "model": self.model,
            "content": [self._block(True)] if done else [],
            "stop_reason": self.stop_reason if done else None, "stop_sequence": None,
            "usage": {"input_tokens": self.input_tokens,
                      "output_tokens": len(self.tokens) if done else 1},
        }

    async def events(self, knobs: LLMKnobs) -> AsyncIterator[bytes]:
        yield sse({"type": "message_start", "message": self.message(done=False)},
                  "message_start")
        yield sse({"type": "content_block_start", "index": 0,
                   "content_block": self._block(False)}, "content_block_start")
        yield sse({"type": "ping"}, "ping")
        async for token in paced(self.tokens, knobs.llm_ttft_s, knobs.llm_token_interval_s):
            delta = {"type": "input_json_delta", "partial_json": token} if self.call else \
                {"type": "text_delta", "text": token}
            yield sse({"type": "content_block_delta", "index": 0, "delta": delta},
                      "content_block_delta")
            if knobs.llm_stream_error:  # a failure midway, as the API reports one
                yield sse({"type": "error", "error": {"type": knobs.llm_stream_error,
                                                      "message": "Overloaded (simulated)"}},
                          "error")
                return
        yield sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
        yield sse({"type": "message_delta",
                   "delta": {"stop_reason": self.stop_reason, "stop_sequence": None},
                   "usage": {"output_tokens": len(self.tokens)}}, "message_delta")
        yield sse({"type": "message_stop"}, "message_stop")
