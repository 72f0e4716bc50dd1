"""The session protocol's client frames, parsed and checked (DESIGN.md section 4).

    {"type": "start", "profile": "support_hi", "vars": {...}, "audio": {"sample_rate": 16000}}
    {"type": "text", "text": "..."}      a typed turn
    {"type": "end_of_turn"}              the audio sent since the last turn is complete
    {"type": "interrupt"}                stop speaking now
    {"type": "stop"}                     end the session
    binary frames                        caller audio, PCM s16le mono at the start's rate

Anything else raises `SessionError` with the code the `error` frame carries. Frames are
checked here, at the boundary, so the session gets only values it can use as they are:
every string encodable as UTF-8 (a lone surrogate such as "\\ud800" is valid JSON but
cannot be sent on or logged, and would poison the history), a sample rate that is an
integer, and frozen frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from voiceops.errors import SessionError

INPUT_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
MAX_TEXT_CHARS = 4000


@dataclass(frozen=True)
class Start:
    profile: str | None
    #: the prompt variables, read-only (their values are JSON: str, number, list, object)
    vars: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    sample_rate: int = 16000


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class EndOfTurn:
    pass


@dataclass(frozen=True)
class Interrupt:
    pass


@dataclass(frozen=True)
class Stop:
    pass


ClientFrame = Start | Text | EndOfTurn | Interrupt | Stop
_SIMPLE: dict[str, ClientFrame] = {"end_of_turn": EndOfTurn(), "interrupt": Interrupt(),
                                   "stop": Stop()}
TYPES = ("start", "text", *_SIMPLE)


def parse(raw: str) -> ClientFrame:
    """One text frame as a typed client frame; SessionError says what is wrong with it."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise SessionError("bad_json", f"frame is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SessionError("bad_frame", "a frame is a JSON object with a \"type\"")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise SessionError("bad_frame", "a frame is a JSON object with a \"type\"")
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "text":
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise SessionError("bad_frame", "text frame needs non-empty \"text\"")
        if not _encodable(text):
            raise SessionError("bad_frame", "text holds a lone surrogate (not valid UTF-8)")
        if len(text) > MAX_TEXT_CHARS:
            raise SessionError("frame_too_large", f"text is over {MAX_TEXT_CHARS} characters")
        return Text(text)
    if kind == "start":
        return _start(data)
    known = ", ".join(TYPES)
    raise SessionError("unknown_type", f"unknown frame type {kind!r}; expected one of {known}")


def _start(data: dict[str, Any]) -> Start:
    profile = data.get("profile")
    if profile is not None and (not isinstance(profile, str) or not profile
                                or not _encodable(profile)):
        raise SessionError("bad_frame", "start.profile must be a profile name")
    variables = data.get("vars", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) for k in variables):
        raise SessionError("bad_vars", "start.vars must be an object of variable values")
    try:
        encodable = _encodable(variables)
    except RecursionError:  # JSON nested almost as deep as the parser allows
        encodable = False
    if not encodable:
        raise SessionError("bad_vars", "start.vars is nested too deeply or holds a lone "
                           "surrogate (not valid UTF-8)")
    audio = data.get("audio", {})
    rate = audio.get("sample_rate", 16000) if isinstance(audio, dict) else None
    # exactly an int: 16000.0 equals 16000 but breaks struct packing of every audio turn
    if type(rate) is not int or rate not in INPUT_RATES:
        rates = ", ".join(map(str, INPUT_RATES))
        raise SessionError("bad_frame", f"start.audio.sample_rate must be one of {rates}")
    return Start(profile, MappingProxyType(variables), rate)


def _encodable(value: Any) -> bool:
    """Whether every string in a parsed JSON value (keys included) is valid UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(_encodable, value))
    return True
