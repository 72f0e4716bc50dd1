"""JSON answers for the simulators: compact bodies with an ETag, and 304 on a matching
`If-None-Match`, as a caching client expects from a list endpoint."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["error_response", "etag_of", "json_response", "matches"]


def etag_of(body: bytes) -> str:
    """A strong ETag for `body`: the same bytes always get the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an `If-None-Match` header value names `etag` (weak comparison, or `*`)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def json_response(request: Request, payload: Any, status: int = 200) -> Response:
    """`payload` as JSON with an ETag; 304 with no body when the client already has it."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    etag = etag_of(body)
    if status == 200 and matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"etag": etag})
    return Response(body, status, headers={"etag": etag}, media_type="application/json")


def error_response(payload: dict[str, Any], status: int) -> Response:
    """A provider-shaped error body, never cached (no ETag)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(body, status, media_type="application/json")
