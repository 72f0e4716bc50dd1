"""The OpenAI simulator judged by OpenAI's official SDK (`openai`, as installed): models,
streamed chat, a transcribed WAV, and refusals raised as the SDK's typed errors. The same SDK
against the Sarvam simulator's `/v1` (Sarvam's chat is OpenAI-compatible) is checked too.
"""

from __future__ import annotations

import openai
import pytest
from openai.types import Model
from openai.types.audio import Transcription
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from tests.sim.strict import strict
from voiceops.sim import codecs, speech
from voiceops.sim.stack import SimStack

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]


def client(sims: SimStack, key: str | None = None, provider: str = "openai") -> openai.OpenAI:
    state = sims.states[provider]
    return openai.OpenAI(api_key=state.api_key if key is None else key,
                         base_url=sims.servers[provider].url + "/v1", max_retries=0,
                         timeout=10)


def test_models_list_parses(sims: SimStack) -> None:
    models = list(client(sims).models.list())
    assert models and all(isinstance(strict(m), Model) for m in models)
    assert len(models) == len(sims.openai_state.models)


@pytest.mark.parametrize("provider", ["openai", "sarvam"])
def test_chat_stream_parses_with_usage(sims: SimStack, provider: str) -> None:
    model = "gpt-4o-mini" if provider == "openai" else "sarvam-105b-conversations"
    chunks = list(client(sims, provider=provider).chat.completions.create(
        model=model, messages=MESSAGES, stream=True,  # type: ignore[arg-type]
        stream_options={"include_usage": True}, max_completion_tokens=300))
    assert all(isinstance(strict(c), ChatCompletionChunk) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Hello" in text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_chat_whole_parses(sims: SimStack) -> None:
    answer = client(sims).chat.completions.create(model="gpt-4o-mini",
                                                  messages=MESSAGES)  # type: ignore[arg-type]
    assert isinstance(strict(answer), ChatCompletion) and answer.choices[0].finish_reason == "stop"


def test_transcribe_a_wav(sims: SimStack) -> None:
    sims.openai_state.transcripts.append("where is my order")
    wav = codecs.wav_file(speech.synthesize("hello there", 16000), 16000)
    answer = client(sims).audio.transcriptions.create(
        model="gpt-transcribe", file=("utterance.wav", wav, "audio/wav"), language="en")
    assert isinstance(strict(answer), Transcription) and answer.text == "where is my order"


def test_bad_key_is_the_sdk_authentication_error(sims: SimStack) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client(sims, key="sk-wrong-0000000000").models.list()
    assert caught.value.code == "invalid_api_key"


def test_unknown_model_is_the_sdk_not_found_error(sims: SimStack) -> None:
    with pytest.raises(openai.NotFoundError):
        client(sims).chat.completions.create(model="gpt-nope",
                                             messages=MESSAGES)  # type: ignore[arg-type]


def test_a_rule_refusal_is_the_sdk_bad_request_error_with_its_fields(sims: SimStack) -> None:
    # the catalog's rule: GPT-5.x takes temperature only with reasoning effort none
    with pytest.raises(openai.BadRequestError) as caught:
        client(sims).chat.completions.create(model="gpt-5.1", messages=MESSAGES,  # type: ignore[arg-type]
                                             temperature=0.2, reasoning_effort="low")
    assert caught.value.code == "unsupported_parameter"
    assert caught.value.param == "temperature"


def test_bad_parameter_is_the_sdk_bad_request_error(sims: SimStack) -> None:
    with pytest.raises(openai.BadRequestError):
        client(sims).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES,  # type: ignore[arg-type]
                                             temperature=7)
    with pytest.raises(openai.BadRequestError):
        client(sims).audio.transcriptions.create(
            model="gpt-live-transcribe", file=("u.wav", codecs.wav_file(b"\0\0" * 800, 16000),
                                               "audio/wav"))
