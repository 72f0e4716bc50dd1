"""TwiML answers for the voice webhook: stream the call to us, or say sorry and hang up.

`<Connect><Stream>` makes the stream two-way (`<Start><Stream>` would be listen-only) and
holds the call on the stream until our side closes the socket; `<Parameter>`s come back in
the stream's `start` event as `customParameters` (twilio.com/docs/voice/twiml/stream).
A `<Stream url>` is wss:// in production ("wss is the only supported protocol", error
31922) and takes no query string (errors 31920, 31922: "use nested <Parameter> values
instead"). Twilio refuses TwiML over 4,000 characters (error 32018), which bounds what the
parameters may carry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

__all__ = ["MAX_TWIML_CHARS", "MEDIA_TYPE", "connect_stream", "say_and_hang_up"]

MEDIA_TYPE = "text/xml"
MAX_TWIML_CHARS = 4000  # twilio.com/docs/api/errors/32018
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _document(response: ET.Element) -> str:
    return _DECLARATION + ET.tostring(response, encoding="unicode")


def connect_stream(url: str, parameters: Mapping[str, str]) -> str:
    """`<Response><Connect><Stream url=...>` with one `<Parameter>` per item, in order."""
    response = ET.Element("Response")
    stream = ET.SubElement(ET.SubElement(response, "Connect"), "Stream", url=url)
    for name, value in parameters.items():
        ET.SubElement(stream, "Parameter", name=name, value=value)
    return _document(response)


def say_and_hang_up(text: str) -> str:
    """`<Response><Say>text</Say><Hangup/></Response>`."""
    response = ET.Element("Response")
    ET.SubElement(response, "Say").text = text
    ET.SubElement(response, "Hangup")
    return _document(response)
