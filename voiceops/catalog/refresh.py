"""Live catalogs through the cache: fresh entries cost no request, stale ones revalidate
with their ETag, and a provider that fails falls back to its cached catalog with a warning.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import httpx

from voiceops.catalog.cache import DEFAULT_TTL_S, CacheEntry, CacheKey, CatalogCache
from voiceops.catalog.live import FetchRequest, RetryPolicy, fetch_all
from voiceops.catalog.providers import base_url_override, env_key, title
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import ProviderError

Progress = Callable[[str], None]


@dataclass
class Refreshed:
    """What a refresh produced: a catalog per provider it could get, and what went wrong."""

    catalogs: dict[str, ProviderCatalog] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, ProviderError] = field(default_factory=dict)  # no catalog at all
    fetched: list[str] = field(default_factory=list)  # providers asked over the network


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
    out = Refreshed()
    entries: dict[str, tuple[CacheKey, CacheEntry | None]] = {}
    wanted: list[FetchRequest] = []
    for provider in sorted(urls.keys() | set(providers)):
        variable = env_key(provider)
        key = CacheKey.of(provider, env.get(variable) if variable else None, urls.get(provider))
        entry = cache.get(key)
        entries[provider] = (key, entry)
        if entry is not None and entry.fresh(ttl_s) and not force:
            out.catalogs[provider] = entry.catalog
        else:
            wanted.append(FetchRequest(provider, base_url=urls.get(provider),
                                       etag=entry.etag if entry else None))
    if not wanted:
        return out
    if progress:
        progress("fetching " + ", ".join(title(r.provider) for r in wanted))
    results = await fetch_all(wanted, client=client, retry=retry, environ=env)
    now = time.time()
    for provider, result in results.items():
        key, entry = entries[provider]
        out.fetched.append(provider)
        if isinstance(result, ProviderError):
            if entry is not None:
                age = _age(now - entry.stored_at)
                out.warnings.append(f"{title(provider)}: {result}; using the catalog cached "
                                    f"{age} ago")
                out.catalogs[provider] = entry.catalog
            else:
                out.errors[provider] = result
            continue
        if result.not_modified and entry is not None:
            fresh = replace(entry, stored_at=now)
        elif result.catalog is not None:
            fresh = CacheEntry(result.catalog, result.etag, now)
        else:  # 304 without a cached body cannot happen: we sent no ETag then
            continue
        cache.put(key, fresh)
        out.catalogs[provider] = fresh.catalog
    return out


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
