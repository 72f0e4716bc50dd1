"""A validated profile's settings as typed, frozen values, with every default taken from one
place: the profile schema (`voiceops/resources/schemas/profile.schema.json`).

Before, each reader carried its own fallback (`max_duration_s` was 900 in the schema and
3600 in the WebSocket handler; a provider's `timeout_s` 10 in a turn and 15 in a preview),
so what a profile meant depended on who read it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from voiceops.config.phone import DtmfMode
from voiceops.config.schema import profile_schema


@functools.cache
def schema_default(*path: str) -> Any:
    """The schema's `default` for a property: `schema_default("session", "barge_in")`, or
    for a shared definition `schema_default("$defs", "timeout")`."""
    node: Mapping[str, Any] = profile_schema()
    if path[:1] == ("$defs",):
        node = node["$defs"][path[1]]
    else:
        for name in path:
            node = node.get("properties", {}).get(name, {})
    if "default" not in node:
        raise KeyError(f"the profile schema has no default for {'.'.join(path)}")
    return node["default"]


def provider_timeout_s(section: Mapping[str, Any]) -> float:
    """Seconds before a call to the provider of `section` (an llm/tts/stt choice) gives up."""
    value = section.get("timeout_s")
    return float(value if isinstance(value, int | float) else schema_default("$defs", "timeout"))


@dataclass(frozen=True)
class SessionSettings:
    """The profile's `session:` block."""

    barge_in: bool
    silence_timeout_s: float
    max_duration_s: float
    max_history_turns: int
    idle_timeout_s: float
    end_of_turn_silence_ms: int | None

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> SessionSettings:
        def get(name: str) -> Any:
            value = section.get(name)
            return schema_default("session", name) if value is None else value

        quiet = section.get("end_of_turn_silence_ms")
        return cls(barge_in=bool(get("barge_in")),
                   silence_timeout_s=float(get("silence_timeout_s")),
                   max_duration_s=float(get("max_duration_s")),
                   max_history_turns=int(get("max_history_turns")),
                   idle_timeout_s=float(get("idle_timeout_s")),
                   end_of_turn_silence_ms=int(quiet) if isinstance(quiet, int) else None)


@dataclass(frozen=True)
class DtmfSettings:
    """The profile's `phone.dtmf` block: what the caller's key presses do."""

    mode: DtmfMode
    finish_on_key: str  # "" for none
    timeout_ms: int


@dataclass(frozen=True)
class PhoneSettings:
    """The profile's `phone:` block. `numbers` are E.164 (validated); they are the profile's
    own, never inherited through `extends:` (see `voiceops.config.phone`)."""

    numbers: tuple[str, ...]
    dtmf: DtmfSettings

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PhoneSettings:
        numbers = section.get("numbers")
        given = section.get("dtmf")
        dtmf: Mapping[str, Any] = given if isinstance(given, Mapping) else {}

        def get(name: str) -> Any:
            value = dtmf.get(name)
            return schema_default("phone", "dtmf", name) if value is None else value

        return cls(numbers=tuple(str(n) for n in numbers) if isinstance(numbers, list) else (),
                   dtmf=DtmfSettings(mode=get("mode"), finish_on_key=str(get("finish_on_key")),
                                     timeout_ms=int(get("timeout_ms"))))
