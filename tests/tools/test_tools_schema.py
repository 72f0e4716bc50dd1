"""schemas/tools.schema.json, for editors of shared tools files (`voiceops init` writes it
beside profile.schema.json): its tool definitions are the profile schema's, and it takes a
good tools file and refuses a bad one as `validate` would."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from voiceops.project.scaffold import starter_files


def packaged(name: str) -> dict[str, Any]:
    """A schema file as shipped (not `profile_schema()`: compiling it rewrites its $refs)."""
    text = resources.files("voiceops.resources").joinpath("schemas", name)
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


def tools_schema() -> dict[str, Any]:
    return packaged("tools.schema.json")


def test_its_definitions_are_the_profile_schemas() -> None:
    for name, definition in tools_schema()["$defs"].items():
        assert definition == packaged("profile.schema.json")["$defs"][name], name
    assert "schemas/tools.schema.json" in starter_files()


@pytest.mark.parametrize(("data", "valid"), [
    ({"description": "Booking", "tools": [
        {"name": "book", "description": "Book a slot.", "http": {"url": "https://x/book"}},
        {"builtin": "transfer_call", "target": "+919876543210"}]}, True),
    ({"tools": [{"name": "book", "description": "Book.", "http": {"url": "ftp://x"}}]}, False),
    ({"tools": [{"builtin": "end_call", "http": {"url": "https://x"}}]}, False),
    ({"tools": ["booking"]}, False),  # a tools file cannot name another
    ({"tool": []}, False),
])
def test_it_judges_tools_files(data: dict[str, Any], valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(tools_schema())
    assert validator.is_valid(data) is valid
