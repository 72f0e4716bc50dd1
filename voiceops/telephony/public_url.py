"""The daemon's address as a carrier reaches it (`voiceops run --public-url`).

A tunnel or a TLS proxy usually sits between Twilio and the daemon, so the URL a request
arrives at (http://127.0.0.1:8765/...) is not the URL Twilio signed (https://abc.ngrok.app/...),
nor the one a `<Stream url>` must name. `--public-url` says what the outside sees: scheme,
host, optional port and path prefix; paths the daemon serves are appended to it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["normalize_public_url", "public_origin", "websocket_url"]


def normalize_public_url(text: str) -> str:
    """`text` as `scheme://host[:port][/prefix]` without a trailing slash; ValueError (with a
    one-line reason) unless it is an http(s) URL with a host and no query or fragment."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected https://host[:port][/prefix], not {text!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"a public URL has no query string or fragment: {text!r}")
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        raise ValueError(f"bad port in {text!r}: {exc}") from exc
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def public_origin(public_url: str) -> str:
    """`https://host[:port]` of a normalized public URL (what browsers send as Origin)."""
    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}"


def websocket_url(base: str, path: str) -> str:
    """`path` under the http(s) `base`, as a ws(s) URL: https -> wss, http -> ws."""
    scheme, rest = base.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{path}"
