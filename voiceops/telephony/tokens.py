"""Short-lived, signed, one-use tokens that tie a media stream to the webhook that set it up.

Twilio cannot send a bearer token when it opens a media stream. What it does carry is the
`<Parameter>`s of the TwiML the voice webhook answered (they arrive in the `start` event's
`customParameters`), and the webhook itself is authenticated by Twilio's signature. So the
webhook issues a token naming the call (CallSid) and the profile it chose, and the stream accepts
a `start` only with a token that verifies for that same call, once, before it expires.

Wire form: ``base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))`` where the
payload is compact JSON ``{"c": call_sid, "p": profile, "e": expiry (unix s), "n": nonce}``.
The secret is derived from VOICEOPS_TOKEN, else TWILIO_AUTH_TOKEN, so replicas behind a load
balancer accept each other's tokens; with neither set it is random per process. A token is one
use per process: replicas share the secret but not the record of used nonces.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from voiceops.errors import StreamTokenError

__all__ = ["DEFAULT_TTL_S", "StreamTokens", "env_secret", "issue", "verify"]

#: Twilio opens the stream right after it reads the TwiML; a minute covers a slow network and
#: keeps a leaked token (it sits in Twilio's debugger logs) useless soon after.
DEFAULT_TTL_S = 60.0

# A label mixed into the derivation so the stream secret is never the daemon's token itself.
_DERIVATION_LABEL = b"voiceops/telephony/stream-token/v1"
_PROCESS_SECRET = secrets.token_bytes(32)


def env_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The signing secret: derived from VOICEOPS_TOKEN, else TWILIO_AUTH_TOKEN, else random
    for this process (then only this process can verify what it issued)."""
    env = os.environ if environ is None else environ
    shared = env.get("VOICEOPS_TOKEN") or env.get("TWILIO_AUTH_TOKEN")
    if not shared:
        return _PROCESS_SECRET
    return hmac.new(shared.encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class _Claims:
    call_sid: str
    profile: str
    expiry: float
    nonce: str


class StreamTokens:
    """Issues and verifies stream tokens; remembers the nonces it has accepted until they
    expire, so each token is accepted once."""

    def __init__(self, secret: Callable[[], bytes] = env_secret,
                 clock: Callable[[], float] = time.time) -> None:
        # The secret is read at each use, not cached, so a daemon started with a token set
        # later (and tests that set one) sign and verify with the same key.
        self._secret = secret
        # Wall-clock time: a replica must read another's expiry the same way.
        self._clock = clock
        self._used: dict[str, float] = {}  # nonce -> expiry
        self._lock = threading.Lock()

    def issue(self, call_sid: str, profile: str, ttl_s: float = DEFAULT_TTL_S) -> str:
        """A token for `call_sid`'s stream to be answered by `profile`, valid for `ttl_s`."""
        if ttl_s <= 0:
            raise ValueError(f"ttl_s must be positive, not {ttl_s}")
        payload = {"c": call_sid, "p": profile, "e": round(self._clock() + ttl_s, 3),
                   "n": _b64encode(secrets.token_bytes(12))}
        body = _b64encode(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, call_sid: str) -> str:
        """The profile `token` was issued for, if it is genuine, for `call_sid`, unexpired and
        not used before (it is used now); else raises StreamTokenError with a code:
        token_malformed, token_forged, token_wrong_call, token_expired or token_reused."""
        body, dot, signature = token.partition(".")
        if not dot or not body or not signature:
            raise StreamTokenError("token_malformed", "the stream token is not a voiceops token")
        # Bytes, not str: compare_digest refuses non-ASCII strings, and junk may hold any.
        if not hmac.compare_digest(self._sign(body).encode(), signature.encode("utf-8")):
            raise StreamTokenError("token_forged", "the stream token's signature does not match")
        claims = self._claims(body)
        if claims.call_sid != call_sid:
            raise StreamTokenError("token_wrong_call",
                                   f"the stream token was issued for another call, not {call_sid}")
        now = self._clock()
        if now >= claims.expiry:
            raise StreamTokenError("token_expired", "the stream token has expired")
        with self._lock:
            self._used = {n: e for n, e in self._used.items() if e > now}
            if claims.nonce in self._used:
                raise StreamTokenError("token_reused", "the stream token was used already")
            self._used[claims.nonce] = claims.expiry
        return claims.profile

    def _sign(self, body: str) -> str:
        return _b64encode(hmac.new(self._secret(), body.encode("utf-8"), hashlib.sha256).digest())

    @staticmethod
    def _claims(body: str) -> _Claims:
        # Only reached once the signature matched, so a bad shape here means another version
        # of voiceops signed it with the same secret: still a token this one cannot read.
        try:
            data = json.loads(_b64decode(body))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise StreamTokenError("token_malformed", "the stream token cannot be read") from exc
        if (not isinstance(data, dict) or not isinstance(data.get("c"), str)
                or not isinstance(data.get("p"), str) or not isinstance(data.get("n"), str)
                or not isinstance(data.get("e"), (int, float))):
            raise StreamTokenError("token_malformed", "the stream token cannot be read")
        return _Claims(data["c"], data["p"], float(data["e"]), data["n"])


_TOKENS = StreamTokens()


def issue(call_sid: str, profile: str, ttl_s: float = DEFAULT_TTL_S) -> str:
    """A token for `call_sid`'s stream to be answered by `profile` (this process's book)."""
    return _TOKENS.issue(call_sid, profile, ttl_s)


def verify(token: str, call_sid: str) -> str:
    """The profile of a genuine, unexpired, unused token for `call_sid`; else StreamTokenError."""
    return _TOKENS.verify(token, call_sid)
