"""Which OpenAI-compatible server a profile choice calls, and how failures are named."""

from __future__ import annotations

from voiceops.catalog.endpoints import Endpoint, endpoint_of, endpoints
from voiceops.catalog.references import Target
from voiceops.catalog.refresh import named
from voiceops.errors import ProviderUnavailable

LOCAL = {"provider": "openai_compatible", "model": "llama-3.1-8b",
         "base_url": "http://gpu-box:8000/v1/", "api_key": "${GPU_KEY}"}


def test_the_server_is_the_written_base_url_and_the_key_its_variable() -> None:
    found = endpoint_of(LOCAL, {})
    assert found == Endpoint("http://gpu-box:8000/v1", "GPU_KEY")
    assert found.api_key({"GPU_KEY": "k-123"}) == "k-123" and found.api_key({}) is None


def test_without_base_url_the_environment_names_the_server() -> None:
    section = {"provider": "openai_compatible", "model": "m"}
    env = {"OPENAI_COMPATIBLE_BASE_URL": "http://localhost:11434/v1"}
    assert endpoint_of(section, env) == Endpoint("http://localhost:11434/v1", None)
    assert endpoint_of(section, {}) is None  # nowhere to ask: the runtime reports it
    assert endpoint_of({"provider": "openai", "model": "gpt-4o"}, env) is None


def test_fallbacks_count_and_each_server_once() -> None:
    choices = [Target("llm", ("llm",), LOCAL),
               Target("llm", ("llm", "fallbacks", 0), {**LOCAL, "model": "qwen"}),
               Target("llm", ("llm", "fallbacks", 1), {"provider": "openai", "model": "x"})]
    assert endpoints(choices, {}) == {Endpoint("http://gpu-box:8000/v1", "GPU_KEY")}


def test_a_failure_is_named_once() -> None:
    down = ProviderUnavailable("OpenAI: down", provider="openai")
    refused = ProviderUnavailable("refused", provider="openai_compatible")
    assert named("OpenAI", down) == "OpenAI: down"
    assert named("http://gpu-box/v1", refused) == "http://gpu-box/v1: refused"
