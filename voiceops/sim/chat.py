"""`POST /v1/chat/completions` as OpenAI serves it, for every OpenAI-compatible simulator
(OpenAI itself, Sarvam's `/v1`).

- `stream: true`: SSE `data: {chunk}` lines. The first chunk carries the role, then one
  chunk per token (`choices[0].delta.content`), then a chunk with `finish_reason` ("stop",
  or "length" when `max_completion_tokens` / `max_tokens` cut the reply), a usage chunk
  when `stream_options.include_usage` is set, and `data: [DONE]`. With the state's
  `llm_stream_error` set, a `data: {"error": ...}` line follows the first token instead.
- a setting the model's parameter rules refuse (`voiceops.sim.refusals`): the real API's 400.
- otherwise: one `chat.completion` JSON object, after the time the stream would take.

The reply is `replies.reply()` of the conversation; timing comes from the state's
`LLMKnobs`, and every request body is kept in its `Recorder`. With `tools` offered, the model
calls one when the user names it (`voiceops.sim.tools`): streamed as `delta.tool_calls`
pieces (the id and name first, then the arguments' JSON in fragments) and `finish_reason`
"tool_calls"; after the results come back (role "tool"), it says what they returned. A bad
function name or a non-object parameter schema is the API's 400, as is a call left without
its result.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voiceops.sim import replies
from voiceops.sim.data import stable_id
from voiceops.sim.knobs import LLMKnobs, Recorder
from voiceops.sim.pacing import hold, paced, stream_time
from voiceops.sim.refusals import refusal
from voiceops.sim.streams import SSE, ClosingStream, ErrorFactory, authorized_body, sse, tracked
from voiceops.sim.tools import Call, Step, check, decide
from voiceops.tools.rules import rules_for

__all__ = ["Authorize", "Conversation", "chat_route", "conversation_of"]

#: None when the request may proceed, else the provider's refusal.
Authorize = Callable[[Request], Response | None]
#: Whether the account serves `model` (state, model id).
KnownModel = Callable[[Any, str], bool]
Conversation = list[tuple[str, str]]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_CREATED = 1_764_000_000  # fixed, so answers are byte-for-byte repeatable
#: Whose parameter rules judge a request: model ids do not collide across these providers,
#: so the model names its provider on every simulator that serves this route.
_RULES_OF = ("openai", "sarvam")
#: The function-name rule the API enforces (the `openai` SDK: a-z, A-Z, 0-9, _ and -, <= 64).
#: what the API takes as a function name (voiceops/tools/rules.py holds the fact and its source)
_NAME = rules_for("openai").name


def conversation_of(messages: object) -> Conversation | str:
    """(role, text) pairs of an OpenAI `messages` list, or what is wrong with it."""
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    found: Conversation = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return (f"Invalid value for 'messages[{index}].role': expected one of "
                    f"{', '.join(sorted(_ROLES))}")
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(str(p.get("text", "")) for p in content
                              if isinstance(p, dict) and p.get("type") == "text")
        if content is not None and not isinstance(content, str):
            return f"Invalid type for 'messages[{index}].content': expected a string"
        found.append((str(message["role"]), content or ""))
    return found


def _invalid_number(body: dict[str, Any], key: str, low: float, high: float) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        return f"Invalid '{key}': expected a number between {low:g} and {high:g}"
    return None


def chat_route(authorize: Authorize, error: ErrorFactory, known_model: KnownModel,
               path: str = "/v1/chat/completions") -> Route:
    """The chat completions endpoint at `path`, with the provider's auth and errors."""

    async def completions(request: Request) -> Response:
        parsed = await authorized_body(request, authorize, error)
        if parsed.error is not None:
            return parsed.error
        body, sim = parsed.data, request.app.state.sim
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return error(400, "you must provide a model parameter")
        if not known_model(sim, model):
            return error(404, f"The model `{model}` does not exist or you do not have "
                              "access to it.")
        conversation = conversation_of(body.get("messages"))
        if isinstance(conversation, str):
            return error(400, conversation)
        problem = (_invalid_number(body, "temperature", 0, 2)
                   or _invalid_number(body, "top_p", 0, 1))
        if problem:
            return error(400, problem)
        refused = refusal(_RULES_OF, model, body, error)
        if refused is not None:
            return refused
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            return error(400, "Invalid 'max_tokens': expected an integer of at least 1")
        offered = _offered_tools(body.get("tools"))
        if isinstance(offered, str):
            return error(400, offered)
        steps = _steps(body["messages"])
        problem = check(steps)
        if problem:
            return error(400, f"Invalid parameter: messages: {problem}")
        knobs, recorder = cast(LLMKnobs, sim), cast(Recorder, sim)
        answer = _Answer(model, conversation, knobs, limit,
                         decide(offered, steps, model,
                                may_call=body.get("tool_choice") != "none"))
        if body.get("stream") is True:
            entry = recorder.record(path, body, outcome="streaming")
            usage = isinstance(body.get("stream_options"), dict) and \
                body["stream_options"].get("include_usage") is True
            return ClosingStream(tracked(answer.events(knobs, usage), entry), media_type=SSE)
        recorder.record(path, body)
        if not await hold(request, stream_time(len(answer.tokens), knobs.llm_ttft_s,
                                               knobs.llm_token_interval_s)):
            return Response(status_code=499)  # the client is gone: nobody reads this
        return JSONResponse(answer.completion())

    return Route(path, completions, methods=["POST"])


