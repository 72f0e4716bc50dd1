from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voiceops.catalog.cache import CacheEntry, CacheKey, DiskCache, RedisCache, open_cache
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.errors import CatalogError


def entry(stored_at: float = 1000.0) -> CacheEntry:
    catalog = BundledSnapshot().provider_catalog("elevenlabs")
    assert catalog is not None
    return CacheEntry(catalog, 'W/"abc"', stored_at)


def test_key_hides_the_api_key_and_separates_accounts() -> None:
    a = CacheKey.of("openai", "sk-secret-1", None)
    b = CacheKey.of("openai", "sk-secret-2", None)
    assert a != b and "secret" not in a.name
    assert CacheKey.of("openai", "sk-secret-1", "http://proxy") != a


def test_freshness() -> None:
    assert entry(1000.0).fresh(3600, now=1000.0 + 3599)
    assert not entry(1000.0).fresh(3600, now=1000.0 + 3601)


def test_disk_round_trip(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    key = CacheKey.of("elevenlabs", "k", None)
    assert cache.get(key) is None
    cache.put(key, entry())
    got = cache.get(key)
    assert got is not None and got.etag == 'W/"abc"' and got.stored_at == 1000.0
    assert got.catalog.source == "cache"
    assert {v.id for v in got.catalog.voices} == {v.id for v in entry().catalog.voices}
    assert [p.name for p in tmp_path.iterdir()] == [f"{key.name}.json"]


@pytest.mark.parametrize("junk", [b"", b"{not json", b'{"format": 1}', b"\xff\xfe"])
def test_corrupt_disk_entry_is_dropped(tmp_path: Path, junk: bytes) -> None:
    cache = DiskCache(tmp_path)
    key = CacheKey.of("openai", "k", None)
    (tmp_path / f"{key.name}.json").write_bytes(junk)
    assert cache.get(key) is None
    assert not (tmp_path / f"{key.name}.json").exists()


def test_open_cache_choices(tmp_path: Path) -> None:
    assert isinstance(open_cache(str(tmp_path)), DiskCache)
    with pytest.raises(CatalogError, match="redis://"):
        open_cache("memcached://x")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port, for this module."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail("redis-server is not installed, though .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20  # generous: a busy machine starts it slowly
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start listening on port {port}")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(5)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow  # starts redis-server
def test_redis_round_trip_and_corrupt_entry(redis_url: str) -> None:
    cache = open_cache(redis_url)
    assert isinstance(cache, RedisCache)
    key = CacheKey.of("elevenlabs", "team-key", None)
    cache.put(key, entry(5.0))
    got = cache.get(key)
    assert got is not None and got.stored_at == 5.0
    cache._client.set(RedisCache.PREFIX + key.name, b"garbage")
    assert cache.get(key) is None
    assert cache._client.get(RedisCache.PREFIX + key.name) is None


def test_unreachable_redis_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", timeout_s=0.5)
    with pytest.raises(CatalogError, match="unreachable"):
        cache.get(CacheKey.of("openai", None, None))
