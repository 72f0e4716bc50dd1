"""The two carriers' stream dialects as the carriers document them, from the phone's side:
the frames a carrier sends, and the rules the frames it receives must follow.

Twilio: https://www.twilio.com/docs/voice/media-streams/websocket-messages (camelCase,
μ-law 8 kHz, 20 ms media; `media`, `mark` and `clear` back, each naming the streamSid,
with no field the page does not list: Twilio reports error 31951 for those).
Exotel: https://developer.exotel.com/docs/agentstream/websocket-protocol and
https://developer.exotel.com/docs/agentstream/stream-voicebot-applet (snake_case,
16-bit PCM at `?sample-rate=`, ~100 ms media; audio back in chunks of 3.2 KB to 100 KB,
multiples of 320 bytes).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from voiceops.telephony.codec import pcm_to_ulaw, ulaw_to_pcm
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["DIALECTS", "Dialect", "Exotel", "Heard", "Twilio", "Violation"]

#: Exotel's chunk rules for audio sent to it (bytes of the decoded payload).
EXOTEL_MIN_CHUNK, EXOTEL_MAX_CHUNK, EXOTEL_CHUNK_STEP = 3200, 100 * 1024, 320


@dataclass(frozen=True)
class Violation:
    """A frame from the daemon that breaks the carrier's documented protocol."""

    code: str  # a word: binary_frame, bad_json, unknown_event, missing_field, ...
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass
class Heard:
    """One frame from the daemon, read: its event and what it carries, plus what is wrong."""

    event: Literal["media", "mark", "clear", "invalid"]
    pcm: bytes = b""  # media: the audio as PCM s16le at the stream's rate
    name: str = ""  # mark: its name
    violations: list[Violation] = field(default_factory=list)


class Dialect:
    """What one carrier sends and what it accepts; subclasses fill the field names in."""

    carrier: Carrier
    sid_key: str  # the top-level stream id field
    seq_key: str
    frame_ms: int  # how much caller audio one media frame carries
    strict_fields: bool  # whether a field the docs do not list is refused

    def __init__(self, call: CallInfo, rate: int, *, mulaw: bool = False) -> None:
        self.call = call
        self.rate = rate
        self.mulaw = mulaw  # Exotel: the μ-law 8 kHz variant one of its guides describes
        self.sequence = 0
        self.chunk = 0

    def _next(self) -> str:
        self.sequence += 1
        return str(self.sequence)

    # frames the carrier sends -------------------------------------------------------
    def connected(self) -> dict[str, Any]:
        raise NotImplementedError

    def start(self) -> dict[str, Any]:
        raise NotImplementedError

    def media(self, pcm: bytes, timestamp_ms: int) -> dict[str, Any]:
        raise NotImplementedError

    def dtmf(self, digit: str) -> dict[str, Any]:
        raise NotImplementedError

    def mark(self, name: str) -> dict[str, Any]:
        return {"event": "mark", self.seq_key: self._next(), self.sid_key: self.call.stream_sid,
                "mark": {"name": name}}

    def stop(self) -> dict[str, Any]:
        raise NotImplementedError

    # frames the carrier receives ----------------------------------------------------
    def read(self, message: str | bytes) -> Heard:
        """Check one frame from the daemon against the carrier's rules, and read it."""
        if isinstance(message, bytes):
            return _invalid("binary_frame", f"a binary frame of {len(message)} bytes "
                            "(only JSON text frames are allowed)")
        try:
            frame = json.loads(message)
        except ValueError:
            return _invalid("bad_json", f"not JSON: {message[:80]!r}")
        if not isinstance(frame, dict):
            return _invalid("bad_json", f"not a JSON object: {message[:80]!r}")
        event = frame.get("event")
        if event not in ("media", "mark", "clear"):
            return _invalid("unknown_event", f"event {event!r} is not one the carrier accepts")
        shape = self.accepted()[event]
        heard = Heard(event=event)
        heard.violations.extend(_shape(frame, shape, event, self.strict_fields))
        sid = frame.get(self.sid_key)
        if self.sid_key in frame and sid != self.call.stream_sid:
            heard.violations.append(Violation(
                "wrong_stream_sid", f"{event} names {self.sid_key} {sid!r}, the stream is "
                f"{self.call.stream_sid!r}"))
        if event == "mark":
            name = frame.get("mark", {}).get("name") if isinstance(frame.get("mark"), dict) \
                else None
            heard.name = name if isinstance(name, str) else ""
        elif event == "media":
            payload = frame.get("media", {}).get("payload") \
                if isinstance(frame.get("media"), dict) else None
            if isinstance(payload, str):
                try:
                    raw = base64.b64decode(payload, validate=True)
                except binascii.Error:
                    heard.violations.append(Violation("bad_payload",
                                                      "media payload is not base64"))
                else:
                    heard.pcm = self.decode(raw)
                    heard.violations.extend(self.check_chunk(raw))
        return heard

    def accepted(self) -> dict[str, dict[str, Any]]:
        """Each event the carrier accepts, and its exact shape (nested dicts of field names)."""
        media = {"event": None, self.sid_key: None, "media": {"payload": None}}
        mark = {"event": None, self.sid_key: None, "mark": {"name": None}}
        return {"media": media, "mark": mark, "clear": {"event": None, self.sid_key: None}}

    def decode(self, raw: bytes) -> bytes:
        raise NotImplementedError

    def encode(self, pcm: bytes) -> bytes:
        raise NotImplementedError

    def check_chunk(self, raw: bytes) -> list[Violation]:
        return []


