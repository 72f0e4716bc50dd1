"""What a carrier's media stream says, whichever carrier: typed events, and the dialect
each carrier speaks them in.

    Connected   the socket is up (the first frame)
    Started     the call: who, which stream, the audio's encoding and rate (once)
    Media       caller audio, as the carrier encoded it (mu-law or PCM s16le)
    Dtmf        a key pressed
    Marked      the audio sent before a mark of ours has played (or was cleared)
    Stopped     the stream ends (the last frame)

A frame that breaks its dialect's rules raises `StreamError`; the call counts it and goes
on (a carrier never sends one, so it is a bug or an impostor, not a reason to drop a call).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from voiceops.errors import TelephonyError
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["ChunkRule", "Connected", "Dialect", "Dtmf", "Encoding", "Event", "Fields",
           "Marked", "Media", "Started", "Stopped", "StreamError", "encode_payload"]

Encoding = Literal["mulaw", "pcm"]


class StreamError(TelephonyError):
    """Raised when a carrier frame breaks its protocol; the message names the field."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_stream_frame", message)


@dataclass(frozen=True)
class Connected:
    pass


@dataclass(frozen=True)
class Started:
    call: CallInfo
    encoding: Encoding
    sample_rate: int


@dataclass(frozen=True)
class Media:
    stream_sid: str
    payload: bytes  # as encoded on the wire


@dataclass(frozen=True)
class Dtmf:
    stream_sid: str
    digit: str


@dataclass(frozen=True)
class Marked:
    stream_sid: str
    name: str


@dataclass(frozen=True)
class Stopped:
    stream_sid: str
    reason: str | None = None


Event = Connected | Started | Media | Dtmf | Marked | Stopped


@dataclass(frozen=True)
class ChunkRule:
    """How outbound audio must be cut: every chunk a multiple of `multiple` bytes, at least
    `min_bytes` (the tail of an utterance is padded with silence) and at most `max_bytes`."""

    multiple: int
    min_bytes: int
    max_bytes: int


class Dialect(Protocol):
    """One carrier's stream protocol: frames in, frames out."""

    carrier: Carrier
    chunks: ChunkRule

    def parse(self, raw: str) -> Event:
        """A text frame as an event; StreamError when it breaks the protocol."""
        ...

    def media(self, stream_sid: str, payload: bytes) -> str: ...

    def mark(self, stream_sid: str, name: str) -> str: ...

    def clear(self, stream_sid: str) -> str: ...


class Fields:
    """Reads a frame's fields strictly, naming the path of whatever is wrong."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise StreamError(f"{where} must be an object")
        self.data: dict[str, Any] = data
        self.where = where

    @classmethod
    def frame(cls, raw: str) -> Fields:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise StreamError(f"frame is not JSON: {exc}") from exc
        return cls(data, "frame")

    def sub(self, key: str) -> Fields:
        return Fields(self.data.get(key), f"{self.where}.{key}" if self.where != "frame"
                      else key)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, *, empty: bool = False) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or (not value and not empty):
            raise StreamError(f"{self._path(key)} must be a{'' if empty else ' non-empty'} "
                              "string")
        return value

    def number(self, key: str) -> int:
        """An integer, sent as a number or a string of digits (carriers do both)."""
        value = self.data.get(key)
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if type(value) is int:
            return value
        raise StreamError(f"{self._path(key)} must be an integer")

    def strings(self, key: str) -> dict[str, str]:
        """An object of string values (absent: empty)."""
        value = self.data.get(key, {})
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise StreamError(f"{self._path(key)} must be an object of strings")
        return dict(value)

    def payload(self, key: str) -> bytes:
        text = self.text(key, empty=True)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise StreamError(f"{self._path(key)} is not base64") from exc

    def _path(self, key: str) -> str:
        return key if self.where == "frame" else f"{self.where}.{key}"


def encode_payload(payload: bytes) -> str:
    return base64.b64encode(payload).decode("ascii")
