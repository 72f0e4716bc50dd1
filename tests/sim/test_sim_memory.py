"""What the simulators remember of the requests they served: the latest few (tests inspect
them), never everything (a daemon under `--sim` serves them for days), or nothing at all."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from voiceops.sim import openai, sarvam
from voiceops.sim.knobs import Recorder
from voiceops.sim.recent import KEEP_REQUESTS
from voiceops.sim.server import LoggedRequest, RequestLog
from voiceops.sim.stack import SimStack


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def ask(http: httpx.Client, sim: openai.SimServer, text: str) -> None:
    key = sim.app.state.sim.api_key  # type: ignore[attr-defined]
    answer = http.post(sim.base_url + "/chat/completions",
                       headers={"Authorization": f"Bearer {key}"},
                       json={"model": "gpt-4o-mini",
                             "messages": [{"role": "user", "content": text}]})
    assert answer.status_code == 200


def said(sim: openai.SimServer) -> list[str]:
    state: openai.OpenAIState = sim.app.state.sim  # type: ignore[attr-defined]
    return [entry.body["messages"][-1]["content"] for entry in state.received]


def test_a_recorder_keeps_the_latest_requests_by_default_not_all_of_them() -> None:
    recorder, log = Recorder(), RequestLog()
    for i in range(KEEP_REQUESTS + 250):
        recorder.record("/v1/chat/completions", {"n": i})
        log.record(LoggedRequest("POST", "/v1/chat/completions", ""))
    assert len(recorder.received) == KEEP_REQUESTS
    assert recorder.received[-1].body == {"n": KEEP_REQUESTS + 249}
    assert recorder.last("/v1/chat").body == {"n": KEEP_REQUESTS + 249}
    assert len(log.entries) == KEEP_REQUESTS
    assert log.count() == log.count("/v1/chat") == KEEP_REQUESTS + 250  # counts stay exact


def test_a_simulator_told_to_keep_five_keeps_the_last_five(http: httpx.Client) -> None:
    with openai.serve() as sim:
        sim.keep_requests(5)
        for i in range(30):
            ask(http, sim, f"question {i}")
        assert said(sim) == [f"question {i}" for i in range(25, 30)]
        assert len(sim.log.entries) == 5
        assert sim.requests == 30 and sim.log.count("/v1/chat") == 30


def test_with_recording_off_nothing_is_kept_and_ids_stay_unique(http: httpx.Client) -> None:
    with sarvam.serve() as sim:
        sim.keep_requests(0)
        state: sarvam.SarvamState = sim.app.state.sim  # type: ignore[attr-defined]
        ids = set()
        for _ in range(4):
            answer = http.post(sim.url + "/text-to-speech",
                               headers={"api-subscription-key": state.api_key},
                               json={"text": "Namaste", "target_language_code": "hi-IN",
                                     "model": "bulbul:v3", "speaker": "priya"})
            ids.add(answer.json()["request_id"])
        assert state.received == [] and sim.log.entries == []
        with pytest.raises(IndexError):
            state.last()
        assert sim.requests == 4 and len(ids) == 4


def test_a_stack_passes_its_setting_to_every_simulator_and_reset_keeps_it(
        http: httpx.Client) -> None:
    with SimStack(keep_requests=0) as sims:
        ask(http, sims.servers["openai"], "hello")
        sims.reset()
        ask(http, sims.servers["openai"], "hello again")
        for name, server in sims.servers.items():
            assert server.log.entries == [], name
            assert sims.states[name].received == [], name
        assert sims.servers["openai"].requests == 1  # reset forgot the first one
