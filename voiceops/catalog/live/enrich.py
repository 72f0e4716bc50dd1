"""Complete what a list API says with what the bundled snapshot knows.

List endpoints say little (OpenAI: an id; Anthropic: an id and a name), while checks need
context windows, tuning ranges, deprecations. So a live model takes the snapshot's facts
when its id (or an alias) is known there, but the live list decides *which* models exist.
Two kinds of snapshot entries are kept although the list does not show them:

- deprecated ones, so a check can still say "retired: use X" instead of "unknown model";
- kinds the endpoint cannot list (`bundled_kinds`: ElevenLabs' /v1/models has no STT).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from voiceops.catalog.types import Model, ModelKind, ProviderCatalog

__all__ = ["enrich", "merge_models", "snapshot_index"]


def snapshot_index(known: ProviderCatalog | None) -> dict[str, Model]:
    """Snapshot models by id and by alias (ids win over aliases)."""
    index: dict[str, Model] = {}
    if known is None:
        return index
    for model in known.models:
        for alias in model.aliases:
            index.setdefault(alias, model)
    for model in known.models:
        index[model.id] = model
    return index


def enrich(live: Model, fact: Model | None) -> Model:
    """`live` with the snapshot's facts about it. The list's id, name and languages win;
    a model found by alias (a dated snapshot) gets the facts but not the alias list."""
    if fact is None:
        return live
    return replace(
        fact,
        provider=live.provider,
        id=live.id,
        display_name=live.display_name or (fact.display_name if fact.id == live.id else None),
        aliases=fact.aliases if fact.id == live.id else (),
        languages=live.languages or fact.languages,
    )


def merge_models(
    listed: Sequence[Model], known: ProviderCatalog | None, *,
    bundled_kinds: frozenset[ModelKind] = frozenset(),
    facts_for: Callable[[str], str] = lambda model_id: model_id,
) -> tuple[Model, ...]:
    """The listed models, enriched, then the snapshot models kept although not listed.

    `facts_for` maps a listed id to the id whose facts apply (a fine-tuned model takes its
    base model's).
    """
    index = snapshot_index(known)
    merged = [enrich(m, index.get(m.id) or index.get(facts_for(m.id))) for m in listed]
    shown = {m.id for m in listed}
    for model in known.models if known else ():
        if model.id in shown or shown.intersection(model.aliases):
            continue
        if model.deprecated or model.kind in bundled_kinds:
            merged.append(model)
    return _unique_names(merged)


def _unique_names(models: Sequence[Model]) -> tuple[Model, ...]:
    """Drop aliases that name another entry: lists carry dated ids ("gpt-4.1-2025-04-14")
    that the snapshot knows as aliases, and every name must resolve to one model."""
    taken = {m.id for m in models}
    out = []
    for model in models:
        aliases = tuple(a for a in model.aliases if a not in taken)
        taken.update(aliases)
        out.append(model if aliases == model.aliases else replace(model, aliases=aliases))
    return tuple(out)
