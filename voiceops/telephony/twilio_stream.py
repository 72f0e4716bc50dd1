"""Twilio Media Streams, bidirectional (`<Connect><Stream>`): its frames as typed events.

From Twilio (camelCase, values mostly strings): `connected`, `start` (once: streamSid,
callSid, accountSid, customParameters, mediaFormat audio/x-mulaw 8000 Hz mono), `media`
(base64 mu-law, track inbound), `dtmf`, `mark` (our mark's audio has played), `stop`.
To Twilio: `media` {streamSid, media.payload}, `mark` {streamSid, mark.name}, `clear`
{streamSid}, with no other fields: Twilio reports an extra or missing one as error 31951.
Source: twilio.com/docs/voice/media-streams/websocket-messages.
"""

from __future__ import annotations

from types import MappingProxyType

from voiceops.telephony.events import ChunkRule, Dialect, Fields, Started, StreamError
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["TWILIO", "TwilioDialect"]

RATE = 8000
#: 20 ms of mu-law: Twilio plays in 20 ms frames; whole frames keep the pacing even
FRAME_BYTES = 160


class TwilioDialect(Dialect):
    """Twilio's side of the stream."""

    carrier: Carrier = "twilio"
    # whole 20 ms frames, up to a second a message
    chunks = ChunkRule(multiple=FRAME_BYTES, min_bytes=FRAME_BYTES, max_bytes=50 * FRAME_BYTES)
    sid_key = "streamSid"

    def media_payload(self, media: Fields) -> bytes:
        track = media.data.get("track", "inbound")
        if track != "inbound":  # a two-way stream carries the caller only
            raise StreamError(f"media.track {track!r} is not inbound")
        return media.payload("payload")

    def started(self, frame: Fields) -> Started:
        sid, start = self.start_sid(frame)
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


TWILIO = TwilioDialect()
