"""retrieve_remote against a real HTTP server on loopback: the documented request, the answer
parsed, and on a timeout, an error status or a malformed answer no context and no exception."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from voiceops.knowledge import KnowledgeSettings, RetrieverSettings, retrieve_remote

ANSWER = {"passages": [
    {"id": "kb-1", "source": "vector://plans/basic", "line": 1, "score": 0.91,
     "text": "The Basic 199 plan costs ₹199."},
    {"id": "kb-2", "source": "vector://plans/family", "line": 4, "score": 0.52,
     "text": "The Family plan costs ₹999."},
]}


class Retriever(ThreadingHTTPServer):
    answer: Any = ANSWER
    status = 200
    delay = threading.Event()  # set: answer at once; clear: hang until released
    seen: list[tuple[dict[str, str], dict[str, Any]]]


class Handler(BaseHTTPRequestHandler):
    server: Retriever

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append((dict(self.headers), body))
        self.server.delay.wait(10)
        raw = (self.server.answer if isinstance(self.server.answer, bytes)
               else json.dumps(self.server.answer).encode())
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Retriever]:
    made = Retriever(("127.0.0.1", 0), Handler)
    made.seen = []
    made.delay = threading.Event()
    made.delay.set()
    thread = threading.Thread(target=made.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield made
    made.delay.set()
    made.shutdown()
    made.server_close()


def settings_for(server: Retriever, **extra: Any) -> RetrieverSettings:
    host, port = server.server_address[:2]
    return RetrieverSettings(f"http://{host!s}:{port}/search", **extra)


def test_the_documented_request_and_answer(server: Retriever) -> None:
    settings = settings_for(server, headers={"Authorization": "Bearer ${RETRIEVER_TOKEN}"})
    found = asyncio.run(retrieve_remote(settings, "basic plan price", 3,
                                        {"RETRIEVER_TOKEN": "t0k"}, profile="support_hi"))
    assert [(p.id, p.source, p.line, p.score) for p in found] == [
        ("kb-1", "vector://plans/basic", 1, 0.91), ("kb-2", "vector://plans/family", 4, 0.52)]
    headers, body = server.seen[0]
    assert body == {"query": "basic plan price", "top_k": 3, "profile": "support_hi"}
    assert headers["Authorization"] == "Bearer t0k"


def test_no_more_than_top_k_passages(server: Retriever) -> None:
    assert len(asyncio.run(retrieve_remote(settings_for(server), "q", 1, {}))) == 1


def test_a_slow_retriever_gives_no_context_after_the_timeout(server: Retriever) -> None:
    server.delay.clear()
    found = asyncio.run(retrieve_remote(settings_for(server, timeout_s=0.2), "q", 3, {}))
    assert found is None  # not [] (answered, nothing found): the turn counts a failure


@pytest.mark.parametrize(("status", "answer"), [
    (500, ANSWER),
    (401, {"error": "bad token"}),
    (200, b"<html>not json</html>"),
    (200, {"results": []}),
    (200, {"passages": [{"id": "x"}]}),
    (200, {"passages": [{"text": "t", "line": "first"}]}),
])
def test_a_failing_retriever_gives_no_context(server: Retriever, status: int,
                                               answer: Any) -> None:
    server.status, server.answer = status, answer
    assert asyncio.run(retrieve_remote(settings_for(server), "q", 3, {})) is None


def test_an_unreachable_retriever_gives_no_context(server: Retriever) -> None:
    settings = settings_for(server)
    server.shutdown()
    server.server_close()
    assert asyncio.run(retrieve_remote(settings, "q", 3, {})) is None


def test_settings_from_a_profile() -> None:
    settings = KnowledgeSettings.of({"rag": {
        "enabled": True, "top_k": 2, "retriever": {"url": "http://kb.internal/search",
                                                   "headers": {"X-Team": "support"}}}})
    assert settings.enabled and settings.sources == () and settings.top_k == 2
    assert settings.max_chars == 1500
    assert settings.retriever == RetrieverSettings("http://kb.internal/search",
                                                   {"X-Team": "support"}, 1.0)
    assert KnowledgeSettings.of({"version": 1}) == KnowledgeSettings()


def test_a_header_naming_an_unset_variable_sends_nothing(server: Retriever) -> None:
    settings = settings_for(server, headers={"Authorization": "Bearer ${RETRIEVER_TOKEN}"})
    assert asyncio.run(retrieve_remote(settings, "q", 3, {})) is None
    assert server.seen == []
