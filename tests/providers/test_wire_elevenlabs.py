"""What voiceops sends to ElevenLabs is what the official SDK (`elevenlabs`) sends for the same
call (captured on loopback), and voiceops' live catalog reads every voice the SDK reads."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

from elevenlabs import ElevenLabs, VoiceSettings

from tests.providers.capture import Capture
from voiceops.catalog.live import elevenlabs as live
from voiceops.errors import ProviderError
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim.stack import SimStack
from voiceops.sim.voices import UNNAMED_VOICE_ID

KEY = "sk_wire_elevenlabs"
VOICE = "9BWtsMINqrJLrRacOk9x"
TEXT = "Your order ships tomorrow."
BEFORE = "Thanks for calling."


def sdk(url: str, key: str = KEY) -> ElevenLabs:
    return ElevenLabs(api_key=key, base_url=url, timeout=5)


def test_tts_stream_matches_the_sdk() -> None:
    section: dict[str, Any] = {
        "provider": "elevenlabs", "model": "eleven_flash_v2_5", "voice": VOICE,
        "tuning": {"stability": 0.4, "similarity_boost": 0.8, "speed": 1.1,
                   "use_speaker_boost": True}}

    async def ours(url: str) -> None:
        async with ProviderPool() as pool:
            target = resolve_target(section, {"ELEVENLABS_API_KEY": KEY,
                                              "ELEVENLABS_BASE_URL": url}, 5.0,
                                    language="hi-IN")
            async for _ in pool.tts(target, 16000).synthesize(TEXT, previous=BEFORE):
                pass

    with Capture() as mine_server, Capture() as sdk_server:
        with contextlib.suppress(ProviderError):
            asyncio.run(ours(mine_server.url))
        with contextlib.suppress(Exception):
            b"".join(sdk(sdk_server.url).text_to_speech.stream(
                VOICE, text=TEXT, model_id="eleven_flash_v2_5", output_format="pcm_16000",
                language_code="hi", previous_text=BEFORE,
                voice_settings=VoiceSettings(stability=0.4, similarity_boost=0.8, speed=1.1,
                                             use_speaker_boost=True)))
        mine, official = mine_server.first(), sdk_server.first()
    assert mine.wire() == official.wire()
    assert mine.json == official.json


def test_voice_listing_asks_what_the_sdk_can_ask(sims: SimStack) -> None:
    with Capture() as mine_server, Capture() as sdk_server:
        with contextlib.suppress(ProviderError):
            asyncio.run(live.fetch(api_key=KEY, base_url=mine_server.url))
        with contextlib.suppress(Exception):
            sdk(sdk_server.url).voices.search(page_size=100, include_total_count=True)
        mine = next(r for r in mine_server.captured if r.path == "/v2/voices")
        official = sdk_server.first()
    same = ("method", "path", "auth")
    assert {k: mine.wire()[k] for k in same} == {k: official.wire()[k] for k in same}
    # Every query parameter voiceops sends is one the SDK's `voices.search` takes.
    assert set(mine.query) <= set(inspect.signature(sdk(KEY).voices.search).parameters)


def test_live_catalog_reads_every_voice_the_sdk_reads(sims: SimStack) -> None:
    server = sims.servers["elevenlabs"]
    key = sims.elevenlabs_state.api_key
    listed = sdk(server.url, key).voices.search(page_size=100)
    token, ids = listed.next_page_token, {v.voice_id for v in listed.voices}
    while token:
        page = sdk(server.url, key).voices.search(page_size=100, next_page_token=token)
        ids |= {v.voice_id for v in page.voices}
        token = page.next_page_token if page.has_more else None
    result = asyncio.run(live.fetch(api_key=key, base_url=server.url))
    assert result.catalog is not None
    voices = {v.id: v for v in result.catalog.voices}
    assert set(voices) == ids and UNNAMED_VOICE_ID in ids
    assert voices[UNNAMED_VOICE_ID].name == UNNAMED_VOICE_ID  # no name: known by its id


def test_a_missing_voice_is_told_apart_at_the_status_the_sdk_sees(sims: SimStack) -> None:
    section = {"provider": "elevenlabs", "voice": "notInThisAccount"}

    async def go() -> None:
        async with ProviderPool() as pool:
            target = resolve_target(section, sims.env(), 5.0)
            async for _ in pool.tts(target, 16000).synthesize(TEXT):
                pass

    try:
        asyncio.run(go())
    except ProviderError as exc:
        error: ProviderError | None = exc
    else:
        error = None
    status = _sdk_status(sims.servers["elevenlabs"].url, sims.elevenlabs_state.api_key)
    assert error is not None and getattr(error, "status", None) == status == 404
    assert "voices --live" in str(error)


def _sdk_status(url: str, key: str) -> int | None:
    try:
        b"".join(sdk(url, key).text_to_speech.stream("notInThisAccount", text=TEXT))
    except Exception as exc:
        return getattr(exc, "status_code", None)
    return None
