"""ElevenLabs' live catalog: every voice of the account (`GET /v2/voices`) and the models
(`GET /v1/models`).

Voices and models are fetched in parallel. `/v2/voices` is token-paged (each page names the
next), so one cursor's pages come one after another, 100 at a time (the API's maximum). Two
cursors can run at once, though: the first page (oldest first) gives `total_count`; the
remaining pages are split between that cursor and a second one from the newest voice down,
which halves the wait for a large account. If the two together saw fewer voices than the
count (ties in creation time), the first cursor carries on to the end.

No `voice_type` filter is sent: which values the API honours has changed before, and the
account's own (custom) voices are recognised by `category` (cloned, generated,
professional) on every voice instead. A category voiceops does not model (`high_quality`,
new ones) is kept as "unknown"; a voice without a `name` is named by its id.

Model facts (tuning ranges, sample rates, latency) come from the snapshot; the list's names
and languages win. The list has no speech-to-text models, so the snapshot's STT models stay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, cast, get_args

import httpx

from voiceops.catalog.live.concurrency import both
from voiceops.catalog.live.enrich import merge_models
from voiceops.catalog.live.etags import request_key
from voiceops.catalog.live.http import Endpoint, Session, open_session, require_key
from voiceops.catalog.live.result import FetchResult, now_iso
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Model, ProviderCatalog, Voice, VoiceCategory
from voiceops.provider_facts import env_key
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import RetryPolicy

__all__ = ["MAX_PAGE_SIZE", "fetch", "parse_voice"]

PROVIDER = "elevenlabs"
MAX_PAGE_SIZE = 100
_VOICES = "/v2/voices"
_MODELS = "/v1/models"
_CATEGORIES = frozenset(get_args(VoiceCategory))
#: A guard against a server whose page token never ends (a million voices).
_MAX_PAGES = 10_000


async def fetch(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    etag: str | None = None,
    client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> FetchResult:
    """ElevenLabs' live catalog: all voices (custom ones included) and the TTS models.

    `api_key` defaults to `$ELEVENLABS_API_KEY`; `base_url` to https://api.elevenlabs.io.
    `page_size` (1..100) is the voices per page. Raises a `ProviderError` subclass.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, not {page_size}")
    key = require_key(PROVIDER, api_key, environ)
    endpoint = Endpoint(PROVIDER, base_url_for(PROVIDER, base_url), {"xi-api-key": key},
                        secret=key, env_var=env_key(PROVIDER))
    first: dict[str, str | int] = {"page_size": page_size, "include_total_count": "false"}
    async with open_session(endpoint, client=client, timeout=timeout, retry=retry, etag=etag,
                            root=request_key(_VOICES, first)) as session:
        if await session.revalidate():
            return session.not_modified()
        voices, listed = await both(_all_voices(session, first), _models(session))
    known = BundledSnapshot().provider_catalog(PROVIDER)
    return session.result(ProviderCatalog(
        PROVIDER,
        models=merge_models(listed, known, bundled_kinds=frozenset({"stt"})),
        voices=tuple(voices),
        source="live",
        fetched_at=now_iso(),
        retired_voices=known.retired_voices if known else {},
    ))


