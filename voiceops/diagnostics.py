"""Diagnostics: what every check produces, and the stable codes they carry.

Checks never raise on bad input; they return `Diagnostic`s, which reporters
(`voiceops.validation.reporters`) turn into text, JSON, GitHub annotations or SARIF.
Codes are stable: tools and people grep for them, so never reuse a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: code -> (default severity, short title). The title feeds SARIF rules and `--help` pages.
CODES: dict[str, tuple[Severity, str]] = {
    # files and YAML
    "VO001": ("error", "file cannot be read"),
    "VO002": ("error", "file is empty"),
    "VO003": ("error", "file is too large"),
    "VO004": ("error", "path leads outside configs/ or prompts/"),
    "VO005": ("error", "not a regular file (FIFO, device, socket)"),
    "VO100": ("error", "YAML syntax error"),
    "VO101": ("error", "YAML structure too deep or too large"),
    "VO102": ("error", "profile is not a mapping"),
    "VO103": ("error", "duplicate key"),
    "VO104": ("error", "unsupported YAML tag"),
    # schema
    "VO200": ("error", "value does not match the schema"),
    "VO201": ("error", "unknown key"),
    "VO202": ("error", "required key missing"),
    "VO203": ("error", "tuning key not valid for the provider"),
    # composition and environment
    "VO300": ("error", "extends: parent profile not found"),
    "VO301": ("error", "extends: cycle"),
    "VO302": ("error", "environment variable not set"),
    "VO303": ("error", "bad ${...} expression"),
    "VO320": ("error", "literal secret in a file"),
    "VO321": ("error", "credential variable referenced outside a secret field"),
    "VO330": ("error", "a provider's key is not set where the profile is served"),
    # listening (`session.vad`)
    "VO340": ("warning", "session.end_of_turn_silence_ms is replaced by session.vad"),
    "VO341": ("warning", "VAD engine silero: onnxruntime not installed"),
    "VO342": ("warning", "VAD engine silero: model file not found"),
    "VO343": ("warning", "session.vad.max_silence_ms under min_silence_ms"),
    # catalog
    "VO400": ("error", "unknown provider"),
    "VO401": ("error", "unknown model"),
    "VO402": ("error", "unknown voice"),
    "VO403": ("error", "language not supported"),
    "VO404": ("error", "tuning value not valid for the model"),
    "VO405": ("warning", "deprecated model"),
    "VO406": ("error", "model cannot stream"),
    "VO407": ("warning", "slow model for the optimization level"),
    "VO408": ("warning", "voice not verified for the language"),
    "VO410": ("error", "reference missing from the lock file"),
    "VO411": ("error", "pinned entry gone from the live catalog"),
    "VO412": ("warning", "pinned entry changed in the live catalog"),
    "VO413": ("error", "parameter the model refuses"),
    "VO414": ("warning", "parameter the model may refuse or mishandle (disputed or risky)"),
    # prompts
    "VO500": ("error", "prompt template not found"),
    "VO501": ("error", "required prompt variable not set"),
    "VO502": ("warning", "prompt variable set but not used"),
    "VO503": ("error", "template syntax error"),
    "VO504": ("error", "template uses an undeclared variable"),
    "VO505": ("error", "bad template variable declaration"),
    "VO506": ("error", "template cannot be rendered"),
    "VO507": ("error", "prompt variable has the wrong type"),
    "VO508": ("error", "rendered prompt too large"),
    "VO509": ("error", "template does too much work (loop steps or render time)"),
    # probe (real calls)
    "VO601": ("error", "probe: the provider refused the key"),
    "VO602": ("error", "probe: the model is not served"),
    "VO603": ("error", "probe: a setting was refused"),
    "VO604": ("error", "probe: the voice cannot be used"),
    "VO605": ("error", "probe: API key not set"),
    "VO606": ("warning", "probe: the call did not complete"),
    # knowledge (rag)
    "VO701": ("error", "knowledge source matches no file"),
    "VO702": ("error", "knowledge source outside the project"),
    "VO703": ("error", "knowledge file is not UTF-8 text"),
    "VO704": ("error", "knowledge file has no text to retrieve"),
    "VO705": ("warning", "rag: sources listed but retrieval disabled"),
    "VO706": ("warning", "rag: enabled with no sources and no retriever"),
    "VO707": ("warning", "secret-shaped string in a knowledge file"),
    # phone numbers (`phone:`)
    "VO801": ("error", "phone number not in E.164 form"),
    "VO802": ("error", "phone number routed to two profiles"),
    "VO803": ("warning", "phone number listed twice in one profile"),
    "VO804": ("error", "phone numbers on an abstract profile"),
    # tools
    "VO900": ("error", "tools: no such tools file"),
    "VO901": ("error", "tool name declared twice"),
    "VO902": ("error", "tool name not valid for an LLM provider"),
    "VO903": ("error", "tool parameters are not valid JSON Schema"),
    "VO904": ("error", "tool parameters outside what the LLM providers accept"),
    "VO905": ("error", "transfer target is not a phone number or SIP address"),
    "VO906": ("error", "credential written into a tool's URL or headers"),
    "VO907": ("warning", "the prompt names a tool that is not declared"),
    "VO908": ("warning", "declared tool the prompt never names"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: `path:line:col: CODE message`, plus an optional hint."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


def make(
    code: str, path: str, line: int, col: int, message: str, hint: str | None = None
) -> Diagnostic:
    """A diagnostic with the default severity of its code.

    Messages quote user text (keys, values); control characters in it are escaped so a
    diagnostic is always one line, as tools that read `path:line:col:` expect.
    """
    return Diagnostic(path, line, col, code, _one_line(message),
                      None if hint is None else _one_line(hint), CODES[code][0])


_ESCAPES = {i: f"\\x{i:02x}" for i in range(32)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def _one_line(text: str) -> str:
    return text.translate(_ESCAPES)


def unique_sorted(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats (a base profile's problem is seen through each child) and sort by place."""
    return sorted(set(diagnostics))


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`--strict`: every warning becomes an error."""
    return [
        Diagnostic(d.path, d.line, d.col, d.code, d.message, d.hint, "error") for d in diagnostics
    ]
