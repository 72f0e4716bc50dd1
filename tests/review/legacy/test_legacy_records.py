"""Reading the panel's JSON: one object or a list, every problem named with its place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voiceops.review.legacy.records import FIELDS, ReadResult, SessionConfig, read_sessions

MINIMAL = {"name": "Support", "llm_provider": "openai", "llm_model": "gpt-5.4-mini",
           "tts_provider": "sarvam", "tts_voice_id": "anushka"}


def read(tmp_path: Path, content: Any, raw: bool = False) -> ReadResult:
    path = tmp_path / "sessions.json"
    path.write_text(content if raw else json.dumps(content), encoding="utf-8")
    return read_sessions(path, "sessions.json")


def test_one_object(tmp_path: Path) -> None:
    result = read(tmp_path, {**MINIMAL, "voice_tuning": {"pitch": 0.1, "pace": 1.2},
                             "system_prompt_id": 42, "enable_rag": True, "user_id": 7})
    assert result.problems == [] and result.warnings == []
    (record,) = result.records
    assert (record.index, record.in_list, record.where) == (0, False, "sessions.json: record 0")
    assert record.config.voice_tuning == {"pitch": 0.1, "pace": 1.2}
    assert record.config.system_prompt_id == "42"
    assert record.config.enable_rag is True and record.config.user_id == 7


def test_a_list_and_nulls_as_absent(tmp_path: Path) -> None:
    result = read(tmp_path, [MINIMAL, {**MINIMAL, "name": "Sales", "metadata": None,
                                       "system_prompt_text": None}])
    assert [r.config.name for r in result.records] == ["Support", "Sales"]
    assert result.records[1].in_list and result.records[1].config.metadata == {}


def test_missing_required_fields_name_file_record_and_field(tmp_path: Path) -> None:
    second = {k: v for k, v in MINIMAL.items() if k != "llm_model"}
    result = read(tmp_path, [MINIMAL, second, {**MINIMAL, "tts_voice_id": None, "name": ""}])
    assert result.problems == [
        "sessions.json: record 1: missing required field 'llm_model'",
        "sessions.json: record 2: missing required field 'name'",
        "sessions.json: record 2: missing required field 'tts_voice_id'",
    ]
    assert [r.index for r in result.records] == [0]


def test_wrong_types(tmp_path: Path) -> None:
    result = read(tmp_path, {**MINIMAL, "llm_model": 4, "enable_rag": "yes",
                             "voice_tuning": {"pace": "fast"}, "metadata": [1]})
    assert result.problems == [
        "sessions.json: record 0: field 'llm_model' must be text, not 4",
        "sessions.json: record 0: field 'enable_rag' must be true or false, not \"yes\"",
        "sessions.json: record 0: field 'metadata' must be an object, not [1]",
        "sessions.json: record 0: field 'voice_tuning.pace' must be a number, not \"fast\"",
    ]


def test_unknown_fields_are_a_warning(tmp_path: Path) -> None:
    result = read(tmp_path, {**MINIMAL, "id": 12, "created_at": "2024-01-01",
                             "voice_tuning": {"pace": 1.0, "emotion": "calm"}})
    assert result.problems == []
    assert result.warnings == [
        "sessions.json: record 0: unknown fields ignored: id, created_at",
        "sessions.json: record 0: voice_tuning.emotion ignored (the panel's tuning has only "
        "pitch, pace, loudness)",
    ]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "sessions.json: not JSON: Expecting property name enclosed in double "
                  "quotes (line 1, column 2)"),
    ("42", "sessions.json: not a session configuration: the file holds a JSON number, not "
           "an object or a list of objects with name, llm_provider, llm_model, tts_provider, "
           "tts_voice_id, ..."),
    ("[]", "sessions.json: not a session configuration: the file holds an empty list, not "
           "an object or a list of objects with name, llm_provider, llm_model, tts_provider, "
           "tts_voice_id, ..."),
    ('{"profiles": []}', "sessions.json: record 0 is not a session configuration (expected "
                         "an object with name, llm_provider, llm_model, tts_provider, "
                         "tts_voice_id, ...)"),
])
def test_not_a_session_configuration(tmp_path: Path, content: str, message: str) -> None:
    assert read(tmp_path, content, raw=True).problems == [message]


def test_unreadable_file(tmp_path: Path) -> None:
    result = read_sessions(tmp_path / "missing.json", "missing.json")
    assert result.problems == ["missing.json: cannot read: No such file or directory"]


def test_to_json_is_the_panel_shape() -> None:
    data = SessionConfig(**MINIMAL).to_json()  # type: ignore[arg-type]
    assert tuple(data) == FIELDS
    assert data["voice_tuning"] == {} and data["system_prompt_id"] is None
