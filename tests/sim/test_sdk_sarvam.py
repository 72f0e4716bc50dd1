"""The Sarvam simulator judged by Sarvam's official SDK (`sarvamai`, pinned in the dev extras).

Every answer must parse into the SDK's typed models, and every refusal must raise the SDK's
own typed error for the right status: what the SDK can read is what the real API sends
(facts and their sources: `voiceops/sim/sarvam.py`).
"""

from __future__ import annotations

import base64
import io
import typing
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sarvamai
from sarvamai.core.api_error import ApiError
from sarvamai.types.chat_completion_chunk import ChatCompletionChunk
from sarvamai.types.speech_to_text_model import SpeechToTextModel
from sarvamai.types.text_to_speech_language import TextToSpeechLanguage
from sarvamai.types.text_to_speech_model import TextToSpeechModel
from sarvamai.types.text_to_speech_speaker import TextToSpeechSpeaker
from sarvamai.types.v2model_ids import V2ModelIds

from voiceops.sim import codecs, speech
from voiceops.sim.stack import SimStack

TEXT = "Aapka order kal aayega."


def client(sims: SimStack, key: str | None = None) -> sarvamai.SarvamAI:
    """The SDK pointed at the simulator (REST root and WebSocket root)."""
    root = sims.servers["sarvam"].url
    environment = sarvamai.SarvamAIEnvironment(
        base=root, creative=root + "/dubbing", production=root.replace("http", "ws", 1))
    return sarvamai.SarvamAI(api_subscription_key=sims.sarvam_state.api_key if key is None
                             else key,
                             environment=environment, timeout=10)


@pytest.fixture
def sdk(sims: SimStack) -> Iterator[sarvamai.SarvamAI]:
    yield client(sims)


def wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    return codecs.wav_file(speech.synthesize("x" * 7, rate, ms_per_char=seconds * 1000 / 7),
                           rate)


def test_tts_convert_parses_and_sends_language_code(sims: SimStack,
                                                    sdk: sarvamai.SarvamAI) -> None:
    answer = sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN", model="bulbul:v3",
                                        speaker="priya", speech_sample_rate=22050)
    assert isinstance(answer, sarvamai.TextToSpeechResponse) and len(answer.audios) == 1
    with wave.open(io.BytesIO(base64.b64decode(answer.audios[0]))) as reader:
        assert reader.getframerate() == 22050
    sent = sims.sarvam_state.received[-1].body
    assert sent["language_code"] == "hi-IN" and "target_language_code" not in sent


def test_tts_convert_on_bulbul_v4_flash(sdk: sarvamai.SarvamAI) -> None:
    answer = sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN",
                                        model="bulbul:v4-flash", speaker="shubh_enhi_ads")
    assert answer.audios


def test_tts_stream_yields_the_codec_asked_for(sdk: sarvamai.SarvamAI) -> None:
    audio = b"".join(sdk.text_to_speech.convert_stream(
        text=TEXT, language_code="hi-IN", model="bulbul:v3", speaker="priya",
        speech_sample_rate=16000, output_audio_codec="linear16"))
    assert len(audio) == round(len(TEXT) * 0.070 * 16000) * 2


def test_tts_still_takes_the_old_field_name(sims: SimStack) -> None:
    # The API took `target_language_code` too in September (probe 6a/6b, 2026-09-18);
    # SDKs before 0.1.29 send it.
    answer = httpx.post(sims.servers["sarvam"].url + "/text-to-speech",
                        headers={"api-subscription-key": sims.sarvam_state.api_key},
                        json={"text": TEXT, "target_language_code": "hi-IN",
                              "model": "bulbul:v3"})
    assert answer.status_code == 200, answer.text


def test_stt_transcribe_parses(sims: SimStack, sdk: sarvamai.SarvamAI) -> None:
    sims.sarvam_state.transcripts.append("mera order kahan hai")
    answer = sdk.speech_to_text.transcribe(file=("utterance.wav", wav(), "audio/wav"),
                                           model="saaras:v3", mode="transcribe",
                                           language_code="hi-IN")
    assert isinstance(answer, sarvamai.SpeechToTextResponse)
    assert answer.transcript == "mera order kahan hai" and answer.language_code == "hi-IN"


def test_chat_completions_stream_parses(sdk: sarvamai.SarvamAI) -> None:
    chunks = list(sdk.chat.completions(
        messages=[{"role": "user", "content": "Namaste"}], model="sarvam-105b-conversations",
        max_tokens=200, stream=True))
    assert chunks and all(isinstance(c, ChatCompletionChunk) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Namaste" in text
    assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks)


def test_chat_completions_whole_parses(sdk: sarvamai.SarvamAI) -> None:
    answer = sdk.chat.completions(messages=[{"role": "user", "content": "Namaste"}],
                                  model="sarvam-105b")
    assert isinstance(answer, sarvamai.CreateChatCompletionResponse)
    assert "Namaste" in (answer.choices[0].message.content or "")


def test_model_list_parses(sdk: sarvamai.SarvamAI) -> None:
    listed = sdk.chat_completion.list_models_v2()
    assert isinstance(listed, sarvamai.ModelListResponse)
    # The V2 chat API's models, as the SDK types them.
    assert {m.id for m in listed.data} == set(_choices(V2ModelIds))


