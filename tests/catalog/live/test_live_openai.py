"""The OpenAI live client against the OpenAI simulator: the catalog it builds, and every way
the request can fail (auth, rate limit, 5xx, timeouts, cut bodies), plus ETag revalidation."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from voiceops.catalog.live import openai as live
from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Model, ProviderCatalog
from voiceops.errors import (
    AuthError,
    BadResponseError,
    MissingKeyError,
    ProviderRequestError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimitError,
    TruncatedResponseError,
)
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.sim import SimServer
from voiceops.sim import openai as sim_openai


def fast_retry(attempts: int = 3) -> tuple[RetryPolicy, list[float]]:
    """A policy whose waits are recorded instead of slept, with no jitter."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(attempts=attempts, sleep=sleep, rand=lambda: 0.0), waits


def fetch(sim: SimServer, *, api_key: str = sim_openai.API_KEY, etag: str | None = None,
          retry: RetryPolicy | None = None, timeout: float | None = None) -> FetchResult:
    return asyncio.run(live.fetch(api_key=api_key, base_url=sim.base_url, etag=etag,
                                  retry=retry or fast_retry()[0], timeout=timeout))


def catalog_of(result: FetchResult) -> ProviderCatalog:
    assert result.catalog is not None
    return result.catalog


def model(catalog: ProviderCatalog, model_id: str) -> Model:
    found = [m for m in catalog.models if m.id == model_id]
    assert len(found) == 1, f"{model_id}: {len(found)} entries"
    return found[0]


def test_keeps_voice_agent_models_and_marks_their_kind() -> None:
    with sim_openai.serve() as sim:
        result = fetch(sim)
    catalog = catalog_of(result)
    kinds = {m.id: m.kind for m in catalog.models}
    assert kinds["gpt-4o"] == "chat"
    assert kinds["gpt-realtime"] == "realtime"
    assert kinds["gpt-realtime-3-preview"] == "realtime"  # unknown to the snapshot: by id
    assert kinds["whisper-1"] == "stt"
    assert kinds["tts-1"] == "tts"
    for dropped in ("text-embedding-3-small", "dall-e-3", "omni-moderation-latest",
                    "babbage-002", "gpt-3.5-turbo-instruct"):
        assert dropped not in kinds
    assert catalog.source == "live" and result.not_modified is False
    assert catalog.fetched_at is not None and datetime.fromisoformat(catalog.fetched_at)


def test_enriches_listed_models_with_snapshot_facts() -> None:
    known = BundledSnapshot().provider_catalog("openai")
    assert known is not None
    with sim_openai.serve() as sim:
        catalog = catalog_of(fetch(sim))
    snap = {m.id: m for m in known.models}
    assert model(catalog, "gpt-4o").context_window == snap["gpt-4o"].context_window
    listed = {m.id for m in catalog.models}
    # aliases stay, except those the list carries as models of their own
    assert set(model(catalog, "gpt-4o").aliases) == set(snap["gpt-4o"].aliases) - listed
    dated = model(catalog, "gpt-4o-2024-11-20")  # listed by itself; a snapshot alias
    assert dated.context_window == snap["gpt-4o"].context_window and dated.aliases == ()
    tuned = model(catalog, "ft:gpt-4o-mini:acme-org:support:sim0001")
    assert tuned.kind == "chat"
    assert tuned.context_window == snap["gpt-4o-mini"].context_window
    new = model(catalog, "gpt-6.3-sol-preview")
    assert new.kind == "chat" and new.context_window is None
    # Not listed any more, but kept so a check can name the replacement:
    assert "retired" in (model(catalog, "gpt-4o-audio-preview").deprecated or "")
    assert catalog.voices == known.voices  # no voice list API: the bundled voices


def test_a_refused_key_names_the_variable_and_never_the_key() -> None:
    wrong = "sk-this-is-the-wrong-key-9876"
    with sim_openai.serve() as sim:
        with pytest.raises(AuthError) as caught:
            fetch(sim, api_key=wrong)
        assert sim.requests == 1  # a refused key is not retried
    message = str(caught.value)
    assert "OpenAI" in message and "401" in message and "OPENAI_API_KEY" in message
    assert wrong not in message and "9876" not in message  # not even the part OpenAI echoes
    assert caught.value.provider == "openai" and caught.value.status == 401


def test_a_missing_key_names_the_variable_to_set() -> None:
    with sim_openai.serve() as sim:
        with pytest.raises(MissingKeyError) as caught:
            asyncio.run(live.fetch(base_url=sim.base_url, environ={}))
        assert sim.requests == 0
    assert "OPENAI_API_KEY" in str(caught.value)
    assert caught.value.env_var == "OPENAI_API_KEY"


def test_the_key_is_read_from_the_environment_by_default() -> None:
    with sim_openai.serve() as sim:
        result = asyncio.run(live.fetch(base_url=sim.base_url,
                                        environ={"OPENAI_API_KEY": sim_openai.API_KEY}))
    assert result.catalog is not None


def test_429_waits_as_retry_after_asks_then_succeeds() -> None:
    policy, waits = fast_retry()
    with sim_openai.serve() as sim:
        sim.faults.fail(429, retry_after=2)
        result = fetch(sim, retry=policy)
        assert sim.requests == 2
    assert waits == [2.0]
    assert result.catalog is not None


