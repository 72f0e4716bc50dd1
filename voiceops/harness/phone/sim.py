"""What the phone knows of the simulators `voiceops run --sim` starts."""

from __future__ import annotations

import importlib

from voiceops.errors import UsageError

__all__ = ["default_auth_token"]


def default_auth_token() -> str:
    """The simulated Twilio account's auth token, which a daemon on `--sim` checks webhook
    signatures with when TWILIO_AUTH_TOKEN is not set."""
    try:
        token = importlib.import_module("voiceops.sim.twilio").AUTH_TOKEN
    except (ImportError, AttributeError) as exc:  # no Twilio simulator in this install
        raise UsageError("no Twilio auth token: set TWILIO_AUTH_TOKEN or give --auth-token"
                         ) from exc
    return str(token)