def _offered_tools(tools: object) -> dict[str, dict[str, Any]] | str:
    """name -> parameter schema of a request's `tools`, or the API's refusal."""
    if tools is None:
        return {}
    if not isinstance(tools, list):
        return "Invalid type for 'tools': expected an array of tools"
    found: dict[str, dict[str, Any]] = {}
    for index, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or tool.get("type") != "function":
            return f"Missing required parameter: 'tools[{index}].function'"
        name = function.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            return (f"Invalid 'tools[{index}].function.name': string does not match pattern. "
                    "Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.")
        parameters = function.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(parameters, dict) or parameters.get("type") != "object":
            kind = parameters.get("type") if isinstance(parameters, dict) else None
            return (f"Invalid schema for function '{name}': schema must be a JSON Schema of "
                    f"'type: \"object\"', got 'type: \"{kind}\"'.")
        found[name] = parameters
    return found


def _steps(messages: list[dict[str, Any]]) -> list[Step]:
    """The user turns, tool calls and tool results of a (checked) `messages` list."""
    steps: list[Step] = []
    for message in messages:
        role, content = message["role"], message.get("content")
        text = content if isinstance(content, str) else ""
        if role == "user":
            steps.append(Step("user", text))
        elif role == "tool":
            steps.append(Step("result", text, id=str(message.get("tool_call_id"))))
        elif role == "assistant":
            for call in message.get("tool_calls") or ():
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict):
                    steps.append(Step("call", id=str(call.get("id")),
                                      name=str(function.get("name"))))
    return steps


class _Answer:
    """One reply, as a stream of chunks or as one completion: text, or one tool call."""

    def __init__(self, model: str, conversation: Conversation, knobs: LLMKnobs,
                 limit: int | None, decision: Call | str | None = None) -> None:
        self.call = decision if isinstance(decision, Call) else None
        text = decision if isinstance(decision, str) else (
            self.call.json() if self.call else replies.reply(conversation,
                                                             knobs.reply_sentences))
        self.model = model
        # a call's arguments stream in pieces, as the API sends them
        self.tokens = _pieces(text) if self.call else replies.tokens(text)
        self.finish = "tool_calls" if self.call else "stop"
        if limit is not None and len(self.tokens) > limit:
            self.tokens, self.finish = self.tokens[:limit], "length"
        self.id = "chatcmpl-" + stable_id(model + "\x1f" + text, 24)
        prompt = sum(len(replies.tokens(content)) + 4 for _, content in conversation)
        self.usage = {"prompt_tokens": prompt, "completion_tokens": len(self.tokens),
                      "total_tokens": prompt + len(self.tokens)}

    def _chunk(self, delta: dict[str, Any], finish: str | None,
               usage: bool) -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": self.id, "object": "chat.completion.chunk", "created": _CREATED,
            "model": self.model, "system_fingerprint": "fp_sim",
            "choices": [{"index": 0, "delta": delta, "logprobs": None,
                         "finish_reason": finish}],
        }
        if usage:
            chunk["usage"] = None
        return chunk

    def _delta(self, token: str, first: bool) -> dict[str, Any]:
        if self.call is None:
            return {"role": "assistant", "content": token} if first else {"content": token}
        if not first:
            return {"tool_calls": [{"index": 0, "function": {"arguments": token}}]}
        return {"role": "assistant", "content": None, "tool_calls": [
            {"index": 0, "id": self.call.id, "type": "function",
             "function": {"name": self.call.name, "arguments": token}}]}

    async def events(self, knobs: LLMKnobs, usage: bool) -> AsyncIterator[bytes]:
        first = True
        async for token in paced(self.tokens, knobs.llm_ttft_s, knobs.llm_token_interval_s):
            delta = self._delta(token, first)
            first = False
            yield sse(self._chunk(delta, None, usage))
            if knobs.llm_stream_error:  # a failure midway: an error line, then nothing
                yield sse({"error": {"message": "The server had an error while processing "
                                                "your request (simulated).",
                                     "type": knobs.llm_stream_error, "param": None,
                                     "code": None}})
                return
        yield sse(self._chunk({}, self.finish, usage))
        if usage:
            yield sse({**self._chunk({}, None, False), "choices": [], "usage": self.usage})
        yield sse("[DONE]")

    def completion(self) -> dict[str, Any]:
        return {
            "id": self.id, "object": "chat.completion", "created": _CREATED,
            "model": self.model, "system_fingerprint": "fp_sim",
            "choices": [{"index": 0, "logprobs": None, "finish_reason": self.finish,
                         "message": self._message()}],
            "usage": self.usage,
        }

    def _message(self) -> dict[str, Any]:
        if self.call is None:
            return {"role": "assistant", "content": "".join(self.tokens), "refusal": None}
        return {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
            {"id": self.call.id, "type": "function",
             "function": {"name": self.call.name, "arguments": "".join(self.tokens)}}]}


def _pieces(text: str, size: int = 12) -> list[str]:
    """`text` in pieces of `size` characters (how tool-call arguments stream)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]
