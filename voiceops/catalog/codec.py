"""The JSON form of a provider catalog, shared by the bundled snapshot, the cache and the lock.

Format (keys as in `Model` / `Voice`; `provider` is implied by the file)::

    {"provider": "sarvam", "source": "...", "source_date": "YYYY-MM-DD",
     "models": [{"id": ..., "kind": ..., "tuning": {"pace": {"min": ..., "max": ...}}}, ...],
     "voices": [{"id": ..., "name": ..., "models": [...]}, ...],
     "retired_voices": {"<voice id>": "<why, and what to use instead>"},   # optional
     "notes": ["free text about the data"],                                  # optional
     "rules": [{"kind": ..., "param": ..., "models": [...], ...}]}            # optional

`rules` are per-model parameter rules, dated and sourced; `voiceops.catalog.rules` reads and
checks them (a catalog from a lock or a live API carries none: they are facts about the API).

A model's `deprecated` text starts with "retired" when the provider no longer serves it (a
call fails); any other text means it still works but is on its way out.
`catalog_to_json` writes the same form, sorted and without empty fields, so files diff well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any, Final, NoReturn, cast, get_args

from voiceops.catalog.types import (
    Api,
    Latency,
    Model,
    ModelKind,
    ProviderCatalog,
    Range,
    Voice,
    VoiceCategory,
    range_from,
)
from voiceops.errors import CatalogError

__all__ = ["CatalogFormatError", "catalog_from_json", "catalog_to_json"]


class CatalogFormatError(CatalogError):
    """Raised when a catalog's JSON form has a missing, unknown or ill-typed field."""

    def __init__(self, origin: str, field: str, problem: str) -> None:
        super().__init__(f"{origin}: field {field!r} {problem}")
        self.origin = origin
        self.field = field
        self.problem = problem


