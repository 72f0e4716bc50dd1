"""Which profile answers a call, and what the call tells its prompt.

`route()` maps the dialled number to the profile whose `phone.numbers` list it (validation
makes that one profile at most), else to the daemon's default profile (`voiceops run
PROFILE`), else to None: the carrier endpoint then refuses the call politely.

`call_vars()` gives a call's variables (`caller_number`, `called_number`, `call_id`,
`carrier` and each custom parameter of the stream) to the prompt, keeping only those the
profile's prompt declares or uses, in a type it accepts: a stray or ill-typed parameter is
left out, never a reason for a call not to render.

Carriers do not all write numbers alike: Twilio sends E.164 ("+14155550100"); Exotel's
documents show E.164 in its stream's `start`, but its ExoPhones are written nationally
elsewhere ("08047491899"). Numbers are normalised here, at the boundary: separators and a
`00` prefix always; an Exotel number in the national form (a trunk 0 and ten digits, or 91
and ten digits) is read as Indian, the country Exotel numbers of that shape belong to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from voiceops.config.phone import E164, tidy
from voiceops.config.settings import PhoneSettings
from voiceops.errors import PromptError
from voiceops.prompts.library import BUILTINS
from voiceops.telephony.types import CallInfo, Carrier

if TYPE_CHECKING:
    from voiceops.runtime.config import ConfigVersion, LiveProfile

__all__ = ["CALL_VARIABLES", "call_vars", "phone_number", "phone_settings", "route", "routes"]

#: The variables every call offers its profile's prompt, besides the custom parameters.
CALL_VARIABLES: Mapping[str, str] = {
    "caller_number": "The caller's number, E.164 when the carrier gives one",
    "called_number": "The number the caller dialled, E.164",
    "call_id": "The carrier's id of the call (Twilio CallSid, Exotel call_sid)",
    "carrier": "twilio or exotel",
}
#: Custom parameters that carry the call's plumbing (the stream token), never prompt text.
_PLUMBING = frozenset({"profile", "token"})
_INDIAN_NATIONAL = re.compile(r"0?([1-9][0-9]{9})\Z")
_INDIAN_WITHOUT_PLUS = re.compile(r"91([1-9][0-9]{9})\Z")
_SHORTEST_NATIONAL = 6  # digits after the trunk 0: shorter is not a number worth matching


def phone_settings(profile: LiveProfile) -> PhoneSettings:
    """The profile's `phone:` block, typed, with the schema's defaults."""
    return PhoneSettings.from_section(profile.section("phone"))


def routes(version: ConfigVersion) -> dict[str, str]:
    """Every routed number of `version` (E.164) -> the name of the profile it reaches."""
    return {number: name for name, profile in sorted(version.profiles.items())
            for number in phone_settings(profile).numbers}


def route(version: ConfigVersion, to_number: str, default: str | None) -> str | None:
    """The name of the profile that answers a call to `to_number` (as the carrier gives
    it): the one that lists it, else `default` when `version` serves it, else None (refuse
    the call politely)."""
    table = routes(version)
    dialled = tidy(to_number)
    found = table.get(dialled) or _national_match(table, dialled)
    if found is not None:
        return found
    return default if default is not None and default in version.profiles else None


def _national_match(table: Mapping[str, str], dialled: str) -> str | None:
    """The profile of the one routed number that `dialled`, written without `+`, can be:
    "14155550100" is "+14155550100"; "08047491899" (a trunk 0, then the national number)
    is the routed number that ends in 8047491899 after a country code."""
    if not dialled.isdigit():
        return None
    if f"+{dialled}" in table:
        return table[f"+{dialled}"]
    national = dialled[1:] if dialled.startswith("0") else ""
    if len(national) < _SHORTEST_NATIONAL:
        return None
    matches = [name for number, name in table.items()
               if number.endswith(national) and 2 <= len(number) - len(national) <= 4]
    return matches[0] if len(matches) == 1 else None


def phone_number(raw: str, carrier: Carrier) -> str:
    """A number as the carrier gave it, in E.164 when it can be read so; otherwise as
    given, trimmed ("anonymous", "client:alice", a SIP address)."""
    bare = tidy(raw)
    if E164.match(bare):
        return bare
    if carrier == "exotel":
        national = _INDIAN_NATIONAL.match(bare) or _INDIAN_WITHOUT_PLUS.match(bare)
        if national:
            return f"+91{national.group(1)}"
    return raw.strip()


def call_vars(version: ConfigVersion, profile: LiveProfile, call: CallInfo) -> dict[str, Any]:
    """The call's variables for `profile`'s prompt (`ConfigVersion.render`'s extra_vars):
    those of `CALL_VARIABLES` and the custom parameters that the prompt declares or uses,
    each in a form its declared type accepts ("42" for a number is 42); the rest are left
    out. The call's own variables win over custom parameters of the same name."""
    offered: dict[str, str] = {name: value for name, value in call.custom.items()
                               if name not in _PLUMBING and name not in BUILTINS}
    offered.update(caller_number=phone_number(call.from_number, call.carrier),
                   called_number=phone_number(call.to_number, call.carrier),
                   call_id=call.call_sid, carrier=call.carrier)
    kept: dict[str, Any] = {}
    for name, text in offered.items():
        for value in _readings(text):
            try:
                version.check_vars(profile, {name: value})
            except PromptError:
                continue
            kept[name] = value
            break
    return kept


def _readings(text: str) -> Iterator[Any]:
    """`text` as itself, then as the number or yes/no it spells (parameters are text)."""
    yield text
    word = text.strip().lower()
    if word in ("true", "false"):
        yield word == "true"
    try:
        yield int(word)
    except ValueError:
        number = _float(word)
        if number is not None:
            yield number


def _float(word: str) -> float | None:
    try:
        number = float(word)
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # "nan" and "inf" are not amounts