def test_v1_model_list_is_the_v1_chat_models(sims: SimStack) -> None:
    answer = httpx.get(sims.servers["sarvam"].url + "/v1/models",
                       headers={"api-subscription-key": sims.sarvam_state.api_key})
    ids = {m.id for m in sarvamai.ModelListResponse.model_validate(answer.json()).data}
    assert {"sarvam-105b", "sarvam-105b-conversations"} <= ids
    assert "sarvam-m" not in ids  # retired (catalog data)


@pytest.mark.parametrize("key", ["", "sk_wrong"])
def test_bad_or_missing_key_is_forbidden(sims: SimStack, key: str) -> None:
    sdk = client(sims, key=key)  # the SDK always sends its header: no key is an empty one
    with pytest.raises(sarvamai.ForbiddenError) as caught:
        sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN", model="bulbul:v3")
    error = caught.value.body["error"]
    assert set(error) == {"message", "code", "request_id"}
    assert error["code"] == "invalid_api_key_error"
    with pytest.raises(sarvamai.ForbiddenError):
        sdk.speech_to_text.transcribe(file=("u.wav", wav(), "audio/wav"), model="saaras:v3")
    with pytest.raises(ApiError) as chat:
        sdk.chat.completions(messages=[{"role": "user", "content": "hi"}],
                             model="sarvam-105b")
    assert chat.value.status_code == 403


def test_missing_key_header_is_forbidden(sims: SimStack) -> None:
    answer = httpx.post(sims.servers["sarvam"].url + "/text-to-speech",
                        json={"text": TEXT, "language_code": "hi-IN", "model": "bulbul:v3"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "invalid_api_key_error"


def test_unknown_speaker_is_a_bad_request(sdk: sarvamai.SarvamAI) -> None:
    with pytest.raises(sarvamai.BadRequestError) as caught:
        sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN", model="bulbul:v3",
                                   speaker="nobody")
    assert "Speaker 'nobody'" in caught.value.body["error"]["message"]


def test_retired_model_is_a_bad_request(sdk: sarvamai.SarvamAI) -> None:
    with pytest.raises(sarvamai.BadRequestError) as caught:
        sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN", model="bulbul:v2")
    assert caught.value.body["error"]["message"] == (
        "Model 'bulbul:v2' has been deprecated. Please use 'bulbul:v3' instead.")


def test_bad_parameter_is_a_bad_request(sdk: sarvamai.SarvamAI) -> None:
    with pytest.raises(sarvamai.BadRequestError):
        sdk.text_to_speech.convert(text=TEXT, language_code="hi-IN", model="bulbul:v3",
                                   pace=9.0)
    with pytest.raises(sarvamai.BadRequestError):
        list(sdk.text_to_speech.convert_stream(text=TEXT, language_code="hi-IN",
                                               model="bulbul:v3", speech_sample_rate=48000))


@pytest.mark.parametrize(("model", "says"), [
    ("sarvam-m", "Model 'sarvam-m' has been deprecated. Please use one of the available "
                 "models instead: "),  # retired (catalog data)
    ("gpt-4o", "Model 'gpt-4o' is not supported"),
])
def test_a_chat_model_sarvam_does_not_serve_is_a_400_naming_those_it_does(
        sdk: sarvamai.SarvamAI, model: str, says: str) -> None:
    with pytest.raises(ApiError) as caught:  # sarvamai's chat raises its base error
        sdk.chat.completions(messages=[{"role": "user", "content": "hi"}], model=model)
    assert caught.value.status_code == 400
    error = caught.value.body["error"]
    assert error["code"] == "invalid_request_error" and error["message"].startswith(says)
    assert "sarvam-105b-conversations" in error["message"]


def _choices(alias: object) -> tuple[str, ...]:
    """The literal values of one of the SDK's `Union[Literal[...], Any]` aliases."""
    return typing.get_args(typing.get_args(alias)[0])


def test_every_model_the_sdk_names_is_served_or_answered_as_retired(
        sdk: sarvamai.SarvamAI) -> None:
    for model in _choices(TextToSpeechModel):
        try:
            assert sdk.text_to_speech.convert(text="a", language_code="en-IN", model=model)
        except sarvamai.BadRequestError as exc:  # a retired one, named with its replacement
            assert "has been deprecated" in exc.body["error"]["message"], model
    for model in _choices(SpeechToTextModel):
        assert sdk.speech_to_text.transcribe(file=("u.wav", wav(), "audio/wav"), model=model)


def test_every_speaker_and_language_the_sdk_names_is_served(sdk: sarvamai.SarvamAI) -> None:
    # The SDK's speaker literal: v3's short names and v4-flash's persona ids (v2's are moot).
    retired = {"anushka", "manisha", "vidya", "arya", "abhilash", "karun", "hitesh"}

    def speak(speaker: str) -> bytes:
        model = "bulbul:v4-flash" if "_" in speaker else "bulbul:v3"
        return b"".join(sdk.text_to_speech.convert_stream(
            text="a", language_code="en-IN", model=model, speaker=speaker,
            speech_sample_rate=8000, output_audio_codec="linear16"))

    speakers = sorted(set(_choices(TextToSpeechSpeaker)) - retired)
    with ThreadPoolExecutor(8) as pool:  # 259 speakers: a loopback round trip each
        assert all(pool.map(speak, speakers))
    for language in _choices(TextToSpeechLanguage):
        assert sdk.text_to_speech.convert(text="a", language_code=language, model="bulbul:v3")
