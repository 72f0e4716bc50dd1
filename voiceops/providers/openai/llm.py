"""Chat completions, streamed, over the official `openai` SDK: OpenAI itself and any
OpenAI-compatible server (vLLM, Ollama, a gateway; Sarvam subclasses it).

    llm = OpenAILLM(target, http)
    async for delta in llm.stream([Message("system", prompt), Message("user", said)]):
        ...
    async for event in llm.events(messages, tools):   # str deltas, then ToolCall events
        ...

- No retries (`max_retries=0`): a failed LLM call goes to the profile's fallback chain,
  which is faster than the SDK's 0.5-8 s backoff while a caller waits.
- The timeout bounds each wait for bytes (to the first token, and between tokens).
- `reasoning_effort` is sent when the profile sets it or `optimization: latency` implies
  it (the lowest effort the model's parameter rules list; `voiceops.catalog.rules`).
- A stream that ends without a `finish_reason` was cut: `TruncatedResponseError`.
- Closing the iterator (barge-in) closes the HTTP response, so the server stops generating.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar

import openai

from voiceops.errors import BadResponseError, TruncatedResponseError
from voiceops.provider_facts import env_key
from voiceops.providers import options
from voiceops.providers.base import LLMEvent, Message, Target, ToolSpec, text_of
from voiceops.providers.http import SharedHttp, sdk_timeout, timeout_for
from voiceops.providers.tooling import (
    Fragments,
    openai_deltas,
    openai_messages,
    openai_tools,
)
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.sdk import SdkErrors, from_sdk
from voiceops.providers.transport.wording import Call

__all__ = ["OPENAI_ERRORS", "OpenAICompatibleLLM", "OpenAILLM"]

OPENAI_ERRORS = SdkErrors(openai.APIStatusError, openai.APITimeoutError,
                          openai.APIConnectionError, openai.APIError)
#: Sent when a local OpenAI-compatible server needs no key: the SDK refuses an empty one.
_NO_KEY = "not-needed"


class OpenAILLM:
    """Streams chat completions from OpenAI or an OpenAI-compatible server."""

    #: The request field that caps the reply. OpenAI's current models refuse `max_tokens`;
    #: compatible servers mostly know only `max_tokens` (see the subclass attributes).
    max_tokens_field: ClassVar[str] = "max_completion_tokens"

    def __init__(self, target: Target, http: SharedHttp) -> None:
        self.target = target
        base_url = self.api_root(target)
        self._call = Call(target.provider, f"POST {base_url.rstrip('/')}/chat/completions",
                          target.api_key, env_key(target.provider), timeout_for(target.timeout_s))
        self._client = openai.AsyncOpenAI(
            api_key=target.api_key or _NO_KEY,
            base_url=base_url,
            max_retries=0,
            timeout=sdk_timeout(target.timeout_s),
            http_client=http.sdk(),
        )
        self._settings = self._request_settings(target)

    @classmethod
    def api_root(cls, target: Target) -> str:
        """The base URL the SDK is given (it appends `/chat/completions`)."""
        return base_url_for(target.provider, target.base_url)

    def _request_settings(self, target: Target) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in ("temperature", "top_p"):
            value = options.number(target.options, key, target.provider)
            if value is not None:
                found[key] = value
        limit = options.whole(target.options, "max_tokens", target.provider)
        if limit is not None:
            found[self.max_tokens_field] = limit
        send, effort = options.reasoning_effort(target)
        if send:
            found["reasoning_effort"] = effort
        return found

    def stream(self, messages: Sequence[Message]) -> AsyncIterator[str]:
        """The reply to `messages` as text deltas, in order, as they arrive."""
        return text_of(self.events(messages))

    async def events(self, messages: Sequence[Message], tools: Sequence[ToolSpec] = (), *,
                     must_answer: bool = False) -> AsyncIterator[LLMEvent]:
        """The reply with `tools` offered: text deltas as they arrive, then the tool calls
        the model made (each complete, in order) when its choice finishes."""
        body: dict[str, Any] = {"model": self.target.model, "stream": True, **self._settings,
                                "messages": openai_messages(messages)}
        if tools:
            body["tools"] = openai_tools(tools)
            if must_answer:
                body["tool_choice"] = "none"
        try:
            # Not `chat.completions.create()`: it runs every message through the SDK's
            # type-driven transform (0.8 ms for 2 messages, 6 ms for 40, measured) before
            # sending, and builds a pydantic model per chunk (80 us each). `post()` keeps
            # the SDK's auth, headers, SSE decoding and error types; `cast_to=object`
            # hands each chunk over as its parsed JSON.
            chunks = await self._client.post(
                "/chat/completions", body=body, cast_to=object, stream=True,
                stream_cls=openai.AsyncStream[object])
        except Exception as exc:
            raise from_sdk(exc, OPENAI_ERRORS, self._call) from exc
        finished = False
        calls: dict[int, Fragments] = {}
        try:
            async for chunk in chunks:
                text, done = self._delta(chunk, calls)
                if text:
                    yield text
                if done and not finished:
                    for index in sorted(calls):
                        yield calls[index].call()
                finished = finished or done
        except Exception as exc:  # from_sdk raises what is already a ProviderError as it is
            raise from_sdk(exc, OPENAI_ERRORS, self._call, in_body=True) from exc
        finally:
            await chunks.close()
        if not finished:
            raise TruncatedResponseError(
                f"{self._call.title} ended the stream of {self._call.request} before the "
                "reply was finished (no finish_reason)", provider=self.target.provider)

    def _delta(self, chunk: object, calls: dict[int, Fragments]) -> tuple[str, bool]:
        """(the text of the first choice, whether it finished) in one `chat.completion.chunk`;
        pieces of tool calls go into `calls`."""
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if not isinstance(choices, list):
            raise BadResponseError(
                f"{self._call.title} sent a stream chunk that is not a chat.completion.chunk "
                f"in answer to {self._call.request}", provider=self.target.provider)
        text, done = "", False
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str):
                text += content
            if isinstance(delta, dict) and "tool_calls" in delta:
                openai_deltas(calls, delta["tool_calls"])
            done = done or choice.get("finish_reason") is not None
        return text, done

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target.provider!r}, {self.target.model!r})"


class OpenAICompatibleLLM(OpenAILLM):
    """Any OpenAI-compatible server: the same client, with the widely known `max_tokens`."""

    max_tokens_field: ClassVar[str] = "max_tokens"
