"""AnthropicLLM over the real `anthropic` SDK against the simulator: the system prompt as
`system=`, the Messages SSE events read in order, options on the wire, errors mapped, cut
streams detected, cancellation closing the request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import pytest

from voiceops.errors import (
    AuthError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.providers.anthropic.llm import DEFAULT_MAX_TOKENS, split_system
from voiceops.providers.base import Message
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim import replies
from voiceops.sim.stack import SimStack

MODEL = "claude-haiku-4-5"  # an alias the simulated account resolves
CONVERSATION = [
    Message("system", "You are brief."),
    Message("assistant", "Hello! How can I help?"),
    Message("user", "Where is my order?"),
]


def section(**extra: Any) -> dict[str, Any]:
    return {"provider": "anthropic", "model": MODEL, **extra}


def stream_with(sims: SimStack, config: Mapping[str, Any],
                timeout: float = 5.0) -> list[tuple[float, str]]:
    async def go() -> list[tuple[float, str]]:
        async with ProviderPool() as pool:
            llm = pool.llm(resolve_target(config, sims.env(), timeout))
            began = time.perf_counter()
            return [(time.perf_counter() - began, d) async for d in llm.stream(CONVERSATION)]

    return asyncio.run(go())


def failure(sims: SimStack, config: Mapping[str, Any], timeout: float = 5.0) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        stream_with(sims, config, timeout)
    return caught.value


def test_system_messages_become_the_system_parameter() -> None:
    system, turns = split_system([Message("system", "Be brief."), Message("user", "a"),
                                  Message("user", "b"), Message("system", "Be kind.")])
    assert system == "Be brief.\n\nBe kind."
    assert turns == [{"role": "user", "content": "a\n\nb"}]


def test_the_reply_streams_in_order_and_token_by_token(sims: SimStack) -> None:
    state = sims.anthropic_state
    state.reply_sentences, state.llm_ttft_s, state.llm_token_interval_s = 1, 0.1, 0.03
    arrivals = stream_with(sims, section())
    expected = replies.reply([(m.role, m.content) for m in CONVERSATION], 1)
    assert [d for _, d in arrivals] == replies.tokens(expected)
    assert arrivals[0][0] >= 0.1
    assert arrivals[-1][0] - arrivals[0][0] >= 0.03 * (len(arrivals) - 2)
    body = state.last("/v1/messages").body
    assert body["system"] == "You are brief." and body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["assistant", "user"]
    assert body["max_tokens"] == DEFAULT_MAX_TOKENS  # the API requires one
    assert "temperature" not in body and "top_p" not in body  # sent only when set


def test_options_are_sent_only_when_set(sims: SimStack) -> None:
    deltas = stream_with(sims, section(max_tokens=4))
    assert sims.anthropic_state.last("/v1/messages").body["max_tokens"] == 4
    assert len(deltas) == 4  # stop_reason "max_tokens" still ends with message_stop
    # API version 2026-10-21 (the SDK's) has no sampling parameters: the catalog's rules
    # say so, `validate` reports them, and the API (and simulator) refuse them
    error = failure(sims, section(temperature=0.3, top_p=0.8))
    assert type(error) is ProviderRequestError
    assert "temperature: Extra inputs are not permitted" in str(error)


@pytest.mark.parametrize(("status", "kind"), [
    (401, AuthError), (429, RateLimitError), (500, ProviderUnavailable),
    (529, ProviderUnavailable), (400, ProviderRequestError),
])
def test_each_refusal_maps_to_its_error(sims: SimStack, status: int,
                                        kind: type[ProviderError]) -> None:
    sims.servers["anthropic"].faults.fail(status)
    error = failure(sims, section())
    assert type(error) is kind and error.provider == "anthropic"
    assert sims.servers["anthropic"].requests == 1
    assert sims.anthropic_state.api_key not in str(error)


def test_an_unknown_model_is_refused(sims: SimStack) -> None:
    error = failure(sims, section(model="claude-nonexistent-9"))
    assert isinstance(error, ProviderRequestError) and error.status == 404


def test_silence_past_the_timeout_is_a_timeout(sims: SimStack) -> None:
    sims.anthropic_state.llm_ttft_s = 3.0
    assert isinstance(failure(sims, section(), timeout=0.3), ProviderTimeout)
    assert sims.servers["anthropic"].requests == 1  # the timeout ended it; no retry


@pytest.mark.parametrize("mode", ["short", "cut"])
def test_a_stream_cut_midway_is_a_truncated_response(sims: SimStack, mode: str) -> None:
    sims.servers["anthropic"].faults.truncate(mode=mode, keep_bytes=900)  # type: ignore[arg-type]
    assert isinstance(failure(sims, section()), TruncatedResponseError)


def test_closing_the_stream_midway_closes_the_request(sims: SimStack) -> None:
    sims.anthropic_state.llm_token_interval_s = 0.1

    async def go() -> None:
        async with ProviderPool() as pool:
            stream = pool.llm(resolve_target(section(), sims.env(), 5.0)).stream(CONVERSATION)
            assert await anext(stream) == "You"
            await stream.aclose()  # type: ignore[attr-defined]

    asyncio.run(go())
    entry = sims.anthropic_state.last("/v1/messages")
    assert entry.ended.wait(2.0) and entry.outcome == "disconnected"


@pytest.mark.parametrize(("kind", "error"), [
    ("overloaded_error", ProviderUnavailable), ("rate_limit_error", RateLimitError),
])
def test_an_error_event_inside_the_stream_is_mapped_by_its_type(
        sims: SimStack, kind: str, error: type[ProviderError]) -> None:
    sims.anthropic_state.llm_stream_error = kind
    assert type(failure(sims, section())) is error
