"""The speech simulators: Sarvam's TTS (REST WAV, streamed codecs, per-model checks) and
STT answers, ElevenLabs' output formats and voice_not_found, OpenAI's transcriptions."""

from __future__ import annotations

import base64
import io
import time
import wave
from typing import Any

import httpx
import pytest

from voiceops.sim import codecs, speech
from voiceops.sim.stack import SimStack

TEXT = "Aapka order kal aayega."  # 23 characters: 1.61 s at 70 ms each
VOICE = "9BWtsMINqrJLrRacOk9x"


def sarvam(sims: SimStack, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"api-subscription-key": sims.sarvam_state.api_key}
    return httpx.post(sims.servers["sarvam"].url + path, headers=headers, **kwargs)


def eleven(sims: SimStack, path: str, body: dict[str, Any], **params: str) -> httpx.Response:
    return httpx.post(sims.servers["elevenlabs"].url + path, json=body, params=params,
                      headers={"xi-api-key": sims.elevenlabs_state.api_key})


def tts_body(**extra: Any) -> dict[str, Any]:
    return {"text": TEXT, "target_language_code": "hi-IN", **extra}


def test_sarvam_rest_answers_base64_wav_as_long_as_the_text(sims: SimStack) -> None:
    body = sarvam(sims, "/text-to-speech", json=tts_body(model="bulbul:v3",
                                                         speaker="priya")).json()
    assert set(body) == {"request_id", "audios"} and len(body["audios"]) == 1
    with wave.open(io.BytesIO(base64.b64decode(body["audios"][0]))) as reader:
        assert reader.getframerate() == 22050 and reader.getnchannels() == 1
        assert reader.getnframes() / 22050 == pytest.approx(len(TEXT) * 0.070, rel=0.01)


@pytest.mark.parametrize(("codec", "check"), [
    ("linear16", lambda data: len(data) == round(len(TEXT) * 0.070 * 16000) * 2),
    ("wav", lambda data: data[:4] == b"RIFF" and data[4:8] == b"\xff\xff\xff\xff"),
    ("mp3", lambda data: data[:2] == b"\xff\xf3"),  # MPEG-2 Layer III at 16 kHz
    ("mulaw", lambda data: len(data) == round(len(TEXT) * 0.070 * 16000)),
])
def test_sarvam_streams_the_codec_asked_for(sims: SimStack, codec: str, check: Any) -> None:
    answer = sarvam(sims, "/text-to-speech/stream",
                    json=tts_body(speech_sample_rate=16000, output_audio_codec=codec))
    assert answer.status_code == 200 and check(answer.content)


@pytest.mark.parametrize(("change", "says"), [
    ({"model": "bulbul:v3", "pitch": 0.2}, "pitch is not supported for the bulbul:v3"),
    ({"model": "bulbul:v3", "loudness": 1.2}, "loudness is not supported"),
    ({"model": "bulbul:v3", "pace": 2.5}, "pace should be between 0.5 and 2"),
    ({"model": "bulbul:v3", "speaker": "Priya"}, "Speaker 'Priya' is not recognized"),
    ({"model": "bulbul:v2"},  # retired: the API names the replacement
     "Model 'bulbul:v2' has been deprecated. Please use 'bulbul:v3' instead."),
    ({"model": "bulbul:v3", "speaker": "anushka"}, "is not recognized"),  # a v2 speaker
    ({"target_language_code": "fr-FR"}, "fr-FR"),
    ({"model": "bulbul:v1"}, "bulbul:v1"),  # retired
])
def test_sarvam_checks_each_model_as_the_api_does(sims: SimStack, change: dict[str, Any],
                                                  says: str) -> None:
    answer = sarvam(sims, "/text-to-speech", json=tts_body(**change))
    assert answer.status_code == 400 and says in answer.json()["error"]["message"]


def test_sarvam_streams_only_up_to_24_khz(sims: SimStack) -> None:
    body = tts_body(model="bulbul:v3", speech_sample_rate=44100)
    assert sarvam(sims, "/text-to-speech", json=body).status_code == 200
    streamed = sarvam(sims, "/text-to-speech/stream", json=body)
    assert streamed.status_code == 400 and "8000, 16000, 22050, 24000" in streamed.text


