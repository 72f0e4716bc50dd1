"""Bearer tokens: required whenever the daemon has one (always, off loopback)."""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection


def authorized(connection: HTTPConnection, token: str | None) -> bool:
    """True when no token is required, or the client sent it (header, or ?token= for
    browsers' WebSockets, which cannot set headers)."""
    if token is None:
        return True
    header = connection.headers.get("authorization", "")
    sent = header[7:] if header.lower().startswith("bearer ") else connection.query_params.get(
        "token", "")
    return hmac.compare_digest(sent.encode(), token.encode())
