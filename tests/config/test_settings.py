"""A validated profile's settings as typed frozen values, every default from the schema."""

from __future__ import annotations

import dataclasses

import pytest

from voiceops.config.schema import profile_schema
from voiceops.config.settings import SessionSettings, provider_timeout_s, schema_default


def test_defaults_are_the_schemas_own() -> None:
    session = profile_schema()["properties"]["session"]["properties"]
    settings = SessionSettings.from_section({})
    assert settings.max_duration_s == session["max_duration_s"]["default"] == 900
    assert settings.silence_timeout_s == session["silence_timeout_s"]["default"]
    assert settings.max_history_turns == session["max_history_turns"]["default"]
    assert settings.barge_in is session["barge_in"]["default"]
    assert settings.idle_timeout_s == session["idle_timeout_s"]["default"]
    assert settings.end_of_turn_silence_ms is None
    assert provider_timeout_s({}) == profile_schema()["$defs"]["timeout"]["default"]


def test_values_are_typed_and_frozen() -> None:
    settings = SessionSettings.from_section({"max_duration_s": 60, "barge_in": False,
                                             "end_of_turn_silence_ms": 700})
    assert settings.max_duration_s == 60.0 and isinstance(settings.max_duration_s, float)
    assert settings.barge_in is False and settings.end_of_turn_silence_ms == 700
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.barge_in = True  # type: ignore[misc]
    assert provider_timeout_s({"timeout_s": 4}) == 4.0


def test_an_unknown_default_is_a_bug_named_as_such() -> None:
    with pytest.raises(KeyError, match="no default"):
        schema_default("session", "no_such_setting")
