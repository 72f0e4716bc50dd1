"""The bundled catalog snapshot: dated provider facts shipped inside the package.

`voiceops validate` must resolve model and voice names without a network, so each provider's
models, voices and per-model tuning rules ship as a JSON file in `voiceops/catalog/data/`
(`<provider>.json`). Each file records where its facts came from (`source`) and when
(`source_date`); the date becomes `ProviderCatalog.fetched_at`, so a check can say how old
its knowledge is.

Files are read lazily, once per process and provider (`functools.cache`), with
`importlib.resources`, so this works from a wheel or a zip as well as from a source tree.
A malformed file is a packaging bug, not a user error: loading raises `RuntimeError` naming
the file and the field.

A model's `deprecated` text starts with "retired" when the provider no longer serves it (a
call fails); any other text means it still works but is on its way out. Both name what to use
instead.

The file format is `voiceops.catalog.codec`'s.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Final

from voiceops.catalog.codec import CatalogFormatError, catalog_from_json
from voiceops.catalog.types import ProviderCatalog

__all__ = ["BundledSnapshot", "bundled_providers"]

_PACKAGE: Final = "voiceops.catalog"
_DATA_DIR: Final = "data"
_SUFFIX: Final = ".json"


@cache
def bundled_providers() -> tuple[str, ...]:
    """Names of the providers with a bundled snapshot, sorted (e.g. `("anthropic", ...)`)."""
    data_dir = resources.files(_PACKAGE).joinpath(_DATA_DIR)
    return tuple(
        sorted(
            entry.name[: -len(_SUFFIX)]
            for entry in data_dir.iterdir()
            if entry.name.endswith(_SUFFIX) and entry.is_file()
        )
    )


@cache
def bundled_data(provider: str) -> dict[str, Any] | None:
    """The bundled data file of `provider` as parsed JSON, read once; None when there is
    none. Both the catalog snapshot and the parameter rules come from it."""
    origin = f"{_DATA_DIR}/{provider}{_SUFFIX}"
    resource = resources.files(_PACKAGE).joinpath(_DATA_DIR).joinpath(provider + _SUFFIX)
    if not resource.is_file():
        return None
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuntimeError(f"bundled catalog {origin} cannot be read: {exc}") from exc
    return data if isinstance(data, dict) else None


@cache
def _read(provider: str) -> ProviderCatalog:
    origin = f"{_DATA_DIR}/{provider}{_SUFFIX}"
    data = bundled_data(provider)
    if data is None:
        raise RuntimeError(f"bundled catalog {origin} cannot be read: not a JSON object")
    try:
        catalog = catalog_from_json(data, origin=origin)
    except CatalogFormatError as exc:
        raise RuntimeError(f"bundled catalog {exc} (a packaging bug in voiceops/catalog/data)"
                           ) from exc
    if catalog.provider != provider:
        raise RuntimeError(
            f"bundled catalog {origin} is malformed: field 'provider' is "
            f"{catalog.provider!r}, expected {provider!r} "
            "(a packaging bug in voiceops/catalog/data)"
        )
    # checked here, not by the codec: a lock pins a retired model without its replacement
    ids = {m.id for m in catalog.models}
    for model in catalog.models:
        if model.replaced_by is not None and model.replaced_by not in ids:
            raise RuntimeError(
                f"bundled catalog {origin} is malformed: {model.id}.replaced_by "
                f"{model.replaced_by!r} is not one of its models "
                "(a packaging bug in voiceops/catalog/data)")
    return catalog


def _normalise(provider: str) -> str | None:
    name = provider.strip().lower()
    return name if name in bundled_providers() else None


class BundledSnapshot:
    """The catalogs shipped with voiceops, as a `CatalogSource` (offline, dated)."""

    def provider_catalog(self, provider: str) -> ProviderCatalog | None:
        """The bundled catalog of `provider`, or None when none is shipped for it."""
        name = _normalise(provider)
        return _read(name) if name else None

    def __repr__(self) -> str:
        return f"BundledSnapshot(providers={bundled_providers()!r})"
