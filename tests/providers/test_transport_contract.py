"""One retry rule for every HTTP caller: the live catalog fetch and each provider client (REST
over httpx, the `openai` SDK) retry the same statuses, give up at once on a Retry-After past
their wait budget (naming it), and never retry once bytes have reached the caller.

Counts, not clocks: each case asks the simulator how many requests it received."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from voiceops.catalog.live import openai as live_openai
from voiceops.errors import ProviderError, ProviderUnavailable, TruncatedResponseError
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.providers.transport.retryable import retryable_status
from voiceops.sim import speech
from voiceops.sim.stack import SimStack

PCM = speech.synthesize("x" * 10, 16000)
TEXT = "Your order ships tomorrow."
Caller = Callable[[SimStack], Awaitable[Any]]


async def _catalog(sims: SimStack) -> Any:
    return await live_openai.fetch(environ=sims.env(),
                                   base_url=sims.servers["openai"].base_url)


def _tts(section: dict[str, Any]) -> Caller:
    async def call(sims: SimStack) -> Any:
        async with ProviderPool() as pool:
            tts = pool.tts(resolve_target(section, sims.env(), 5.0, language="en-IN"), 16000)
            return [chunk async for chunk in tts.synthesize(TEXT)]
    return call


def _stt(section: dict[str, Any]) -> Caller:
    async def call(sims: SimStack) -> Any:
        async with ProviderPool() as pool:
            stt = pool.stt(resolve_target(section, sims.env(), 5.0))
            return await stt.transcribe(PCM, 16000, "en-IN")
    return call


#: name -> (the simulator it talks to, one call)
CALLERS: dict[str, tuple[str, Caller]] = {
    "catalog-openai": ("openai", _catalog),
    "sarvam-tts": ("sarvam", _tts({"provider": "sarvam", "model": "bulbul:v3",
                                   "voice": "priya"})),
    "elevenlabs-tts": ("elevenlabs", _tts({"provider": "elevenlabs",
                                           "model": "eleven_flash_v2_5",
                                           "voice": "9BWtsMINqrJLrRacOk9x"})),
    "sarvam-stt": ("sarvam", _stt({"provider": "sarvam", "model": "saaras:v3"})),
    "openai-stt": ("openai", _stt({"provider": "openai", "model": "whisper-1"})),
}


def run(sims: SimStack, caller: str) -> Any:
    return asyncio.run(CALLERS[caller][1](sims))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 529, 501, 400, 404])
def test_every_caller_retries_the_same_statuses(sims: SimStack, caller: str,
                                                status: int) -> None:
    server = sims.servers[CALLERS[caller][0]]
    server.faults.fail(status, retry_after=0)  # once; no wait, so the case stays quick
    if retryable_status(status):
        run(sims, caller)
        assert server.requests == 2
    else:
        with pytest.raises(ProviderError) as caught:
            run(sims, caller)
        assert caught.value.status == status and server.requests == 1


@pytest.mark.parametrize("caller", CALLERS)
def test_a_retry_after_past_the_budget_is_not_waited_for_and_is_named(
        sims: SimStack, caller: str) -> None:
    server = sims.servers[CALLERS[caller][0]]
    server.faults.fail(503, retry_after=600)
    with pytest.raises(ProviderError) as caught:
        run(sims, caller)
    assert server.requests == 1
    assert isinstance(caught.value, ProviderUnavailable) and caught.value.retry_after == 600
    assert "wait 600 s" in str(caught.value)


@pytest.mark.parametrize("caller", ["sarvam-tts", "elevenlabs-tts"])
def test_audio_cut_after_the_first_bytes_is_not_retried(sims: SimStack, caller: str) -> None:
    server = sims.servers[CALLERS[caller][0]]
    server.faults.truncate(keep_bytes=4001)
    with pytest.raises(TruncatedResponseError):
        run(sims, caller)
    assert server.requests == 1
