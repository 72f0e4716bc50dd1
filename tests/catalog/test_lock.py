from __future__ import annotations

import json
from pathlib import Path

import pytest

from voiceops.catalog.lock import Lock, compare, dumps, pin, read_lock, write_lock
from voiceops.catalog.references import Reference
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.errors import CatalogError

REFS = {Reference("sarvam", "model", "bulbul:v2"), Reference("sarvam", "voice", "Anushka"),
        Reference("openai", "model", "gpt-5.4-mini"),
        Reference("anthropic", "model", "claude-haiku-4-5")}


def make_lock() -> Lock:
    lock, missing = pin(REFS, Catalog([BundledSnapshot()]))
    assert missing == []
    return lock


def test_pins_by_id_and_keeps_only_pinned_models_on_voices() -> None:
    lock = make_lock()
    sarvam = lock.providers["sarvam"]
    assert [v.id for v in sarvam.voices] == ["anushka"]  # named "Anushka" in the profile
    assert sarvam.voices[0].models == ("bulbul:v2",)
    assert [m.id for m in lock.providers["anthropic"].models] == ["claude-haiku-4-5-20251001"]


def test_unknown_references_are_reported_not_pinned() -> None:
    _, missing = pin({*REFS, Reference("openai", "model", "gpt-nope")},
                     Catalog([BundledSnapshot()]))
    assert missing == [Reference("openai", "model", "gpt-nope")]


def test_round_trip_and_stable_text(tmp_path: Path) -> None:
    path = tmp_path / "voiceops.lock"
    lock = make_lock()
    assert write_lock(path, lock) is True
    assert write_lock(path, lock) is False  # unchanged pins, unchanged file
    again = read_lock(path)
    assert again is not None
    assert dumps(again) == path.read_text()  # pinned again from the lock: the same file
    assert json.loads(path.read_text())["version"] == 1
    assert not list(tmp_path.glob(".voiceops.lock.*"))  # no temporary file left behind


def test_compare_reports_missing_and_unused() -> None:
    lock = make_lock()
    assert compare(lock, REFS).current
    diff = compare(lock, {*REFS - {Reference("openai", "model", "gpt-5.4-mini")},
                          Reference("sarvam", "voice", "vidya")})
    assert diff.missing == (Reference("sarvam", "voice", "vidya"),)
    assert diff.unused == (Reference("openai", "model", "gpt-5.4-mini"),)


def test_missing_lock_is_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "voiceops.lock") is None


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ('{"version": 9, "providers": {}}', "not a version 1"),
    ('{"version": 1}', "no `providers`"),
    ('{"version": 1, "providers": {"sarvam": {"provider": "sarvam"}}}', "field"),
    ("<<<<<<< HEAD\n", "not valid JSON"),
])
def test_corrupt_lock_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "voiceops.lock"
    path.write_text(text)
    with pytest.raises(CatalogError, match=message) as err:
        read_lock(path)
    assert "voiceops lock" in str(err.value)


def test_lock_pins_are_what_validation_requires() -> None:
    lock = make_lock()
    catalog = Catalog([lock, BundledSnapshot()], pinned=lock)
    assert catalog.is_pinned("sarvam", "voice", "anushka")
    assert catalog.is_pinned("sarvam", "voice", "ANUSHKA")
    assert not catalog.is_pinned("sarvam", "voice", "vidya")
    assert catalog.voice("sarvam", "vidya") is not None  # still known, just not pinned
