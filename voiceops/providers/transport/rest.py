"""One request to a provider over `httpx`, as the TTS and STT clients make it.

    async with rest.open_response(http, call, build) as response:
        async for chunk in rest.iter_body(response, call):
            ...

- Retries: TTS and STT requests are idempotent, so a quick failure is retried per the
  policy (`ONE_RETRY` by default), and only before the answer's first byte: once bytes
  have reached the caller, a failure is theirs to handle.
- Errors: every failure leaves as a `ProviderError` (see `wording`); a transport failure
  while the body is read means the answer was cut (`TruncatedResponseError`).
- Cancelling the caller closes the response, and so the connection: the provider stops
  synthesising for a caller who barged in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from voiceops.providers.transport.policy import ONE_RETRY, RetryPolicy, retry_after
from voiceops.providers.transport.wording import Call, Refine

__all__ = ["iter_body", "open_response", "post", "read_body"]


def post(http: httpx.AsyncClient, url: str, headers: Mapping[str, str],
         timeout: httpx.Timeout, **content: Any) -> Callable[[], httpx.Request]:
    """What `open_response` takes: a builder of one POST to `url` (content as httpx takes
    it: json=, data=, files=, params=), made anew for each try. Pass the `Call`'s timeout,
    so that a timeout's message names the limit the request had."""
    def build() -> httpx.Request:
        return http.build_request("POST", url, headers=dict(headers), timeout=timeout,
                                  **content)

    return build


@asynccontextmanager
async def open_response(
    http: httpx.AsyncClient, call: Call, build: Callable[[], httpx.Request], *,
    retry: RetryPolicy = ONE_RETRY, refine: Refine | None = None,
) -> AsyncIterator[httpx.Response]:
    """A 2xx streaming response to `build()`'s request (rebuilt for each try), closed on exit.

    Raises the mapped `ProviderError` when no try succeeds; `refine` reads a refusal first.
    """
    response = await _send(http, call, build, retry, refine)
    try:
        yield response
    finally:
        await response.aclose()


async def _send(
    http: httpx.AsyncClient, call: Call, build: Callable[[], httpx.Request],
    retry: RetryPolicy, refine: Refine | None,
) -> httpx.Response:
    async def attempt(number: int) -> httpx.Response:
        try:
            response = await http.send(build(), stream=True)
        except httpx.InvalidURL as exc:
            raise call.bad_url(exc) from exc
        except httpx.TransportError as exc:
            raise call.unreachable(exc, attempts=number) from exc
        if response.is_success:
            return response
        body = await _error_body(response)
        raise call.refused(response.status_code, body, wait=retry_after(response.headers),
                           attempts=number, refine=refine)

    return await retry.run(attempt)


async def _error_body(response: httpx.Response) -> bytes:
    # An error answer is read only to be quoted: if even that fails, quote nothing.
    try:
        return await response.aread()
    except httpx.TransportError:
        return b""
    finally:
        await response.aclose()


async def iter_body(response: httpx.Response, call: Call) -> AsyncIterator[bytes]:
    """The body of `response` as it arrives; a failure midway is a `ProviderError`."""
    try:
        async for chunk in response.aiter_bytes():
            if chunk:
                yield chunk
    except httpx.TransportError as exc:
        raise call.unreachable(exc, in_body=True) from exc


async def read_body(response: httpx.Response, call: Call) -> bytes:
    """The whole body of `response`; a failure midway is a `ProviderError`."""
    try:
        return await response.aread()
    except httpx.TransportError as exc:
        raise call.unreachable(exc, in_body=True) from exc
