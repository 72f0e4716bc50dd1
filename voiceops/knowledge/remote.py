"""`rag.retriever`: passages from an HTTP retriever, for knowledge kept in a vector database.

The request and answer (documented in the README's Knowledge section):

    POST <url>   {"query": "...", "top_k": 3, "profile": "support_hi"}
    200          {"passages": [{"id": "...", "source": "...", "line": 1, "score": 0.8,
                                "text": "..."}]}

A slow or failing retriever must not hold up a call: after `timeout_s`, or on any error or
malformed answer, the turn goes on without context (the caller counts it: `None`, not `[]`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from voiceops.config.interpolate import interpolate
from voiceops.knowledge.types import Passage, RetrieverSettings

if TYPE_CHECKING:  # httpx is imported on the first call: `validate` never needs it
    import httpx

log = logging.getLogger(__name__)


class RetrieverFailed(Exception):
    """Raised inside this module when an answer is unusable; never leaves it."""


async def retrieve_remote(settings: RetrieverSettings, query: str, top_k: int,
                          env: Mapping[str, str], profile: str = "",
                          client: httpx.AsyncClient | None = None) -> list[Passage] | None:
    """The passages the retriever at `settings.url` answers for `query`: at most `top_k`;
    None (it did not answer: the caller counts a failure) on a timeout, an error, an answer
    of the wrong shape or a header naming a variable `env` lacks (never raises). Header
    values' `${VAR}`s are expanded from `env`."""
    import httpx

    body = {"query": query, "top_k": top_k, "profile": profile}
    try:
        headers = {name: _expand(value, env) for name, value in settings.headers.items()}
        if client is None:
            async with httpx.AsyncClient(timeout=settings.timeout_s) as own:
                response = await own.post(settings.url, json=body, headers=headers)
        else:
            response = await client.post(settings.url, json=body, headers=headers,
                                         timeout=settings.timeout_s)
        response.raise_for_status()
        return _passages(response.json())[:top_k]
    except (httpx.HTTPError, ValueError, RetrieverFailed) as exc:
        log.warning("retriever %s: %s", settings.url, type(exc).__name__)
        return None


def _expand(value: str, env: Mapping[str, str]) -> str:
    """A header value with its `${VAR}`s from `env` (headers are secret fields: the loader
    leaves them as references)."""
    if "$" not in value:
        return value
    expanded, problems = interpolate(value, env, lambda path: ("rag.retriever", 1, 1))
    if problems:  # an unset token: a request without it would only be refused
        raise RetrieverFailed(problems[0].message)
    return str(expanded)


def _passages(answer: Any) -> list[Passage]:
    items = answer.get("passages") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise RetrieverFailed("no passages list")
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise RetrieverFailed("a passage without text")
        try:
            found.append(Passage(str(item.get("id", "")), str(item.get("source", "")),
                                 int(item.get("line", 1)), float(item.get("score", 0.0)),
                                 item["text"]))
        except (TypeError, ValueError) as exc:
            raise RetrieverFailed(f"a passage of the wrong shape ({exc})") from exc
    return found
