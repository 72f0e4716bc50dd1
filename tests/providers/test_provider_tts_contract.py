"""What every TTS client does alike, against each provider's simulator: audio cut midway is
a TruncatedResponseError, and closing the audio stream midway closes the request (so the
provider stops synthesising for a caller who barged in)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from voiceops.errors import ProviderError, TruncatedResponseError
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.sim.stack import SimStack

#: provider -> (its TTS section, the path its synthesis requests go to)
CLIENTS: dict[str, tuple[dict[str, Any], str]] = {
    "sarvam": ({"provider": "sarvam", "model": "bulbul:v3", "voice": "priya"},
               "/text-to-speech/stream"),
    "elevenlabs": ({"provider": "elevenlabs", "model": "eleven_flash_v2_5",
                    "voice": "9BWtsMINqrJLrRacOk9x"}, "/v1/text-to-speech/"),
}
TEXT = "Your order ships tomorrow morning, and the courier will call first."


@pytest.mark.parametrize("provider", CLIENTS)
def test_audio_cut_midway_is_a_truncated_response(sims: SimStack, provider: str) -> None:
    section, _ = CLIENTS[provider]
    sims.servers[provider].faults.truncate(keep_bytes=4001)

    async def go() -> None:
        async with ProviderPool() as pool:
            tts = pool.tts(resolve_target(section, sims.env(), 5.0, language="en-IN"), 16000)
            async for _ in tts.synthesize(TEXT):
                pass

    with pytest.raises(ProviderError) as caught:
        asyncio.run(go())
    assert isinstance(caught.value, TruncatedResponseError)


@pytest.mark.parametrize("provider", CLIENTS)
def test_closing_the_audio_stream_midway_closes_the_request(sims: SimStack,
                                                            provider: str) -> None:
    section, path = CLIENTS[provider]
    state = sims.states[provider]
    state.tts_chunk_interval_s = 0.1

    async def go() -> None:
        async with ProviderPool() as pool:
            tts = pool.tts(resolve_target(section, sims.env(), 5.0, language="en-IN"), 16000)
            stream = tts.synthesize(TEXT)
            assert await anext(stream)
            await stream.aclose()  # type: ignore[attr-defined]

    asyncio.run(go())
    entry = state.last(path)
    assert entry.ended.wait(2.0) and entry.outcome == "disconnected"
