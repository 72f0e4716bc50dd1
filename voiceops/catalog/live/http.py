"""The HTTP layer every live catalog client shares: keys, timeouts, retries, ETags, errors.

    async with open_session(endpoint, etag=previous, root="/models") as session:
        if await session.revalidate():          # every request of last time answers 304
            return session.not_modified()
        data = await session.get_json("/models")
        return session.result(catalog_from(data))

- Timeouts: every request has one (default 10 s to read, 5 s to connect); never unlimited.
- Retries and errors: the provider clients' own (`voiceops.providers.transport`), with
  `CATALOG_RETRY` by default: 408, 429 and 5xx answers, lost connections and timeouts are
  retried with backoff and jitter, a `Retry-After` is honoured up to a cap on the total
  wait, and failures are the `ProviderError`s of `voiceops.errors` worded as a voice turn's
  are, with the provider named and the key never shown.
- ETags: `etag` is the token of an earlier fetch (see `etags`). `revalidate()` asks all its
  requests again with `If-None-Match`, concurrently; 200 answers it got are kept and reused
  by `get_json`, so a changed catalog costs no extra request for those.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from voiceops.catalog.live import etags
from voiceops.catalog.live.concurrency import together
from voiceops.catalog.live.result import FetchResult
from voiceops.catalog.types import ProviderCatalog
from voiceops.errors import BadResponseError, MissingKeyError
from voiceops.provider_facts import PROVIDERS, title
from voiceops.providers.transport.policy import CATALOG_RETRY, RetryPolicy, retry_after
from voiceops.providers.transport.wording import Call

__all__ = [
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "Session",
    "open_session",
    "require_key",
]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: Revalidation requests in flight at once (a 10,000-voice account has 100 pages).
_REVALIDATE_LIMIT = 8


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


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


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
                self._prefetched[key] = answer
        return all(answer.status == 304 for answer in answers)

    async def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        """The decoded JSON of `GET path?params`, after retries; raises a `ProviderError`."""
        key = etags.request_key(path, params)
        answer = self._prefetched.pop(key, None) or await self._request(key, {})
        self._etags[key] = answer.headers.get("etag")
        try:
            return json.loads(answer.body)
        except ValueError as exc:  # JSONDecodeError, or a body that is not UTF-8
            raise self._call(key).invalid_json(answer.body, exc) from exc

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

    def _call(self, key: str) -> Call:
        ep = self.endpoint
        return Call(ep.provider, self._described(key), ep.secret, ep.env_var, self._timeout)

    async def _request(self, key: str, extra: Mapping[str, str]) -> _Answer:
        """One GET, retried per the policy: a success or a 304, else the mapped error."""
        call = self._call(key)
        url = self.endpoint.url(key)
        headers = {**self.endpoint.headers, **extra}

        async def attempt(number: int) -> _Answer:
            answer = await self._once(call, url, headers, number)
            if 200 <= answer.status < 300 or answer.status == 304:
                return answer
            raise call.refused(answer.status, answer.body, wait=retry_after(answer.headers),
                               attempts=number)

        return await self._retry.run(attempt)

    async def _once(self, call: Call, url: str, headers: Mapping[str, str],
                    attempt: int) -> _Answer:
        try:
            request = self._client.build_request("GET", url, headers=headers,
                                                 timeout=self._timeout)
            response = await self._client.send(request, stream=True)
        except httpx.InvalidURL as exc:
            raise call.bad_url(exc) from exc
        except httpx.TransportError as exc:  # no answer yet: connect, timeout, reset
            raise call.unreachable(exc, attempts=attempt) from exc
        try:
            body = await response.aread()
        except httpx.TransportError as exc:  # a stalled body times out; a cut one is cut
            raise call.unreachable(exc, attempts=attempt, in_body=True) from exc
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
    seconds (connect stays at most 5 s). `retry` None means `CATALOG_RETRY`. `root` is the
    key (path and query, see `etags.request_key`) of the fetch's first request.
    """
    if timeout is None:
        limits = DEFAULT_TIMEOUT
    elif isinstance(timeout, httpx.Timeout):
        limits = timeout
    else:
        limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    policy = retry or CATALOG_RETRY
    if client is not None:
        yield Session(endpoint, client, timeout=limits, retry=policy, etag=etag, root=root)
        return
    async with httpx.AsyncClient(timeout=limits) as own:
        yield Session(endpoint, own, timeout=limits, retry=policy, etag=etag, root=root)
