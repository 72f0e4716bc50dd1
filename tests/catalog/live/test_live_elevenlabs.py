"""The ElevenLabs live client against the ElevenLabs simulator: every voice page, custom voices
told apart by category, models merged with the snapshot, and failures on either endpoint."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

from voiceops.catalog.live import elevenlabs as live
from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.types import ProviderCatalog, Voice
from voiceops.errors import AuthError, MissingKeyError
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.sim import SimServer
from voiceops.sim import elevenlabs as sim_eleven
from voiceops.sim.voices import synthetic_voices, wire_voice


async def _no_wait(seconds: float) -> None:
    del seconds


FAST = RetryPolicy(sleep=_no_wait, rand=lambda: 0.0)


def fetch(sim: SimServer, *, api_key: str = sim_eleven.API_KEY,
          etag: str | None = None) -> FetchResult:
    return asyncio.run(live.fetch(api_key=api_key, base_url=sim.base_url, etag=etag,
                                  retry=FAST))


def catalog_of(result: FetchResult) -> ProviderCatalog:
    assert result.catalog is not None
    return result.catalog


def voice(catalog: ProviderCatalog, name: str) -> Voice:
    return next(v for v in catalog.voices if v.name == name)


def test_250_voices_come_over_3_pages_and_models_alongside() -> None:
    state = sim_eleven.ElevenLabsState(voices=synthetic_voices(250))
    with sim_eleven.serve(state) as sim:
        catalog = catalog_of(fetch(sim))
        voice_queries = [parse_qs(e.query) for e in sim.log.entries if e.path == "/v2/voices"]
        assert sim.log.count("/v1/models") == 1
    assert len(catalog.voices) == 250
    assert len({v.id for v in catalog.voices}) == 250
    assert len(voice_queries) == 3
    assert all(q["page_size"] == ["100"] for q in voice_queries)
    # one cursor from the oldest voice (which also asks for the count), one from the newest
    starts = [q for q in voice_queries if "next_page_token" not in q]
    assert sorted(q["sort_direction"][0] for q in starts) == ["asc", "desc"]
    assert voice_queries[0]["include_total_count"] == ["true"]
    assert all("voice_type" not in q for q in voice_queries)  # classify by category instead


def test_custom_voices_are_recognised_by_category() -> None:
    with sim_eleven.serve() as sim:
        catalog = catalog_of(fetch(sim))
    assert voice(catalog, "Acme Support Priya").category == "cloned"
    assert voice(catalog, "Narrator Nova").category == "generated"
    assert voice(catalog, "Arjun Pro").category == "professional"
    assert all(voice(catalog, n).custom for n in ("Acme Support Priya", "Narrator Nova",
                                                  "Arjun Pro"))
    assert not voice(catalog, "Legend Voice").custom  # famous: not the account's own
    assert not voice(catalog, "Aria").custom  # premade
    priya = voice(catalog, "Acme Support Priya")
    assert priya.languages == ("hi-IN", "en-IN")
    assert priya.gender == "female" and priya.accent == "indian"
    assert priya.preview_url is not None


def test_an_unknown_category_is_kept_as_unknown_and_not_custom() -> None:
    odd = wire_voice("oddvoice000000000001", "Odd One", "high_quality")
    state = sim_eleven.ElevenLabsState(voices=[odd])
    with sim_eleven.serve(state) as sim:
        catalog = catalog_of(fetch(sim))
    assert catalog.voices[0].category == "unknown"
    assert not catalog.voices[0].custom


def test_models_keep_tts_drop_speech_to_speech_and_keep_bundled_stt() -> None:
    with sim_eleven.serve() as sim:
        catalog = catalog_of(fetch(sim))
    models = {m.id: m for m in catalog.models}
    flash = models["eleven_flash_v2_5"]
    assert flash.kind == "tts"
    assert "stability" in flash.tuning and flash.sample_rates  # from the snapshot
    assert "hi" in flash.languages
    assert "eleven_english_sts_v2" not in models
    assert models["scribe_v1"].kind == "stt"  # /v1/models lists no STT: the snapshot's stay
    assert catalog.retired_voices  # carried over, so a check can explain a retired voice


def test_a_refusal_on_either_endpoint_fails_the_fetch_without_the_key() -> None:
    with sim_eleven.serve() as sim:
        sim.faults.fail(401, path="/v1/models")
        with pytest.raises(AuthError) as caught:
            fetch(sim)
    message = str(caught.value)
    assert "ElevenLabs" in message and "ELEVENLABS_API_KEY" in message
    assert sim_eleven.API_KEY not in message


def test_a_wrong_key_is_refused() -> None:
    with sim_eleven.serve() as sim, pytest.raises(AuthError):
        fetch(sim, api_key="sk_wrong")


def test_a_missing_key_names_the_variable() -> None:
    with pytest.raises(MissingKeyError, match="ELEVENLABS_API_KEY"):
        asyncio.run(live.fetch(base_url="http://127.0.0.1:9", environ={}))


def test_a_429_on_the_voice_pages_is_retried_while_models_go_on() -> None:
    state = sim_eleven.ElevenLabsState(voices=synthetic_voices(150))
    with sim_eleven.serve(state) as sim:
        sim.faults.fail(429, retry_after=0, path="/v2/voices")
        catalog = catalog_of(fetch(sim))
        assert sim.log.count("/v2/voices") == 3  # 2 pages, one of them asked twice
        assert sim.log.count("/v1/models") == 1
    assert len(catalog.voices) == 150


def test_etag_revalidates_every_request_and_sees_a_new_voice() -> None:
    state = sim_eleven.ElevenLabsState(voices=synthetic_voices(150))
    with sim_eleven.serve(state) as sim:
        first = fetch(sim)
        assert first.etag is not None
        sim.log.reset()
        same = fetch(sim, etag=first.etag)
        assert same.not_modified and sim.requests == 3  # 2 voice pages + models
        state.voices = [*state.voices, wire_voice("newvoice000000000001", "Fresh Clone",
                                                  "cloned")]
        changed = fetch(sim, etag=first.etag)
    assert voice(catalog_of(changed), "Fresh Clone").custom
