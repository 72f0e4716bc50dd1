"""What the phone knows of the simulators `voiceops run --sim` starts: the simulated Twilio
account, which a daemon on `--sim` checks webhook signatures with and hangs up through."""

from __future__ import annotations

__all__ = ["default_account_sid", "default_auth_token"]


def default_auth_token() -> str:
    """The simulated Twilio account's auth token (when TWILIO_AUTH_TOKEN is not set)."""
    from voiceops.sim import twilio

    return twilio.AUTH_TOKEN


def default_account_sid() -> str:
    """The simulated Twilio account's sid (when TWILIO_ACCOUNT_SID is not set)."""
    from voiceops.sim import twilio

    return twilio.ACCOUNT_SID