async def _all_voices(session: Session, first: dict[str, str | int]) -> list[Voice]:
    seen: dict[str, Voice] = {}

    def add(page: dict[str, Any]) -> None:
        for item in page["voices"]:
            voice = parse_voice(session, item)
            seen.setdefault(voice.id, voice)

    async def take(pages: AsyncIterator[dict[str, Any]], count: int) -> None:
        for _ in range(count):
            page = await anext(pages, None)
            if page is None:
                return
            add(page)

    upward = _pages(session, {**first, "sort": "created_at_unix", "sort_direction": "asc",
                              "include_total_count": "true"})
    page = await anext(upward)
    add(page)
    total = page.get("total_count")
    if page.get("has_more") and isinstance(total, int):
        # Split the remaining pages between the two cursors, so each is asked exactly once.
        pages = -(-total // int(first["page_size"]))
        up_more, down = (pages + 1) // 2 - 1, pages // 2
        downward = _pages(session, {**first, "sort": "created_at_unix",
                                    "sort_direction": "desc"})
        await both(take(upward, up_more), take(downward, down))
    if len(seen) < (total if isinstance(total, int) else 0) or (
            not isinstance(total, int) and page.get("has_more")):
        async for rest in upward:  # ties in creation time, or no count: finish one cursor
            add(rest)
    return sorted(seen.values(), key=lambda v: v.id)


async def _pages(session: Session, first: dict[str, str | int]) -> AsyncIterator[dict[str, Any]]:
    """The pages of one cursor, in order."""
    params: dict[str, str | int] = dict(first)
    seen_tokens: set[str] = set()
    for _ in range(_MAX_PAGES):
        page = await session.get_json(_VOICES, params)
        items = page.get("voices") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise session.bad_shape(_VOICES, "no 'voices' list")
        yield page
        if not page.get("has_more"):
            return
        token = page.get("next_page_token")
        if not isinstance(token, str) or not token or token in seen_tokens:
            raise session.bad_shape(_VOICES, "has_more is true but next_page_token does not "
                                             "move on")
        seen_tokens.add(token)
        params = {**first, "next_page_token": token}
    raise session.bad_shape(_VOICES, f"more than {_MAX_PAGES} pages")


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value.strip() else None


def parse_voice(session: Session, item: Any) -> Voice:
    """One `/v2/voices` entry as a `Voice`; custom-ness follows from `category` alone.

    Only `voice_id` is required (the SDK's `Voice` has `name: Optional[str]`, checked
    2026-11-30 in elevenlabs 2.78.0): a voice with no name goes by its id.
    """
    if not isinstance(item, dict):
        raise session.bad_shape(_VOICES, f"a voice that is not an object: {str(item)[:80]}")
    voice_id = _text(item, "voice_id")
    if voice_id is None:
        raise session.bad_shape(_VOICES, f"a voice without voice_id: {str(item)[:80]}")
    name = _text(item, "name") or voice_id
    raw_category = _text(item, "category") or "unknown"
    category = cast(VoiceCategory, raw_category if raw_category in _CATEGORIES else "unknown")
    labels = item.get("labels")
    labels = labels if isinstance(labels, dict) else {}
    verified = item.get("verified_languages")
    tags: list[str] = []
    for entry in verified if isinstance(verified, list) else ():
        if isinstance(entry, dict):
            tag = _text(entry, "locale") or _text(entry, "language")
            if tag and tag not in tags:
                tags.append(tag)
    return Voice(
        provider=PROVIDER,
        id=voice_id,
        name=name,
        category=category,
        gender=_text(labels, "gender"),
        accent=_text(labels, "accent"),
        age=_text(labels, "age"),
        use_case=_text(labels, "use_case"),
        description=_text(item, "description") or _text(labels, "description"),
        languages=tuple(tags),
        preview_url=_text(item, "preview_url"),
    )


async def _models(session: Session) -> list[Model]:
    items = await session.get_json(_MODELS)
    if not isinstance(items, list):
        raise session.bad_shape(_MODELS, "not a list of models")
    models = []
    for item in items:
        model_id = _text(item, "model_id") if isinstance(item, dict) else None
        if model_id is None:
            raise session.bad_shape(_MODELS, f"a model without model_id: {str(item)[:80]}")
        if item.get("can_do_text_to_speech") is not True:
            continue  # speech-to-speech models: not a TTS choice
        langs = item.get("languages")
        tags = tuple(
            lang["language_id"] for lang in (langs if isinstance(langs, list) else ())
            if isinstance(lang, dict) and isinstance(lang.get("language_id"), str)
        )
        models.append(Model(provider=PROVIDER, id=model_id, kind="tts",
                            display_name=_text(item, "name"), languages=tags))
    return models
