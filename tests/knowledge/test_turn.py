"""Retrieval in the turn (issue 14, item 3), through the real app, the real provider clients
and the simulators: the `knowledge` frame comes before the reply, and the request the LLM
simulator received carries the right passage as one delimited context message just before
the caller's, with the system prompt untouched (so provider prompt caching keeps working)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import MakeClient, make_client, project, sims  # noqa: F401
from tests.server.wsclient import frames_until, greeted, say
from voiceops.project import Project
from voiceops.sim.stack import SimStack

CONTEXT_HEAD = "Context from the knowledge base"


def ask(client: TestClient, question: str, **start: Any) -> tuple[list[dict[str, Any]],
                                                                     list[dict[str, Any]]]:
    """One typed turn in a new session: its frames, and the messages the LLM was sent."""
    with greeted(client, **start) as session:
        say(session, question)
        frames, _ = frames_until(session, "turn.metrics")
    return frames, llm_messages(client)


def llm_messages(client: TestClient) -> list[dict[str, Any]]:
    stack: SimStack = client.app.state.sims  # type: ignore[attr-defined]
    messages: list[dict[str, Any]] = stack.openai_state.last("/v1/chat/completions"
                                                             ).body["messages"]
    return messages


@pytest.fixture
def client(make_client: MakeClient, sims: SimStack) -> TestClient:  # noqa: F811
    sims.reset()
    made = make_client()
    made.app.state.sims = sims  # type: ignore[attr-defined]
    return made


def line_of(root: Project, source: str, text: str) -> int:
    lines = (root.root / source).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def section_lines(root: Project, source: str, heading: str) -> set[int]:
    """The heading's line and its first paragraph's: where a chunk of that section starts."""
    first = line_of(root, source, heading)
    return {first, first + 2}


def test_an_english_question_gets_the_passage_only_the_documents_have(
        client: TestClient, project: Project) -> None:  # noqa: F811
    frames, messages = ask(client, "My recharge failed but money was deducted. "
                                   "When do I get the refund?")
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "knowledge" and kinds.index("knowledge") < kinds.index("reply.delta")
    passages = frames[0]["passages"]
    assert 1 <= len(passages) <= 3  # top_k: 3
    best = passages[0]
    assert set(best) == {"id", "source", "line", "score"}
    assert best["source"] == "knowledge/plans_en.md"
    assert best["line"] in section_lines(project, best["source"], "## My recharge failed")
    assert best["id"].startswith("knowledge/plans_en.md#") and best["score"] > 0
    # the LLM got it: one context message right before the caller's, the system prompt as is
    system, *_, context, question = messages
    assert system["role"] == "system" and "5 working days" not in system["content"]
    assert question == {"role": "user", "content": "My recharge failed but money was "
                                                   "deducted. When do I get the refund?"}
    assert context["role"] == "user" and context["content"].startswith(CONTEXT_HEAD)
    assert "refunded to the original payment method within 5 working days" in context[
        "content"]
    assert f'<passage id="{best["id"]}"' in context["content"]
    assert context["content"].count("<passage ") == len(passages)
    metrics = frames[-1]
    assert metrics["type"] == "turn.metrics" and metrics["retrieval_ms"] >= 0
    # and in /metrics, with the other stages' latency
    assert 'voiceops_stage_latency_seconds_count{stage="retrieval"} 1.0' in client.get(
        "/metrics").text


def test_a_hindi_question_gets_the_hindi_passage(client: TestClient,
                                                 project: Project) -> None:  # noqa: F811
    question = "मेरा सिम कार्ड खो गया है, अब क्या करूं?"
    frames, messages = ask(client, question)
    best = frames[0]["passages"][0]
    assert best["source"] == "knowledge/faq_hi.md"
    assert best["line"] in section_lines(project, best["source"], "## सिम कार्ड खो जाए")
    context, asked = messages[-2:]
    assert asked == {"role": "user", "content": question}
    assert "198 पर कॉल करके अपना नंबर ब्लॉक करवाएं" in context["content"]


def test_the_last_exchange_is_context_for_a_follow_up(client: TestClient) -> None:
    # alone, "How much does it cost?" ranks Smart 449 first (every plan "costs"): the
    # previous exchange carries the subject
    with greeted(client) as session:
        say(session, "Tell me about the Family 999 plan")
        frames_until(session, "turn.metrics")
        say(session, "How much does it cost?")
        frames, _ = frames_until(session, "turn.metrics")
    assert frames[0]["passages"][0]["id"].startswith("knowledge/plans_en.md#family-999-")
    messages = llm_messages(client)
    assert "The Family 999 plan costs ₹999 a month" in messages[-2]["content"]
    # the context of the first turn is not kept in the history: only this turn's is sent
    assert sum(m["content"].startswith(CONTEXT_HEAD) for m in messages) == 1


def test_words_with_nothing_to_search_retrieve_nothing(client: TestClient) -> None:
    # "hello?" alone is no question; the greeting before it is no exchange to search with
    frames, messages = ask(client, "Hello?")
    assert "knowledge" not in [f["type"] for f in frames]
    assert frames[-1]["retrieval_ms"] is None
    assert messages[-1] == {"role": "user", "content": "Hello?"}
    assert not any(m["content"].startswith(CONTEXT_HEAD) for m in messages)


def test_a_profile_without_knowledge_sends_no_frame_and_no_context(
        client: TestClient, sims: SimStack) -> None:  # noqa: F811
    with greeted(client, profile="appointments_en") as session:
        say(session, "My recharge failed, when do I get the refund?")
        frames, _ = frames_until(session, "turn.metrics")
    assert "knowledge" not in [f["type"] for f in frames]
    assert frames[-1]["retrieval_ms"] is None
    messages = llm_messages(client)
    assert not any(CONTEXT_HEAD in m["content"] for m in messages)


class _Retriever(BaseHTTPRequestHandler):
    """A team's retriever on loopback: answers with one passage, or fails with a 500."""

    asked: ClassVar[list[dict[str, Any]]] = []
    fail: ClassVar[bool] = False
    text: ClassVar[str] = "Roaming in Nepal and Bhutan is free on every Acme plan."

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).asked.append({"body": body, "auth": self.headers.get("Authorization")})
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        payload = json.dumps({"passages": [{
            "id": "vectordb#roaming-1", "source": "vectordb/roaming", "line": 1, "score": 0.9,
            "text": type(self).text}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def retriever() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Retriever)
    _Retriever.asked, _Retriever.fail = [], False
    _Retriever.text = "Roaming in Nepal and Bhutan is free on every Acme plan."
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/search"
    server.shutdown()
    server.server_close()


def use_retriever(root: Project, url: str, monkeypatch: pytest.MonkeyPatch,
                  max_chars: int = 1500) -> None:
    monkeypatch.setenv("RETRIEVER_TOKEN", "t0ken")  # the build checks the reference is set
    path = root.configs / "support_hi.yaml"
    text = path.read_text(encoding="utf-8")
    old = "rag: {enabled: true, sources: [knowledge/*.md], top_k: 3, max_chars: 1500}"
    assert old in text
    path.write_text(text.replace(old, (
        f"rag:\n  enabled: true\n  top_k: 3\n  max_chars: {max_chars}\n"
        "  retriever:\n    url: " + url + "\n"
        "    headers: {Authorization: \"Bearer ${RETRIEVER_TOKEN}\"}\n    timeout_s: 2\n")),
        encoding="utf-8")


def test_a_remote_retriever_answers_the_turn(
        make_client: MakeClient, sims: SimStack, project: Project,  # noqa: F811
        retriever: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sims.reset()
    use_retriever(project, retriever, monkeypatch)
    client = make_client(env={"RETRIEVER_TOKEN": "t0ken"})
    client.app.state.sims = sims  # type: ignore[attr-defined]
    frames, messages = ask(client, "Is roaming in Nepal free?")
    assert frames[0]["passages"] == [{"id": "vectordb#roaming-1", "source": "vectordb/roaming",
                                      "line": 1, "score": 0.9}]
    assert "Roaming in Nepal and Bhutan is free" in messages[-2]["content"]
    asked = _Retriever.asked[-1]
    assert asked["auth"] == "Bearer t0ken"
    assert "Is roaming in Nepal free?" in asked["body"]["query"]
    assert asked["body"]["top_k"] == 3 and asked["body"]["profile"] == "support_hi"


def test_a_failing_remote_retriever_leaves_the_turn_without_context_and_is_counted(
        make_client: MakeClient, sims: SimStack, project: Project,  # noqa: F811
        retriever: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sims.reset()
    use_retriever(project, retriever, monkeypatch)
    _Retriever.fail = True
    client = make_client(env={"RETRIEVER_TOKEN": "t0ken"})
    client.app.state.sims = sims  # type: ignore[attr-defined]
    frames, messages = ask(client, "Is roaming in Nepal free?")
    assert frames[0] == {"type": "knowledge", "passages": []}
    assert "You said" in next(f for f in frames if f["type"] == "reply.done")["text"]
    assert not any(CONTEXT_HEAD in m["content"] for m in messages)
    assert _Retriever.asked  # it was asked, and failed
    metrics = client.get("/metrics").text
    assert 'voiceops_provider_failures_total{provider="retriever",stage="retrieval"} 1.0' \
        in metrics


def test_a_remote_answer_is_cut_to_max_chars(
        make_client: MakeClient, sims: SimStack, project: Project,  # noqa: F811
        retriever: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sims.reset()
    _Retriever.text = "Roaming in Nepal and Bhutan is free on every Acme plan. " * 4
    use_retriever(project, retriever, monkeypatch, max_chars=100)
    client = make_client(env={"RETRIEVER_TOKEN": "t0ken"})
    client.app.state.sims = sims  # type: ignore[attr-defined]
    _, messages = ask(client, "Is roaming in Nepal free?")
    passage = messages[-2]["content"].split(">\n", 1)[1].split("\n</passage>")[0]
    assert passage.startswith("Roaming in Nepal") and 80 < len(passage) <= 100
    assert not passage.endswith(" ")  # cut at a word
