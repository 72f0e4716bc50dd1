"""Live catalogs through the cache: fresh entries cost no request, stale ones revalidate
with their ETag, and a provider that fails falls back to its cached catalog with a warning.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import httpx

from voiceops.catalog.cache import DEFAULT_TTL_S, CacheEntry, CacheKey, CatalogCache
from voiceops.catalog.endpoints import PROVIDER as ENDPOINTS
from voiceops.catalog.endpoints import Endpoint
from voiceops.catalog.live import FetchRequest, RetryPolicy, fetch_all
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import ProviderError
from voiceops.provider_facts import base_url_override, env_key, title

Progress = Callable[[str], None]


@dataclass
class Refreshed:
    """What a refresh produced: a catalog per provider it could get, and what went wrong."""

    catalogs: dict[str, ProviderCatalog] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, ProviderError] = field(default_factory=dict)  # no catalog at all
    fetched: list[str] = field(default_factory=list)  # providers asked over the network


@dataclass(frozen=True)
class _Ask:
    """One catalog to get: filed under `name` (a provider, or a server's URL)."""

    name: str
    label: str  # how the progress line names it: the provider's title, or the server's URL
    provider: str
    api_key: str | None
    base_url: str | None


async def refresh(
    providers: Iterable[str],
    cache: CatalogCache,
    *,
    ttl_s: float = DEFAULT_TTL_S,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    base_urls: Mapping[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> Refreshed:
    """The live catalog of each provider, through `cache`.

    `base_urls` points providers at other servers (the simulators, a proxy). `force` skips
    fresh cache entries (they still serve as the fallback when the fetch fails).
    """
    env = os.environ if environ is None else environ
    urls = {p: u for p in set(providers) if (u := (base_urls or {}).get(p)
                                             or base_url_override(p, env))}
    asks = []
    for provider in sorted(urls.keys() | set(providers)):
        variable = env_key(provider)
        asks.append(_Ask(provider, title(provider), provider,
                         env.get(variable) if variable else None, urls.get(provider)))
    return await _through_cache(asks, cache, ttl_s, force, env, client, retry, progress)


async def refresh_endpoints(servers: Iterable[Endpoint], cache: CatalogCache, *,
                            force: bool = False, environ: Mapping[str, str] | None = None,
                            progress: Progress | None = None) -> Refreshed:
    """The models each OpenAI-compatible server lists, through `cache`, by base URL (as
    `refresh` gets the providers' catalogs)."""
    env = os.environ if environ is None else environ
    asks = [_Ask(s.base_url, s.base_url, ENDPOINTS, s.api_key(env), s.base_url)
            for s in sorted(set(servers))]
    return await _through_cache(asks, cache, DEFAULT_TTL_S, force, env, None, None, progress)


async def _through_cache(
    asks: Sequence[_Ask], cache: CatalogCache, ttl_s: float, force: bool,
    env: Mapping[str, str], client: httpx.AsyncClient | None, retry: RetryPolicy | None,
    progress: Progress | None,
) -> Refreshed:
    out = Refreshed()
    entries: dict[str, tuple[CacheKey, CacheEntry | None]] = {}
    wanted: list[FetchRequest] = []
    by_name = {a.name: a for a in asks}
    for ask in asks:
        key = CacheKey.of(ask.provider, ask.api_key, ask.base_url)
        entry = cache.get(key)
        entries[ask.name] = (key, entry)
        if entry is not None and entry.fresh(ttl_s) and not force:
            out.catalogs[ask.name] = entry.catalog
        else:
            wanted.append(FetchRequest(ask.provider, api_key=ask.api_key,
                                       base_url=ask.base_url, name=ask.name,
                                       etag=entry.etag if entry else None))
    if not wanted:
        return out
    if progress:
        progress("fetching " + ", ".join(by_name[r.key].label for r in wanted))
    results = await fetch_all(wanted, client=client, retry=retry, environ=env)
    now = time.time()
    for name, result in results.items():
        key, entry = entries[name]
        out.fetched.append(name)
        if isinstance(result, ProviderError):
            if entry is not None:
                age = _age(now - entry.stored_at)
                out.warnings.append(f"{named(title(by_name[name].provider), result)}; using "
                                    f"the catalog cached {age} ago")
                out.catalogs[name] = entry.catalog
            else:
                out.errors[name] = result
            continue
        if result.not_modified and entry is not None:
            fresh = replace(entry, stored_at=now)
        elif result.catalog is not None:
            fresh = CacheEntry(result.catalog, result.etag, now)
        else:  # 304 without a cached body cannot happen: we sent no ETag then
            continue
        cache.put(key, fresh)
        out.catalogs[name] = fresh.catalog
    return out


def named(label: str, error: ProviderError) -> str:
    """The error's message led by `label` ("OpenAI: ..."), which most errors already are."""
    text = str(error)
    return text if text.startswith(label) else f"{label}: {text}"


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
