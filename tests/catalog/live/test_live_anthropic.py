"""The Anthropic live client against the Anthropic simulator: paging, headers, enrichment,
ETags over several pages, and retries of Anthropic's own overload status."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

from voiceops.catalog.live import anthropic as live
from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import AuthError, MissingKeyError
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.sim import SimServer
from voiceops.sim import anthropic as sim_anthropic


async def _no_wait(seconds: float) -> None:
    del seconds


FAST = RetryPolicy(sleep=_no_wait, rand=lambda: 0.0)


def fetch(sim: SimServer, *, api_key: str = sim_anthropic.API_KEY, etag: str | None = None,
          page_size: int = live.MAX_PAGE_SIZE) -> FetchResult:
    return asyncio.run(live.fetch(api_key=api_key, base_url=sim.base_url, etag=etag,
                                  retry=FAST, page_size=page_size))


def catalog_of(result: FetchResult) -> ProviderCatalog:
    assert result.catalog is not None
    return result.catalog


def test_follows_every_page_with_after_id() -> None:
    listed = sim_anthropic.default_models()
    page_size = -(-len(listed) // 3)  # three pages, whatever the snapshot holds
    with sim_anthropic.serve() as sim:
        catalog = catalog_of(fetch(sim, page_size=page_size))
        queries = [parse_qs(e.query) for e in sim.log.entries]
    assert len(queries) == 3
    assert "after_id" not in queries[0]
    assert queries[1]["after_id"] == [listed[page_size - 1]["id"]]
    assert queries[2]["after_id"] == [listed[2 * page_size - 1]["id"]]
    ids = [m.id for m in catalog.models]
    assert ids[: len(listed)] == [m["id"] for m in listed]  # newest first, as listed


def test_one_request_covers_the_account_at_the_default_page_size() -> None:
    with sim_anthropic.serve() as sim:
        fetch(sim)
        assert sim.requests == 1


def test_models_are_chat_models_enriched_from_the_snapshot() -> None:
    known = BundledSnapshot().provider_catalog("anthropic")
    assert known is not None
    snap = {m.id: m for m in known.models}
    with sim_anthropic.serve() as sim:
        catalog = catalog_of(fetch(sim))
    models = {m.id: m for m in catalog.models}
    haiku = models["claude-haiku-4-5-20251001"]
    assert haiku.kind == "chat"
    assert haiku.context_window == snap["claude-haiku-4-5-20251001"].context_window
    assert "claude-haiku-4-5" in haiku.aliases
    new_id, new_name, _ = sim_anthropic.EXTRA_MODELS[0]
    assert models[new_id].display_name == new_name and models[new_id].context_window is None
    # Retired, so not listed, but kept with the note that names its replacement:
    assert (models["claude-3-5-haiku-20241022"].deprecated or "").startswith("retired")
    assert catalog.source == "live"


def test_a_refused_key_names_the_variable_and_never_the_key() -> None:
    with sim_anthropic.serve() as sim, pytest.raises(AuthError) as caught:
        fetch(sim, api_key="sk-ant-wrong-0000-secret")
    message = str(caught.value)
    assert "Anthropic" in message and "ANTHROPIC_API_KEY" in message
    assert "sk-ant-wrong-0000-secret" not in message


def test_a_missing_key_names_the_variable() -> None:
    with pytest.raises(MissingKeyError, match="ANTHROPIC_API_KEY"):
        asyncio.run(live.fetch(base_url="http://127.0.0.1:9", environ={}))


def test_overloaded_529_is_retried() -> None:
    with sim_anthropic.serve() as sim:
        sim.faults.fail(529)
        result = fetch(sim)
        assert sim.requests == 2
    assert result.catalog is not None


def test_etag_over_several_pages_revalidates_each_page() -> None:
    state = sim_anthropic.AnthropicState()
    with sim_anthropic.serve(state) as sim:
        first = fetch(sim, page_size=8)
        pages = sim.requests
        assert pages >= 2 and first.etag is not None
        sim.log.reset()
        same = fetch(sim, page_size=8, etag=first.etag)
        assert same.not_modified and same.catalog is None
        assert sim.requests == pages  # one conditional request per page, nothing more
        state.models = [{"type": "model", "id": "claude-next-sim", "display_name": "Next",
                         "created_at": "2026-12-01T00:00:00Z"}, *state.models]
        changed = fetch(sim, page_size=8, etag=first.etag)
    assert "claude-next-sim" in {m.id for m in catalog_of(changed).models}
    assert changed.etag != first.etag


def test_a_single_page_etag_is_the_servers_own() -> None:
    with sim_anthropic.serve() as sim:
        result = fetch(sim)
    assert result.etag is not None and result.etag.startswith('"')


def test_page_size_outside_the_api_range_is_refused() -> None:
    with pytest.raises(ValueError):
        asyncio.run(live.fetch(api_key="k", page_size=0))
