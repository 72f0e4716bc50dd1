"""The HTTP layer every live catalog client shares: keys, timeouts, retries, ETags, errors.

    async with open_session(endpoint, etag=previous, root="/models") as session:
        if await session.revalidate():          # every request of last time answers 304
            return session.not_modified()
        data = await session.get_json("/models")
        return session.result(catalog_from(data))

- Timeouts: every request has one (default 10 s to read, 5 s to connect); never unlimited.
- Retries: 408, 429 and 5xx answers, connection failures and timeouts are retried with
  exponential backoff and jitter; a `Retry-After` (or `retry-after-ms`) is honoured as
  asked. The total time spent waiting is capped; past the cap the error says how long the
  server asked to wait. `RetryPolicy(sleep=..., rand=...)` makes tests fast and exact.
- Errors: failures become the `ProviderError` classes of `voiceops.errors` (see
  `failures`), with the provider named and the key never shown.
- ETags: `etag` is the token of an earlier fetch (see `etags`). `revalidate()` asks all its
  requests again with `If-None-Match`, concurrently; 200 answers it got are kept and reused
  by `get_json`, so a changed catalog costs no extra request for those.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from voiceops.catalog.live import etags, failures
from voiceops.catalog.live.concurrency import together
from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import BadResponseError, MissingKeyError, ProviderSetupError
from voiceops.provider_facts import PROVIDERS, title

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "RetryPolicy",
    "Session",
    "base_url_for",
    "open_session",
    "require_key",
]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: Revalidation requests in flight at once (a 10,000-voice account has 100 pages).
_REVALIDATE_LIMIT = 8


def _retryable(status: int) -> bool:
    # 501 Not Implemented will not change on a retry; other 5xx (and 529, Anthropic's
    # "overloaded") usually do.
    return status in (408, 429) or (status >= 500 and status != 501)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed request.

    `attempts` counts the first try. The n-th retry waits `base_delay * 2**(n-1)` seconds
    (at most `max_delay`), less up to `jitter` of it at random, or what `Retry-After` asks.
    Waiting stops once the next wait would pass `max_total_wait` in all.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total_wait: float = 20.0
    jitter: float = 0.25
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rand: Callable[[], float] = random.random

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return delay * (1 - self.jitter * self.rand())


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Endpoint:
    """One provider's API as a client reaches it: root URL, headers (with the key)."""

    provider: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The API key, kept only to be redacted from anything a server sends back.
    secret: str | None = field(default=None, repr=False)
    #: Where the key came from by convention, named in auth errors.
    env_var: str | None = None

    @property
    def title(self) -> str:
        return title(self.provider)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def require_key(
    provider: str, api_key: str | None, environ: Mapping[str, str] | None = None,
) -> str:
    """`api_key`, else the provider's environment variable; `MissingKeyError` naming it."""
    env_var = PROVIDERS[provider].env_key if provider in PROVIDERS else None
    env = os.environ if environ is None else environ
    key = api_key or (env.get(env_var) if env_var else None)
    if key and key.strip():
        return key.strip()
    where = f"set {env_var}" if env_var else "write api_key: ${VAR} in the profile"
    raise MissingKeyError(f"{title(provider)}: no API key to fetch the live catalog; {where}",
                          provider=provider, env_var=env_var)


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


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    attempts: int = 1


