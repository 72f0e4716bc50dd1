"""One opaque ETag token for a fetch that may make several requests.

A provider's catalog can take several requests (Anthropic's pages; ElevenLabs' voice pages
plus its models). The token remembers each request's ETag, keyed by path and query:

- one request: the token is that response's ETag itself, as the server sent it;
- several: `voiceops-etags:` followed by the sorted JSON list of `[key, etag]` pairs;
- any response without an ETag: no token (nothing to revalidate with).

A caller stores the token and hands it back; only this module reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

__all__ = ["pack", "request_key", "unpack"]

_PREFIX = "voiceops-etags:"


def request_key(path: str, params: Mapping[str, str | int] | None = None) -> str:
    """The key of a GET: its path and its sorted query (so the same request, same key)."""
    if not params:
        return path
    return path + "?" + urlencode(sorted((k, str(v)) for k, v in params.items()))


def pack(etags: Mapping[str, str | None]) -> str | None:
    """The token for the requests of one fetch, or None when any of them had no ETag."""
    if not etags or any(not tag for tag in etags.values()):
        return None
    if len(etags) == 1:
        return next(iter(etags.values()))
    pairs = sorted((key, tag) for key, tag in etags.items())
    return _PREFIX + json.dumps(pairs, separators=(",", ":"))


def unpack(token: str | None, root: str) -> dict[str, str]:
    """Request key -> ETag from a token; a bare ETag belongs to the fetch's first request
    (`root`). An unreadable token gives {} (the fetch simply is not conditional)."""
    if not token:
        return {}
    if not token.startswith(_PREFIX):
        return {root: token}
    try:
        pairs = json.loads(token[len(_PREFIX):])
    except ValueError:
        return {}
    if not isinstance(pairs, list):
        return {}
    found: dict[str, str] = {}
    for pair in pairs:
        if (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(p, str) and p for p in pair)):
            found[pair[0]] = pair[1]
        else:
            return {}
    return found
