"""Anthropic's live catalog: `GET {base_url}/v1/models`, paged newest first.

Pages are cursored (`after_id` = the previous page's `last_id`), so they are fetched one
after another; the default page is the API's largest (1000), so one request covers any
account today. Every listed model is a chat model; context windows, prices, aliases and
deprecations come from the snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from voiceops.catalog.live.enrich import merge_models
from voiceops.catalog.live.etags import request_key
from voiceops.catalog.live.http import Endpoint, Session, open_session, require_key
from voiceops.catalog.live.result import FetchResult, now_iso
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Model, ProviderCatalog
from voiceops.provider_facts import env_key
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["API_VERSION", "MAX_PAGE_SIZE", "fetch"]

PROVIDER = "anthropic"
#: The headers the official SDK sends (anthropic 2.14.0, seen on loopback 2026-11-30):
#: `Authorization: Bearer <key>` and this version; the API also takes the documented
#: `x-api-key` with 2023-06-01. tests/providers/test_wire_anthropic.py holds them equal.
API_VERSION = "2026-10-21"
MAX_PAGE_SIZE = 1000
_PATH = "/v1/models"
#: A guard against a server whose cursor never ends (1000 pages of 1000 models).
_MAX_PAGES = 1000


async def fetch(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    etag: str | None = None,
    client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> FetchResult:
    """Anthropic's live catalog: every page of `/v1/models`, enriched from the snapshot.

    `api_key` defaults to `$ANTHROPIC_API_KEY`; `base_url` to https://api.anthropic.com.
    `page_size` (1..1000) is the `limit` per page. Raises a `ProviderError` subclass.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, not {page_size}")
    key = require_key(PROVIDER, api_key, environ)
    endpoint = Endpoint(PROVIDER, base_url_for(PROVIDER, base_url),
                        {"Authorization": f"Bearer {key}", "anthropic-version": API_VERSION},
                        secret=key,
                        env_var=env_key(PROVIDER))
    first = {"limit": page_size}
    async with open_session(endpoint, client=client, timeout=timeout, retry=retry, etag=etag,
                            root=request_key(_PATH, first)) as session:
        if await session.revalidate():
            return session.not_modified()
        listed = await _all_pages(session, page_size)
    known = BundledSnapshot().provider_catalog(PROVIDER)
    return session.result(ProviderCatalog(
        PROVIDER, models=merge_models(listed, known), source="live", fetched_at=now_iso(),
    ))


async def _all_pages(session: Session, page_size: int) -> list[Model]:
    models: list[Model] = []
    params: dict[str, str | int] = {"limit": page_size}
    for _ in range(_MAX_PAGES):
        page = await session.get_json(_PATH, params)
        models += _models(session, page)
        if not page.get("has_more"):
            return models
        last = page.get("last_id")
        if not isinstance(last, str) or not last or last == params.get("after_id"):
            raise session.bad_shape(_PATH, "has_more is true but last_id does not move on")
        params = {"limit": page_size, "after_id": last}
    raise session.bad_shape(_PATH, f"more than {_MAX_PAGES} pages")


def _models(session: Session, page: Any) -> list[Model]:
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise session.bad_shape(_PATH, "no 'data' list")
    found = []
    for item in data:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            raise session.bad_shape(_PATH, f"a model without an id: {str(item)[:80]}")
        name = item.get("display_name")
        found.append(Model(provider=PROVIDER, id=ident, kind="chat",
                           display_name=name if isinstance(name, str) and name else None))
    return found
