"""Who may talk to the daemon from a browser, and how much they may send.

A daemon on loopback without a token trusts whoever reaches it, and a web page the developer
happens to visit reaches it too: its WebSockets and "simple" POSTs cross origins freely, and
a DNS-rebinding page talks to it under its own host name. So, before any route runs:

- `Host` must name this daemon when it serves on loopback (a rebinding page's host does not);
- a request from a browser page (it carries `Origin`) must come from the console's own
  origin, a loopback origin or one the operator allowed (`--allow-origin`), for WebSocket
  upgrades and every method that changes something;
- a POST's body must be JSON (a cross-site form or `text/plain` fetch cannot send that
  without a CORS preflight, which the daemon never grants) and no larger than the cap,
  checked before it is read. The one exception is a path in `form_paths` (Twilio's voice
  webhook posts a form): such a route must authenticate the request itself (a signature).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voiceops.server.http import problem

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = frozenset({"localhost"})

Refused = Callable[[str], None]  # told the reason of every refusal, for metrics


def _hostname(host: str) -> str:
    """`[::1]:8765` -> `::1`, `Localhost:80` -> `localhost`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_name(name: str) -> bool:
    """localhost, *.localhost, 127.0.0.0/8 and ::1."""
    name = name.lower().rstrip(".")
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def normalize_origin(origin: str) -> str:
    """`HTTPS://Console.Example/` -> `https://console.example` (how browsers send it)."""
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"an origin is scheme://host[:port], not {origin!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class GuardRules:
    """What the guard lets through; built from the daemon's settings."""

    bind_host: str | None  # None: embedded (tests, ASGI hosting): no Host check
    allow_origins: frozenset[str] = frozenset()
    max_body_bytes: int = 64 * 1024
    form_paths: frozenset[str] = frozenset()  # may POST a form; they check a signature

    @classmethod
    def build(cls, bind_host: str | None, allow_origins: Iterable[str],
              max_body_bytes: int, form_paths: Iterable[str] = ()) -> GuardRules:
        return cls(bind_host, frozenset(normalize_origin(o) for o in allow_origins),
                   max_body_bytes, frozenset(form_paths))

    def host_allowed(self, host: str) -> bool:
        if self.bind_host is None or not is_loopback_name(self.bind_host):
            return True  # off loopback a token is required, which a rebinding page lacks
        name = _hostname(host)
        return is_loopback_name(name) or name == self.bind_host.lower() or any(
            urlsplit(origin).hostname == name for origin in self.allow_origins)

    def origin_allowed(self, origin: str, host: str) -> bool:
        try:
            normalized = normalize_origin(origin)
        except ValueError:
            return False  # "null" (sandboxed frames, file://) and junk
        hostname = urlsplit(normalized).hostname or ""
        own = normalized.split("://", 1)[1] == host.strip().lower()
        return own or is_loopback_name(hostname) or normalized in self.allow_origins


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


class RequestGuard:
    """ASGI middleware applying `GuardRules` to every HTTP request and WebSocket upgrade."""

    def __init__(self, app: ASGIApp, rules: GuardRules, refused: Refused) -> None:
        self.app = app
        self.rules = rules
        self.refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        websocket = scope["type"] == "websocket"
        changes = websocket or scope["method"] not in _SAFE_METHODS
        origin = headers.get("origin")
        if not self.rules.host_allowed(host):
            await self._refuse(scope, receive, send, "host", 403, "forbidden_host",
                               "this daemon does not answer to that Host name")
        elif changes and origin is not None and not self.rules.origin_allowed(origin, host):
            await self._refuse(scope, receive, send, "origin", 403, "forbidden_origin",
                               f"requests from {origin} are not allowed; start the "
                               "daemon with --allow-origin to allow a page's origin")
        elif websocket or not changes:
            await self.app(scope, receive, send)
        elif _media_type(headers) != "application/json" and not (
                scope["path"] in self.rules.form_paths
                and _media_type(headers) == "application/x-www-form-urlencoded"):
            await self._refuse(scope, receive, send, "content_type", 415,
                               "unsupported_media_type", "send the body as application/json")
        else:
            await self._bounded(scope, receive, send, headers)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send,
                       headers: Headers) -> None:
        """Read the body up to the cap (refusing more), then hand it to the app whole."""
        cap = self.rules.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > cap:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._refuse(scope, receive, send, "body_size", 413, "too_large",
                           f"request bodies are limited to {self.rules.max_body_bytes} bytes")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, reason: str,
                      status: int, kind: str, detail: str) -> None:
        self.refused(reason)
        if scope["type"] == "websocket":
            # closing before accepting makes the server answer the upgrade with 403
            await send({"type": "websocket.close", "code": 1008, "reason": kind})
            return
        await problem(status, kind, detail)(scope, receive, send)
