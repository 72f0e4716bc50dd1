"""The providers voiceops knows: what each offers, its key variable and its API root.

A leaf module (it imports nothing of voiceops): `config`, `catalog` and `providers` all read
these facts, and `catalog` imports `config`, so the facts cannot live in either of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Capability = Literal["llm", "tts", "stt"]


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    title: str  # how people write it: "ElevenLabs"
    capabilities: frozenset[Capability]
    env_key: str | None  # the variable its SDK and docs use by convention
    base_url: str | None
    #: False when models cannot be checked offline (a user's own OpenAI-compatible server).
    has_catalog: bool = True


PROVIDERS: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo("openai", "OpenAI", frozenset({"llm", "stt"}), "OPENAI_API_KEY",
                     "https://api.openai.com/v1"),
        ProviderInfo("anthropic", "Anthropic", frozenset({"llm"}), "ANTHROPIC_API_KEY",
                     "https://api.anthropic.com"),
        ProviderInfo("sarvam", "Sarvam", frozenset({"llm", "tts", "stt"}), "SARVAM_API_KEY",
                     "https://api.sarvam.ai"),
        ProviderInfo("elevenlabs", "ElevenLabs", frozenset({"tts"}), "ELEVENLABS_API_KEY",
                     "https://api.elevenlabs.io"),
        ProviderInfo("openai_compatible", "OpenAI-compatible", frozenset({"llm"}), None, None,
                     has_catalog=False),
    )
}


def env_key(provider: object) -> str | None:
    """The conventional key variable of `provider`, or None if it has none or is unknown."""
    info = PROVIDERS.get(provider) if isinstance(provider, str) else None
    return info.env_key if info else None


#: Phone carriers (voiceops.telephony): not model providers, but their REST errors are
#: worded by the same transport, which names them by these titles.
CARRIER_TITLES: Mapping[str, str] = {"twilio": "Twilio", "exotel": "Exotel"}


def title(provider: str) -> str:
    """How people write the provider's (or carrier's) name; the raw name when it is unknown."""
    info = PROVIDERS.get(provider)
    return info.title if info else CARRIER_TITLES.get(provider, provider)


def base_url_override(provider: str, environ: Mapping[str, str]) -> str | None:
    """`<PROVIDER>_BASE_URL` from the environment (OPENAI_BASE_URL, ELEVENLABS_BASE_URL...):
    the variable the official SDKs read, used to point voiceops at a proxy or a simulator."""
    return environ.get(f"{provider.upper()}_BASE_URL") or None
