"""What the real provider APIs send and accept on the wire, as dated facts with their sources.

The simulators read these instead of bare constants, so each behaviour they copy says where
it comes from and when it was checked; `tests/sim/test_sdk_*.py` drive the simulators with
the providers' official SDKs (pinned in the dev extras) and keep these honest.

`status` is "verified" (an official SDK's source or docs page says so, or the official SDK
was seen sending it on loopback), "verified-2nd" (third-party code or logged live probes
only) or "assumed" (no source found; the simulator's best guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = [
    "ANTHROPIC_AUTH_HEADERS",
    "ANTHROPIC_VERSIONS",
    "ELEVENLABS_OUTPUT_FORMATS",
    "ELEVENLABS_VOICE_CATEGORIES",
    "ELEVENLABS_VOICE_NOT_FOUND",
    "SARVAM_AUTH_FAILURE",
    "SARVAM_CHAT_MODEL_REFUSALS",
    "SARVAM_TTS_LANGUAGE_FIELDS",
    "SARVAM_V1_MODEL_LIST",
    "SARVAM_V2_MODELS",
    "Fact",
]

T = TypeVar("T")
Status = Literal["verified", "verified-2nd", "assumed"]


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One thing a provider's API does: the value, where it was found, when, how sure."""

    value: T
    source: str
    seen: str
    status: Status


# --- Sarvam -----------------------------------------------------------------------------

#: (status, message, code) of Sarvam's answer to a missing or wrong key, REST and WebSocket.
SARVAM_AUTH_FAILURE: Fact[tuple[int, str, str]] = Fact(
    (403, "Invalid or missing authentication credentials", "invalid_api_key_error"),
    "sarvamai 0.1.39 text_to_speech/raw_client.py: its error map has 400, 403, 422, 429, "
    "500 and no 401 (403 -> ForbiddenError); body and message from logged live probes in "
    "public GitHub files (envelope {error: {message, code, request_id}})",
    "2026-11-30", "verified")

#: TTS body fields naming the language: the current one first, then the one the API still
#: took in September (SDKs before 0.1.29 send it).
SARVAM_TTS_LANGUAGE_FIELDS: Fact[tuple[str, ...]] = Fact(
    ("language_code", "target_language_code"),
    "wheel diff sarvamai 0.1.28 -> 0.1.29 text_to_speech/raw_client.py (field renamed); "
    "0.1.39 sends language_code; both accepted by the API in a live probe of 2026-09-18",
    "2026-11-30", "verified")

#: The models `GET /v2/models` lists: those of the V2 chat API (`/v2/chat/completions`),
#: which the SDK's `chat_completion.list_models_v2` reads as `ModelListResponse`
#: `{object, data: [{id, object, created, owned_by}]}`. Not the `/v1` chat models.
SARVAM_V2_MODELS: Fact[tuple[str, ...]] = Fact(
    ("sarvam-105b", "glm5.3", "gemma4", "deepseekv4.1-flash"),
    "sarvamai 0.1.39 types/v2model_ids.py and chat_completion/raw_client.py ('Lists the "
    "model IDs available for the V2 Chat Completion API'); docs.sarvam.ai/api-reference/"
    "open-source/models",
    "2026-11-30", "verified")

#: `GET /v1/models` lists the `/v1/chat/completions` models (OpenAI-compatible clients ask
#: it); undocumented and absent from the SDK.
SARVAM_V1_MODEL_LIST: Fact[str] = Fact(
    "/v1/models",
    "live probe 2026-09 quoted in voiceops/catalog/data/sarvam.json (sarvam-30b: 'no longer "
    "listed by GET /v1/models'); not in sarvamai 0.1.39 or the docs",
    "2026-11-30", "verified-2nd")

#: What `/v1/chat/completions` answers for a model it does not serve: 400
#: invalid_request_error naming the models it does; "{model}" and "{models}" are filled in.
#: (retired model's message, unknown model's message)
SARVAM_CHAT_MODEL_REFUSALS: Fact[tuple[str, str]] = Fact(
    ("Model '{model}' has been deprecated. Please use one of the available models "
     "instead: {models}.",
     "Model '{model}' is not supported. Please use one of the available models: {models}."),
    "retired: sarvamai/skills chat/SKILL.md @24a29c75 (sarvam-30b); unknown: the same skills "
    "doc's error table (400 invalid_request_error listing the valid models) - its exact "
    "wording is assumed",
    "2026-11-30", "verified-2nd")

# --- ElevenLabs -------------------------------------------------------------------------

#: (HTTP status, `detail.status`, message) of a TTS request naming a voice the account
#: lacks; "{voice_id}" is filled in. Older answers were 400 "A voice for the voice_id ...".
ELEVENLABS_VOICE_NOT_FOUND: Fact[tuple[int, str, str]] = Fact(
    (404, "voice_not_found", "A voice with the voice_id {voice_id} was not found."),
    "elevenlabs/elevenlabs-docs PR #1317 (2025-07-11) error example; elevenlabs 2.78.0 maps "
    "only 422 to a class of its own, so a 404 is its base ApiError(status_code=404)",
    "2026-11-30", "verified-2nd")

#: Every `output_format` of `POST /v1/text-to-speech/{voice_id}/stream`.
ELEVENLABS_OUTPUT_FORMATS: Fact[tuple[str, ...]] = Fact(
    ("mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96",
     "mp3_44100_128", "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000",
     "pcm_32000", "pcm_44100", "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32",
     "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192"),
    "elevenlabs 2.78.0 text_to_speech/types/text_to_speech_stream_request_output_format.py",
    "2026-11-30", "verified")

#: Voice categories the voices list may hold (`name` is optional on a voice).
ELEVENLABS_VOICE_CATEGORIES: Fact[tuple[str, ...]] = Fact(
    ("generated", "cloned", "premade", "professional", "famous", "high_quality"),
    "elevenlabs 2.78.0 types/voice_category.py; types/voice.py (name: Optional[str])",
    "2026-11-30", "verified")

# --- Anthropic --------------------------------------------------------------------------

#: Headers that carry the key: the documented one, and the one anthropic SDK >= 2.0 sends.
ANTHROPIC_AUTH_HEADERS: Fact[tuple[str, ...]] = Fact(
    ("x-api-key", "authorization"),
    "docs.anthropic.com (x-api-key); anthropic 2.14.0 seen on loopback sending "
    "'Authorization: Bearer <key>' for messages.stream and models.list",
    "2026-11-30", "verified")

#: `anthropic-version` values the API accepts: the documented one and the SDK's.
ANTHROPIC_VERSIONS: Fact[frozenset[str]] = Fact(
    frozenset({"2023-06-01", "2023-01-01", "2026-10-21"}),
    "docs.anthropic.com versioning page (2023-06-01, 2023-01-01); anthropic 2.14.0 sends "
    "2026-10-21 (seen on loopback)",
    "2026-11-30", "verified")
