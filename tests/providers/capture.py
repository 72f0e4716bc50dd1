"""A loopback server that records the requests it gets, for comparing what an official SDK
sends with what voiceops' own client sends for the same call (tests/providers/test_wire_*).

    with Capture() as capture:
        ...                                    # a client pointed at capture.url
    request = capture.first()
    request.wire()                             # what must match: method, path, auth, body

Every request is answered 400 with a small JSON error, so no client takes the answer for
audio or a reply; the clients' errors are expected and ignored by the tests.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voiceops.sim.multipart import parse_form
from voiceops.sim.server import SimServer

#: Headers that carry a key or pick an API version: these must match by name.
AUTH_HEADERS = frozenset({"authorization", "x-api-key", "api-subscription-key", "xi-api-key",
                          "anthropic-version"})


@dataclass
class Captured:
    """One request as it arrived."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    content_type: str
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, str | None] = field(default_factory=dict)

    def auth(self) -> dict[str, str]:
        """The key and version headers, by name; a key's value is shown only by its scheme."""
        found = {}
        for name in AUTH_HEADERS & set(self.headers):
            value = self.headers[name]
            found[name] = value.split(" ")[0] if name == "authorization" else (
                value if name == "anthropic-version" else "<key>")
        return found

    def wire(self) -> dict[str, Any]:
        """What two clients making the same call must agree on."""
        kind = self.content_type.split(";")[0].strip()
        return {"method": self.method, "path": self.path, "query": self.query,
                "auth": self.auth(), "content_type": kind,
                "json_keys": sorted(self.json) if self.json is not None else None,
                "form_keys": sorted(self.form), "file_fields": sorted(self.files)}


class Capture(SimServer):
    """A loopback server keeping every request it receives (`requests`)."""

    def __init__(self) -> None:
        self.captured: list[Captured] = []
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/{path:path}", self._record,
                                      methods=["GET", "POST", "PUT", "DELETE"])])
        super().__init__(app, name="capture")

    async def _record(self, request: Request) -> Response:
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        entry = Captured(request.method, request.url.path, dict(request.query_params),
                         {k.lower(): v for k, v in request.headers.items()}, content_type)
        if content_type.startswith("application/json") and raw:
            entry.json = json.loads(raw)
        elif content_type.startswith("multipart/form-data"):
            for name, part in parse_form(raw, content_type).items():
                if part.filename is not None:
                    entry.files[name] = part.content_type
                else:
                    entry.form[name] = part.text
        with self._lock:
            self.captured.append(entry)
        return JSONResponse({"error": {"message": "captured", "code": "captured"}}, 400)

    def first(self) -> Captured:
        """The first request received (a client may retry; the first is what it meant)."""
        with self._lock:
            assert self.captured, "no request reached the capture server"
            return self.captured[0]


def captured(call: Callable[[str], object]) -> Captured:
    """The first request `call(url)` makes to a fresh capture server (its errors ignored:
    the server answers every request 400)."""
    with Capture() as server:
        with contextlib.suppress(Exception):
            call(server.url)
        return server.first()