def test_a_retry_after_beyond_the_wait_budget_gives_up_at_once() -> None:
    policy, waits = fast_retry()
    with sim_openai.serve() as sim:
        sim.faults.fail(429, retry_after=600)
        with pytest.raises(RateLimitError) as caught:
            fetch(sim, retry=policy)
        assert sim.requests == 1
    assert waits == []
    assert caught.value.retry_after == 600
    assert "600 s" in str(caught.value) and "OpenAI" in str(caught.value)


def test_500_is_retried_with_backoff_then_reported() -> None:
    policy, waits = fast_retry(attempts=3)
    with sim_openai.serve() as sim:
        sim.faults.fail(500, times=10)
        with pytest.raises(ProviderUnavailable) as caught:
            fetch(sim, retry=policy)
        assert sim.requests == 3
    assert waits == [0.5, 1.0]  # exponential, jitter fixed at none
    message = str(caught.value)
    assert "OpenAI" in message and "500" in message and "3 attempts" in message


def test_503_then_success() -> None:
    with sim_openai.serve() as sim:
        sim.faults.fail(503, times=2)
        result = fetch(sim)
        assert sim.requests == 3
    assert result.catalog is not None


def test_a_truncated_body_is_its_own_error() -> None:
    with sim_openai.serve() as sim:
        sim.faults.truncate(mode="short")
        with pytest.raises(TruncatedResponseError) as caught:
            fetch(sim)
    assert "truncated" in str(caught.value) and "OpenAI" in str(caught.value)


def test_cut_json_is_reported_as_invalid_json() -> None:
    with sim_openai.serve() as sim:
        sim.faults.truncate(mode="cut")
        with pytest.raises(BadResponseError) as caught:
            fetch(sim)
    assert not isinstance(caught.value, TruncatedResponseError)
    assert "invalid JSON" in str(caught.value)


def test_a_slow_server_times_out_naming_the_provider() -> None:
    with sim_openai.serve() as sim:
        sim.faults.delay(5.0, times=10)
        with pytest.raises(ProviderTimeout) as caught:
            fetch(sim, timeout=0.2, retry=fast_retry(attempts=2)[0])
        assert sim.requests == 2  # a timeout is retried like a dropped connection
    assert "OpenAI" in str(caught.value) and "0.2 s" in str(caught.value)


def test_a_body_that_stalls_after_the_headers_is_a_timeout_too() -> None:
    with sim_openai.serve() as sim:
        sim.faults.delay(5.0, before="body", times=10)
        with pytest.raises(ProviderTimeout):
            fetch(sim, timeout=0.2, retry=fast_retry(attempts=1)[0])


def test_no_server_listening_is_unavailable_after_retries() -> None:
    sim = sim_openai.serve().start()
    base_url = sim.base_url
    sim.stop()
    policy, waits = fast_retry(attempts=2)
    with pytest.raises(ProviderUnavailable) as caught:
        asyncio.run(live.fetch(api_key="k", base_url=base_url, retry=policy))
    assert "cannot be reached" in str(caught.value)
    assert len(waits) == 1


def test_a_wrong_base_url_says_to_check_it() -> None:
    with sim_openai.serve() as sim, pytest.raises(ProviderRequestError) as caught:
        asyncio.run(live.fetch(api_key=sim_openai.API_KEY, base_url=sim.url + "/v9",
                               retry=fast_retry()[0]))
    assert "404" in str(caught.value) and "base_url" in str(caught.value)


def test_etag_gives_not_modified_until_the_list_changes() -> None:
    state = sim_openai.OpenAIState()
    with sim_openai.serve(state) as sim:
        first = fetch(sim)
        assert first.etag is not None and not first.etag.startswith("voiceops")
        same = fetch(sim, etag=first.etag)
        state.models = [*state.models, {"id": "gpt-6.4-sol", "object": "model",
                                        "created": 1_790_000_000, "owned_by": "system"}]
        sim.log.reset()
        changed = fetch(sim, etag=first.etag)
        assert sim.requests == 1  # the conditional request's 200 is used, not asked again
    assert same.not_modified and same.catalog is None and same.etag == first.etag
    assert not changed.not_modified and changed.etag != first.etag
    assert "gpt-6.4-sol" in {m.id for m in catalog_of(changed).models}


def test_classify_reads_kinds_from_ids() -> None:
    assert live.classify("gpt-4o-mini-tts") == "tts"
    assert live.classify("gpt-realtime-whisper") == "stt"
    assert live.classify("gpt-audio-mini") == "realtime"
    assert live.classify("o4-mini") == "chat"
    assert live.classify("ft:gpt-4.1-nano:org:name:abc") == "chat"
    assert live.classify("text-embedding-3-large") == "embedding"
    assert live.classify("llama3:8b") == "other"
    assert live.classify("llama3:8b", default="chat") == "chat"


def test_live_catalog_survives_the_cache_codec() -> None:
    """A dated id listed beside its alias (gpt-4.1-2025-04-14) must not break the cache."""
    import json

    from voiceops.catalog.codec import catalog_from_json, catalog_to_json

    with sim_openai.serve() as sim:
        result = asyncio.run(live.fetch(api_key=sim_openai.API_KEY, base_url=sim.base_url))
    assert result.catalog is not None
    text = json.dumps(catalog_to_json(result.catalog, source="live", source_date="2026-11-25"))
    names = [n for m in catalog_from_json(json.loads(text), origin="t").models
             for n in (m.id, *m.aliases)]
    assert len(names) == len(set(names))
