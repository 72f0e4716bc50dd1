"""Settings a profile needs that the panel never stored, chosen from the catalog.

The panel picked a TTS model and speech recognition behind the scenes; a profile names them.
Choices are deterministic: usable entries only (streaming, not deprecated, on the API
voiceops calls, able to speak the language, and for a voice with a model list, one of its
models), then what the project's
lock already pins (the team's existing choice, and it keeps `voiceops validate` passing),
then the latency the optimization level asks for, then catalog order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voiceops import languages
from voiceops.catalog.references import SECTION_APIS
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.types import Model
from voiceops.provider_facts import PROVIDERS, title

_LATENCY_ORDER = {
    "latency": ("low", "medium", "high"),
    "balanced": ("low", "medium", "high"),
    "quality": ("medium", "high", "low"),
}


@dataclass(frozen=True)
class Choice:
    """A default picked for a profile, and why, for the note shown to the user."""

    provider: str
    model: str
    reason: str


def tts_model(catalog: Catalog, provider: str, voice: str, language: str | None,
              optimization: str) -> Choice | None:
    """The TTS model for `voice` of `provider`, or None when the catalog offers none."""
    found = catalog.voice(provider, voice)
    allowed = set(found.models) if found and found.models else None
    candidates = [m for m in _usable(catalog.models(provider, "tts"), language, "tts")
                  if allowed is None or m.id in allowed]
    best = _best(catalog, candidates, optimization)
    if best is None:
        return None
    why = [f"voice {found.name} works with it"] if found and allowed else []
    return Choice(provider, best.id, _reason(catalog, best, why, language))


def stt_model(catalog: Catalog, preferred: Sequence[str], language: str | None,
              optimization: str) -> Choice | None:
    """Speech recognition: the first of `preferred` providers (then any other) that has a
    usable model for `language`."""
    order = [p for p in dict.fromkeys([*preferred, *PROVIDERS]) if p in PROVIDERS
             and "stt" in PROVIDERS[p].capabilities and PROVIDERS[p].has_catalog]
    for provider in order:
        usable = _usable(catalog.models(provider, "stt"), language, "stt")
        best = _best(catalog, usable, optimization)
        if best is not None:
            why = [f"{title(provider)} is already used here"] if provider in preferred else []
            return Choice(provider, best.id, _reason(catalog, best, why, language))
    return None


def _usable(models: Iterable[Model], language: str | None, section: str) -> list[Model]:
    api = SECTION_APIS[section]
    return [m for m in models if m.streaming and not m.deprecated
            and (not m.apis or api in m.apis)
            and (not language or languages.supports(m.languages, language))]


def _best(catalog: Catalog, models: list[Model], optimization: str) -> Model | None:
    order = _LATENCY_ORDER.get(optimization, _LATENCY_ORDER["balanced"])

    def rank(model: Model) -> tuple[bool, int]:
        pinned = catalog.pinned is not None and catalog.is_pinned(model.provider, "model",
                                                                  model.id)
        return (not pinned, order.index(model.latency))

    return min(models, key=rank, default=None)  # min is stable: catalog order breaks ties


def _reason(catalog: Catalog, model: Model, why: list[str], language: str | None) -> str:
    if language:
        why.append(f"speaks {language}")
    if catalog.pinned is not None and catalog.is_pinned(model.provider, "model", model.id):
        why.append("pinned in voiceops.lock")
    why.append(f"{model.latency} latency")
    return ", ".join(why)