_TOP_KEYS: Final = frozenset(
    {"provider", "source", "source_date", "models", "voices", "retired_voices", "notes",
     "rules"}
)
_MODEL_KEYS: Final = frozenset(f.name for f in fields(Model)) - {"provider"}
_VOICE_KEYS: Final = frozenset(f.name for f in fields(Voice)) - {"provider"}
_KINDS: Final = frozenset(get_args(ModelKind))
_APIS: Final = frozenset(get_args(Api))
_LATENCIES: Final = frozenset(get_args(Latency))
_CATEGORIES: Final = frozenset(get_args(VoiceCategory))
_RANGE_KEYS: Final = frozenset({"min", "max", "default"})
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Fields:
    """Typed access to one JSON object, raising a packaging error that names file and field."""

    def __init__(self, origin: str, where: str, obj: object, allowed: frozenset[str]) -> None:
        self.origin = origin
        self.where = where
        if not isinstance(obj, dict):
            self.fail(None, f"must be an object, not {type(obj).__name__}")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            self.fail(unknown[0], "is not a known field")
        self.obj: dict[str, Any] = obj

    def fail(self, key: str | None, problem: str) -> NoReturn:
        field = f"{self.where}.{key}" if key else self.where
        raise CatalogFormatError(self.origin, field, problem)

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.obj or self.obj[key] is None:
            if required:
                self.fail(key, "is required")
            return None
        return self.obj[key]

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.fail(key, "must be a non-empty string")
        return value

    def req_string(self, key: str) -> str:
        value = self.string(key, required=True)
        if value is None:  # pragma: no cover - _get raised already
            self.fail(key, "is required")
        return value

    def choice(self, key: str, allowed: frozenset[str], default: str) -> str:
        value = self.string(key)
        if value is None:
            return default
        if value not in allowed:
            self.fail(key, f"must be one of {sorted(allowed)}, not {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return bool(value)

    def integer(self, key: str) -> int | None:
        value = self._get(key, False)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            self.fail(key, "must be a positive integer")
        return value

    def number(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(key, "must be a non-negative number")
        return float(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key, "must be a list of non-empty strings")
        if len(set(value)) != len(value):
            self.fail(key, "has duplicate entries")
        return tuple(value)

    def choices(self, key: str, allowed: frozenset[str]) -> tuple[str, ...]:
        values = self.strings(key)
        wrong = [v for v in values if v not in allowed]
        if wrong:
            self.fail(key, f"must hold only {sorted(allowed)}, not {wrong[0]!r}")
        return values

    def integers(self, key: str) -> tuple[int, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
        ):
            self.fail(key, "must be a list of positive integers")
        return tuple(value)

    def tuning(self, key: str) -> Mapping[str, Range]:
        value = self._get(key, False)
        if value is None:
            return MappingProxyType({})
        if not isinstance(value, dict):
            self.fail(key, "must be an object of parameter -> {min, max, default?}")
        ranges: dict[str, Range] = {}
        for name, raw in value.items():
            spec = _Fields(self.origin, f"{self.where}.{key}.{name}", raw, _RANGE_KEYS)
            lo, hi, default = (_signed(spec, k) for k in ("min", "max", "default"))
            if lo is None:
                spec.fail("min", "is required")
            if hi is None:
                spec.fail("max", "is required")
            if lo > hi:
                spec.fail("min", f"is greater than max ({lo} > {hi})")
            if default is not None and not lo <= default <= hi:
                spec.fail("default", f"{default} is outside {lo}..{hi}")
            ranges[name] = range_from({"min": lo, "max": hi, "default": default})
        return MappingProxyType(ranges)


def _signed(spec: _Fields, key: str) -> float | None:
    value = spec.obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        spec.fail(key, "must be a number")
    return float(value)


def _model(origin: str, provider: str, index: int, raw: object) -> Model:
    ident = raw.get("id") if isinstance(raw, dict) else None
    f = _Fields(origin, f"models[{index}]" + (f"({ident})" if ident else ""), raw, _MODEL_KEYS)
    default_rate = f.integer("default_sample_rate")
    sample_rates = f.integers("sample_rates")
    if default_rate is not None and sample_rates and default_rate not in sample_rates:
        f.fail("default_sample_rate", f"{default_rate} is not one of sample_rates")
    return Model(
        provider=provider,
        id=f.req_string("id"),
        kind=cast(ModelKind, f.choice("kind", _KINDS, "chat")),
        display_name=f.string("display_name"),
        aliases=f.strings("aliases"),
        context_window=f.integer("context_window"),
        max_output=f.integer("max_output"),
        streaming=f.boolean("streaming", True),
        latency=cast(Latency, f.choice("latency", _LATENCIES, "medium")),
        languages=f.strings("languages"),
        deprecated=f.string("deprecated"),
        replaced_by=f.string("replaced_by"),
        apis=cast(tuple[Api, ...], f.choices("apis", _APIS)),
        price_in=f.number("price_in"),
        price_out=f.number("price_out"),
        tuning=f.tuning("tuning"),
        sample_rates=sample_rates,
        default_sample_rate=default_rate,
        default_voice=f.string("default_voice"),
    )


def _voice(origin: str, provider: str, index: int, raw: object) -> Voice:
    ident = raw.get("id") if isinstance(raw, dict) else None
    f = _Fields(origin, f"voices[{index}]" + (f"({ident})" if ident else ""), raw, _VOICE_KEYS)
    return Voice(
        provider=provider,
        id=f.req_string("id"),
        name=f.req_string("name"),
        category=cast(VoiceCategory, f.choice("category", _CATEGORIES, "premade")),
        gender=f.string("gender"),
        accent=f.string("accent"),
        age=f.string("age"),
        use_case=f.string("use_case"),
        description=f.string("description"),
        languages=f.strings("languages"),
        models=f.strings("models"),
        preview_url=f.string("preview_url"),
    )


def _list(top: _Fields, key: str) -> list[Any]:
    value = top.obj.get(key, [])
    if not isinstance(value, list):
        top.fail(key, "must be a list")
    return value


def _check_references(top: _Fields, models: tuple[Model, ...], voices: tuple[Voice, ...]) -> None:
    names: dict[str, str] = {}
    for model in models:
        for name in (model.id, *model.aliases):
            if name in names:
                top.fail("models", f"uses the name {name!r} twice ({names[name]} and {model.id})")
            names[name] = model.id
    voice_ids: set[str] = set()
    for voice in voices:
        if voice.id in voice_ids:
            top.fail("voices", f"lists the voice id {voice.id!r} twice")
        voice_ids.add(voice.id)
    tts = {m.id for m in models if m.kind == "tts"}
    for voice in voices:
        for model_id in voice.models:
            if model_id not in tts:
                top.fail("voices", f"voice {voice.id!r} names {model_id!r}, which is no TTS model")
    for model in models:
        if model.default_voice is not None and model.default_voice not in voice_ids:
            top.fail("models", f"{model.id}.default_voice {model.default_voice!r} is not a voice")


def catalog_from_json(data: object, *, origin: str) -> ProviderCatalog:
    """A `ProviderCatalog` from its JSON form (a snapshot file, or a lock or cache entry).

    `origin` names the file in error messages. Raises `CatalogFormatError` on any malformed
    field.
    """
    top = _Fields(origin, "<top>", data, _TOP_KEYS)
    provider = top.req_string("provider")
    top.req_string("source")
    date = top.req_string("source_date")
    if not _DATE.fullmatch(date):
        top.fail("source_date", f"must be an ISO date YYYY-MM-DD, not {date!r}")
    top.strings("notes")
    retired = _retired(top)
    models = tuple(_model(origin, provider, i, m) for i, m in enumerate(_list(top, "models")))
    voices = tuple(_voice(origin, provider, i, v) for i, v in enumerate(_list(top, "voices")))
    _check_references(top, models, voices)
    return ProviderCatalog(provider=provider, models=models, voices=voices, source="bundled",
                           fetched_at=date, retired_voices=retired)


def _retired(top: _Fields) -> Mapping[str, str]:
    value = top.obj.get("retired_voices", {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()
    ):
        top.fail("retired_voices", "must be an object of voice id -> reason")
    return MappingProxyType(dict(value))




def catalog_to_json(catalog: ProviderCatalog, *, source: str, source_date: str) -> dict[str, Any]:
    """The JSON form of `catalog` (what `catalog_from_json` reads back), sorted and compact."""
    return {
        "provider": catalog.provider,
        "source": source,
        "source_date": source_date,
        "models": [_entry(m) for m in sorted(catalog.models, key=lambda m: (m.kind, m.id))],
        "voices": [_entry(v) for v in sorted(catalog.voices, key=lambda v: v.id)],
        **({"retired_voices": dict(sorted(catalog.retired_voices.items()))}
           if catalog.retired_voices else {}),
    }


def _entry(item: Model | Voice) -> dict[str, Any]:
    """A model or voice as JSON: fields left at their defaults are omitted."""
    out: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.name == "provider" or value is None or value == () or value == {}:
            continue
        if f.name == "tuning":
            value = {k: {"min": r.min, "max": r.max, **({"default": r.default}
                                                        if r.default is not None else {})}
                     for k, r in sorted(value.items())}
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
