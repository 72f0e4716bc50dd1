"""Anthropic Messages, streamed, over the official `anthropic` SDK.

    llm = AnthropicLLM(target, http)
    async for delta in llm.stream(messages):
        ...
    async for event in llm.events(messages, tools):   # str deltas and ToolCall events
        ...

- System messages become the `system=` parameter (the Messages API refuses a "system"
  role); neighbouring turns of one role are joined, as the API would.
- `max_tokens` is required by the API: the profile's, else `DEFAULT_MAX_TOKENS`.
- `temperature` / `top_p` go in the body only when the profile sets them: SDK 1.x dropped
  the keywords, and recent models refuse them (a 400, `ProviderRequestError`).
- No retries, a per-wait timeout, and closing the iterator closes the request (see
  `voiceops.providers.openai.llm`). A stream without `message_stop` was cut.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import anthropic
from anthropic.types import (
    InputJSONDelta,
    MessageParam,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageStopEvent,
    TextDelta,
    ToolUseBlock,
)

from voiceops.errors import (
    BadResponseError,
    ProviderError,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.provider_facts import env_key
from voiceops.providers import options
from voiceops.providers.base import LLMEvent, Message, Target, ToolSpec, text_of
from voiceops.providers.http import SharedHttp, sdk_timeout, timeout_for
from voiceops.providers.tooling import Fragments, anthropic_tools, anthropic_turns
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.sdk import SdkErrors, from_sdk
from voiceops.providers.transport.wording import Call

__all__ = ["DEFAULT_MAX_TOKENS", "AnthropicLLM"]

#: Used when the profile sets no `max_tokens` (the API requires one); spoken replies are short.
DEFAULT_MAX_TOKENS = 1024
_ERRORS = SdkErrors(anthropic.APIStatusError, anthropic.APITimeoutError,
                    anthropic.APIConnectionError, anthropic.APIError)
#: Error types an `error` event in a 200 stream carries, by what they mean for a caller.
_BUSY = frozenset({"overloaded_error", "api_error"})


class AnthropicLLM:
    """Streams Claude's reply as text deltas."""

    def __init__(self, target: Target, http: SharedHttp) -> None:
        self.target = target
        base_url = base_url_for(target.provider, target.base_url)
        self._call = Call(target.provider, f"POST {base_url.rstrip('/')}/v1/messages",
                          target.api_key, env_key(target.provider), timeout_for(target.timeout_s))
        self._client = anthropic.AsyncAnthropic(
            api_key=target.api_key,
            base_url=base_url,
            max_retries=0,
            timeout=sdk_timeout(target.timeout_s),
            http_client=http.sdk(),
        )
        limit = options.whole(target.options, "max_tokens", target.provider)
        self._max_tokens = limit if limit is not None else DEFAULT_MAX_TOKENS
        self._sampling: dict[str, float] = {}
        for key in ("temperature", "top_p"):
            value = options.number(target.options, key, target.provider)
            if value is not None:
                self._sampling[key] = value

    def stream(self, messages: Sequence[Message]) -> AsyncIterator[str]:
        """The reply to `messages` as text deltas, in order, as they arrive."""
        return text_of(self.events(messages))

    async def events(self, messages: Sequence[Message], tools: Sequence[ToolSpec] = (), *,
                     must_answer: bool = False) -> AsyncIterator[LLMEvent]:
        """The reply with `tools` offered: text deltas as they arrive, and each `tool_use`
        block as a complete call when the block stops."""
        system, turns = split_system(messages)
        extra: dict[str, Any] = {"system": system} if system else {}
        if tools:
            extra["tools"] = anthropic_tools(tools)
            if must_answer:
                extra["tool_choice"] = {"type": "none"}
        try:
            events = await self._client.messages.create(
                model=self.target.model, max_tokens=self._max_tokens, messages=turns,
                stream=True, extra_body=self._sampling or None, **extra)
        except Exception as exc:
            raise from_sdk(exc, _ERRORS, self._call, self._stream_error) from exc
        finished = False
        calls: dict[int, Fragments] = {}
        try:
            async for event in events:
                if isinstance(event, RawContentBlockDeltaEvent):
                    if isinstance(event.delta, TextDelta) and event.delta.text:
                        yield event.delta.text
                    elif isinstance(event.delta, InputJSONDelta) and event.index in calls:
                        calls[event.index].arguments.append(event.delta.partial_json)
                elif isinstance(event, RawContentBlockStartEvent):
                    if isinstance(event.content_block, ToolUseBlock):
                        block = event.content_block
                        calls[event.index] = Fragments(block.id, block.name)
                elif isinstance(event, RawContentBlockStopEvent):
                    if event.index in calls:
                        yield calls.pop(event.index).call()
                elif isinstance(event, RawMessageStopEvent):
                    finished = True
        except Exception as exc:
            raise from_sdk(exc, _ERRORS, self._call, self._stream_error,
                           in_body=True) from exc
        finally:
            await events.close()
        if not finished:
            raise TruncatedResponseError(
                f"{self._call.title} ended the stream of {self._call.request} before "
                "message_stop", provider=self.target.provider)

    def _stream_error(self, status: int, body: bytes) -> ProviderError | None:
        """An `error` event inside a 200 stream (the SDK raises it with status 200)."""
        if status != 200:
            return None
        text = body.decode("utf-8", "replace")
        provider = self.target.provider
        where = f"{self._call.title} failed during the stream of {self._call.request}"
        if "rate_limit_error" in text:
            return RateLimitError(f"{where}: rate limited", provider=provider)
        if any(kind in text for kind in _BUSY):
            return ProviderUnavailable(f"{where}: overloaded", provider=provider)
        return BadResponseError(f"{where}: unexpected error event", provider=provider)

    def __repr__(self) -> str:
        return f"AnthropicLLM({self.target.model!r})"


def split_system(messages: Sequence[Message]) -> tuple[str, list[MessageParam]]:
    """(system prompt, user/assistant turns) as the Messages API takes them
    (`voiceops.providers.tooling.anthropic_turns`)."""
    system, turns = anthropic_turns(messages)
    return system, cast(list[MessageParam], turns)
