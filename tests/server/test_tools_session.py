"""Tools in a session (issue 16, item 4), end to end: the real app and LLM clients, the
simulated models of each family calling the tools the caller's words name, and the tools'
HTTP service a real server on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.server.conftest import MakeClient
from tests.server.wsclient import frames_until, greeted, receive, say
from voiceops.project import Project
from voiceops.runtime import turn as turn_module
from voiceops.server.state import Settings
from voiceops.sim.server import SimServer
from voiceops.sim.stack import SimStack

TOKEN = "tool-secret-token-1234"
FAMILIES = {
    "openai": "{provider: openai, model: gpt-5.4-mini}",
    "anthropic": "{provider: anthropic, model: claude-haiku-4-5}",
    "sarvam": "{provider: sarvam, model: sarvam-105b, reasoning_effort: low}",
    # the OpenAI simulator as an OpenAI-compatible server (vLLM, Ollama...)
    "openai_compatible": "{provider: openai_compatible, model: gpt-5.4-mini, "
                         "base_url: '%s', api_key: '${OPENAI_API_KEY}'}",
}


class Service:
    """What the tool service saw: requests by path, bookings made, holds let go."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any], str | None]] = []
        self.booked: list[dict[str, Any]] = []
        self.held = threading.Event()  # a hold_line request is being served
        self.hold_cancelled = threading.Event()

    def app(self) -> Starlette:
        async def availability(request: Request) -> Response:
            body = await request.json()
            self.seen.append(("availability", body, request.headers.get("authorization")))
            return JSONResponse({"date": body.get("date"), "slots": ["10:00", "11:30"]})

        async def broken(request: Request) -> Response:
            self.seen.append(("broken", await request.json(), None))
            return JSONResponse({"error": {"message": f"calendar down ({TOKEN})"}},
                                status_code=503)

        async def slow(request: Request) -> Response:
            self.seen.append(("slow", await request.json(), None))
            await asyncio.sleep(3)
            return JSONResponse({"late": True})

        async def hold(request: Request) -> Response:
            self.seen.append(("hold", await request.json(), None))
            self.held.set()
            for _ in range(400):  # uvicorn does not cancel a handler: it reports the close
                if await request.is_disconnected():
                    self.hold_cancelled.set()
                    break
                await asyncio.sleep(0.05)
            return JSONResponse({"held": True})

        async def book(request: Request) -> Response:
            body = await request.json()
            self.held.set()
            await asyncio.sleep(1.0)
            self.booked.append(body)
            return JSONResponse({"booked": True, "ref": "B-42"})

        return Starlette(routes=[Route("/availability", availability, methods=["POST"]),
                                 Route("/broken", broken, methods=["POST"]),
                                 Route("/slow", slow, methods=["POST"]),
                                 Route("/hold", hold, methods=["POST"]),
                                 Route("/book", book, methods=["POST"])])


@pytest.fixture
def service() -> Iterator[tuple[Service, SimServer]]:
    found = Service()
    server = SimServer(found.app(), name="tools").start()
    try:
        yield found, server
    finally:
        server.stop()


def tools_profile(project: Project, family: str, url: str, sims: SimStack) -> None:
    """A profile `tooly` on `family`'s LLM with HTTP tools at `url` and end_call."""
    def http(path: str, timeout: float = 3) -> str:
        return (f'http: {{method: POST, url: "{url}{path}", timeout_s: {timeout}, '
                'headers: {Authorization: "Bearer ${TOOL_TOKEN}"}}')

    (project.configs / "tooly.yaml").write_text(f"""version: 1
extends: base
description: Tools test
language: en-IN
llm: {FAMILIES[family].replace("%s", sims.servers["openai"].base_url)}
tts: {{provider: sarvam, model: bulbul:v3, voice: aditya}}
stt: {{provider: sarvam, model: saaras:v3}}
prompt: {{text: "You book appointments. Tools: check_availability, broken_calendar,
  slow_lookup, hold_line, book_slot, end_call, transfer_call."}}
first_message: Hello.
tools:
  - name: check_availability
    description: Free slots for a date.
    parameters: {{type: object, properties: {{date: {{type: string}}}}, required: [date]}}
    {http("/availability")}
    say: {{start: "Let me check the calendar.", failed: "Sorry, the calendar is down."}}
  - name: broken_calendar
    description: A calendar that is down.
    {http("/broken")}
    say: {{failed: "Sorry, I can't reach the calendar right now."}}
  - name: slow_lookup
    description: A lookup that takes too long.
    {http("/slow", 0.5)}
  - name: hold_line
    description: Something slow that can be cancelled.
    {http("/hold", 30)}
    say: {{start: "One moment while I hold the line for you."}}
  - name: book_slot
    description: Book a slot; never cancelled halfway.
    parameters: {{type: object, properties: {{time: {{type: string}}}}}}
    {http("/book", 10)}
    cancel_on_barge_in: false
  - builtin: end_call
  - builtin: transfer_call
    target: "+14155550123"
""")


