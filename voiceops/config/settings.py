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
from typing import Any, Literal

from voiceops.config.phone import DtmfMode
from voiceops.config.schema import profile_schema


@functools.cache
def schema_default(*path: str) -> Any:
    """The schema's `default` for a property: `schema_default("session", "barge_in")`, or
    for a shared definition `schema_default("$defs", "timeout")` (and its properties:
    `schema_default("$defs", "tool_http", "timeout_s")`)."""
    node: Mapping[str, Any] = profile_schema()
    if path[:1] == ("$defs",):
        node, rest = node["$defs"][path[1]], path[2:]
    else:
        rest = path
    for name in rest:
        node = node.get("properties", {}).get(name, {})
    if "default" not in node:
        raise KeyError(f"the profile schema has no default for {'.'.join(path)}")
    return node["default"]


def provider_timeout_s(section: Mapping[str, Any]) -> float:
    """Seconds before a call to the provider of `section` (an llm/tts/stt choice) gives up."""
    value = section.get("timeout_s")
    return float(value if isinstance(value, int | float) else schema_default("$defs", "timeout"))


VadEngine = Literal["webrtc", "silero", "energy"]


@dataclass(frozen=True)
class VadSettings:
    """The profile's `session.vad:` block: how the runner tells the caller's speech from
    line noise, and when it decides their turn is over."""

    engine: VadEngine
    endpointing: bool  # the runner ends turns (clients that never send end_of_turn)
    min_speech_ms: int  # speech before it counts: a barge-in, a turn's start
    min_silence_ms: int  # quiet after speech that ends a turn
    max_silence_ms: int  # ... after a short fragment ("um, so"), which is rarely the end
    aggressiveness: int  # webrtc: 0-3
    threshold: float  # silero: speech probability
    energy_dbfs: float  # energy: the gate's level

    @classmethod
    def from_session(cls, section: Mapping[str, Any]) -> VadSettings:
        """From the `session:` block. The older `end_of_turn_silence_ms: N` (validate warns,
        VO340) still means what it did: the runner ends turns after N ms of quiet, short
        fragment or not, unless `vad:` sets these itself."""
        vad: Mapping[str, Any] = section.get("vad") or {}

        def get(name: str, legacy: Any = None) -> Any:
            value = vad.get(name)
            if value is None:
                value = legacy
            return schema_default("session", "vad", name) if value is None else value

        quiet = section.get("end_of_turn_silence_ms")
        quiet = quiet if isinstance(quiet, int) else None
        min_silence = int(get("min_silence_ms", quiet))
        return cls(engine=get("engine"),
                   endpointing=bool(get("endpointing", True if quiet is not None else None)),
                   min_speech_ms=int(get("min_speech_ms")),
                   min_silence_ms=min_silence,
                   max_silence_ms=max(int(get("max_silence_ms", quiet)), min_silence),
                   aggressiveness=int(get("aggressiveness")),
                   threshold=float(get("threshold")),
                   energy_dbfs=float(get("energy_dbfs")))


@dataclass(frozen=True)
class SessionSettings:
    """The profile's `session:` block."""

    barge_in: bool
    silence_timeout_s: float
    max_duration_s: float
    max_history_turns: int
    idle_timeout_s: float
    end_of_turn_silence_ms: int | None
    vad: VadSettings

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
                   end_of_turn_silence_ms=int(quiet) if isinstance(quiet, int) else None,
                   vad=VadSettings.from_session(section))


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

Builtin = Literal["end_call", "transfer_call"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
#: The arguments of a tool that takes none, as every provider accepts it.
NO_PARAMETERS: Mapping[str, Any] = {"type": "object", "properties": {}}
#: What a built-in tells the LLM it does, when the profile does not say.
BUILTIN_DESCRIPTIONS: Mapping[str, str] = {
    "end_call": "End the call, after saying goodbye. Use it when the caller is done.",
    "transfer_call": "Transfer the caller to a person. Use it when the caller asks for one or "
                     "you cannot help.",
}


@dataclass(frozen=True)
class ToolHttp:
    """A tool's `http:` request. `headers` stay `${VAR}` references until the call is made."""

    method: HttpMethod
    url: str
    timeout_s: float
    headers: Mapping[str, str]


@dataclass(frozen=True)
class ToolSettings:
    """One entry of the profile's `tools:` list (shared files already read in), either an
    HTTP tool (`http` set) or a built-in (`builtin` set)."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    http: ToolHttp | None = None
    builtin: Builtin | None = None
    target: str | None = None
    say_start: str | None = None
    say_failed: str | None = None
    cancel_on_barge_in: bool = True

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> ToolSettings:
        """The settings of one schema-valid tool entry, with the schema's defaults."""
        builtin = entry.get("builtin")
        http = entry.get("http")
        say = entry.get("say") or {}
        cancel = entry.get("cancel_on_barge_in")
        return cls(
            name=str(entry.get("name") or builtin),
            description=str(entry.get("description") or BUILTIN_DESCRIPTIONS.get(
                str(builtin), "")),
            parameters=entry.get("parameters") or NO_PARAMETERS,
            http=None if not isinstance(http, Mapping) else ToolHttp(
                method=http.get("method") or schema_default("$defs", "tool_http", "method"),
                url=str(http["url"]),
                timeout_s=float(http.get("timeout_s")
                                or schema_default("$defs", "tool_http", "timeout_s")),
                headers=dict(http.get("headers") or {})),
            builtin=builtin,
            target=entry.get("target"),
            say_start=say.get("start"),
            say_failed=say.get("failed"),
            cancel_on_barge_in=bool(schema_default("$defs", "tool", "cancel_on_barge_in")
                                    if cancel is None else cancel))

    @classmethod
    def all_of(cls, data: Mapping[str, Any]) -> tuple[ToolSettings, ...]:
        """Every tool of an effective profile (entries that are not maps are skipped: the
        loader has replaced shared-file names by their tools, or reported them)."""
        tools = data.get("tools")
        return tuple(cls.from_entry(e) for e in tools if isinstance(e, Mapping)) if isinstance(
            tools, list) else ()
