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
from typing import Any, Literal

from voiceops.errors import TelephonyError
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["DTMF_DIGITS", "ChunkRule", "Connected", "Dialect", "Dtmf", "Encoding", "Event",
           "Fields", "Marked", "Media", "Started", "Stopped", "StreamError", "encode_payload"]

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


#: The keys a caller can press (DTMF): digits, star, pound and the rare A-D.
DTMF_DIGITS = frozenset("0123456789*#ABCD")


class Dialect:
    """One carrier's stream protocol: frames in (`parse`), frames out (`media`, `mark`,
    `clear`). Twilio and Exotel send the same six events with the same shapes, the stream's
    id under their own key (`streamSid`, `stream_sid`); a carrier's subclass names that key
    and reads its own `start`, and may check `media` and `stop` further."""

    carrier: Carrier
    chunks: ChunkRule
    sid_key: str

    def parse(self, raw: str) -> Event:
        """A text frame as an event; StreamError when it breaks the protocol."""
        frame = Fields.frame(raw)
        event = frame.text("event")
        if event == "connected":
            return Connected()
        if event == "start":
            return self.started(frame)
        sid = frame.text(self.sid_key)
        if event == "media":
            return Media(sid, self.media_payload(frame.sub("media")))
        if event == "dtmf":
            digit = frame.sub("dtmf").text("digit")
            if digit not in DTMF_DIGITS:
                raise StreamError(f"dtmf.digit {digit!r} is not a key")
            return Dtmf(sid, digit)
        if event == "mark":
            return Marked(sid, frame.sub("mark").text("name"))
        if event == "stop":
            return self.stopped(sid, frame)
        raise StreamError(f"unknown event {event!r}; {self.carrier.title()} sends connected, "
                          "start, media, dtmf, mark, stop")

    def started(self, frame: Fields) -> Started:
        """The `start` frame: the call, the audio's encoding and rate."""
        raise NotImplementedError

    def start_sid(self, frame: Fields) -> tuple[str, Fields]:
        """The stream id of a `start` frame, and its `start` object (which may repeat the
        id: then it must agree)."""
        sid = frame.text(self.sid_key)
        start = frame.sub("start")
        if start.has(self.sid_key) and start.text(self.sid_key) != sid:
            raise StreamError(f"start.{self.sid_key} differs from {self.sid_key}")
        return sid, start

    def media_payload(self, media: Fields) -> bytes:
        """The caller audio of a `media` frame."""
        return media.payload("payload")

    def stopped(self, sid: str, frame: Fields) -> Stopped:
        """The `stop` frame."""
        return Stopped(sid)

    def media(self, stream_sid: str, payload: bytes) -> str:
        return json.dumps({"event": "media", self.sid_key: stream_sid,
                           "media": {"payload": encode_payload(payload)}})

    def mark(self, stream_sid: str, name: str) -> str:
        return json.dumps({"event": "mark", self.sid_key: stream_sid, "mark": {"name": name}})

    def clear(self, stream_sid: str) -> str:
        return json.dumps({"event": "clear", self.sid_key: stream_sid})


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
