"""The ElevenLabs simulator judged by ElevenLabs' official SDK (`elevenlabs`, pinned in the dev
extras): voices (v1, v2), models, streamed speech in every output format the SDK offers, and
refusals as the SDK raises them (facts and sources: `voiceops/sim/facts.py`).
"""

from __future__ import annotations

import struct
import typing

import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from elevenlabs.errors import UnprocessableEntityError
from elevenlabs.text_to_speech.types import TextToSpeechStreamRequestOutputFormat
from elevenlabs.types import GetVoicesResponse, GetVoicesV2Response, Model, Voice

from voiceops.sim.elevenlabs_speech import parse_output_format
from voiceops.sim.stack import SimStack
from voiceops.sim.voices import UNNAMED_VOICE_ID

TEXT = "Your order ships tomorrow."
VOICE = "9BWtsMINqrJLrRacOk9x"
#: Every output_format the installed SDK can ask for.
SDK_FORMATS = typing.get_args(typing.get_args(TextToSpeechStreamRequestOutputFormat)[0])


def client(sims: SimStack, key: str | None = None) -> ElevenLabs:
    return ElevenLabs(api_key=sims.elevenlabs_state.api_key if key is None else key,
                      base_url=sims.servers["elevenlabs"].url, timeout=10)


def test_v1_voices_parse(sims: SimStack) -> None:
    answer = client(sims).voices.get_all()
    assert isinstance(answer, GetVoicesResponse)
    assert all(isinstance(v, Voice) for v in answer.voices)
    assert any(v.voice_id == VOICE for v in answer.voices)


def test_v2_voices_parse_with_a_nameless_high_quality_voice(sims: SimStack) -> None:
    pages, token = [], None
    while True:
        page = client(sims).voices.search(page_size=100, include_total_count=True,
                                          next_page_token=token)
        assert isinstance(page, GetVoicesV2Response)
        pages.append(page)
        if not page.has_more:
            break
        token = page.next_page_token
    voices = [v for page in pages for v in page.voices]
    assert len(voices) == pages[0].total_count
    unnamed = next(v for v in voices if v.voice_id == UNNAMED_VOICE_ID)
    assert unnamed.name is None and unnamed.category == "high_quality"


def test_v2_voices_sorted_by_name_with_a_nameless_voice(sims: SimStack) -> None:
    page = client(sims).voices.search(page_size=100, sort="name", sort_direction="asc")
    assert page.voices[0].voice_id == UNNAMED_VOICE_ID


def test_models_parse(sims: SimStack) -> None:
    models = client(sims).models.list()
    assert models and all(isinstance(m, Model) for m in models)


@pytest.mark.parametrize("output_format", SDK_FORMATS)
def test_every_sdk_output_format_streams(sims: SimStack, output_format: str) -> None:
    audio = b"".join(client(sims).text_to_speech.stream(
        VOICE, text=TEXT, model_id="eleven_flash_v2_5", output_format=output_format))
    codec, rate = output_format.split("_")[:2]
    seconds = len(TEXT) * 0.070
    if codec == "pcm":
        assert len(audio) == round(seconds * int(rate)) * 2
    elif codec in ("ulaw", "alaw"):
        assert len(audio) == round(seconds * int(rate))
    elif codec == "mp3":
        assert audio[:2] in (b"\xff\xf3", b"\xff\xfb")
    else:
        assert _ogg_opus_seconds(audio) == pytest.approx(seconds, abs=0.02)
    query = sims.elevenlabs_state.received[-1].query
    assert query == {"output_format": output_format}


def _ogg_opus_seconds(data: bytes) -> float:
    """Length of an Ogg Opus stream from its last page's granule position (pages checked)."""
    offset, granule, head = 0, 0, b""
    while offset < len(data):
        assert data[offset:offset + 4] == b"OggS"
        granule = struct.unpack_from("<q", data, offset + 6)[0]
        segments = data[offset + 26]
        lacing = data[offset + 27:offset + 27 + segments]
        body = offset + 27 + segments
        head = head or data[body:body + 8]
        offset = body + sum(lacing)
    assert head == b"OpusHead"
    return (granule - 312) / 48000


def test_unknown_voice_is_404_voice_not_found(sims: SimStack) -> None:
    with pytest.raises(ApiError) as caught:
        b"".join(client(sims).text_to_speech.stream("no-such-voice", text=TEXT))
    assert caught.value.status_code == 404
    assert caught.value.body["detail"]["status"] == "voice_not_found"


def test_bad_key_is_401(sims: SimStack) -> None:
    with pytest.raises(ApiError) as caught:
        client(sims, key="sk_wrong").voices.get_all()
    assert caught.value.status_code == 401
    assert caught.value.body["detail"]["status"] == "invalid_api_key"


def test_bad_parameter_is_the_sdk_unprocessable_entity(sims: SimStack) -> None:
    with pytest.raises(UnprocessableEntityError):
        b"".join(client(sims).text_to_speech.stream(VOICE, text=TEXT,
                                                    output_format="pcm_11025"))


def test_unknown_model_is_refused(sims: SimStack) -> None:
    with pytest.raises(ApiError) as caught:
        b"".join(client(sims).text_to_speech.stream(VOICE, text=TEXT, model_id="eleven_x"))
    assert caught.value.status_code == 400


def test_the_simulator_takes_exactly_the_formats_the_sdk_offers() -> None:
    # A format the SDK never sends must be refused too (the API answers 422 for it).
    rates = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
    grid = {f"{codec}_{rate}" + (f"_{kbps}" if kbps else "")
            for codec in ("pcm", "ulaw", "alaw", "mp3", "opus") for rate in rates
            for kbps in (0, 32, 48, 64, 96, 128, 192)}
    accepted = {name for name in grid | set(SDK_FORMATS) if parse_output_format(name)}
    assert accepted == set(SDK_FORMATS)


def test_v2_voice_filters_the_sdk_offers(sims: SimStack) -> None:
    everyone = client(sims).voices.search(page_size=100).total_count
    assert client(sims).voices.search(page_size=100,
                                      voice_type="non-community").total_count == everyone
    best = client(sims).voices.search(page_size=100, high_quality=True).voices
    assert [v.voice_id for v in best] == [UNNAMED_VOICE_ID]
