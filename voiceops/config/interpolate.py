"""`${VAR}` and `${VAR:-default}` in profile values, from the environment.

A value that is nothing but one `${...}` takes the type its text reads as in YAML, so
`temperature: ${TEMP:-0.4}` is a number. `$${` writes a literal `${`. Secret fields
(`api_key`, and request `headers` such as `rag.retriever.headers`) are not expanded here:
they stay references until the runtime needs the key, so validation never holds a secret,
CI needs no keys, and `render`, the HTTP API and `diff` never show one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from voiceops.diagnostics import Diagnostic, make

_EXPR = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHOLE = re.compile(r"\$\{[^}]*\}\Z")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Key = tuple[str | int, ...]
Place = Callable[[Key], tuple[str, int, int]]


def reference_name(value: object) -> str | None:
    """`OPENAI_API_KEY` for the value `${OPENAI_API_KEY}`; None for anything else (a literal,
    a default, text around the reference): what secret fields must hold."""
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def secret_field(path: Key) -> bool:
    """Fields that hold a credential, left as `${VAR}` references here (expanded only
    where the key is used) and the only fields that may name a credential variable:
    api_key anywhere, and the headers of a tool's HTTP request or of the knowledge
    retriever (`rag.retriever.headers`)."""
    names = [p for p in path if isinstance(p, str)]
    return bool(names) and (names[-1] == "api_key"
                            or (names[-2:-1] == ["headers"]
                                and ("http" in names or names[:2] == ["rag", "retriever"])))


def interpolate(
    data: Any, env: Mapping[str, str], place: Place
) -> tuple[Any, list[Diagnostic]]:
    """A copy of `data` with references expanded; `place(path)` locates a value for errors."""
    diagnostics: list[Diagnostic] = []

    def walk(value: Any, path: Key) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and "$" in value and not secret_field(path):
            return _expand(value, env, lambda code, msg, hint: diagnostics.append(
                make(code, *place(path), msg, hint)
            ), typed=path[:2] != ("phone", "numbers"))  # "+14155550100" is no integer
        return value

    return walk(data, ()), diagnostics


def _expand(text: str, env: Mapping[str, str], report: Callable[[str, str, str], None],
            typed: bool = True) -> Any:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        expr = match.group(1)
        name, sep, default = expr.partition(":-")
        if not _NAME.match(name):
            report("VO303", f"bad reference ${{{expr}}}", "write ${NAME} or ${NAME:-default}")
            return match.group(0)
        if name in env and env[name] != "":
            return env[name]
        if sep:
            return default
        report("VO302", f"environment variable {name} is not set", f"set {name} or write "
               f"${{{name}:-default}}")
        return match.group(0)

    expanded = _EXPR.sub(substitute, text)
    if typed and _WHOLE.match(text) and expanded != text:
        return _typed(expanded)
    return expanded


def _typed(text: str) -> Any:
    """The YAML type of a plain scalar's text: "0.4" -> 0.4, "true" -> True, else the text."""
    try:
        value = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, bool | int | float) else text
