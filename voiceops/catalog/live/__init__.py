"""Live provider catalogs: ask each provider's API what it offers this account now.

One module per provider (`openai`, `anthropic`, `elevenlabs`, `openai_compatible`, and
`sarvam`, which has no list API and answers from the bundled snapshot), each with

    async def fetch(*, api_key=None, base_url=None, etag=None, client=None, timeout=None,
                    retry=None, environ=None) -> FetchResult

`fetch_all` runs several at once and files each result, or each error, under its request's
name: one provider failing never costs the others. Provider modules are imported on first
use, through `FETCHERS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Protocol, cast

import httpx

from voiceops.catalog.live.concurrency import together
from voiceops.catalog.live.http import DEFAULT_TIMEOUT
from voiceops.catalog.live.result import FetchRequest, FetchResult
from voiceops.errors import ProviderError, ProviderSetupError
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["FETCHERS", "FetchRequest", "FetchResult", "Fetcher", "RetryPolicy", "fetch_all",
           "fetcher"]

#: Provider name -> "module:function" of its live fetch.
FETCHERS: dict[str, str] = {
    "openai": "voiceops.catalog.live.openai:fetch",
    "anthropic": "voiceops.catalog.live.anthropic:fetch",
    "elevenlabs": "voiceops.catalog.live.elevenlabs:fetch",
    "openai_compatible": "voiceops.catalog.live.openai_compatible:fetch",
    "sarvam": "voiceops.catalog.live.sarvam:fetch",
}


class Fetcher(Protocol):
    """The shape every provider's `fetch` has."""

    async def __call__(
        self, *, api_key: str | None = ..., base_url: str | None = ..., etag: str | None = ...,
        client: httpx.AsyncClient | None = ..., timeout: float | httpx.Timeout | None = ...,
        retry: RetryPolicy | None = ..., environ: Mapping[str, str] | None = ...,
    ) -> FetchResult: ...


def fetcher(provider: str) -> Fetcher:
    """The live `fetch` of `provider`; `ProviderSetupError` when there is none."""
    target = FETCHERS.get(provider)
    if target is None:
        known = ", ".join(sorted(FETCHERS))
        raise ProviderSetupError(f"no live catalog for provider {provider!r} (known: {known})",
                                 provider=provider)
    module, _, name = target.partition(":")
    return cast(Fetcher, getattr(importlib.import_module(module), name))


async def fetch_all(
    requests: Iterable[FetchRequest | str],
    *,
    client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, FetchResult | ProviderError]:
    """Fetch every request's catalog concurrently; each result or `ProviderError` by name.

    A bare provider name stands for `FetchRequest(name)` (key from its usual variable).
    All fetches share one HTTP client (`client`, or one made here with `timeout`). Only
    `ProviderError`s are collected; anything else is a bug and is raised.
    """
    wanted = [FetchRequest(r) if isinstance(r, str) else r for r in requests]
    names = [r.key for r in wanted]
    if len(set(names)) != len(names):
        raise ValueError(f"fetch_all needs distinct names, got {names}; set FetchRequest.name")

    async def one(request: FetchRequest, shared: httpx.AsyncClient) -> FetchResult | ProviderError:
        try:
            fetch = fetcher(request.provider)
            return await fetch(api_key=request.api_key, base_url=request.base_url,
                               etag=request.etag, client=shared, timeout=timeout, retry=retry,
                               environ=environ)
        except ProviderError as exc:
            return exc

    async def run(shared: httpx.AsyncClient) -> dict[str, FetchResult | ProviderError]:
        results = await together([one(r, shared) for r in wanted])
        return dict(zip(names, results, strict=True))

    if client is not None:
        return await run(client)
    async with httpx.AsyncClient(timeout=timeout or DEFAULT_TIMEOUT) as shared:
        return await run(shared)
