"""JSON Schema validation of effective profiles, with errors turned into diagnostics.

The schema (`voiceops/resources/schemas/profile.schema.json`, copied to `schemas/` in a
project for editors) is compiled once per process. jsonschema's messages are rewritten to
name the field and, for unknown keys and enum values, the closest valid name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import fastjsonschema

from voiceops.config.loader import LoadedProfile
from voiceops.diagnostics import Diagnostic, make
from voiceops.provider_facts import title
from voiceops.suggest import did_you_mean

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "profile.schema.json"
_PROVIDER_SECTIONS = {"llm": "LLM", "tts": "TTS", "stt": "STT"}


@cache
def profile_schema() -> dict[str, Any]:
    """The profile JSON Schema shipped with this version of voiceops."""
    text = resources.files("voiceops.resources").joinpath("schemas", SCHEMA_FILE).read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _explainer() -> jsonschema.Draft202012Validator:
    """jsonschema, for its full list of errors; imported only when a profile is invalid."""
    import jsonschema

    return jsonschema.Draft202012Validator(profile_schema())


@cache
def _fast_check() -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema: ~20x faster than jsonschema.

    It only answers valid/invalid (and stops at the first error); jsonschema then explains
    the rare invalid profile in full. The schema keeps to keywords both libraries read the
    same way (draft-07 ones, no siblings beside `$ref`); a property test checks they agree.
    """
    draft7 = {**profile_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(draft7, use_default=False)  # defaults must not leak in


def is_valid(data: Any) -> bool:
    """True when `data` satisfies the profile schema."""
    try:
        _fast_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def check_schema(profile: LoadedProfile) -> list[Diagnostic]:
    """Every schema violation of `profile`, each at the line of the offending key or value."""
    if is_valid(profile.data):
        return []
    found: list[Diagnostic] = []
    for error in _explainer().iter_errors(profile.data):
        found.extend(_to_diagnostics(error, profile))
    return found


def _to_diagnostics(error: ValidationError, profile: LoadedProfile) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    field = _dotted(path)
    marks = profile.marks
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_keys(error, path, profile)
    if kind == "required":
        missing = str(error.message).split("'")[1]
        where = f"{field}." if field else ""
        inherits = len(marks.chain) > 1
        hint = f"add `{missing}:`" + (" here or in the profile it extends" if inherits else "")
        return [make("VO202", *marks.place(path), f"{where}{missing} is required", hint)]
    if path and path[-1] == "api_key":
        return []  # literal secrets and bad references are reported by the secrets check
    place = marks.place(path)
    if kind == "enum":
        choices = [str(c) for c in error.validator_value]  # type: ignore[union-attr]
        if path and path[-1] == "provider" and path[0] in _PROVIDER_SECTIONS:
            what = _PROVIDER_SECTIONS[str(path[0])]
            return [make("VO400", *place, f"unknown {what} provider '{error.instance}'",
                         did_you_mean(str(error.instance), choices))]
        if error.instance is None and "#" in choices:  # `finish_on_key: #` is a comment
            return [make("VO200", *place, f"{field} is empty: an unquoted # starts a comment",
                         'write "#" in quotes')]
        if not isinstance(error.instance, str) and str(error.instance) in choices:
            return [make("VO200", *place, f"{field}: {error.instance} is a number to YAML, "
                         "not text", f'write "{error.instance}" in quotes')]
        return [make("VO200", *place, f"{field}: '{error.instance}' is not allowed",
                     did_you_mean(str(error.instance), choices))]
    if kind == "const":
        return [make("VO200", *place, f"{field} must be {error.validator_value!r}")]
    if kind == "type":
        expected = error.validator_value
        return [make("VO200", *place,
                     f"{field or 'profile'}: expected {_article(expected)}, got "
                     f"{_json_type(error.instance)}")]
    exclusive = error.validator_value.get("required") if kind == "not" and isinstance(
        error.validator_value, dict) else None
    if exclusive:
        return [make("VO200", *marks.place(path),
                     f"{field}: use one of {' or '.join(exclusive)}, not both")]
    if kind == "not":
        return [make("VO201", *marks.place(path), f"{field} is not allowed here",
                     error.schema.get("description") if isinstance(error.schema, dict) else None)]
    return [make("VO200", *place, f"{field}: {error.message}")]


def _unknown_keys(error: ValidationError, path: tuple[Any, ...],
                  profile: LoadedProfile) -> list[Diagnostic]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = [k for k in schema.get("properties", {}) if schema["properties"][k] is not False]
    tuning = bool(path) and path[-1] == "tuning"
    found = []
    for key in error.instance:  # type: ignore[union-attr]
        if key in allowed:
            continue
        place = profile.marks.key((*path, key))
        where = _dotted(path)
        if tuning:
            provider = _provider_of(profile.data, path)
            message = f"{title(provider)} has no tuning parameter '{key}'"
            hint = did_you_mean(key, allowed, list_all_below=99)
            found.append(make("VO203", place.path, place.line, place.col, message, hint))
        else:
            message = f"unknown key '{key}'" + (f" in {where}" if where else "")
            found.append(make("VO201", place.path, place.line, place.col, message,
                              did_you_mean(key, allowed, list_all_below=12)))
    return found


def _provider_of(data: Any, path: tuple[Any, ...]) -> str:
    node = data
    for step in path[:-1]:
        node = node[step]
    provider = node.get("provider") if isinstance(node, dict) else None
    return str(provider) if provider else "this provider"


def _dotted(path: tuple[Any, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _article(expected: Any) -> str:
    names = {"object": "a map", "array": "a list", "string": "text", "number": "a number",
             "integer": "a whole number", "boolean": "true or false", "null": "nothing"}
    if isinstance(expected, list):
        return " or ".join(names.get(str(e), str(e)) for e in expected)
    return names.get(str(expected), str(expected))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text '{value[:40]}'"
    return repr(value)
