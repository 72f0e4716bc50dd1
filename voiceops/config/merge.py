"""Deep merge for `extends:`: maps merge key by key, everything else (lists too) replaces."""

from __future__ import annotations

from typing import Any


def deep_merge(base: Any, override: Any) -> Any:
    """`override` laid over `base`; neither input is modified (YAML aliases share objects)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override
