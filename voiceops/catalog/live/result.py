"""What a live fetch returns, and how callers describe the fetches they want."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from voiceops.catalog.types import ProviderCatalog

__all__ = ["FetchRequest", "FetchResult", "now_iso"]


@dataclass(frozen=True)
class FetchResult:
    """One provider's live catalog, or word that the caller's copy is still current.

    `catalog` is None exactly when `not_modified` is true: the server confirmed (304) that
    what `etag` stands for has not changed, so a cached catalog stays good. `etag` is an
    opaque token to pass back as `fetch(..., etag=...)` next time; None when the provider
    sent no ETag.
    """

    provider: str
    catalog: ProviderCatalog | None
    etag: str | None = None
    not_modified: bool = False


@dataclass(frozen=True)
class FetchRequest:
    """One fetch for `fetch_all`: which provider, with which key, server and previous ETag.

    `api_key` None means the provider's usual environment variable; `base_url` None means
    the provider's public API. `name` keys the result (default: the provider), so two
    OpenAI-compatible servers can be fetched side by side.
    """

    provider: str
    api_key: str | None = None
    base_url: str | None = None
    etag: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        """The name this request's result is filed under."""
        return self.name or self.provider


def now_iso() -> str:
    """The current UTC time as ISO-8601 to the second, for `ProviderCatalog.fetched_at`."""
    return datetime.now(UTC).isoformat(timespec="seconds")
