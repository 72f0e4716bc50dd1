"""How `voiceops phone` places a call: the daemon, the carrier, the caller's turns, and the
carrier's side of the set-up (numbers, account, tokens)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from voiceops.harness.phone.voice import CallerTurn
from voiceops.telephony.types import CallInfo, Carrier

__all__ = ["HangupCheck", "PhoneOptions", "sid"]

#: Asks the carrier's REST API whether the call was hung up (None: it cannot tell).
HangupCheck = Callable[[CallInfo], Awaitable[bool | None]]


def sid(prefix: str) -> str:
    """A carrier-style id: two letters and 32 hex digits (CA..., MZ..., AC...)."""
    return prefix + secrets.token_hex(16)


@dataclass
class PhoneOptions:
    """How to place the call. `base_url` is the daemon's http(s)://host:port."""

    base_url: str
    carrier: Carrier
    turns: Sequence[CallerTurn]
    rate: int = 8000  # Exotel's ?sample-rate= (Twilio is always 8000)
    mulaw: bool = False  # Exotel: the μ-law 8 kHz media format instead of 16-bit PCM
    from_number: str = "+14155550123"
    to_number: str = "+14155550100"
    custom: Mapping[str, str] = field(default_factory=dict)  # Exotel query parameters
    account_sid: str = field(default_factory=lambda: sid("AC"))
    call_sid: str = field(default_factory=lambda: sid("CA"))  # Twilio's CallSid, Exotel's call_sid
    auth_token: str = ""  # Twilio: signs the webhook
    public_url: str | None = None  # Twilio: the URL the signature covers (else base_url)
    token: str | None = None  # Exotel: the daemon's token (Basic auth password)
    token_in: Literal["basic", "query"] = "basic"
    barge_in_ms: int | None = None  # speak the next turn this long into the agent's reply
    pause_s: float = 0.6  # quiet after the agent's reply has played, before the next turn
    greeting_timeout_s: float = 5.0  # no greeting audio by then: go on without one
    reply_timeout_s: float = 20.0
    hangup: Literal["caller", "daemon"] = "caller"  # who ends the call
    daemon_hangup_timeout_s: float = 60.0
    check_hangup: HangupCheck | None = None
