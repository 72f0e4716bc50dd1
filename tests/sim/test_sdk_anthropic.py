"""The Anthropic simulator judged by Anthropic's official SDK (`anthropic`, as installed):
models listed and messages streamed as the SDK sends them (`Authorization: Bearer` and its
own `anthropic-version` since 2.0), refusals raised as the SDK's typed errors, and requests
the SDK never sends refused (facts and sources: `voiceops/sim/facts.py`).
"""

from __future__ import annotations

import anthropic
import httpx
import pytest
from anthropic.types import Message, ModelInfo

from tests.sim.strict import strict
from voiceops.sim.stack import SimStack

MODEL = "claude-haiku-4-5"


def client(sims: SimStack, key: str | None = None) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=sims.anthropic_state.api_key if key is None else key,
                               base_url=sims.servers["anthropic"].url, max_retries=0,
                               timeout=10)


def test_models_list_parses_every_page(sims: SimStack) -> None:
    models = list(client(sims).models.list(limit=2))
    assert len(models) == len(sims.anthropic_state.models) > 2
    assert all(isinstance(strict(m), ModelInfo) for m in models)


def test_model_get_resolves_an_alias(sims: SimStack) -> None:
    alias, target = next(iter(sims.anthropic_state.aliases.items()))
    assert strict(client(sims).models.retrieve(alias)).id == target


def test_messages_stream_parses(sims: SimStack) -> None:
    with client(sims).messages.stream(model=MODEL, max_tokens=300, system="Be brief.",
                                      messages=[{"role": "user", "content": "Hello"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert "Hello" in text and isinstance(strict(final), Message)
    assert final.stop_reason == "end_turn" and final.content[0].text == text  # type: ignore[union-attr]


def test_messages_whole_parses(sims: SimStack) -> None:
    answer = client(sims).messages.create(model=MODEL, max_tokens=300,
                                          messages=[{"role": "user", "content": "Hello"}])
    assert isinstance(strict(answer), Message) and "Hello" in answer.content[0].text  # type: ignore[union-attr]


def test_bad_key_is_the_sdk_authentication_error(sims: SimStack) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client(sims, key="sk-ant-wrong").models.list()
    assert caught.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
    with pytest.raises(anthropic.AuthenticationError):
        client(sims, key="sk-ant-wrong").messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "Hi"}])


def test_unknown_model_is_the_sdk_not_found_error(sims: SimStack) -> None:
    with pytest.raises(anthropic.NotFoundError):
        client(sims).messages.create(model="claude-nope", max_tokens=10,
                                     messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(anthropic.NotFoundError):
        client(sims).models.retrieve("claude-nope")


def test_bad_parameter_is_the_sdk_bad_request_error(sims: SimStack) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client(sims).messages.create(model=MODEL, max_tokens=0,
                                     messages=[{"role": "user", "content": "Hi"}])


def test_a_rule_refusal_is_the_sdk_bad_request_error(sims: SimStack) -> None:
    # the catalog's rule: the API version the SDK sends takes no temperature (the SDK has no
    # such argument since 1.0, so only extra_body can send one)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client(sims).messages.create(model=MODEL, max_tokens=10, extra_body={"temperature": 0.3},
                                     messages=[{"role": "user", "content": "Hi"}])
    assert "temperature: Extra inputs are not permitted" in str(caught.value)


def test_a_mid_stream_error_is_raised_by_the_sdk(sims: SimStack) -> None:
    sims.anthropic_state.llm_stream_error = "overloaded_error"
    with pytest.raises(anthropic.APIStatusError), client(sims).messages.stream(
            model=MODEL, max_tokens=300,
            messages=[{"role": "user", "content": "Hello"}]) as stream:
        "".join(stream.text_stream)


@pytest.mark.parametrize("path", ["/v1/models", "/v1/messages"])
@pytest.mark.parametrize(("headers", "status", "kind"), [
    ({}, 401, "authentication_error"),  # no key at all
    ({"authorization": "Basic abc"}, 401, "authentication_error"),
    ({"key": True}, 400, "invalid_request_error"),  # a key but no anthropic-version
    ({"key": True, "anthropic-version": "tomorrow"}, 400, "invalid_request_error"),
])
def test_requests_the_sdk_never_sends_are_refused(sims: SimStack, path: str,
                                                  headers: dict[str, object], status: int,
                                                  kind: str) -> None:
    sent = {k: str(v) for k, v in headers.items() if k != "key"}
    if headers.get("key"):
        sent["authorization"] = f"Bearer {sims.anthropic_state.api_key}"
    url = sims.servers["anthropic"].url + path
    body = {"model": MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]}
    answer = (httpx.get(url, headers=sent) if path.endswith("models")
              else httpx.post(url, headers=sent, json=body))
    assert answer.status_code == status
    assert answer.json()["type"] == "error" and answer.json()["error"]["type"] == kind


def test_the_documented_headers_still_work(sims: SimStack) -> None:
    # x-api-key with anthropic-version 2023-06-01: the docs' curl examples, and SDKs < 2.0.
    answer = httpx.get(sims.servers["anthropic"].url + "/v1/models",
                       headers={"x-api-key": sims.anthropic_state.api_key,
                                "anthropic-version": "2023-06-01"})
    assert answer.status_code == 200
