"""fetch_all: providers fetched concurrently, each result or error filed under its name, one
failure costing nothing to the others; plus the OpenAI-compatible and Sarvam clients."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from voiceops.catalog.live import (
    FetchRequest,
    FetchResult,
    fetch_all,
    fetcher,
    openai_compatible,
    sarvam,
)
from voiceops.errors import (
    AuthError,
    MissingKeyError,
    ProviderError,
    ProviderSetupError,
    ProviderTimeout,
    ProviderUnavailable,
    TruncatedResponseError,
)
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.sim import SimServer
from voiceops.sim import anthropic as sim_anthropic
from voiceops.sim import elevenlabs as sim_eleven
from voiceops.sim import openai as sim_openai


async def _no_wait(seconds: float) -> None:
    del seconds


FAST = RetryPolicy(sleep=_no_wait, rand=lambda: 0.0)


def ok(result: FetchResult | ProviderError) -> FetchResult:
    assert isinstance(result, FetchResult), f"expected a result, got {result!r}"
    return result


def test_one_provider_failing_keeps_the_others() -> None:
    with sim_openai.serve() as oai, sim_anthropic.serve() as ant, sim_eleven.serve() as el:
        results = asyncio.run(fetch_all([
            FetchRequest("openai", api_key=sim_openai.API_KEY, base_url=oai.base_url),
            FetchRequest("anthropic", api_key="wrong", base_url=ant.base_url),
            FetchRequest("elevenlabs", api_key=sim_eleven.API_KEY, base_url=el.base_url),
            "sarvam",
            "nosuchprovider",
        ], retry=FAST))
    assert list(results) == ["openai", "anthropic", "elevenlabs", "sarvam", "nosuchprovider"]
    assert ok(results["openai"]).catalog is not None
    assert ok(results["elevenlabs"]).catalog is not None
    assert ok(results["sarvam"]).catalog is not None
    assert isinstance(results["anthropic"], AuthError)
    assert "wrong" not in str(results["anthropic"])
    assert isinstance(results["nosuchprovider"], ProviderSetupError)


class _Rendezvous(httpx.AsyncBaseTransport):
    """Holds every request until `count` are in flight at once: fetches made one after
    another never get there, and time out instead."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._in_flight = 0
        self._all_in = asyncio.Event()
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._in_flight += 1
        if self._in_flight >= self._count:
            self._all_in.set()
        await asyncio.wait_for(self._all_in.wait(), timeout=10.0)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


def test_providers_are_fetched_concurrently() -> None:
    async def go(oai: SimServer, ant: SimServer, el: SimServer
                 ) -> dict[str, FetchResult | ProviderError]:
        # ElevenLabs asks for voices and models at once, so four requests are in flight.
        async with httpx.AsyncClient(transport=_Rendezvous(4)) as client:
            return await fetch_all([
                FetchRequest("openai", api_key=sim_openai.API_KEY, base_url=oai.base_url),
                FetchRequest("anthropic", api_key=sim_anthropic.API_KEY, base_url=ant.base_url),
                FetchRequest("elevenlabs", api_key=sim_eleven.API_KEY, base_url=el.base_url),
            ], client=client, retry=FAST)

    with sim_openai.serve() as oai, sim_anthropic.serve() as ant, sim_eleven.serve() as el:
        results = asyncio.run(go(oai, ant, el))
    assert all(isinstance(r, FetchResult) for r in results.values()), results


def test_missing_keys_are_reported_per_provider() -> None:
    results = asyncio.run(fetch_all(["openai", "anthropic", "sarvam"], environ={}))
    assert isinstance(results["openai"], MissingKeyError)
    assert "OPENAI_API_KEY" in str(results["openai"])
    assert isinstance(results["anthropic"], MissingKeyError)
    assert isinstance(results["sarvam"], FetchResult)  # no key needed: bundled data