def turn(ws: WebSocketTestSession, text: str) -> tuple[list[dict[str, Any]], int]:
    say(ws, text)
    return frames_until(ws, "turn.metrics")


def of(frames: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == kind]


@pytest.fixture(params=list(FAMILIES))
def session(request: pytest.FixtureRequest, project: Project, make_client: MakeClient,
            sims: SimStack, service: tuple[Service, SimServer]
            ) -> Iterator[tuple[WebSocketTestSession, Service, str]]:
    sims.reset()
    found, server = service
    tools_profile(project, request.param, server.url, sims)
    client = make_client(Settings(default_profile="tooly", reload=False),
                         env={"TOOL_TOKEN": TOKEN})
    with greeted(client, profile="tooly") as ws:
        yield ws, found, request.param


def test_a_tool_call_goes_out_over_http_and_its_result_back_to_the_model(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, service, _ = session
    frames, audio = turn(ws, "Is Monday free? check_availability date=2026-12-07")
    kinds = [f["type"] for f in frames if f["type"].startswith(("tool.", "reply.done"))]
    assert kinds == ["tool.call", "tool.result", "reply.done"]
    call, result = of(frames, "tool.call")[0], of(frames, "tool.result")[0]
    assert call["name"] == "check_availability" and call["arguments"] == {"date": "2026-12-07"}
    assert result["id"] == call["id"] and result["ok"] is True and result["ms"] >= 0
    assert "error" not in result
    # the header's secret was expanded into the request, and into no frame
    assert service.seen == [("availability", {"date": "2026-12-07"}, f"Bearer {TOKEN}")]
    assert TOKEN not in json.dumps(frames)
    # say.start is spoken (written) before the call; the model then answers from the result
    reply = of(frames, "reply.done")[0]["text"]
    assert reply.startswith("Let me check the calendar. ")
    assert "Tool check_availability returned" in reply and "11:30" in reply
    assert audio > 0


def test_a_failing_tool_speaks_its_failed_line_and_the_model_is_told(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, service, _ = session
    frames, _ = turn(ws, "Use broken_calendar please")
    result = of(frames, "tool.result")[0]
    assert result["ok"] is False and "503" in result["error"]
    assert TOKEN not in json.dumps(frames)  # the body quoted the token: redacted
    reply = of(frames, "reply.done")[0]["text"]
    assert "Sorry, I can't reach the calendar right now. Tool" in reply
    # the model was told of the error (Anthropic's is_error: the simulator says "failed")
    assert "Tool broken_calendar returned: error:" in reply or \
        "Tool broken_calendar failed: error:" in reply
    assert [s[0] for s in service.seen] == ["broken"]  # a POST is not retried


def test_a_tool_past_its_timeout_fails(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, _, _ = session
    frames, _ = turn(ws, "slow_lookup now")
    result = of(frames, "tool.result")[0]
    assert result["ok"] is False and "timed out after 0.5 s" in result["error"]
    assert "slow_lookup timed out" in of(frames, "reply.done")[0]["text"]


def test_two_chained_calls_in_one_turn(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, service, _ = session
    frames, _ = turn(ws, "check_availability date=2026-12-08 then book_slot time=10:00")
    calls = of(frames, "tool.call")
    assert [c["name"] for c in calls] == ["check_availability", "book_slot"]
    assert all(r["ok"] for r in of(frames, "tool.result"))
    assert service.booked == [{"time": "10:00"}]
    # the next turn's history holds both calls and their results: the model accepts it
    frames, _ = turn(ws, "Thanks!")
    assert of(frames, "reply.done")[0]["text"]


def test_the_last_round_answers_with_the_tools_still_declared(
        session: tuple[WebSocketTestSession, Service, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # one round with tools, then the model must answer: the history holds a call and its
    # result, which Anthropic refuses in a request that declares no tools (400)
    monkeypatch.setattr(turn_module, "MAX_TOOL_STEPS", 1)
    ws, service, _ = session
    frames, _ = turn(ws, "check_availability date=2026-12-08 then book_slot time=10:00")
    assert [c["name"] for c in of(frames, "tool.call")] == ["check_availability"]
    assert not of(frames, "error")
    assert "Tool check_availability returned" in of(frames, "reply.done")[0]["text"]
    assert service.booked == []  # the second call was never made


def test_barge_in_cancels_a_tool_call_in_flight(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, service, _ = session
    say(ws, "hold_line for me")
    frames_until(ws, "tool.call")
    assert service.held.wait(10)
    # say.start is voiced while the request runs: its audio comes before any result
    while (message := receive(ws)).get("bytes") is None:
        assert json.loads(message["text"])["type"] != "tool.result"
    ws.send_text(json.dumps({"type": "interrupt"}))
    frames, _ = frames_until(ws, "turn.metrics")
    result = of(frames, "tool.result")[0]
    assert result["ok"] is False and "cancelled" in result["error"]
    assert of(frames, "reply.done")[0]["interrupted"] is True
    assert service.hold_cancelled.wait(10)  # the request was closed, not left running
    # the history holds the call with its (cancelled) result: the next turn is accepted
    frames, _ = turn(ws, "Never mind.")
    assert not of(frames, "error") and of(frames, "reply.done")[0]["text"]


def test_barge_in_lets_a_tool_that_says_so_finish(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, service, _ = session
    say(ws, "book_slot time=09:30")
    frames_until(ws, "tool.call")
    assert service.held.wait(10)
    ws.send_text(json.dumps({"type": "interrupt"}))
    frames, _ = frames_until(ws, "turn.metrics")
    result = of(frames, "tool.result")[0]
    assert result["ok"] is True and of(frames, "reply.done")[0]["interrupted"] is True
    assert service.booked == [{"time": "09:30"}]


def test_end_call_ends_the_session_after_the_goodbye(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, _, _ = session
    frames, audio = turn(ws, "That's all, end_call")
    assert of(frames, "tool.call")[0]["name"] == "end_call"
    assert of(frames, "tool.result")[0]["ok"] is True
    assert "Tool end_call returned" in of(frames, "reply.done")[0]["text"] and audio > 0
    with pytest.raises(WebSocketDisconnect):
        while True:
            message = receive(ws)
            if message["type"] == "websocket.close":
                raise WebSocketDisconnect(message.get("code", 1000))


def test_transfer_call_fails_on_a_browser_session_and_the_model_is_told(
        session: tuple[WebSocketTestSession, Service, str]) -> None:
    ws, _, _ = session
    frames, _ = turn(ws, "Get me a person: transfer_call")
    result = of(frames, "tool.result")[0]
    assert result["ok"] is False and "not a phone call" in result["error"]
    assert "not a phone call" in of(frames, "reply.done")[0]["text"]


def test_a_tool_url_at_the_daemon_itself_is_refused(tmp_path: Path) -> None:
    from voiceops.config.settings import ToolHttp, ToolSettings
    from voiceops.providers.base import ToolCall
    from voiceops.runtime.tools import ToolRunner

    async def run() -> tuple[Any, Any]:
        import httpx
        tool = ToolSettings("status", "", {}, http=ToolHttp("GET", "http://localhost:8123/v1/x",
                                                            1.0, {}))
        other = ToolSettings("other", "", {}, http=ToolHttp("GET", "http://127.0.0.1:9/", 1.0,
                                                            {}))
        async with httpx.AsyncClient() as http:
            runner = ToolRunner([tool, other], {}, http, own=("127.0.0.1", 8123))
            return (await runner.run(ToolCall("1", "status", {})),
                    await runner.run(ToolCall("2", "other", {})))

    refused, elsewhere = asyncio.run(run())
    assert refused.ok is False and "may not call the voiceops daemon itself" in refused.error
    # loopback on another port is allowed (it fails here only because nothing listens)
    assert elsewhere.ok is False and "daemon itself" not in (elsewhere.error or "")
