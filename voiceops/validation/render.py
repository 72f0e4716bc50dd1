"""Find one profile by name or path and produce its effective, shareable form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voiceops.config.interpolate import reference_name
from voiceops.config.loader import PROFILE_SUFFIXES, profile_files, profile_name
from voiceops.errors import UsageError
from voiceops.project import find_project
from voiceops.prompts.library import TemplateLibrary
from voiceops.suggest import did_you_mean
from voiceops.validation.validator import Checked, default_validator

REDACTED = "***redacted***"


def find_profile(ref: str) -> Path:
    """A profile's file from its name (in the project's configs/) or its path."""
    path = Path(ref)
    if path.is_file():
        return path
    configs = find_project().configs
    for suffix in PROFILE_SUFFIXES:
        candidate = configs / f"{ref}{suffix}"
        if candidate.is_file():
            return candidate
    names = [profile_name(p) for p in profile_files(configs)]
    hint = did_you_mean(ref, names)
    raise UsageError(f"no profile '{ref}' in {configs}" + (f"; {hint}" if hint else ""))


def effective_profile(ref: str, overlay: str | None = None
                      ) -> tuple[Checked, TemplateLibrary]:
    """The checked profile named `ref` (with the environment overlay `overlay`, if any),
    and the templates it was checked with."""
    path = find_profile(ref)
    validator = default_validator([path], overlay=overlay)
    return validator.check(path), validator.library


def redact(value: Any, key: str = "") -> Any:
    """A copy with every secret value replaced; `${VAR}` references stay (they are not keys)."""
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if key == "api_key" and isinstance(value, str) and not reference_name(value):
        return REDACTED
    return value
