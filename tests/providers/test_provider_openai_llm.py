"""OpenAILLM (and the OpenAI-compatible and Sarvam variants) over the real `openai` SDK
against the simulators: streamed text in order and as it is made, options on the wire,
every failure mapped, cut streams detected, cancellation closing the request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from voiceops.errors import (
    AuthError,
    BadResponseError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.providers.base import LLM, Message
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim import replies
from voiceops.sim.server import SimServer
from voiceops.sim.stack import SimStack

CONVERSATION = [Message("system", "You are brief."), Message("user", "Where is my order?")]
WIRE = [(m.role, m.content) for m in CONVERSATION]


def llm_section(**extra: Any) -> dict[str, Any]:
    return {"provider": "openai", "model": "gpt-4o-mini", **extra}


async def timed(stream: AsyncIterator[str]) -> list[tuple[float, str]]:
    began = time.perf_counter()
    return [(time.perf_counter() - began, delta) async for delta in stream]


def stream_with(sims: SimStack, section: Mapping[str, Any], timeout: float = 5.0,
                env: Mapping[str, str] | None = None) -> list[tuple[float, str]]:
    """Stream CONVERSATION through the client for `section`; (seconds, delta) pairs."""
    async def go() -> list[tuple[float, str]]:
        async with ProviderPool() as pool:
            target = resolve_target(section, env or sims.env(), timeout)
            return await timed(pool.llm(target).stream(CONVERSATION))

    return asyncio.run(go())


def failure(sims: SimStack, section: Mapping[str, Any], timeout: float = 5.0,
            env: Mapping[str, str] | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        stream_with(sims, section, timeout, env)
    return caught.value


def test_the_reply_streams_in_order_and_token_by_token(sims: SimStack) -> None:
    state = sims.openai_state
    state.reply_sentences, state.llm_ttft_s, state.llm_token_interval_s = 1, 0.1, 0.03
    arrivals = stream_with(sims, llm_section())
    deltas = [delta for _, delta in arrivals]
    assert "".join(deltas) == replies.reply(WIRE, 1)
    assert deltas == replies.tokens(replies.reply(WIRE, 1))
    first, last = arrivals[0][0], arrivals[-1][0]
    assert first >= 0.1  # the simulated time to first token
    assert last - first >= 0.03 * (len(deltas) - 2)  # the first came before the rest existed


def test_options_are_sent_as_openai_names_them(sims: SimStack) -> None:
    deltas = stream_with(sims, llm_section(temperature=0.4, top_p=0.9, max_tokens=5))
    body = sims.openai_state.last("/v1/chat/completions").body
    assert body["temperature"] == 0.4 and body["top_p"] == 0.9
    assert body["max_completion_tokens"] == 5 and "max_tokens" not in body
    assert body["stream"] is True and body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": r, "content": c} for r, c in WIRE]
    assert len(deltas) == 5  # finish_reason "length" is a complete answer, not a cut


def test_an_openai_compatible_server_gets_max_tokens(sims: SimStack) -> None:
    env = {"MY_LLM_KEY": sims.openai_state.api_key}
    section = {"provider": "openai_compatible", "model": "gpt-4o-mini", "max_tokens": 7,
               "base_url": sims.servers["openai"].base_url, "api_key": "${MY_LLM_KEY}"}
    assert len(stream_with(sims, section, env=env)) == 7
    body = sims.openai_state.last("/v1/chat/completions").body
    assert body["max_tokens"] == 7 and "max_completion_tokens" not in body


def test_sarvam_chat_goes_through_the_same_client_under_v1(sims: SimStack) -> None:
    deltas = stream_with(sims, {"provider": "sarvam", "model": "sarvam-105b", "max_tokens": 40})
    assert "".join(d for _, d in deltas) == replies.reply(WIRE, 2)
    assert sims.sarvam_state.last().path == "/v1/chat/completions"
    assert sims.sarvam_state.last().body["max_tokens"] == 40


@pytest.mark.parametrize(("status", "kind"), [
    (401, AuthError), (403, AuthError), (429, RateLimitError), (500, ProviderUnavailable),
    (503, ProviderUnavailable), (400, ProviderRequestError),
])
def test_each_refusal_maps_to_its_error_and_is_not_retried(
        sims: SimStack, status: int, kind: type[ProviderError]) -> None:
    sims.servers["openai"].faults.fail(status, retry_after=2 if status == 429 else None)
    error = failure(sims, llm_section())
    assert type(error) is kind and error.provider == "openai"
    assert sims.servers["openai"].requests == 1  # the fallback chain decides, not a retry
    if isinstance(error, RateLimitError):
        assert error.retry_after == 2


def test_a_refused_key_names_its_variable_and_never_shows_the_key(sims: SimStack) -> None:
    wrong = "sk-proj-wrongwrongwrong0123456789"
    error = failure(sims, llm_section(), env={**sims.env(), "OPENAI_API_KEY": wrong})
    assert isinstance(error, AuthError) and error.status == 401
    assert "OPENAI_API_KEY" in str(error)
    assert wrong not in str(error) and "6789" not in str(error)  # OpenAI echoes it masked


def test_an_unknown_model_is_a_request_error_quoting_the_server(sims: SimStack) -> None:
    error = failure(sims, llm_section(model="gpt-nonexistent"))
    assert isinstance(error, ProviderRequestError) and error.status == 404
    assert "gpt-nonexistent" in str(error)


def test_no_headers_in_time_is_a_timeout(sims: SimStack) -> None:
    sims.servers["openai"].faults.delay(3.0)
    error = failure(sims, llm_section(), timeout=0.3)
    assert isinstance(error, ProviderTimeout) and "0.3 s" in str(error)
    assert sims.servers["openai"].requests == 1


def test_a_first_token_later_than_the_timeout_is_a_timeout(sims: SimStack) -> None:
    sims.openai_state.llm_ttft_s = 3.0
    assert isinstance(failure(sims, llm_section(), timeout=0.3), ProviderTimeout)


@pytest.mark.parametrize("mode", ["short", "cut"])
def test_a_stream_cut_midway_is_a_bad_response(sims: SimStack, mode: str) -> None:
    # "short": the connection drops mid-body; "cut": the body ends cleanly, but early.
    sims.servers["openai"].faults.truncate(mode=mode, keep_bytes=600)  # type: ignore[arg-type]
    error = failure(sims, llm_section())
    assert isinstance(error, TruncatedResponseError) and isinstance(error, BadResponseError)


def test_closing_the_stream_midway_closes_the_request(sims: SimStack) -> None:
    sims.openai_state.llm_token_interval_s = 0.1

    async def go() -> str:
        async with ProviderPool() as pool:
            llm: LLM = pool.llm(resolve_target(llm_section(), sims.env(), 5.0))
            stream = llm.stream(CONVERSATION)
            first = await anext(stream)
            await stream.aclose()  # type: ignore[attr-defined]
            return first

    assert asyncio.run(go()) == "You"
    entry = sims.openai_state.last("/v1/chat/completions")
    # The server saw the caller leave, rather than finishing the reply.
    assert entry.ended.wait(10.0) and entry.outcome == "disconnected"


def test_an_error_inside_the_stream_is_unavailable_after_the_first_delta(
        sims: SimStack) -> None:
    sims.openai_state.llm_stream_error = "server_error"
    got: list[str] = []

    async def go() -> None:
        async with ProviderPool() as pool:
            llm = pool.llm(resolve_target(llm_section(), sims.env(), 5.0))
            async for delta in llm.stream(CONVERSATION):
                got.append(delta)

    with pytest.raises(ProviderUnavailable, match="simulated"):
        asyncio.run(go())
    assert got == ["You"]


def test_a_chunk_that_is_not_a_completion_chunk_is_a_bad_response() -> None:
    async def odd_stream(request: Request) -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            yield b'data: {"id": "x", "choices": "none"}\n\n'
            yield b"data: [DONE]\n\n"

        return StreamingResponse(lines(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/v1/chat/completions", odd_stream, methods=["POST"])])
    with SimServer(app, api_prefix="/v1") as server:
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url}

        async def go() -> list[str]:
            async with ProviderPool() as pool:
                llm = pool.llm(resolve_target(llm_section(), env, 5.0))
                return [delta async for delta in llm.stream(CONVERSATION)]

        with pytest.raises(BadResponseError, match=r"not a chat\.completion\.chunk"):
            asyncio.run(go())
