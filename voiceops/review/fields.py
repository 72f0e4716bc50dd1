"""Nested profile data as flat `dotted.paths` -> leaf values, the way reviewers read changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Top-level keys in the order the README's profile example writes them; diffs follow it
#: rather than merge order (which puts everything inherited from a base first).
PROFILE_ORDER = ("version", "extends", "abstract", "description", "language", "llm", "tts",
                 "stt", "prompt", "first_message", "optimization", "rag", "tools", "session",
                 "phone", "metadata")
_RANK = {key: i for i, key in enumerate(PROFILE_ORDER)}


def dotted(path: Sequence[str | int]) -> str:
    """`("llm", "fallbacks", 0, "model")` -> `llm.fallbacks[0].model`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def flatten(data: Any) -> dict[str, Any]:
    """Every leaf of `data` by its dotted path, in document order.

    Maps descend; so do lists holding maps (fallbacks), by index; the `tools` list by each
    tool's name (`tools.check_availability.http.url`), so adding one tool is not a change to
    every tool after it. A list of plain values (`service_types: [a, b]`) is one leaf:
    reviewers read it as one value, and an insertion would otherwise shift every later index
    into a change. An empty map is a leaf too, so `rag: {}` does not vanish from a diff.
    """
    flat: dict[str, Any] = {}

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        names = _tool_names(value) if path == ("tools",) else None
        if names is not None:
            for name, item in zip(names, value, strict=True):
                walk(item, (*path, name))
        elif isinstance(value, dict) and value:
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        else:
            flat[dotted(path)] = value

    walk(data, ())
    flat.pop("", None)  # a document that is not a map has no fields to name
    return flat


def _tool_names(value: Any) -> list[str] | None:
    """Each tool's name (a built-in's defaults to the built-in), when every entry has one and
    no two share it (else the list is walked by index, like any other)."""
    if not isinstance(value, list):
        return None
    names = [v.get("name", v.get("builtin")) if isinstance(v, dict) else None for v in value]
    if all(isinstance(n, str) and n for n in names) and len(set(names)) == len(names):
        return [str(n) for n in names]
    return None


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its top-level keys in `PROFILE_ORDER` (unknown keys last, as they were)."""
    return dict(sorted(data.items(), key=lambda item: _RANK.get(item[0], len(_RANK))))
