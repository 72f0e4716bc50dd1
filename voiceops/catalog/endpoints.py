"""The OpenAI-compatible servers profiles name (vLLM, Ollama, a gateway), for `--live`.

Such a server is not in the bundled snapshot and has nothing to pin: its models are
whatever it serves today. `validate --live` asks each server a profile names for its model
list (`GET {base_url}/models`, through the cache like the providers' catalogs) and checks
every model named for it against that list. An endpoint is its base URL (the profile's
`base_url`, else OPENAI_COMPATIBLE_BASE_URL) and the variable its key comes from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from voiceops.catalog.references import Target
from voiceops.config.interpolate import reference_name
from voiceops.provider_facts import base_url_override

__all__ = ["PROVIDER", "Endpoint", "endpoint_of", "endpoints"]

PROVIDER = "openai_compatible"


@dataclass(frozen=True, order=True)
class Endpoint:
    """One server: where it is and which variable holds its key (never the key itself)."""

    base_url: str
    key_variable: str | None = None

    def api_key(self, env: Mapping[str, str]) -> str | None:
        """The key to send, or None when the profile names none (local servers)."""
        return (env.get(self.key_variable) or None) if self.key_variable else None


def endpoint_of(section: Mapping[str, Any], env: Mapping[str, str]) -> Endpoint | None:
    """The server an `openai_compatible` choice calls; None for other providers, or when no
    base URL is set anywhere (the schema and the runtime report that)."""
    if section.get("provider") != PROVIDER:
        return None
    written = section.get("base_url")
    url = written if isinstance(written, str) and written else base_url_override(PROVIDER, env)
    if not url:
        return None
    return Endpoint(url.rstrip("/"), reference_name(section.get("api_key")))


def endpoints(choices: Iterable[Target], env: Mapping[str, str]) -> set[Endpoint]:
    """Every server among `choices` (LLM choices and their fallbacks)."""
    return {e for t in choices if (e := endpoint_of(t.data, env)) is not None}
