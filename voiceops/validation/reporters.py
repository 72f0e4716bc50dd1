"""Turn diagnostics into text for people, JSON for tools, GitHub annotations or SARIF.

`REPORTERS` is the registry; its keys are the `--format` choices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from voiceops import __version__
from voiceops.diagnostics import CODES
from voiceops.validation.validator import ValidationResult

Reporter = Callable[[ValidationResult, bool], str]

_RED, _YELLOW, _DIM, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def text(result: ValidationResult, color: bool) -> str:
    """`path:line:col: CODE message`, an indented hint line, then a summary line."""
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color else s

    lines = []
    for d in result.diagnostics:
        label = paint(_RED if d.severity == "error" else _YELLOW, d.code)
        kind = "" if d.severity == "error" else "warning: "
        lines.append(f"{paint(_BOLD, f'{d.path}:{d.line}:{d.col}:')} {label} {kind}{d.message}")
        if d.hint:
            lines.append(paint(_DIM, f"    hint: {d.hint}"))
    files = len(result.checked)
    bad = sum(any(d.severity == "error" for d in c.diagnostics) for c in result.checked)
    if result.errors:
        summary = (f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')} "
                   f"in {bad} of {_plural(files, 'profile')}")
        lines.append(paint(_RED, summary))
    else:
        extra = f" ({_plural(result.warnings, 'warning')})" if result.warnings else ""
        lines.append(f"{_plural(files, 'profile')} valid{extra}")
    return "\n".join(lines)


def as_json(result: ValidationResult, color: bool) -> str:
    """One JSON object: counts, and every diagnostic with its fields."""
    return json.dumps({
        "voiceops": __version__,
        "profiles": len(result.checked),
        "valid": sum(c.valid for c in result.checked),
        "errors": result.errors,
        "warnings": result.warnings,
        "diagnostics": [asdict(d) for d in result.diagnostics],
    }, indent=2)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(result: ValidationResult, color: bool) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    lines = []
    for d in result.diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{d.severity} file={_gh_escape(d.path, True)},line={d.line},"
                     f"col={d.col},title={_gh_escape(d.code, True)}::{_gh_escape(message)}")
    lines.append(text(result, False).splitlines()[-1])
    return "\n".join(lines)


def sarif(result: ValidationResult, color: bool) -> str:
    """SARIF 2.1.0, for code-scanning dashboards."""
    used = sorted({d.code for d in result.diagnostics})
    rules = [{"id": code, "name": CODES[code][1].replace(" ", "_"),
              "shortDescription": {"text": CODES[code][1]},
              "defaultConfiguration": {"level": CODES[code][0]}} for code in used]
    results: list[dict[str, Any]] = []
    for d in result.diagnostics:
        results.append({
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": d.severity,
            "message": {"text": d.message + (f"\nhint: {d.hint}" if d.hint else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": d.path.replace("\\", "/")},
                "region": {"startLine": d.line, "startColumn": d.col},
            }}],
        })
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "voiceops", "version": __version__,
                                "informationUri": "https://github.com/voiceops/voiceops",
                                "rules": rules}},
            "results": results,
        }],
    }, indent=2)


REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github,
                                  "sarif": sarif}


def report(result: ValidationResult, fmt: str, color: bool = False) -> str:
    return REPORTERS[fmt](result, color)


__all__ = ["REPORTERS", "Reporter", "report"]
