"""Exotel AgentStream (the Voicebot applet, bidirectional): its frames as typed events.

From Exotel (snake_case, values mostly strings): `connected`, `start` (stream_sid, call_sid,
account_sid, from, to, custom_parameters, media_format {encoding audio/x-raw, sample_rate,
bit_rate 16}), `media` (base64 PCM s16le mono, about every 100 ms), `dtmf` {digit,
duration}, `mark` {name}, `stop`. To Exotel: `media` {stream_sid, media.payload} in chunks
of at least 3,200 bytes, at most 100 KB, in multiples of 320 bytes; `mark`; `clear`.
The rate is the applet URL's `?sample-rate=` (8000, 16000, 24000). One of Exotel's guides
describes mu-law at 8 kHz as a configurable media format: a start whose media_format says
mu-law is streamed in mu-law both ways.
Sources: developer.exotel.com/docs/agentstream/websocket-protocol, .../stream-voicebot-applet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType

from voiceops.telephony.events import (
    ChunkRule,
    Connected,
    Dtmf,
    Encoding,
    Event,
    Fields,
    Marked,
    Media,
    Started,
    Stopped,
    StreamError,
    encode_payload,
)
from voiceops.telephony.twilio_stream import DTMF_DIGITS
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["EXOTEL_RATES", "ExotelDialect"]

EXOTEL_RATES = (8000, 16000, 24000)
_ENCODINGS: dict[str, Encoding] = {"audio/x-raw": "pcm", "raw": "pcm", "pcm": "pcm",
                                   "audio/x-mulaw": "mulaw", "mulaw": "mulaw", "ulaw": "mulaw",
                                   "audio/x-ulaw": "mulaw"}


class ExotelDialect:
    """Exotel's side of the stream, at the rate the applet's URL asked for."""

    carrier: Carrier = "exotel"
    chunks = ChunkRule(multiple=320, min_bytes=3200, max_bytes=100_000)

    def __init__(self, sample_rate: int = 8000,
                 url_parameters: Mapping[str, str] | None = None) -> None:
        self.sample_rate = sample_rate
        #: the custom parameters of the applet's URL (its query), for a start that does not
        #: repeat them in custom_parameters
        self.url_parameters = dict(url_parameters or {})

    def parse(self, raw: str) -> Event:
        frame = Fields.frame(raw)
        event = frame.text("event")
        if event == "connected":
            return Connected()
        if event == "start":
            return self._start(frame)
        sid = frame.text("stream_sid")
        if event == "media":
            return Media(sid, frame.sub("media").payload("payload"))
        if event == "dtmf":
            digit = frame.sub("dtmf").text("digit")
            if digit not in DTMF_DIGITS:
                raise StreamError(f"dtmf.digit {digit!r} is not a key")
            return Dtmf(sid, digit)
        if event == "mark":
            return Marked(sid, frame.sub("mark").text("name"))
        if event == "stop":
            stop = frame.data.get("stop")
            reason = stop.get("reason") if isinstance(stop, dict) else None
            return Stopped(sid, reason if isinstance(reason, str) else None)
        raise StreamError(f"unknown event {event!r}; Exotel sends connected, start, media, "
                          "dtmf, mark, stop")

    def _start(self, frame: Fields) -> Started:
        sid = frame.text("stream_sid")
        start = frame.sub("start")
        if start.has("stream_sid") and start.text("stream_sid") != sid:
            raise StreamError("start.stream_sid differs from stream_sid")
        encoding: Encoding = "pcm"
        rate = self.sample_rate
        if start.has("media_format"):
            fmt = start.sub("media_format")
            named = fmt.text("encoding")
            if named.lower() not in _ENCODINGS:
                raise StreamError(f"start.media_format.encoding {named!r} is neither "
                                  "audio/x-raw (PCM) nor mu-law")
            encoding = _ENCODINGS[named.lower()]
            if fmt.has("sample_rate"):
                rate = fmt.number("sample_rate")
            if encoding == "pcm" and fmt.has("bit_rate") and fmt.number("bit_rate") != 16:
                raise StreamError("start.media_format.bit_rate must be 16 for PCM")
        if rate not in EXOTEL_RATES or (encoding == "mulaw" and rate != 8000):
            raise StreamError(f"start.media_format.sample_rate {rate} is not one Exotel "
                              "streams (8000, 16000, 24000; mu-law at 8000)")
        custom = {**self.url_parameters, **start.strings("custom_parameters")}
        call = CallInfo(carrier="exotel", call_sid=start.text("call_sid"), stream_sid=sid,
                        account_sid=start.text("account_sid", empty=True),
                        from_number=start.text("from", empty=True),
                        to_number=start.text("to", empty=True),
                        custom=MappingProxyType(custom))
        return Started(call, encoding, rate)

    def media(self, stream_sid: str, payload: bytes) -> str:
        return json.dumps({"event": "media", "stream_sid": stream_sid,
                           "media": {"payload": encode_payload(payload)}})

    def mark(self, stream_sid: str, name: str) -> str:
        return json.dumps({"event": "mark", "stream_sid": stream_sid, "mark": {"name": name}})

    def clear(self, stream_sid: str) -> str:
        return json.dumps({"event": "clear", "stream_sid": stream_sid})