class Twilio(Dialect):
    """Twilio Media Streams, bidirectional (`<Connect><Stream>`)."""

    carrier: Carrier = "twilio"
    sid_key = "streamSid"
    seq_key = "sequenceNumber"
    frame_ms = 20
    strict_fields = True  # error 31951: "missing or extra fields"

    def connected(self) -> dict[str, Any]:
        return {"event": "connected", "protocol": "Call", "version": "1.0.0"}

    def start(self) -> dict[str, Any]:
        call = self.call
        return {"event": "start", "sequenceNumber": self._next(),
                "start": {"accountSid": call.account_sid, "streamSid": call.stream_sid,
                          "callSid": call.call_sid, "tracks": ["inbound"],
                          "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                          "channels": 1},
                          "customParameters": dict(call.custom)},
                "streamSid": call.stream_sid}

    def media(self, pcm: bytes, timestamp_ms: int) -> dict[str, Any]:
        self.chunk += 1
        return {"event": "media", "sequenceNumber": self._next(),
                "media": {"track": "inbound", "chunk": str(self.chunk),
                          "timestamp": str(timestamp_ms),
                          "payload": base64.b64encode(self.encode(pcm)).decode()},
                "streamSid": self.call.stream_sid}

    def dtmf(self, digit: str) -> dict[str, Any]:
        return {"event": "dtmf", "streamSid": self.call.stream_sid,
                "sequenceNumber": self._next(),
                "dtmf": {"track": "inbound_track", "digit": digit}}

    def stop(self) -> dict[str, Any]:
        return {"event": "stop", "sequenceNumber": self._next(),
                "stop": {"accountSid": self.call.account_sid, "callSid": self.call.call_sid},
                "streamSid": self.call.stream_sid}

    def decode(self, raw: bytes) -> bytes:
        return ulaw_to_pcm(raw)

    def encode(self, pcm: bytes) -> bytes:
        return pcm_to_ulaw(pcm)


class Exotel(Dialect):
    """Exotel AgentStream through the Voicebot applet (bidirectional), PCM at `rate`."""

    carrier: Carrier = "exotel"
    sid_key = "stream_sid"
    seq_key = "sequence_number"
    frame_ms = 100
    strict_fields = False  # the docs say nothing of extra fields

    def connected(self) -> dict[str, Any]:
        return {"event": "connected"}

    def start(self) -> dict[str, Any]:
        call = self.call
        return {"event": "start", "sequence_number": self._next(),
                "stream_sid": call.stream_sid,
                "start": {"stream_sid": call.stream_sid, "call_sid": call.call_sid,
                          "account_sid": call.account_sid, "from": call.from_number,
                          "to": call.to_number, "custom_parameters": dict(call.custom),
                          "media_format": self._media_format()}}

    def _media_format(self) -> dict[str, str]:
        if self.mulaw:
            return {"encoding": "audio/x-mulaw", "sample_rate": "8000", "bit_rate": "8"}
        return {"encoding": "audio/x-raw", "sample_rate": str(self.rate), "bit_rate": "16"}

    def media(self, pcm: bytes, timestamp_ms: int) -> dict[str, Any]:
        self.chunk += 1
        return {"event": "media", "sequence_number": self._next(),
                "stream_sid": self.call.stream_sid,
                "media": {"chunk": str(self.chunk), "timestamp": str(timestamp_ms),
                          "payload": base64.b64encode(self.encode(pcm)).decode()}}

    def dtmf(self, digit: str) -> dict[str, Any]:
        return {"event": "dtmf", "sequence_number": self._next(),
                "stream_sid": self.call.stream_sid, "dtmf": {"digit": digit, "duration": "100"}}

    def stop(self) -> dict[str, Any]:
        return {"event": "stop", "sequence_number": self._next(),
                "stream_sid": self.call.stream_sid,
                "stop": {"call_sid": self.call.call_sid, "account_sid": self.call.account_sid,
                         "reason": "callended"}}

    def decode(self, raw: bytes) -> bytes:
        return ulaw_to_pcm(raw) if self.mulaw else raw

    def encode(self, pcm: bytes) -> bytes:
        return pcm_to_ulaw(pcm) if self.mulaw else pcm

    def check_chunk(self, raw: bytes) -> list[Violation]:
        size = len(raw)
        if EXOTEL_MIN_CHUNK <= size <= EXOTEL_MAX_CHUNK and size % EXOTEL_CHUNK_STEP == 0:
            return []
        return [Violation("chunk_size", f"media chunk of {size} bytes (Exotel takes "
                          f"{EXOTEL_MIN_CHUNK} to {EXOTEL_MAX_CHUNK} bytes in multiples of "
                          f"{EXOTEL_CHUNK_STEP})")]


DIALECTS: dict[Carrier, type[Dialect]] = {"twilio": Twilio, "exotel": Exotel}


def _invalid(code: str, message: str) -> Heard:
    return Heard(event="invalid", violations=[Violation(code, message)])


def _shape(frame: dict[str, Any], shape: dict[str, Any], where: str,
           strict: bool) -> list[Violation]:
    """Fields missing from `frame`, and (when `strict`) fields not in `shape`."""
    found = []
    for key, inner in shape.items():
        if key not in frame:
            found.append(Violation("missing_field", f"{where} lacks {key!r}"))
        elif inner is not None:
            if isinstance(frame[key], dict):
                found.extend(_shape(frame[key], inner, f"{where}.{key}", strict))
            else:
                found.append(Violation("missing_field", f"{where}.{key} is not an object"))
    if strict:
        found.extend(Violation("extra_field", f"{where} has {key!r}, which the carrier does "
                               "not accept") for key in frame if key not in shape)
    return found
