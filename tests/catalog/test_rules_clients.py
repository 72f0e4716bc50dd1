"""The parameter rules at call time: the LLM clients send `reasoning_effort` as the profile or
`optimization: latency` sets it (the lowest the rules list), and the simulators refuse what
the rules say the real API refuses, with the real API's error body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from voiceops.errors import ProviderRequestError
from voiceops.providers.base import Message
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim.stack import SimStack

SAID = [Message("user", "Hello?")]


def reply(sims: SimStack, section: Mapping[str, Any]) -> str:
    async def go() -> str:
        async with ProviderPool() as pool:
            target = resolve_target(section, sims.env(), 5.0)
            return "".join([d async for d in pool.llm(target).stream(SAID)])

    return asyncio.run(go())


def test_openai_client_sends_the_profiles_reasoning_effort(sims: SimStack) -> None:
    reply(sims, {"provider": "openai", "model": "gpt-5.1", "reasoning_effort": "low"})
    assert sims.openai_state.last("/v1/chat/completions").body["reasoning_effort"] == "low"


def test_latency_optimization_sends_the_lowest_effort_of_the_rules(sims: SimStack) -> None:
    reply(sims, {"provider": "openai", "model": "gpt-5", "optimization": "latency"})
    assert sims.openai_state.last("/v1/chat/completions").body["reasoning_effort"] == "minimal"
    reply(sims, {"provider": "openai", "model": "gpt-4o-mini", "optimization": "latency"})
    assert "reasoning_effort" not in sims.openai_state.last("/v1/chat/completions").body


def test_sarvam_reasoning_off_is_sent_as_null(sims: SimStack) -> None:
    reply(sims, {"provider": "sarvam", "model": "sarvam-105b", "reasoning_effort": "none"})
    body = sims.sarvam_state.last("/v1/chat/completions").body
    assert "reasoning_effort" in body and body["reasoning_effort"] is None


def test_balanced_sends_no_effort(sims: SimStack) -> None:
    reply(sims, {"provider": "sarvam", "model": "sarvam-105b", "optimization": "balanced"})
    assert "reasoning_effort" not in sims.sarvam_state.last("/v1/chat/completions").body


def post(url: str, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return httpx.post(url, headers=headers, json=body, timeout=5.0)


def test_openai_sim_refuses_temperature_with_reasoning(sims: SimStack) -> None:
    env = sims.env()
    answer = post(env["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
                  {"Authorization": f"Bearer {sims.openai_state.api_key}"},
                  {"model": "gpt-5.1", "temperature": 0.2, "reasoning_effort": "low",
                   "messages": [{"role": "user", "content": "hi"}]})
    assert answer.status_code == 400
    assert answer.json() == {"error": {
        "message": "Unsupported parameter: 'temperature' is not supported with this model.",
        "type": "invalid_request_error", "param": "temperature",
        "code": "unsupported_parameter"}}


def test_openai_sim_refuses_an_effort_the_model_does_not_take(sims: SimStack) -> None:
    with pytest.raises(ProviderRequestError) as caught:
        reply(sims, {"provider": "openai", "model": "gpt-5.1", "reasoning_effort": "minimal"})
    assert "'minimal' is not supported with the 'gpt-5.1' model" in str(caught.value)


def test_anthropic_sim_refuses_temperature_on_the_current_api_version(sims: SimStack) -> None:
    with pytest.raises(ProviderRequestError) as caught:
        reply(sims, {"provider": "anthropic", "model": "claude-haiku-4-5", "temperature": 0.3})
    assert "temperature: Extra inputs are not permitted" in str(caught.value)


def test_sarvam_sim_lets_a_disputed_effort_through(sims: SimStack) -> None:
    assert reply(sims, {"provider": "sarvam", "model": "sarvam-105b",
                        "reasoning_effort": "medium"})


def test_sarvam_sim_refuses_an_unknown_effort_with_its_envelope(sims: SimStack) -> None:
    env = sims.env()
    answer = post(env["SARVAM_BASE_URL"].rstrip("/") + "/v1/chat/completions",
                  {"api-subscription-key": sims.sarvam_state.api_key},
                  {"model": "sarvam-105b", "reasoning_effort": "xhigh",
                   "messages": [{"role": "user", "content": "hi"}]})
    assert answer.status_code == 400
    error = json.loads(answer.text)["error"]
    assert error["code"] == "invalid_request_error" and "xhigh" in error["message"]


def speak(sims: SimStack, **body: Any) -> httpx.Response:
    return post(sims.env()["SARVAM_BASE_URL"].rstrip("/") + "/text-to-speech",
                {"api-subscription-key": sims.sarvam_state.api_key},
                {"text": "Hello", "language_code": "en-IN", **body})


@pytest.mark.parametrize("key", ["pitch", "loudness", "temperature"])
def test_sarvam_sim_lets_disputed_v4_flash_tuning_through(sims: SimStack, key: str) -> None:
    answer = speak(sims, model="bulbul:v4-flash", speaker="shubh_enhi_ads", **{key: 0.2})
    assert answer.status_code == 200, answer.text


def test_sarvam_sim_still_refuses_pitch_on_v3(sims: SimStack) -> None:
    answer = speak(sims, model="bulbul:v3", speaker="shubh", pitch=0.2)
    assert answer.status_code == 400 and "pitch" in answer.json()["error"]["message"]
