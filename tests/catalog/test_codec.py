from __future__ import annotations

import dataclasses
import json

import pytest

from voiceops.catalog.codec import catalog_from_json, catalog_to_json
from voiceops.catalog.snapshot import BundledSnapshot, bundled_providers


@pytest.mark.parametrize("provider", bundled_providers())
def test_round_trip_of_every_bundled_catalog(provider: str) -> None:
    original = BundledSnapshot().provider_catalog(provider)
    assert original is not None
    text = json.dumps(catalog_to_json(original, source="test", source_date="2026-11-25"),
                      sort_keys=True)
    again = catalog_from_json(json.loads(text), origin="test")
    assert dataclasses.replace(again, fetched_at=original.fetched_at) == original


def test_defaults_are_omitted() -> None:
    catalog = BundledSnapshot().provider_catalog("anthropic")
    assert catalog is not None
    entry = catalog_to_json(catalog, source="s", source_date="2026-01-01")["models"][0]
    assert "provider" not in entry and "tuning" not in entry and "voices" not in entry
