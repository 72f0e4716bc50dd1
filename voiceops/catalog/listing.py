"""`voiceops models` and `voiceops voices`: filter catalog entries and lay them out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from voiceops import languages
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.types import Model, Voice
from voiceops.provider_facts import title


def filter_voices(voices: Iterable[Voice], *, custom: bool = False, gender: str | None = None,
                  language: str | None = None, search: str | None = None) -> list[Voice]:
    """The voices matching every given filter, sorted by provider and name."""
    picked = []
    needle = search.casefold() if search else None
    for voice in voices:
        if custom and not voice.custom:
            continue
        if gender and (voice.gender or "").casefold() != gender.casefold():
            continue
        if language and not (voice.languages and languages.supports(voice.languages, language)):
            continue
        if needle and not any(needle in (text or "").casefold() for text in (
                voice.name, voice.id, voice.description, voice.accent, voice.use_case)):
            continue
        picked.append(voice)
    return sorted(picked, key=lambda v: (v.provider, v.name.casefold(), v.id))


def empty_hints(catalog: Catalog, providers: Iterable[str], *, rows: int, custom: bool,
                language: str | None, live: bool) -> list[str]:
    """What a person should know when voice filters leave out what they may be after:
    providers whose voices list no languages (the bundled ElevenLabs voices), and custom
    voices, which only a live catalog (the account's) has."""
    hints = []
    if language:
        unlabelled = [title(p) for p in providers
                      if catalog.voices(p) and not any(v.languages for v in catalog.voices(p))]
        if unlabelled:
            hints.append(f"{' and '.join(unlabelled)} voices here list no languages, so "
                         f"--language matches none of them; add --live to ask the API, "
                         f"or leave out --language")
    if custom and not rows and not live:
        hints.append("your own voices come from your account: add --live (with "
                     "ELEVENLABS_API_KEY set)")
    return hints


def model_row(model: Model) -> dict[str, Any]:
    return {
        "provider": model.provider, "id": model.id, "kind": model.kind,
        "context_window": model.context_window, "max_output": model.max_output,
        "streaming": model.streaming, "latency": model.latency,
        "price_in": model.price_in, "price_out": model.price_out,
        "deprecated": model.deprecated, "languages": list(model.languages),
        "tuning": {k: {"min": r.min, "max": r.max, "default": r.default}
                   for k, r in model.tuning.items()},
        "sample_rates": list(model.sample_rates),
    }


def voice_row(voice: Voice) -> dict[str, Any]:
    return {
        "provider": voice.provider, "id": voice.id, "name": voice.name,
        "category": voice.category, "custom": voice.custom, "gender": voice.gender,
        "accent": voice.accent, "age": voice.age, "use_case": voice.use_case,
        "languages": list(voice.languages), "models": list(voice.models),
        "preview_url": voice.preview_url,
    }


def _cell(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(map(str, value[:4])) + ("…" if len(value) > 4 else "")
    if isinstance(value, int) and value >= 10_000:
        return f"{value // 1000}k"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as a plain aligned text table with a header line."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
              for r in cells]
    return "\n".join(lines)