def test_two_servers_of_one_provider_need_names() -> None:
    with sim_openai.serve() as one, sim_openai.serve() as two:
        results = asyncio.run(fetch_all([
            FetchRequest("openai_compatible", base_url=one.base_url, api_key=sim_openai.API_KEY,
                         name="vllm"),
            FetchRequest("openai_compatible", base_url=two.base_url, api_key="wrong",
                         name="ollama"),
        ], retry=FAST))
        with pytest.raises(ValueError, match="distinct names"):
            asyncio.run(fetch_all([FetchRequest("openai_compatible", base_url=one.base_url),
                                   FetchRequest("openai_compatible", base_url=two.base_url)]))
    assert ok(results["vllm"]).catalog is not None
    assert isinstance(results["ollama"], AuthError)


def test_openai_compatible_lists_every_model_with_kinds_guessed_from_ids() -> None:
    with sim_openai.serve() as sim:
        result = asyncio.run(openai_compatible.fetch(api_key=sim_openai.API_KEY,
                                                     base_url=sim.base_url, retry=FAST))
    catalog = result.catalog
    assert catalog is not None and catalog.provider == "openai_compatible"
    kinds = {m.id: m.kind for m in catalog.models}
    assert kinds["text-embedding-3-small"] == "embedding"  # kept, and marked
    assert kinds["gpt-4o"] == "chat"
    assert all(m.context_window is None for m in catalog.models)  # no snapshot for these


def test_openai_compatible_needs_a_base_url() -> None:
    with pytest.raises(ProviderSetupError, match="base_url"):
        asyncio.run(openai_compatible.fetch())
    with pytest.raises(ProviderSetupError, match="http"):
        asyncio.run(openai_compatible.fetch(base_url="localhost:8000/v1"))


def test_sarvam_answers_from_the_bundled_snapshot_with_a_stable_etag() -> None:
    first = asyncio.run(sarvam.fetch())
    assert first.catalog is not None and first.catalog.source == "bundled"
    assert first.etag is not None
    again = asyncio.run(sarvam.fetch(etag=first.etag))
    assert again.not_modified and again.catalog is None and again.etag == first.etag


def test_fetcher_resolves_every_registered_provider() -> None:
    for provider in ("openai", "anthropic", "elevenlabs", "openai_compatible", "sarvam"):
        assert callable(fetcher(provider))
    with pytest.raises(ProviderSetupError, match="known:"):
        fetcher("nope")


SIMS = {
    "openai": (sim_openai.serve, sim_openai.API_KEY),
    "anthropic": (sim_anthropic.serve, sim_anthropic.API_KEY),
    "elevenlabs": (sim_eleven.serve, sim_eleven.API_KEY),
}
TITLES = {"openai": "OpenAI", "anthropic": "Anthropic", "elevenlabs": "ElevenLabs"}


def fail_with(provider: str, plan: Callable[[SimServer], None],
              timeout: float = 5.0) -> ProviderError:
    serve, key = SIMS[provider]
    with serve() as sim:
        plan(sim)
        result = asyncio.run(fetch_all(
            [FetchRequest(provider, api_key=key, base_url=sim.base_url)],
            retry=FAST, timeout=timeout))
    error = result[provider]
    assert isinstance(error, ProviderError), f"{provider}: expected an error, got {error!r}"
    assert TITLES[provider] in str(error)
    assert key not in str(error)
    return error


@pytest.mark.parametrize("provider", list(SIMS))
def test_every_client_maps_failures_to_the_same_errors(provider: str) -> None:
    assert isinstance(fail_with(provider, lambda s: s.faults.truncate(times=50)),
                      TruncatedResponseError)
    assert isinstance(fail_with(provider, lambda s: s.faults.fail(503, times=50)),
                      ProviderUnavailable)
    assert isinstance(fail_with(provider, lambda s: s.faults.delay(3.0, times=50), timeout=0.15),
                      ProviderTimeout)
    refused = fail_with(provider, lambda s: s.faults.fail(403, times=50, message="no scope"))
    assert isinstance(refused, AuthError) and refused.status == 403
    assert "no scope" in str(refused)  # a 403's reason is kept (with keys redacted)
