"""Parameter refusals: the simulators refuse what the catalog's parameter rules say the real
API refuses (`voiceops.catalog.rules`, firm rules only), with the real API's error fields.

A request body is read back into the profile's setting names, checked against the model's
rules, and the first firm breach is answered in the provider's own envelope (the route's
error factory) with the recorded `code`, `type` and `param` filled in where that envelope
has them. Rules that sources dispute never cause a refusal: the simulator lets through what
the real API might take.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from voiceops.catalog import rules
from voiceops.sim.streams import ErrorFactory

__all__ = ["refusal", "settings_of"]

_SAMPLING = ("temperature", "top_p", "top_k", "reasoning_effort")


def settings_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """A request body's settings under the profile's names (max_tokens, reasoning_effort...).

    An explicit `reasoning_effort: null` is reasoning off (Sarvam's wire form of "none")."""
    found = {k: body[k] for k in _SAMPLING if body.get(k) is not None}
    if "reasoning_effort" in body and body["reasoning_effort"] is None:
        found["reasoning_effort"] = rules.OFF
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None:
        found["max_tokens"] = limit
    return found


def refusal(providers: tuple[str, ...], model: str, body: Mapping[str, Any],
            error: ErrorFactory, api_version: str | None = None) -> Response | None:
    """The refusal of `body` for `model` (the first of `providers` with rules for it), or
    None when the rules let it through."""
    model_rules = next((m for m in (rules.for_model(p, model) for p in providers) if m.rules),
                       None)
    if model_rules is None:
        return None
    for finding in model_rules.check(settings_of(body), api_version=api_version):
        if finding.firm and finding.refusal is not None:
            return _answer(error, finding.refusal)
    return None


def _answer(error: ErrorFactory, refused: rules.Refusal) -> Response:
    base = error(refused.status, refused.message)
    body = json.loads(bytes(base.body))
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        for key in ("code", "type", "param"):
            value = getattr(refused, key)
            if key in inner and value is not None:  # only the fields this provider sends
                inner[key] = value
    headers = {k: v for k, v in base.headers.items() if k.lower() != "content-length"}
    return Response(json.dumps(body), status_code=refused.status, headers=headers)
