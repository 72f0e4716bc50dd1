"""Sarvam chat: its `/v1/chat/completions` is OpenAI-compatible, so this is the OpenAI
client pointed at Sarvam's `/v1` (the SDK's Bearer header is one Sarvam accepts)."""

from __future__ import annotations

from voiceops.providers.base import Target
from voiceops.providers.openai.llm import OpenAICompatibleLLM
from voiceops.providers.transport.endpoint import base_url_for

__all__ = ["SarvamLLM"]

_CHAT_PREFIX = "/v1"


class SarvamLLM(OpenAICompatibleLLM):
    """Streams Sarvam chat completions (`sarvam-105b`, ...)."""

    @classmethod
    def api_root(cls, target: Target) -> str:
        """Sarvam's API root plus `/v1`: its other APIs (TTS, STT) live at the root, so
        `SARVAM_BASE_URL` and a profile's `base_url` name the root; a URL already ending
        in `/v1` is taken as it is."""
        root = base_url_for(target.provider, target.base_url).rstrip("/")
        return root if root.endswith(_CHAT_PREFIX) else root + _CHAT_PREFIX
