"""The chat simulators speak each API's wire format: OpenAI's SSE chunks and `[DONE]`,
Anthropic's named events in order, and deterministic replies timed by the knobs."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from voiceops.sim import replies
from voiceops.sim.stack import SimStack

ASK = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}]


def openai_post(sims: SimStack, body: dict[str, Any], provider: str = "openai") -> httpx.Response:
    server = sims.servers[provider]
    url = server.url + "/v1/chat/completions"
    key = sims.states[provider].api_key
    return httpx.post(url, json=body, headers={"Authorization": f"Bearer {key}"})


def anthropic_post(sims: SimStack, body: dict[str, Any]) -> httpx.Response:
    headers = {"x-api-key": sims.anthropic_state.api_key, "anthropic-version": "2023-06-01"}
    return httpx.post(sims.servers["anthropic"].url + "/v1/messages", json=body,
                      headers=headers)


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event, data) per server-sent event."""
    found = []
    for block in text.strip().split("\n\n"):
        event = None
        data = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                data.append(line[len("data: "):])
        found.append((event, "\n".join(data)))
    return found


def test_openai_streams_role_then_tokens_then_finish_then_done(sims: SimStack) -> None:
    answer = openai_post(sims, {"model": "gpt-4o-mini", "messages": ASK, "stream": True,
                                "stream_options": {"include_usage": True}})
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = sse_events(answer.text)
    assert all(event is None for event, _ in events)  # OpenAI sends data lines only
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == replies.reply([("system", "Be brief."), ("user", "Hi there")], 2)
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0


def test_openai_without_stream_answers_one_completion(sims: SimStack) -> None:
    sims.openai_state.reply_sentences = 0
    body = openai_post(sims, {"model": "gpt-4o-mini", "messages": ASK}).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == 'You said: "Hi there".'
    assert body["choices"][0]["finish_reason"] == "stop"


def test_replies_are_a_pure_function_of_the_conversation(sims: SimStack) -> None:
    request = {"model": "gpt-4o-mini", "messages": ASK, "stream": True}
    assert openai_post(sims, request).content == openai_post(sims, request).content
    other = [{"role": "user", "content": f"question {i}"} for i in range(3)]
    replies_seen = {replies.reply([("user", m["content"])], 3) for m in other}
    assert len(replies_seen) == 3


def test_openai_refuses_what_the_api_refuses(sims: SimStack) -> None:
    unknown = openai_post(sims, {"model": "gpt-nope", "messages": ASK})
    assert unknown.status_code == 404 and "gpt-nope" in unknown.json()["error"]["message"]
    empty = openai_post(sims, {"model": "gpt-4o-mini", "messages": []})
    assert empty.status_code == 400
    hot = openai_post(sims, {"model": "gpt-4o-mini", "messages": ASK, "temperature": 3})
    assert hot.status_code == 400 and "temperature" in hot.json()["error"]["message"]


def test_sarvam_chat_is_openai_compatible_and_knows_retired_models(sims: SimStack) -> None:
    ok = openai_post(sims, {"model": "sarvam-105b", "messages": ASK, "stream": True}, "sarvam")
    assert sse_events(ok.text)[-1][1] == "[DONE]"
    retired = openai_post(sims, {"model": "sarvam-m", "messages": ASK}, "sarvam")
    assert retired.status_code == 400 and "deprecated" in retired.json()["error"]["message"]


def test_anthropic_streams_its_named_events_in_order(sims: SimStack) -> None:
    answer = anthropic_post(sims, {"model": "claude-haiku-4-5", "max_tokens": 100,
                                   "system": "Be brief.", "stream": True,
                                   "messages": [{"role": "user", "content": "Hi there"}]})
    events = sse_events(answer.text)
    names = [event for event, _ in events]
    deltas = names.count("content_block_delta")
    assert names == ["message_start", "content_block_start", "ping",
                     *["content_block_delta"] * deltas,
                     "content_block_stop", "message_delta", "message_stop"]
    data = [json.loads(d) for _, d in events]
    assert all(d["type"] == name for d, name in zip(data, names, strict=True))
    text = "".join(d["delta"]["text"] for d in data if d["type"] == "content_block_delta")
    assert text == replies.reply([("system", "Be brief."), ("user", "Hi there")], 2)
    assert data[-2]["delta"]["stop_reason"] == "end_turn"


def test_anthropic_refuses_a_system_role_and_a_missing_max_tokens(sims: SimStack) -> None:
    system_role = anthropic_post(sims, {"model": "claude-haiku-4-5", "max_tokens": 10,
                                        "messages": ASK})
    assert system_role.status_code == 400
    assert "top-level `system` parameter" in system_role.json()["error"]["message"]
    no_limit = anthropic_post(sims, {"model": "claude-haiku-4-5", "messages": ASK[1:]})
    assert no_limit.status_code == 400 and "max_tokens" in no_limit.text


def test_anthropic_takes_the_key_as_the_sdk_sends_it(sims: SimStack) -> None:
    # anthropic SDK 2.x: Authorization: Bearer and a newer dated anthropic-version.
    headers = {"Authorization": f"Bearer {sims.anthropic_state.api_key}",
               "anthropic-version": "2026-10-21"}
    answer = httpx.post(sims.servers["anthropic"].url + "/v1/messages", headers=headers,
                        json={"model": "claude-haiku-4-5", "max_tokens": 5,
                              "messages": [{"role": "user", "content": "Hi"}]})
    assert answer.status_code == 200 and answer.json()["stop_reason"] == "max_tokens"


def test_tokens_come_after_the_first_token_time_then_one_per_interval(sims: SimStack) -> None:
    sims.latency(llm_ttft=0.15, llm_token_interval=0.02)
    arrivals = []
    began = time.perf_counter()
    with httpx.stream("POST", sims.servers["openai"].base_url + "/chat/completions",
                      json={"model": "gpt-4o-mini", "messages": ASK, "stream": True},
                      headers={"Authorization": f"Bearer {sims.openai_state.api_key}"}) as r:
        for line in r.iter_lines():
            if '"content"' in line:
                arrivals.append(time.perf_counter() - began)
    assert arrivals[0] >= 0.15
    assert arrivals[-1] - arrivals[0] >= 0.02 * (len(arrivals) - 2)
