"""The older panel's saved session configurations: their JSON shape, read and checked.

The panel stored one database row per configuration; its JSON export is one object or a
list of them, with these fields (`FIELDS`, in the panel's column order). Every problem is
collected with the file, the record's index and the field it concerns, so one run shows
all of them; null counts as absent, as it did in the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("name", "llm_provider", "llm_model", "tts_provider", "tts_voice_id", "voice_tuning",
          "system_prompt_id", "system_prompt_text", "optimization_level", "target_language",
          "enable_rag", "metadata", "is_default", "user_id")
REQUIRED = ("name", "llm_provider", "llm_model", "tts_provider", "tts_voice_id")
TUNING_KEYS = ("pitch", "pace", "loudness")
_TEXT = ("name", "llm_provider", "llm_model", "tts_provider", "tts_voice_id",
         "system_prompt_text", "optimization_level", "target_language")


@dataclass(frozen=True)
class SessionConfig:
    """One saved session configuration, as the panel held it."""

    name: str
    llm_provider: str
    llm_model: str
    tts_provider: str
    tts_voice_id: str
    voice_tuning: dict[str, float] = field(default_factory=dict)
    system_prompt_id: str | None = None
    system_prompt_text: str | None = None
    optimization_level: str | None = None
    target_language: str | None = None
    enable_rag: bool | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    is_default: bool | None = None
    user_id: str | int | None = None

    def to_json(self) -> dict[str, Any]:
        """The panel's JSON object: every field, in its column order, absent ones null."""
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class Record:
    """A session configuration and where it was read from."""

    source: str  # the file as shown to the user
    index: int  # its position in the file (0 for a file holding one object)
    in_list: bool
    config: SessionConfig

    @property
    def where(self) -> str:
        return f"{self.source}: record {self.index}"


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # errors: nothing may be imported
    warnings: list[str] = field(default_factory=list)


def read_sessions(path: Path, shown: str, into: ReadResult | None = None) -> ReadResult:
    """The session configurations in the file at `path`, added to `into`."""
    result = into if into is not None else ReadResult()
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        result.problems.append(f"{shown}: cannot read: {exc.strerror or exc}")
        return result
    except UnicodeDecodeError:
        result.problems.append(f"{shown}: not JSON (not UTF-8 text)")
        return result
    except json.JSONDecodeError as exc:
        result.problems.append(f"{shown}: not JSON: {exc.msg} (line {exc.lineno}, "
                               f"column {exc.colno})")
        return result
    items = document if isinstance(document, list) else [document]
    if not isinstance(document, list | dict) or not items:
        what = "an empty list" if isinstance(document, list) else f"a JSON {_kind(document)}"
        result.problems.append(f"{shown}: not a session configuration: the file holds {what}, "
                               "not an object or a list of objects with name, llm_provider, "
                               "llm_model, tts_provider, tts_voice_id, ...")
        return result
    for index, item in enumerate(items):
        where = f"{shown}: record {index}"
        if not isinstance(item, dict) or not set(item) & set(FIELDS):
            result.problems.append(f"{where} is not a session configuration (expected an "
                                   "object with name, llm_provider, llm_model, tts_provider, "
                                   "tts_voice_id, ...)")
            continue
        config = _config(item, where, result)
        if config is not None:
            result.records.append(Record(shown, index, isinstance(document, list), config))
    return result


def _config(item: dict[str, Any], where: str, result: ReadResult) -> SessionConfig | None:
    unknown = [k for k in item if k not in FIELDS]
    if unknown:
        result.warnings.append(f"{where}: unknown fields ignored: {', '.join(map(str, unknown))}")
    values = {k: v for k, v in item.items() if k in FIELDS and v is not None}
    problems: list[str] = []
    for name in REQUIRED:
        if name not in values or values[name] == "":
            problems.append(f"{where}: missing required field '{name}'")
    for name in _TEXT:
        if name in values and not isinstance(values[name], str):
            problems.append(f"{where}: field '{name}' must be text, not {_show(values[name])}")
    if "system_prompt_id" in values:
        prompt_id = values["system_prompt_id"]
        if isinstance(prompt_id, bool) or not isinstance(prompt_id, str | int):
            problems.append(f"{where}: field 'system_prompt_id' must be text or a number, "
                            f"not {_show(prompt_id)}")
        else:
            values["system_prompt_id"] = str(prompt_id)
    for name in ("enable_rag", "is_default"):
        if name in values and not isinstance(values[name], bool):
            problems.append(f"{where}: field '{name}' must be true or false, not "
                            f"{_show(values[name])}")
    if "metadata" in values and not isinstance(values["metadata"], dict):
        problems.append(f"{where}: field 'metadata' must be an object, not "
                        f"{_show(values['metadata'])}")
    if "user_id" in values and (isinstance(values["user_id"], bool)
                                or not isinstance(values["user_id"], str | int)):
        problems.append(f"{where}: field 'user_id' must be text or a number, not "
                        f"{_show(values['user_id'])}")
    if "voice_tuning" in values:
        values["voice_tuning"] = _tuning(values["voice_tuning"], where, problems, result)
    result.problems.extend(problems)
    return None if problems else SessionConfig(**values)


def _tuning(raw: Any, where: str, problems: list[str], result: ReadResult) -> dict[str, float]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: field 'voice_tuning' must be an object with "
                        f"{', '.join(TUNING_KEYS)}, not {_show(raw)}")
        return {}
    tuning: dict[str, float] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if key not in TUNING_KEYS:
            result.warnings.append(f"{where}: voice_tuning.{key} ignored (the panel's tuning "
                                   f"has only {', '.join(TUNING_KEYS)})")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: field 'voice_tuning.{key}' must be a number, not "
                            f"{_show(value)}")
        else:
            tuning[key] = value
    return tuning


def _kind(value: Any) -> str:
    return {str: "string", int: "number", float: "number", bool: "boolean",
            type(None): "null", list: "list", dict: "object"}.get(type(value), "value")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"
