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
`LLMKnobs`, and every request body is kept in its `Recorder`.
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
        knobs, recorder = cast(LLMKnobs, sim), cast(Recorder, sim)
        answer = _Answer(model, conversation, knobs, limit)
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


class _Answer:
    """One reply, as a stream of chunks or as one completion."""

    def __init__(self, model: str, conversation: Conversation, knobs: LLMKnobs,
                 limit: int | None) -> None:
        text = replies.reply(conversation, knobs.reply_sentences)
        self.model = model
        self.tokens = replies.tokens(text)
        self.finish = "stop"
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

    async def events(self, knobs: LLMKnobs, usage: bool) -> AsyncIterator[bytes]:
        first = True
        async for token in paced(self.tokens, knobs.llm_ttft_s, knobs.llm_token_interval_s):
            delta = {"role": "assistant", "content": token} if first else {"content": token}
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
                         "message": {"role": "assistant", "content": "".join(self.tokens),
                                     "refusal": None}}],
            "usage": self.usage,
        }
