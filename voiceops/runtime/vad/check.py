"""`voiceops validate`'s checks of how a profile listens (`session.vad`).

Warnings, not errors: the machine that validates (CI) is often not the one that serves, and
a profile is right whether or not onnxruntime is installed where it is checked. The
runtime refuses a session with the same one-line reason (`vad_unavailable`).

    VO340  session.end_of_turn_silence_ms, which session.vad replaces (it still works)
    VO341  engine silero where onnxruntime is not installed
    VO342  engine silero where its model file is not found
    VO343  max_silence_ms under min_silence_ms (min_silence_ms is used)
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from voiceops.config.loader import LoadedProfile
from voiceops.diagnostics import Diagnostic, make
from voiceops.runtime.vad.model import ModelMissing, find_model

__all__ = ["check_listening"]


def check_listening(profile: LoadedProfile,
                    env: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """Every listening problem of `profile`, at the key at fault (`env` names the model file
    when VOICEOPS_SILERO_MODEL is set in it; the process environment by default)."""
    session = profile.data.get("session")
    if not isinstance(session, dict):
        return []
    vad = session.get("vad")
    vad = vad if isinstance(vad, dict) else {}
    found: list[Diagnostic] = []

    def at(*key: str | int) -> tuple[str, int, int]:
        mark = profile.marks.value(("session", *key))
        return mark.path, mark.line, mark.col

    quiet = session.get("end_of_turn_silence_ms")
    if isinstance(quiet, int):
        found.append(make("VO340", *at("end_of_turn_silence_ms"),
                          "session.end_of_turn_silence_ms is replaced by session.vad "
                          "(it still works: the runner ends turns after that much quiet)",
                          f"write session: vad: {{endpointing: true, min_silence_ms: {quiet}, "
                          f"max_silence_ms: {quiet}}} instead"))
    if vad.get("engine") == "silero":
        found += _silero(at("vad", "engine"), env)
    low, high = vad.get("min_silence_ms"), vad.get("max_silence_ms")
    if isinstance(low, int) and isinstance(high, int) and high < low:
        found.append(make("VO343", *at("vad", "max_silence_ms"),
                          f"session.vad.max_silence_ms ({high}) is under min_silence_ms "
                          f"({low}): min_silence_ms is used",
                          "max_silence_ms is the longer wait, after a short fragment; "
                          "raise it or leave it out"))
    return found


def _silero(where: tuple[str, int, int], env: Mapping[str, Any] | None) -> list[Diagnostic]:
    if importlib.util.find_spec("onnxruntime") is None:
        return [make("VO341", *where,
                     "session.vad.engine silero needs onnxruntime, which is not installed here",
                     "pip install 'voiceops[silero]' where the profile is served, or use "
                     "engine webrtc")]
    try:
        find_model(env)
    except ModelMissing as exc:
        return [make("VO342", *where, f"session.vad.engine silero: {exc}")]
    return []
