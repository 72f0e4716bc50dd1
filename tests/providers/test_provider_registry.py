"""resolve_target (keys, base URLs, timeouts, options from a profile section) and the
ProviderPool (lazy imports, one cached client per target, one shared connection pool)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from voiceops.errors import MissingKeyError, ProviderSetupError
from voiceops.providers.base import Message, Target
from voiceops.providers.http import SharedHttp
from voiceops.providers.registry import (
    LLM_CLIENTS,
    STT_CLIENTS,
    TTS_CLIENTS,
    ProviderPool,
    client_class,
    resolve_target,
)
from voiceops.sim.stack import SimStack

ENV = {"OPENAI_API_KEY": "sk-env-openai", "TEAM_KEY": "sk-team", "SARVAM_API_KEY": "sarvam-k"}


def test_the_key_comes_from_the_providers_usual_variable() -> None:
    target = resolve_target({"provider": "openai", "model": "gpt-4o-mini"}, ENV, 10.0)
    assert target == Target("openai", "gpt-4o-mini", "sk-env-openai",
                            "https://api.openai.com/v1", 10.0, {})


def test_a_reference_in_the_section_names_another_variable() -> None:
    section = {"provider": "openai", "model": "gpt-4o", "api_key": "${TEAM_KEY}"}
    assert resolve_target(section, ENV, 10.0).api_key == "sk-team"


def test_a_missing_key_names_the_variable_to_set() -> None:
    with pytest.raises(MissingKeyError) as caught:
        resolve_target({"provider": "elevenlabs", "voice": "x"}, ENV, 10.0)
    assert caught.value.env_var == "ELEVENLABS_API_KEY"
    assert "ELEVENLABS_API_KEY" in str(caught.value)
    with pytest.raises(MissingKeyError, match="UNSET_KEY") as named:
        resolve_target({"provider": "openai", "api_key": "${UNSET_KEY}"}, ENV, 10.0)
    assert named.value.env_var == "UNSET_KEY"


def test_a_literal_key_is_refused_without_being_repeated() -> None:
    with pytest.raises(ProviderSetupError) as caught:
        resolve_target({"provider": "openai", "api_key": "sk-literal-secret-123"}, ENV, 10.0)
    assert "sk-literal-secret-123" not in str(caught.value)
    assert "${OPENAI_API_KEY}" in str(caught.value)


def test_base_url_comes_from_the_section_then_the_environment_then_the_provider() -> None:
    section = {"provider": "sarvam", "model": "bulbul:v2"}
    assert resolve_target(section, ENV, 5).base_url == "https://api.sarvam.ai"
    env = {**ENV, "SARVAM_BASE_URL": "http://127.0.0.1:9999"}
    assert resolve_target(section, env, 5).base_url == "http://127.0.0.1:9999"
    mine = {**section, "base_url": "https://proxy.example/sarvam"}
    assert resolve_target(mine, env, 5).base_url == "https://proxy.example/sarvam"


def test_an_openai_compatible_server_needs_a_base_url_but_maybe_no_key() -> None:
    with pytest.raises(ProviderSetupError, match="base_url"):
        resolve_target({"provider": "openai_compatible", "model": "llama"}, ENV, 5)
    section = {"provider": "openai_compatible", "model": "llama",
               "base_url": "http://localhost:8000/v1"}
    assert resolve_target(section, {}, 5).api_key is None


def test_timeout_and_options_come_from_the_section() -> None:
    section = {"provider": "sarvam", "model": "bulbul:v2", "voice": "anushka",
               "timeout_s": 3, "tuning": {"pace": 1.1},
               "fallbacks": [{"provider": "elevenlabs", "voice": "x"}]}
    target = resolve_target(section, ENV, 10.0, language="hi-IN")
    assert target.timeout_s == 3.0
    assert target.options == {"voice": "anushka", "tuning": {"pace": 1.1}, "language": "hi-IN"}
    with pytest.raises(ProviderSetupError, match="timeout_s"):
        resolve_target({**section, "timeout_s": 0}, ENV, 10.0)


def test_every_registered_client_imports_and_unknown_providers_say_what_exists() -> None:
    for capability, registry in (("llm", LLM_CLIENTS), ("tts", TTS_CLIENTS),
                                 ("stt", STT_CLIENTS)):
        for provider in registry:
            assert client_class(capability, provider).__name__  # type: ignore[arg-type]
    with pytest.raises(ProviderSetupError, match="elevenlabs, sarvam"):
        client_class("tts", "openai")


@pytest.mark.slow  # a fresh interpreter
def test_importing_the_registry_loads_no_sdk() -> None:
    code = ("import sys, voiceops.providers.registry, voiceops.sim.stack; "
            "print(sorted(m for m in ('openai', 'anthropic', 'httpx2') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found == "[]"


def test_the_pool_builds_one_client_per_target_and_shares_connections() -> None:
    env = {**ENV, "ELEVENLABS_API_KEY": "k"}
    calm = resolve_target({"provider": "elevenlabs", "voice": "v",
                           "tuning": {"stability": 0.9}}, env, 5)
    lively = resolve_target({"provider": "elevenlabs", "voice": "v",
                             "tuning": {"stability": 0.1}}, env, 5)

    async def go() -> None:
        async with ProviderPool(SharedHttp()) as pool:  # one shard: one client per target
            assert pool.tts(calm, 16000) is pool.tts(calm, 16000)
            assert pool.tts(calm, 16000) is not pool.tts(lively, 16000)
            assert pool.tts(calm, 16000) is not pool.tts(calm, 24000)
            llm = pool.llm(resolve_target({"provider": "openai", "model": "m"}, env, 5))
            assert llm is pool.llm(resolve_target({"provider": "openai", "model": "m"}, env, 5))
        assert pool.http.closed

    asyncio.run(go())


def test_the_pool_spreads_calls_over_its_shards() -> None:
    env = {**ENV, "ELEVENLABS_API_KEY": "k"}
    target = resolve_target({"provider": "elevenlabs", "voice": "v"}, env, 5)

    async def go() -> None:
        async with ProviderPool(shards=4) as pool:
            clients = [pool.tts(target, 16000) for _ in range(8)]
            assert len({id(c) for c in clients}) == 4
            assert clients[:4] == clients[4:]  # round robin, each client reused
            assert len({id(c._http) for c in clients}) == 4

    asyncio.run(go())


def test_a_session_keeps_to_one_shard_and_sessions_take_turns() -> None:
    env = {**ENV, "ELEVENLABS_API_KEY": "k"}
    voice = resolve_target({"provider": "elevenlabs", "voice": "v"}, env, 5)
    model = resolve_target({"provider": "openai", "model": "m"}, env, 5)

    async def go() -> None:
        async with ProviderPool(shards=4) as pool:
            sessions = [pool.for_session() for _ in range(5)]
            assert [s.index for s in sessions] == [1, 2, 3, 0, 1]
            first = sessions[0]
            # every call of one session goes over the same connections
            assert len({id(first.tts(voice, 16000)) for _ in range(6)}) == 1
            assert first.llm(model) is first.llm(model)
            assert first.tts(voice, 16000) is sessions[4].tts(voice, 16000)  # same shard
            assert first.tts(voice, 16000) is not sessions[1].tts(voice, 16000)
            assert first.tts(voice, 16000)._http is pool._shards[1].httpx  # type: ignore[attr-defined]

    asyncio.run(go())


def paced(env: dict[str, str], pace: float) -> Target:
    return resolve_target({"provider": "sarvam", "model": "bulbul:v3", "voice": "shubh",
                           "tuning": {"pace": pace}}, env, 5, language="hi-IN")


def test_after_many_distinct_tunings_the_pool_holds_at_most_its_bound() -> None:
    async def go() -> None:
        async with ProviderPool(shards=2, max_clients=16) as pool:
            first = pool.tts(paced(ENV, 1.0), 16000, shard=0)
            for i in range(1, 300):  # a preview per slider step, a reload per tweak
                pool.tts(paced(ENV, 1.0 + i / 1000), 16000)
                assert pool.clients <= 16
            assert pool.clients == 16
            recent = pool.tts(paced(ENV, 1.299), 16000, shard=1)
            assert pool.tts(paced(ENV, 1.299), 16000, shard=1) is recent  # still cached
            assert pool.tts(paced(ENV, 1.0), 16000, shard=0) is not first  # evicted, rebuilt

    asyncio.run(go())


@pytest.mark.slow
def test_a_client_in_use_keeps_working_after_the_pool_evicted_it() -> None:
    messages = [Message("user", "Hello there")]

    async def go() -> None:
        async with SimStack() as sims, ProviderPool(shards=1, max_clients=2) as pool:
            env = sims.env()
            session = pool.for_session()
            tts = session.tts(paced(env, 1.0), 16000)
            llm = session.llm(resolve_target({"provider": "openai", "model": "gpt-4o-mini"},
                                             env, 5))
            sims.sarvam_state.tts_chunk_ms = 20  # many chunks: the stream is surely mid-way
            speaking = tts.synthesize("Namaste, aapka order kal tak pahunch jayega.")
            replying = llm.stream(messages)
            heard = [await anext(speaking)]
            said = [await anext(replying)]
            for i in range(1, 10):  # other sessions' tunings push both out of the pool
                session.tts(paced(env, 1.0 + i / 100), 16000)
            assert pool.tts(paced(env, 1.0), 16000) is not tts
            heard += [chunk async for chunk in speaking]
            said += [token async for token in replying]
            assert sum(map(len, heard)) > 20 * 32 and "Hello there" in "".join(said)
            # and the evicted clients still answer a whole new request
            assert [c async for c in tts.synthesize("Phir milenge.")]
            assert "".join([t async for t in llm.stream(messages)])

    asyncio.run(go())
