"""The session protocol's client frames, parsed and checked (DESIGN.md section 4).

    {"type": "start", "profile": "support_hi", "vars": {...}, "audio": {"sample_rate": 16000}}
    {"type": "text", "text": "..."}      a typed turn
    {"type": "end_of_turn"}              the audio sent since the last turn is complete
    {"type": "interrupt"}                stop speaking now
    {"type": "stop"}                     end the session
    binary frames                        caller audio, PCM s16le mono at the start's rate

Anything else raises `SessionError` with the code the `error` frame carries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from voiceops.errors import SessionError

INPUT_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
MAX_TEXT_CHARS = 4000


@dataclass(frozen=True)
class Start:
    profile: str | None
    vars: dict[str, Any] = field(default_factory=dict)
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
        if len(text) > MAX_TEXT_CHARS:
            raise SessionError("frame_too_large", f"text is over {MAX_TEXT_CHARS} characters")
        return Text(text)
    if kind == "start":
        return _start(data)
    known = ", ".join(TYPES)
    raise SessionError("unknown_type", f"unknown frame type {kind!r}; expected one of {known}")


def _start(data: dict[str, Any]) -> Start:
    profile = data.get("profile")
    if profile is not None and (not isinstance(profile, str) or not profile):
        raise SessionError("bad_frame", "start.profile must be a profile name")
    variables = data.get("vars", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) for k in variables):
        raise SessionError("bad_vars", "start.vars must be an object of variable values")
    audio = data.get("audio", {})
    rate = audio.get("sample_rate", 16000) if isinstance(audio, dict) else None
    if rate not in INPUT_RATES or isinstance(rate, bool):
        rates = ", ".join(map(str, INPUT_RATES))
        raise SessionError("bad_frame", f"start.audio.sample_rate must be one of {rates}")
    return Start(profile, variables, rate)
