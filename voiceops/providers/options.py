"""Typed reads of `Target.options` (a profile section's other settings, as written).

Profiles are schema-checked before they reach a client, so a wrong type here is a caller
bug (a hand-built `Target`); it is reported as a `ProviderSetupError` naming the setting
rather than surfacing later as a provider's 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from voiceops.catalog import rules
from voiceops.errors import ProviderSetupError

if TYPE_CHECKING:
    from voiceops.providers.base import Target

__all__ = ["flag", "number", "reasoning_effort", "section", "text", "whole"]


def _bad(provider: str, key: str, value: object, wanted: str) -> ProviderSetupError:
    return ProviderSetupError(f"{provider}: setting {key!r} must be {wanted}, not {value!r}",
                              provider=provider)


def number(options: Mapping[str, Any], key: str, provider: str) -> float | None:
    """`options[key]` as a float, or None when unset."""
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(provider, key, value, "a number")
    return float(value)


def whole(options: Mapping[str, Any], key: str, provider: str) -> int | None:
    """`options[key]` as an int, or None when unset."""
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(provider, key, value, "a whole number")
    return value


def text(options: Mapping[str, Any], key: str, provider: str) -> str | None:
    """`options[key]` as a non-empty string, or None when unset or empty."""
    value = options.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _bad(provider, key, value, "a string")
    return value


def flag(options: Mapping[str, Any], key: str, provider: str) -> bool | None:
    """`options[key]` as a bool, or None when unset."""
    value = options.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _bad(provider, key, value, "true or false")
    return value


def section(options: Mapping[str, Any], key: str, provider: str) -> Mapping[str, Any]:
    """`options[key]` as a mapping (e.g. `tuning`), empty when unset."""
    value = options.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _bad(provider, key, value, "a mapping")
    return value


def reasoning_effort(target: Target) -> tuple[bool, object]:
    """(whether to send `reasoning_effort`, the value as the provider's API takes it).

    The profile's setting wins; under `optimization: latency` it is the lowest effort the
    model's parameter rules list (none for a model without reasoning rules). Values go out
    as the rules map them (Sarvam's "none" is JSON null)."""
    model = rules.for_model(target.provider, target.model)
    given = text(target.options, "reasoning_effort", target.provider)
    if given is None and target.options.get("optimization") == "latency":
        given = model.lowest_effort()
    if given is None:
        return False, None
    return True, model.wire("reasoning_effort", given)
