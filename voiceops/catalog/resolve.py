"""One view over catalog sources: look models and voices up by id, alias or name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from voiceops.catalog.types import CatalogSource, Model, ModelKind, ProviderCatalog, Voice


@dataclass
class _Index:
    catalog: ProviderCatalog
    models: dict[str, Model] = field(default_factory=dict)
    voices: dict[str, Voice] = field(default_factory=dict)


class Catalog:
    """Resolves references against sources tried in order (e.g. lock, then bundled).

    The first source that knows a provider answers for all of that provider, so a lock
    file pins a provider's whole view rather than mixing it with newer data.
    """

    def __init__(self, sources: Sequence[CatalogSource]) -> None:
        self.sources = list(sources)
        self._index: dict[str, _Index | None] = {}

    def provider(self, name: str) -> ProviderCatalog | None:
        index = self._indexed(name)
        return index.catalog if index else None

    def model(self, provider: str, model_id: str) -> Model | None:
        """The model with this id or alias, or None."""
        index = self._indexed(provider)
        return index.models.get(model_id) if index else None

    def models(self, provider: str, kind: ModelKind | None = None) -> list[Model]:
        index = self._indexed(provider)
        found = index.catalog.models if index else ()
        return [m for m in found if kind is None or m.kind == kind]

    def voice(self, provider: str, ref: str) -> Voice | None:
        """The voice whose id is `ref`, or whose name is `ref` in any case, or None."""
        index = self._indexed(provider)
        if index is None:
            return None
        return index.voices.get(ref) or index.voices.get(ref.casefold())

    def retired_voice(self, provider: str, ref: str) -> str | None:
        """Why the voice `ref` (an id, or a name) is gone, when the provider retired it."""
        index = self._indexed(provider)
        if index is None:
            return None
        retired = index.catalog.retired_voices
        if ref in retired:
            return retired[ref]
        prefix = f"{ref.casefold()}:"
        return next((why for why in retired.values() if why.casefold().startswith(prefix)), None)

    def voices(self, provider: str) -> list[Voice]:
        index = self._indexed(provider)
        return list(index.catalog.voices) if index else []

    def _indexed(self, provider: str) -> _Index | None:
        if provider not in self._index:
            self._index[provider] = self._build(provider)
        return self._index[provider]

    def _build(self, provider: str) -> _Index | None:
        for source in self.sources:
            catalog = source.provider_catalog(provider)
            if catalog is None:
                continue
            index = _Index(catalog)
            for model in catalog.models:
                index.models[model.id] = model
                for alias in model.aliases:
                    index.models.setdefault(alias, model)
            for voice in catalog.voices:
                index.voices[voice.id] = voice
                index.voices.setdefault(voice.name.casefold(), voice)
            return index
        return None
