"""The catalog cache: live answers kept on disk (or in Redis) with a time to live.

Entries are keyed by provider and a hash of the key and server they were fetched with, so
two accounts (whose custom voices differ) never share an entry, and no key is ever written.
A fresh entry costs no request; a stale one is revalidated with its ETag; an unreadable one
is dropped and fetched again. Disk writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from voiceops.catalog.codec import CatalogFormatError, catalog_from_json, catalog_to_json
from voiceops.catalog.lock import atomic_write
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import CatalogError

DEFAULT_TTL_S = 3600.0
_FORMAT = 1


@dataclass(frozen=True)
class CacheKey:
    provider: str
    account: str  # hash of api key + base URL: which account's view this is

    @classmethod
    def of(cls, provider: str, api_key: str | None, base_url: str | None) -> CacheKey:
        digest = hashlib.sha256(f"{api_key or ''}\0{base_url or ''}".encode()).hexdigest()
        return cls(provider, digest[:16])

    @property
    def name(self) -> str:
        return f"{self.provider}-{self.account}"


@dataclass(frozen=True)
class CacheEntry:
    catalog: ProviderCatalog
    etag: str | None
    stored_at: float  # epoch seconds

    def fresh(self, ttl_s: float, now: float | None = None) -> bool:
        return ((now if now is not None else time.time()) - self.stored_at) < ttl_s

    def to_json(self) -> str:
        body = catalog_to_json(self.catalog, source=self.catalog.source,
                               source_date=(self.catalog.fetched_at or "1970-01-01")[:10])
        return json.dumps({"format": _FORMAT, "etag": self.etag, "stored_at": self.stored_at,
                           "fetched_at": self.catalog.fetched_at, "catalog": body})

    @classmethod
    def from_json(cls, text: str, origin: str) -> CacheEntry:
        """Raises CatalogError when the text is not a cache entry of this format."""
        try:
            data: Any = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                raise CatalogError(f"{origin}: not a voiceops cache entry")
            catalog = catalog_from_json(data["catalog"], origin=origin)
            return cls(replace(catalog, source="cache", fetched_at=data.get("fetched_at")),
                       data.get("etag"), float(data["stored_at"]))
        except (ValueError, KeyError, TypeError, CatalogFormatError) as exc:
            raise CatalogError(f"{origin}: corrupt cache entry ({exc})") from exc


class CatalogCache(Protocol):
    """Where live catalogs are kept between runs."""

    def get(self, key: CacheKey) -> CacheEntry | None:
        """The entry for `key`, or None (also when it was unreadable: it is then dropped)."""
        ...

    def put(self, key: CacheKey, entry: CacheEntry) -> None:
        ...


class DiskCache:
    """One JSON file per provider and account under the user's cache folder."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            import platformdirs

            root = Path(platformdirs.user_cache_dir("voiceops")) / "catalog"
        self.root = root

    def _path(self, key: CacheKey) -> Path:
        return self.root / f"{key.name}.json"

    def get(self, key: CacheKey) -> CacheEntry | None:
        path = self._path(key)
        try:
            return CacheEntry.from_json(path.read_text(encoding="utf-8"), str(path))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, CatalogError):
            path.unlink(missing_ok=True)  # a broken entry is worth nothing: fetch again
            return None

    def put(self, key: CacheKey, entry: CacheEntry) -> None:
        atomic_write(self._path(key), entry.to_json())


class RedisCache:
    """Entries in Redis, for teams (and CI runners) that share one cache.

    Needs the `redis` extra: `pip install 'voiceops[redis]'`.
    """

    PREFIX = "voiceops:catalog:"

    def __init__(self, url: str, timeout_s: float = 2.0) -> None:
        try:
            import redis
        except ImportError as exc:
            raise CatalogError("--cache-url redis://... needs the redis extra: "
                               "pip install 'voiceops[redis]'") from exc
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_s,
                                            socket_connect_timeout=timeout_s)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.url = url

    def get(self, key: CacheKey) -> CacheEntry | None:
        name = self.PREFIX + key.name
        try:
            raw = self._client.get(name)
        except self._errors as exc:
            raise CatalogError(f"cache {self.url} is unreachable: {exc}") from exc
        if raw is None:
            return None
        try:
            return CacheEntry.from_json(raw.decode("utf-8") if isinstance(raw, bytes)
                                        else str(raw), f"redis {name}")
        except (UnicodeDecodeError, CatalogError):
            self._client.delete(name)
            return None

    def put(self, key: CacheKey, entry: CacheEntry) -> None:
        try:
            self._client.set(self.PREFIX + key.name, entry.to_json())
        except self._errors as exc:
            raise CatalogError(f"cache {self.url} is unreachable: {exc}") from exc


def open_cache(url: str | None) -> CatalogCache:
    """The cache named by `--cache-url` (redis://...), or the disk cache."""
    if url is None:
        return DiskCache()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisCache(url)
    if url.startswith("file://") or "://" not in url:
        return DiskCache(Path(url.removeprefix("file://")))
    raise CatalogError(f"--cache-url {url}: use redis://host:port/db or a folder path")
