"""A user's OpenAI-compatible server (vLLM, Ollama, LM Studio, Sarvam's /v1): `GET
{base_url}/models`.

Such a server lists only ids, and ids the snapshot cannot know. A model's kind is guessed
from its id (embeddings and the like are marked, everything else counts as chat); every
listed model is kept, so a check can say "that is an embedding model" rather than "unknown".
The key is optional (local servers often need none) and has no conventional variable.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from voiceops.catalog.live.http import Endpoint, open_session
from voiceops.catalog.live.openai import classify, parse_model_list
from voiceops.catalog.live.result import FetchResult, now_iso
from voiceops.catalog.types import Model, ProviderCatalog
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["fetch"]

PROVIDER = "openai_compatible"
_PATH = "/models"


async def fetch(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    etag: str | None = None,
    client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> FetchResult:
    """The models an OpenAI-compatible server at `base_url` (required) lists.

    `api_key`, when given, is sent as a Bearer token. `environ` is accepted for a uniform
    signature and unused: there is no conventional variable for a user's own server.
    """
    del environ
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    endpoint = Endpoint(PROVIDER, base_url_for(PROVIDER, base_url), headers, secret=api_key)
    async with open_session(endpoint, client=client, timeout=timeout, retry=retry, etag=etag,
                            root=_PATH) as session:
        if await session.revalidate():
            return session.not_modified()
        ids = parse_model_list(session, await session.get_json(_PATH))
    models = tuple(Model(provider=PROVIDER, id=i, kind=classify(i, default="chat")) for i in ids)
    return session.result(ProviderCatalog(PROVIDER, models=models, source="live",
                                          fetched_at=now_iso()))
