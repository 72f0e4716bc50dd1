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

from collections.abc import Mapping
from types import MappingProxyType

from voiceops.telephony.events import (
    ChunkRule,
    Dialect,
    Encoding,
    Fields,
    Started,
    Stopped,
    StreamError,
)
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["EXOTEL_RATES", "ExotelDialect"]

EXOTEL_RATES = (8000, 16000, 24000)
_ENCODINGS: dict[str, Encoding] = {"audio/x-raw": "pcm", "raw": "pcm", "pcm": "pcm",
                                   "audio/x-mulaw": "mulaw", "mulaw": "mulaw", "ulaw": "mulaw",
                                   "audio/x-ulaw": "mulaw"}


class ExotelDialect(Dialect):
    """Exotel's side of the stream, at the rate the applet's URL asked for."""

    carrier: Carrier = "exotel"
    chunks = ChunkRule(multiple=320, min_bytes=3200, max_bytes=100_000)
    sid_key = "stream_sid"

    def __init__(self, sample_rate: int = 8000,
                 url_parameters: Mapping[str, str] | None = None) -> None:
        self.sample_rate = sample_rate
        #: the custom parameters of the applet's URL (its query), for a start that does not
        #: repeat them in custom_parameters
        self.url_parameters = dict(url_parameters or {})

    def stopped(self, sid: str, frame: Fields) -> Stopped:
        stop = frame.data.get("stop")
        reason = stop.get("reason") if isinstance(stop, dict) else None
        return Stopped(sid, reason if isinstance(reason, str) else None)

    def started(self, frame: Fields) -> Started:
        sid, start = self.start_sid(frame)
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
