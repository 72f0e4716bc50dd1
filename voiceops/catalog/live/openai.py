"""OpenAI's live catalog: `GET {base_url}/models`, one unpaged list of ids.

The list has no capability fields, so a model's kind comes from the snapshot when it knows
the id, else from the id itself (`KIND_BY_ID`). Models usable by a voice agent are kept:
chat, realtime/audio, speech-to-text and text-to-speech; embeddings, images, moderation and
completion-only models are dropped. Facts (context window, prices, deprecation) come from
the snapshot; a fine-tuned model (`ft:<base>:...`) takes its base model's. OpenAI has no
voice list API, so the snapshot's voices come along.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx

from voiceops.catalog.live.enrich import merge_models, snapshot_index
from voiceops.catalog.live.http import Endpoint, Session, open_session, require_key
from voiceops.catalog.live.result import FetchResult, now_iso
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Model, ModelKind, ProviderCatalog
from voiceops.provider_facts import env_key
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["KEPT_KINDS", "KIND_BY_ID", "classify", "fetch", "parse_model_list"]

PROVIDER = "openai"
_PATH = "/models"
#: Kinds a voice agent can use; other models are left out of the catalog.
KEPT_KINDS: frozenset[ModelKind] = frozenset({"chat", "realtime", "stt", "tts"})
#: (pattern on the id, kind), first match wins. Order matters: "gpt-realtime-whisper"
#: transcribes, "gpt-4o-mini-tts" speaks.
_RULES: tuple[tuple[str, ModelKind], ...] = (
    (r"embed", "embedding"),
    (r"moderation", "other"),
    (r"^(dall-e|gpt-image|chatgpt-image|sora)", "other"),
    (r"^(babbage|davinci)|instruct", "other"),  # completions only
    (r"(^tts-|-tts(-|$))", "tts"),
    (r"whisper|transcribe", "stt"),
    (r"realtime|audio", "realtime"),
    (r"^(gpt-|chatgpt-|o\d)", "chat"),
)
KIND_BY_ID: tuple[tuple[re.Pattern[str], ModelKind], ...] = tuple(
    (re.compile(pattern), kind) for pattern, kind in _RULES
)
_FINE_TUNED = re.compile(r"^ft:([^:]+):")


def classify(model_id: str, default: ModelKind = "other") -> ModelKind:
    """A model's kind from its id alone; a fine-tune has its base model's kind."""
    tuned = _FINE_TUNED.match(model_id)
    name = tuned.group(1) if tuned else model_id
    for pattern, kind in KIND_BY_ID:
        if pattern.search(name):
            return kind
    return default


def _base_id(model_id: str) -> str:
    tuned = _FINE_TUNED.match(model_id)
    return tuned.group(1) if tuned else model_id


def parse_model_list(session: Session, payload: Any, path: str = _PATH) -> list[str]:
    """The model ids of an OpenAI-style `{object: "list", data: [{id, ...}]}` answer."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise session.bad_shape(path, "no 'data' list")
    ids = []
    for item in data:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident:
            raise session.bad_shape(path, f"a model without an id: {str(item)[:80]}")
        ids.append(ident)
    return ids


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
    """OpenAI's live catalog (models usable by a voice agent, plus the bundled voices).

    `api_key` defaults to `$OPENAI_API_KEY` (looked up in `environ`, default `os.environ`);
    `base_url` to https://api.openai.com/v1. With the `etag` of an earlier result, answers
    `not_modified` when the list is unchanged. Raises a `ProviderError` subclass.
    """
    key = require_key(PROVIDER, api_key, environ)
    endpoint = Endpoint(PROVIDER, base_url_for(PROVIDER, base_url),
                        {"Authorization": f"Bearer {key}"}, secret=key,
                        env_var=env_key(PROVIDER))
    async with open_session(endpoint, client=client, timeout=timeout, retry=retry, etag=etag,
                            root=_PATH) as session:
        if await session.revalidate():
            return session.not_modified()
        ids = parse_model_list(session, await session.get_json(_PATH))
    return session.result(build_catalog(ids))


def build_catalog(ids: list[str]) -> ProviderCatalog:
    """The live catalog for these listed ids, enriched from the snapshot."""
    known = BundledSnapshot().provider_catalog(PROVIDER)
    index = snapshot_index(known)
    listed = []
    for ident in ids:
        fact = index.get(ident) or index.get(_base_id(ident))
        kind = fact.kind if fact is not None else classify(ident)
        if kind in KEPT_KINDS:
            listed.append(Model(provider=PROVIDER, id=ident, kind=kind))
    models = merge_models(listed, known, facts_for=_base_id)
    # A fine-tune is its own model: the base's aliases and deprecation are not its own.
    models = tuple(replace(m, aliases=(), deprecated=None) if m.id.startswith("ft:") else m
                   for m in models)
    return ProviderCatalog(
        provider=PROVIDER,
        models=models,
        voices=known.voices if known else (),  # no voice list API: the bundled voices
        source="live",
        fetched_at=now_iso(),
        retired_voices=known.retired_voices if known else {},
    )
