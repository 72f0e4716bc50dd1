"""The API root a provider request goes to."""

from __future__ import annotations

from voiceops.errors import ProviderSetupError
from voiceops.provider_facts import PROVIDERS, title

__all__ = ["base_url_for"]


def base_url_for(provider: str, base_url: str | None) -> str:
    """`base_url`, else the provider's public API root; `ProviderSetupError` when neither."""
    url = base_url or (PROVIDERS[provider].base_url if provider in PROVIDERS else None)
    if not url:
        raise ProviderSetupError(f"{title(provider)}: base_url is required (the address of "
                                 "your server, e.g. http://localhost:8000/v1)", provider=provider)
    if not url.startswith(("http://", "https://")):
        raise ProviderSetupError(f"{title(provider)}: base_url must start with http:// or "
                                 f"https://, not {url!r}", provider=provider)
    return url
