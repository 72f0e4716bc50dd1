"""SimStack: all four simulators at once, the environment that points clients at them, the
latency helper and reset."""

from __future__ import annotations

import asyncio

import httpx

from voiceops.provider_facts import base_url_override, env_key
from voiceops.sim.stack import SimStack

PROVIDERS = ("openai", "anthropic", "sarvam", "elevenlabs")


def test_env_names_each_providers_key_and_base_url() -> None:
    with SimStack() as sims:
        env = sims.env()
        assert set(env) == {f"{p.upper()}_{what}" for p in PROVIDERS
                            for what in ("API_KEY", "BASE_URL")} | {
            "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_BASE_URL", "EXOTEL_ACCOUNT_SID",
            "EXOTEL_API_KEY", "EXOTEL_API_TOKEN", "EXOTEL_BASE_URL", "BOOKING_API_URL",
            "BOOKING_API_TOKEN"}
        for provider in PROVIDERS:
            assert env[str(env_key(provider))] == sims.states[provider].api_key
            assert base_url_override(provider, env) == sims.servers[provider].base_url
        assert env["OPENAI_BASE_URL"].endswith("/v1")  # as the openai SDK expects
        assert env["SARVAM_BASE_URL"] == sims.servers["sarvam"].url
        reply = httpx.get(env["OPENAI_BASE_URL"] + "/models",
                          headers={"Authorization": f"Bearer {env['OPENAI_API_KEY']}"})
        assert reply.status_code == 200
    assert all(s.url for s in sims.servers.values())  # URLs stay known after stop


def test_latency_sets_each_stage_where_a_simulator_has_it() -> None:
    sims = SimStack()  # knobs work before start too
    sims.latency(stt=0.2, llm_ttft=0.3, tts_ttfb=0.15, llm_token_interval=0.01)
    assert sims.openai_state.stt_latency_s == 0.2 and sims.sarvam_state.stt_latency_s == 0.2
    assert sims.anthropic_state.llm_ttft_s == 0.3 and sims.sarvam_state.llm_ttft_s == 0.3
    assert sims.openai_state.llm_token_interval_s == 0.01
    assert sims.elevenlabs_state.tts_ttfb_s == 0.15 and sims.sarvam_state.tts_ttfb_s == 0.15
    sims.latency(stt=0.0)  # None leaves the others as they are
    assert sims.openai_state.stt_latency_s == 0.0 and sims.anthropic_state.llm_ttft_s == 0.3


def test_reset_restores_defaults_and_forgets_faults_and_requests() -> None:
    with SimStack() as sims:
        sims.latency(llm_ttft=1.0)
        sims.sarvam_state.transcripts.append("queued")
        sims.servers["openai"].faults.fail(500)
        httpx.get(sims.servers["openai"].base_url + "/models")
        sims.servers["elevenlabs"].faults.fail(503)
        sims.reset()
        assert sims.openai_state.llm_ttft_s == 0.0 and not sims.sarvam_state.transcripts
        assert sims.servers["elevenlabs"].faults.pending == 0
        assert sims.servers["openai"].requests == 0


def test_the_async_form_starts_and_stops_every_server() -> None:
    async def go() -> list[int]:
        async with SimStack() as sims:
            async with httpx.AsyncClient() as client:
                answers = [await client.get(s.url + "/nowhere") for s in sims.servers.values()]
            return [a.status_code for a in answers]

    assert set(asyncio.run(go())) == {404}
