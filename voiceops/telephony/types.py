"""What a phone call is to voiceops, whichever carrier brought it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = ["CARRIERS", "CallInfo", "Carrier"]

Carrier = Literal["twilio", "exotel"]
CARRIERS: tuple[Carrier, ...] = ("twilio", "exotel")


@dataclass(frozen=True)
class CallInfo:
    """One call as its carrier's `start` event (and, for Twilio, the webhook) describe it."""

    carrier: Carrier
    call_sid: str
    stream_sid: str
    account_sid: str
    from_number: str  # the caller, as the carrier gives it
    to_number: str  # the number they dialled
    #: the stream's custom parameters (Twilio `<Parameter>`s, Exotel query parameters)
    custom: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
