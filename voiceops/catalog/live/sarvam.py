"""Sarvam's catalog: the bundled snapshot, since Sarvam has no list API for speakers or models.

`fetch` has the same signature as the other live clients so callers can treat every provider
alike, but makes no request and needs no key. The result says where its data came from
(`source="bundled"`, dated by the snapshot): calling it "live" would hide that nobody asked
Sarvam. Its ETag is a hash of the snapshot, so a cache sees "not modified" until voiceops
ships new data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import httpx

from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.errors import ProviderSetupError
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["fetch"]

PROVIDER = "sarvam"


async def fetch(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    etag: str | None = None,
    client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> FetchResult:
    """Sarvam's bundled catalog; `not_modified` when `etag` is that of the same snapshot.

    The network arguments are accepted and unused (there is nothing to ask).
    """
    del api_key, base_url, client, timeout, retry, environ
    catalog = BundledSnapshot().provider_catalog(PROVIDER)
    if catalog is None:
        raise ProviderSetupError("Sarvam: no bundled catalog (a packaging bug)",
                                 provider=PROVIDER)
    tag = '"' + hashlib.sha256(repr(catalog).encode()).hexdigest()[:32] + '"'
    if etag == tag:
        return FetchResult(PROVIDER, None, tag, not_modified=True)
    return FetchResult(PROVIDER, catalog, tag)