def test_sarvam_stt_answers_with_its_fields(sims: SimStack) -> None:
    wav = codecs.wav_file(speech.synthesize("x" * 10, 16000), 16000)
    sims.sarvam_state.transcripts.append("namaste")
    answer = sarvam(sims, "/speech-to-text", files={"file": ("a.wav", wav, "audio/wav")},
                    data={"model": "saaras:v3", "language_code": "unknown"}).json()
    assert answer["transcript"] == "namaste" and answer["language_code"] == "en-IN"
    assert set(answer) == {"request_id", "transcript", "timestamps", "diarized_transcript",
                           "language_code", "language_probability"}
    not_audio = sarvam(sims, "/speech-to-text", files={"file": ("a.wav", b"junk", "audio/wav")})
    assert not_audio.status_code == 400


@pytest.mark.parametrize(("fmt", "size"), [
    ("pcm_16000", round(len(TEXT) * 0.070 * 16000) * 2),
    ("pcm_44100", round(len(TEXT) * 0.070 * 44100) * 2),
    ("ulaw_8000", round(len(TEXT) * 0.070 * 8000)),
])
def test_elevenlabs_sends_the_output_format_asked_for(sims: SimStack, fmt: str,
                                                      size: int) -> None:
    path = f"/v1/text-to-speech/{VOICE}/stream"
    answer = eleven(sims, path, {"text": TEXT, "model_id": "eleven_flash_v2_5"},
                    output_format=fmt)
    assert answer.status_code == 200 and len(answer.content) == size


def test_elevenlabs_mp3_is_whole_frames_for_the_whole_text(sims: SimStack) -> None:
    data = eleven(sims, f"/v1/text-to-speech/{VOICE}", {"text": TEXT}).content  # default mp3
    frame = len(codecs.mp3_silence(0, 44100, 128))
    assert data[:3] == b"\xff\xfb\x90" and len(data) % frame == 0  # MPEG-1 L3 128 kbps
    assert len(data) // frame * 1152 / 44100 == pytest.approx(len(TEXT) * 0.070, abs=0.03)


def test_elevenlabs_refuses_an_unknown_voice_as_the_api_does(sims: SimStack) -> None:
    answer = eleven(sims, "/v1/text-to-speech/notMyVoice/stream", {"text": TEXT},
                    output_format="pcm_16000")
    assert answer.status_code == 404  # facts.ELEVENLABS_VOICE_NOT_FOUND
    assert answer.json()["detail"]["status"] == "voice_not_found"
    bad_format = eleven(sims, f"/v1/text-to-speech/{VOICE}/stream", {"text": TEXT},
                        output_format="pcm_11111")
    assert bad_format.status_code == 422
    loud = eleven(sims, f"/v1/text-to-speech/{VOICE}",
                  {"text": TEXT, "voice_settings": {"stability": 2}})
    assert loud.status_code == 422


def test_first_audio_waits_for_the_simulated_time_to_first_byte(sims: SimStack) -> None:
    sims.latency(tts_ttfb=0.2)
    began = time.perf_counter()
    with httpx.stream("POST", sims.servers["elevenlabs"].url + f"/v1/text-to-speech/{VOICE}"
                      "/stream", params={"output_format": "pcm_16000"}, json={"text": TEXT},
                      headers={"xi-api-key": sims.elevenlabs_state.api_key}) as answer:
        first = next(answer.iter_raw())
        assert first and time.perf_counter() - began >= 0.2


def test_openai_transcribes_in_each_response_format(sims: SimStack) -> None:
    wav = codecs.wav_file(speech.synthesize("x" * 10, 16000), 16000)
    headers = {"Authorization": f"Bearer {sims.openai_state.api_key}"}
    url = sims.servers["openai"].base_url + "/audio/transcriptions"

    def post(**data: str) -> httpx.Response:
        return httpx.post(url, headers=headers, data=data,
                          files={"file": ("u.wav", wav, "audio/wav")})

    assert post(model="whisper-1").json()["text"] == "I heard 0.7 seconds of audio."
    assert post(model="gpt-transcribe", response_format="text").text.strip() == \
        "I heard 0.7 seconds of audio."
    assert post(model="gpt-4o-mini").status_code == 400  # a chat model cannot transcribe
