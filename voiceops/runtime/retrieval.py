"""Knowledge in the turn: what a profile retrieves from, the query a caller's turn makes, and
the context message the LLM gets.

The passages go to the LLM as ONE user-role message placed just before the caller's, never
appended to the system prompt: the system prompt (and the history before it) then stays
byte-identical from turn to turn, which is what provider-side prompt caching keys on. The
context is for this turn only; it is not kept in the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voiceops.knowledge import KnowledgeBase, KnowledgeSettings, Passage, fit, retrieve_remote
from voiceops.knowledge.index import query_terms
from voiceops.providers.base import Message

__all__ = ["CONTEXT_HEAD", "Retrieval", "context_message", "knowledge_frame", "query_for"]

CONTEXT_HEAD = ("Context from the knowledge base (answer from it when it answers the "
                "caller; do not invent facts it does not state):")
#: How much of the last exchange joins the caller's words in the query: enough to carry a
#: follow-up's subject ("how do I add a member to it?"), not so much that it drowns them.
LAST_EXCHANGE_CHARS = 300
RETRIEVER = "retriever"  # the provider label of an HTTP retriever's failures in /metrics


class RetrievalFailed(Exception):
    """Raised when an HTTP retriever did not answer (the turn goes on without context)."""


@dataclass(frozen=True)
class Retrieval:
    """What one profile retrieves from: its `rag:` settings, and the index of its config
    version (None when it uses an HTTP retriever only)."""

    settings: KnowledgeSettings
    base: KnowledgeBase | None

    @classmethod
    def of(cls, data: Mapping[str, Any], base: KnowledgeBase | None) -> Retrieval | None:
        """The retrieval of a profile's effective data; None when its rag is off."""
        settings = KnowledgeSettings.of(data)
        if not settings.enabled or not (settings.sources or settings.retriever):
            return None
        return cls(settings, base)

    async def passages(self, query: str, profile: str, env: Mapping[str, str]
                       ) -> list[Passage]:
        """The passages for `query`: from the HTTP retriever when the profile names one,
        else from the index (synchronous: a search takes about a millisecond).

        Raises RetrievalFailed when the retriever did not answer.
        """
        s = self.settings
        if s.retriever is not None:
            found = await retrieve_remote(s.retriever, query, s.top_k, env, profile)
            if found is None:
                raise RetrievalFailed(f"the retriever at {s.retriever.url} did not answer")
            return fit(found, s.max_chars)
        if self.base is None:
            return []
        return self.base.search(s.sources, query, s.top_k, s.max_chars)


def query_for(said: str, history: Sequence[Message]) -> str | None:
    """The caller's words first, then the last exchange before them (the previous caller
    turn and the reply to it, shortened): a follow-up keeps its subject. None when the
    caller's words hold nothing to search ("hello?", "yes"): the last exchange alone would
    only fetch what was already discussed."""
    if not query_terms(said):
        return None
    exchange: list[str] = []
    for message in reversed(history):
        exchange.append(message.content[:LAST_EXCHANGE_CHARS])
        if message.role == "user":  # the greeting before any caller turn is no exchange
            return "\n".join([said, *reversed(exchange)])
    return said


def context_message(passages: Sequence[Passage]) -> Message:
    """The passages as one delimited message, each tagged with its id and source:line."""
    parts = [CONTEXT_HEAD]
    for p in passages:
        # a passage cannot close its own tag early and pass the rest off as instructions
        text = p.text.replace("</passage>", "</ passage>")
        parts.append(f'<passage id="{_attr(p.id)}" source="{_attr(p.source)}:{p.line}">\n'
                     f"{text}\n</passage>")
    return Message("user", "\n".join(parts))


def knowledge_frame(passages: Sequence[Passage]) -> dict[str, Any]:
    """The `knowledge` frame the client gets before the reply (no passage text: ids,
    sources, lines and scores, which the client can look up)."""
    return {"type": "knowledge", "passages": [
        {"id": p.id, "source": p.source, "line": p.line, "score": p.score} for p in passages]}


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
