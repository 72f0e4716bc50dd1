"""Twilio Media Streams, bidirectional (`<Connect><Stream>`): its frames as typed events.

From Twilio (camelCase, values mostly strings): `connected`, `start` (once: streamSid,
callSid, accountSid, customParameters, mediaFormat audio/x-mulaw 8000 Hz mono), `media`
(base64 mu-law, track inbound), `dtmf`, `mark` (our mark's audio has played), `stop`.
To Twilio: `media` {streamSid, media.payload}, `mark` {streamSid, mark.name}, `clear`
{streamSid}, with no other fields: Twilio reports an extra or missing one as error 31951.
Source: twilio.com/docs/voice/media-streams/websocket-messages.
"""

from __future__ import annotations

import json
from types import MappingProxyType

from voiceops.telephony.events import (
    ChunkRule,
    Connected,
    Dtmf,
    Event,
    Fields,
    Marked,
    Media,
    Started,
    Stopped,
    StreamError,
    encode_payload,
)
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["TWILIO", "TwilioDialect"]

RATE = 8000
#: 20 ms of mu-law: Twilio plays in 20 ms frames; whole frames keep the pacing even
FRAME_BYTES = 160
DTMF_DIGITS = frozenset("0123456789*#ABCD")


class TwilioDialect:
    """Twilio's side of the stream."""

    carrier: Carrier = "twilio"
    # whole 20 ms frames, up to a second a message
    chunks = ChunkRule(multiple=FRAME_BYTES, min_bytes=FRAME_BYTES, max_bytes=50 * FRAME_BYTES)

    def parse(self, raw: str) -> Event:
        frame = Fields.frame(raw)
        event = frame.text("event")
        if event == "connected":
            return Connected()
        if event == "start":
            return self._start(frame)
        sid = frame.text("streamSid")
        if event == "media":
            media = frame.sub("media")
            track = media.data.get("track", "inbound")
            if track != "inbound":  # a two-way stream carries the caller only
                raise StreamError(f"media.track {track!r} is not inbound")
            return Media(sid, media.payload("payload"))
        if event == "dtmf":
            digit = frame.sub("dtmf").text("digit")
            if digit not in DTMF_DIGITS:
                raise StreamError(f"dtmf.digit {digit!r} is not a key")
            return Dtmf(sid, digit)
        if event == "mark":
            return Marked(sid, frame.sub("mark").text("name"))
        if event == "stop":
            return Stopped(sid)
        raise StreamError(f"unknown event {event!r}; Twilio sends connected, start, media, "
                          "dtmf, mark, stop")

    def _start(self, frame: Fields) -> Started:
        sid = frame.text("streamSid")
        start = frame.sub("start")
        if start.has("streamSid") and start.text("streamSid") != sid:
            raise StreamError("start.streamSid differs from streamSid")
        fmt = start.sub("mediaFormat")
        encoding = fmt.text("encoding")
        if encoding != "audio/x-mulaw" or fmt.number("sampleRate") != RATE:
            raise StreamError(f"start.mediaFormat is {encoding} at "
                              f"{fmt.data.get('sampleRate')} Hz; Twilio streams audio/x-mulaw "
                              "at 8000 Hz")
        if start.has("channels") and start.number("channels") != 1:
            raise StreamError("start.mediaFormat.channels must be 1")
        custom = start.strings("customParameters")
        call = CallInfo(carrier="twilio", call_sid=start.text("callSid"), stream_sid=sid,
                        account_sid=start.text("accountSid"),
                        # the voice webhook passes the numbers on as <Parameter>s
                        from_number=custom.get("From", ""), to_number=custom.get("To", ""),
                        custom=MappingProxyType(custom))
        return Started(call, "mulaw", RATE)

    def media(self, stream_sid: str, payload: bytes) -> str:
        return json.dumps({"event": "media", "streamSid": stream_sid,
                           "media": {"payload": encode_payload(payload)}})

    def mark(self, stream_sid: str, name: str) -> str:
        return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})

    def clear(self, stream_sid: str) -> str:
        return json.dumps({"event": "clear", "streamSid": stream_sid})


TWILIO = TwilioDialect()
