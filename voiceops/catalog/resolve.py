"""One view over catalog sources: look models and voices up by id, alias or name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from voiceops.catalog.types import CatalogSource, Model, ModelKind, ProviderCatalog, Voice


@dataclass
class _Index:
    catalog: ProviderCatalog
    models: dict[str, Model] = field(default_factory=dict)
    voices: dict[str, Voice] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: ProviderCatalog) -> _Index:
        index = cls(catalog)
        for model in catalog.models:
            index.models[model.id] = model
            for alias in model.aliases:
                index.models.setdefault(alias, model)
        for voice in catalog.voices:
            index.voices[voice.id] = voice
            index.voices.setdefault(voice.name.casefold(), voice)
        return index


class Catalog:
    """Resolves references against sources tried in order, entry by entry.

    E.g. `Catalog([lock, bundled])`: a voice pinned in the lock is answered from the lock
    (reproducible), anything else from the bundled snapshot. Listings merge all sources, the
    first source winning for an id. `pinned` is the source whose entries must cover every
    reference (the lock file), or None.
    """

    def __init__(self, sources: Sequence[CatalogSource],
                 pinned: CatalogSource | None = None,
                 servers: Mapping[str, ProviderCatalog] | None = None) -> None:
        self.sources = list(sources)
        self.pinned = pinned
        self.servers = dict(servers or {})  # OpenAI-compatible servers' models, by base URL
        self._indexes: dict[str, list[_Index]] = {}
        self._pinned: dict[str, _Index | None] = {}

    def served(self, base_url: str) -> ProviderCatalog | None:
        """What the OpenAI-compatible server at `base_url` lists; None when not asked."""
        return self.servers.get(base_url)

    def provider(self, name: str) -> ProviderCatalog | None:
        """The first source's catalog of `name`, or None when no source knows it."""
        indexes = self._indexed(name)
        return indexes[0].catalog if indexes else None

    def model(self, provider: str, model_id: str) -> Model | None:
        """The model with this id or alias, or None."""
        for index in self._indexed(provider):
            if model_id in index.models:
                return index.models[model_id]
        return None

    def entries(self, provider: str, model_id: str) -> list[Model]:
        """The model as each source knows it, first source first: a lock's pin, then the
        (possibly newer) facts behind it."""
        return [index.models[model_id] for index in self._indexed(provider)
                if model_id in index.models]

    def models(self, provider: str, kind: ModelKind | None = None) -> list[Model]:
        seen: dict[str, Model] = {}
        for index in self._indexed(provider):
            for model in index.catalog.models:
                if kind is None or model.kind == kind:
                    seen.setdefault(model.id, model)
        return list(seen.values())

    def voice(self, provider: str, ref: str) -> Voice | None:
        """The voice whose id is `ref`, or whose name is `ref` in any case, or None."""
        for index in self._indexed(provider):
            found = index.voices.get(ref) or index.voices.get(ref.casefold())
            if found:
                return found
        return None

    def voices(self, provider: str) -> list[Voice]:
        seen: dict[str, Voice] = {}
        for index in self._indexed(provider):
            for voice in index.catalog.voices:
                seen.setdefault(voice.id, voice)
        return list(seen.values())

    def retired_voice(self, provider: str, ref: str) -> str | None:
        """Why the voice `ref` (an id, or a name) is gone, when the provider retired it."""
        prefix = f"{ref.casefold()}:"
        for index in self._indexed(provider):
            retired = index.catalog.retired_voices
            if ref in retired:
                return retired[ref]
            for why in retired.values():
                if why.casefold().startswith(prefix):
                    return why
        return None

    def is_pinned(self, provider: str, what: str, ref: str) -> bool:
        """True when there is no pinning source, or it holds this model or voice."""
        if self.pinned is None:
            return True
        if provider not in self._pinned:
            catalog = self.pinned.provider_catalog(provider)
            self._pinned[provider] = _Index.of(catalog) if catalog else None
        index = self._pinned[provider]
        if index is None:
            return False
        entries = index.models if what == "model" else index.voices
        return ref in entries or ref.casefold() in entries

    def _indexed(self, provider: str) -> list[_Index]:
        if provider not in self._indexes:
            self._indexes[provider] = [
                _Index.of(catalog) for source in self.sources
                if (catalog := source.provider_catalog(provider)) is not None]
        return self._indexes[provider]


class StaticSource:
    """A catalog source over catalogs already in hand (fetched live, read from a cache)."""

    def __init__(self, catalogs: Mapping[str, ProviderCatalog]) -> None:
        self.catalogs = dict(catalogs)

    def provider_catalog(self, provider: str) -> ProviderCatalog | None:
        return self.catalogs.get(provider)