class _Transient(Exception):
    """A transport failure worth retrying (no connection, a timeout)."""

    def __init__(self, cause: httpx.TransportError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Session:
    """The requests of one fetch from one provider; see the module docstring."""

    def __init__(
        self, endpoint: Endpoint, client: httpx.AsyncClient, *, timeout: httpx.Timeout,
        retry: RetryPolicy, etag: str | None, root: str,
    ) -> None:
        self.endpoint = endpoint
        self._client = client
        self._timeout = timeout
        self._retry = retry
        self._token = etag
        self._previous = etags.unpack(etag, root)
        self._etags: dict[str, str | None] = {}
        self._prefetched: dict[str, _Answer] = {}

    async def revalidate(self) -> bool:
        """True when every request of the previous fetch answers 304 (nothing changed)."""
        if not self._previous:
            return False
        keys = list(self._previous)
        answers = await together(
            [self._request(key, {"If-None-Match": self._previous[key]}) for key in keys],
            limit=_REVALIDATE_LIMIT,
        )
        for key, answer in zip(keys, answers, strict=True):
            if answer.status != 304:
                self._check(key, answer)
                self._prefetched[key] = answer
        return all(answer.status == 304 for answer in answers)

    async def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        """The decoded JSON of `GET path?params`, after retries; raises a `ProviderError`."""
        key = etags.request_key(path, params)
        answer = self._prefetched.pop(key, None) or await self._request(key, {})
        self._check(key, answer)
        self._etags[key] = answer.headers.get("etag")
        try:
            return json.loads(answer.body)
        except ValueError as exc:  # JSONDecodeError, or a body that is not UTF-8
            raise failures.invalid_json(self.endpoint.title, self.endpoint.provider,
                                        self._described(key), answer.body, exc) from exc

    def bad_shape(self, path: str, problem: str) -> BadResponseError:
        """The error for a JSON answer that is not shaped as the provider documents."""
        return BadResponseError(
            f"{self.endpoint.title} sent an unexpected answer to {self._described(path)}: "
            f"{problem}", provider=self.endpoint.provider,
        )

    def result(self, catalog: ProviderCatalog) -> FetchResult:
        """A fresh catalog, with the token that lets the next fetch revalidate it."""
        return FetchResult(self.endpoint.provider, catalog, etags.pack(self._etags))

    def not_modified(self) -> FetchResult:
        """The answer when `revalidate()` found nothing changed."""
        return FetchResult(self.endpoint.provider, None, self._token, not_modified=True)

    def _described(self, key: str) -> str:
        return "GET " + self.endpoint.url(key.split("?", 1)[0])

    def _check(self, key: str, answer: _Answer) -> None:
        """Raise the mapped error unless `answer` is a success (or a 304)."""
        if 200 <= answer.status < 300 or answer.status == 304:
            return
        ep = self.endpoint
        if answer.status in (401, 403):
            raise failures.auth_error(ep.title, ep.provider, self._described(key),
                                      answer.status, answer.body, ep.secret, ep.env_var)
        raise failures.status_error(
            ep.title, ep.provider, self._described(key), answer.status, answer.body,
            ep.secret, attempts=answer.attempts,
            wait=failures.retry_after(answer.headers),
        )

    async def _request(self, key: str, extra: Mapping[str, str]) -> _Answer:
        """One GET with retries. Returns the last answer; raises only for transport failures."""
        url = self.endpoint.url(key)
        headers = {**self.endpoint.headers, **extra}
        waited = 0.0
        attempt = 0
        answer: _Answer | None
        cause: httpx.TransportError | None
        while True:
            attempt += 1
            try:
                answer, cause = await self._once(url, headers, key), None
            except _Transient as failure:
                answer, cause = None, failure.cause
            if answer is not None and not _retryable(answer.status):
                return replace(answer, attempts=attempt)
            asked = failures.retry_after(answer.headers) if answer is not None else None
            delay = asked if asked is not None else self._retry.backoff(attempt)
            if attempt >= self._retry.attempts or waited + delay > self._retry.max_total_wait:
                if answer is not None:
                    # _check() maps it, naming the wait the server asked for.
                    return replace(answer, attempts=attempt)
                assert cause is not None
                raise failures.transport_error(
                    self.endpoint.title, self.endpoint.provider, self._described(key), cause,
                    attempts=attempt, timeout=self._timeout,
                ) from cause
            await self._retry.sleep(delay)
            waited += delay

    async def _once(self, url: str, headers: Mapping[str, str], key: str) -> _Answer:
        try:
            request = self._client.build_request("GET", url, headers=headers,
                                                 timeout=self._timeout)
        except httpx.InvalidURL as exc:
            raise ProviderSetupError(f"{self.endpoint.title}: invalid URL {url!r}: {exc}",
                                     provider=self.endpoint.provider) from exc
        try:
            response = await self._client.send(request, stream=True)
        except httpx.UnsupportedProtocol as exc:
            raise ProviderSetupError(f"{self.endpoint.title}: cannot request {url!r}: {exc}",
                                     provider=self.endpoint.provider) from exc
        except httpx.TransportError as exc:  # no answer yet: connect, timeout, reset
            raise _Transient(exc) from exc
        try:
            body = await response.aread()
        except httpx.TimeoutException as exc:  # the body stalled: a timeout like any other
            raise _Transient(exc) from exc
        except httpx.TransportError as exc:  # the body stopped short: not worth a retry
            raise failures.truncated(self.endpoint.title, self.endpoint.provider,
                                     self._described(key), exc) from exc
        finally:
            await response.aclose()
        return _Answer(response.status_code, response.headers, body)


@asynccontextmanager
async def open_session(
    endpoint: Endpoint, *, client: httpx.AsyncClient | None = None,
    timeout: float | httpx.Timeout | None = None, retry: RetryPolicy | None = None,
    etag: str | None = None, root: str,
) -> AsyncIterator[Session]:
    """A `Session` on `client`, or on a client of its own closed on exit.

    `timeout` None means `DEFAULT_TIMEOUT`; a number is the read/write/pool timeout in
    seconds (connect stays at most 5 s). `root` is the key (path and query, see
    `etags.request_key`) of the fetch's first request.
    """
    if timeout is None:
        limits = DEFAULT_TIMEOUT
    elif isinstance(timeout, httpx.Timeout):
        limits = timeout
    else:
        limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    policy = retry or DEFAULT_RETRY
    if client is not None:
        yield Session(endpoint, client, timeout=limits, retry=policy, etag=etag, root=root)
        return
    async with httpx.AsyncClient(timeout=limits) as own:
        yield Session(endpoint, own, timeout=limits, retry=policy, etag=etag, root=root)
