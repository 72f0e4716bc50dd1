"""A probe's calls as diagnostics on the profiles' lines, in validate's formats.

Each failed call becomes one diagnostic at every place that makes its choice, on the line
of the setting the provider objected to:

    VO601  the provider refused the key (401/403)              at api_key, else provider
    VO602  the model is not served (retired, unknown, no access) at model
    VO603  a setting was refused                               at that setting, else model
    VO604  the voice cannot be used                            at voice
    VO605  no key is set (one per variable)                    at api_key, else provider
    VO606  the call did not complete (timeout, 5xx, 429)       at provider (a warning)

Messages are the provider's answers as voiceops' clients report them: they never hold a key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import AuthError, MissingKeyError, ProviderError, ProviderRequestError
from voiceops.probe.calls import Call
from voiceops.probe.plan import Choice, Place
from voiceops.validation.reporters import REPORTERS
from voiceops.validation.validator import Checked, ValidationResult

__all__ = ["ProbeResult", "diagnose", "render"]

_NOT_SETTINGS = frozenset({"provider", "model", "voice", "api_key", "base_url", "timeout_s",
                           "fallbacks"})
_GONE = ("deprecated", "does not exist", "not found", "not_found", "no longer", "retired")


@dataclass(frozen=True)
class ProbeResult:
    """The calls made and what they found, as a validation result (one Checked per file)."""

    calls: tuple[Call, ...]
    result: ValidationResult

    @property
    def errors(self) -> int:
        return self.result.errors


def _classify(choice: Choice, error: ProviderError) -> tuple[str, str]:
    """(code, the section key to point at) for a failed call."""
    text = str(error).lower()
    if isinstance(error, AuthError):
        return "VO601", "api_key"
    if not isinstance(error, ProviderRequestError):
        return "VO606", "provider"
    if choice.section == "tts" and ("speaker" in text or "voice" in text):
        return "VO604", "voice"
    if "model" in text and (error.status == 404 or any(w in text for w in _GONE)):
        return "VO602", "model"
    named = [k for k in choice.settings if k not in _NOT_SETTINGS and k.lower() in text]
    return "VO603", named[0] if named else "model"


def _at(place: Place, key: str, code: str, message: str, hint: str | None) -> Diagnostic:
    return make(code, *place.mark(key), message, hint)


def diagnose(calls: Sequence[Call]) -> list[Diagnostic]:
    """Every failed call's diagnostics, a missing key once per variable."""
    found: list[Diagnostic] = []
    missing: set[str] = set()
    for call in calls:
        error, choice = call.error, call.choice
        if error is None:
            continue
        what = f"{choice.section} {choice.provider} {choice.model}"
        if isinstance(error, MissingKeyError):
            variable = error.env_var or f"{choice.provider} api_key"
            if variable not in missing:
                missing.add(variable)
                found.append(_at(choice.places[0], "api_key", "VO605",
                                 f"probe not made ({what}): {error}",
                                 f"set {variable} (the nightly job's secrets) to probe it"))
            continue
        code, key = _classify(choice, error)
        hint = {"VO601": "check the key and that its account may use this model",
                "VO602": "run `voiceops validate --live` for the models the key can use",
                "VO604": "run `voiceops voices` for the voices the key can use",
                "VO606": "run the probe again; it may be the provider's outage"}.get(code)
        found += [_at(place, key, code, f"probe {what}: {error}", hint)
                  for place in choice.places]
    return found


def result_of(calls: Sequence[Call], profiles: Sequence[tuple[Path, str]]) -> ProbeResult:
    """`calls` with their diagnostics sorted by file, for `profiles` (path, shown path)."""
    found = sorted(set(diagnose(calls)))
    checked = tuple(Checked(None, path, tuple(d for d in found if d.path == shown))
                    for path, shown in profiles)
    return ProbeResult(tuple(calls), ValidationResult(checked, tuple(found)))


def _call_json(call: Call) -> dict[str, object]:
    return {"section": call.choice.section, "provider": call.choice.provider,
            "model": call.choice.model, "ok": call.ok, "seconds": round(call.seconds, 3),
            "cost": call.cost, "profiles": sorted({p.profile.path for p in call.choice.places})}


def _call_line(call: Call) -> str:
    state = ("ok" if call.ok else "not made (no key)"
             if isinstance(call.error, MissingKeyError) else "FAILED")
    return (f"  {call.choice.section} {call.choice.provider} {call.choice.model}: {state} in "
            f"{call.seconds:.2f} s ({call.cost})")


def render(probe: ProbeResult, fmt: str, color: bool = False) -> str:
    """The probe in `fmt` (text, json, github, sarif): validate's report plus the calls."""
    out = REPORTERS[fmt](probe.result, color)
    if fmt == "json":
        data = json.loads(out)
        data["calls"] = [_call_json(c) for c in probe.calls]
        return json.dumps(data, indent=2)
    if fmt == "sarif":
        return out
    return "\n".join([out, f"{len(probe.calls)} probe calls:",
                      *map(_call_line, probe.calls)])

