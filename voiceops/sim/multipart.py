"""Read a `multipart/form-data` body (the STT uploads) without python-multipart.

starlette's `request.form()` needs the python-multipart package, which the simulators
would otherwise be alone in needing. An upload body is small and already in memory, so
splitting it on its boundary is enough; headers are parsed with the stdlib's email parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

__all__ = ["FormError", "Part", "parse_form"]


class FormError(ValueError):
    """Raised when a body is not the multipart form its Content-Type says."""


@dataclass(frozen=True)
class Part:
    """One field of a form: its name, its bytes, and for a file its name and type."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def _header(value: str) -> Message:
    return HeaderParser().parsestr(f"Content-Type: {value}\r\n\r\n")


def parse_form(body: bytes, content_type: str) -> dict[str, Part]:
    """The fields of a multipart body by name (a repeated name keeps its last part)."""
    parsed = _header(content_type)
    boundary = parsed.get_param("boundary")
    if parsed.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise FormError(f"expected multipart/form-data with a boundary, got {content_type!r}")
    delimiter = b"--" + boundary.encode("latin-1")
    pieces = body.split(delimiter)
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        raise FormError("the multipart body has no closing boundary")
    fields: dict[str, Part] = {}
    for raw in pieces[1:-1]:
        raw = raw.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, separator, data = raw.partition(b"\r\n\r\n")
        if not separator:
            raise FormError("a multipart part has no blank line after its headers")
        headers = HeaderParser().parsestr(head.decode("latin-1") + "\r\n\r\n")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise FormError("a multipart part has no name")
        filename = headers.get_param("filename", header="content-disposition")
        fields[name] = Part(name, data, filename if isinstance(filename, str) else None,
                            headers.get("content-type"))
    return fields
