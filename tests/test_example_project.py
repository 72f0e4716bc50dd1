"""The repository's own configs/, prompts/ and schemas/ are the starter `voiceops init` writes,
and they pass validation: the example project is the product's first user."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.project import Project
from voiceops.project.scaffold import starter_files
from voiceops.validation.validator import Validator

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("relative", sorted(f for f in starter_files() if not f.startswith(".")))
def test_repository_copy_matches_the_packaged_starter(relative: str) -> None:
    assert (ROOT / relative).read_bytes() == starter_files()[relative], (
        f"{relative} differs from voiceops/resources; run `voiceops init . --force` after "
        "editing the packaged starter")


def test_example_profiles_pass_strict_validation() -> None:
    validator = Validator(Project(ROOT), Catalog([BundledSnapshot()]), env={}, strict=True)
    result = validator.run([ROOT / "configs"])
    assert [d.format() for d in result.diagnostics] == []
    names = {c.path.stem for c in result.checked}
    assert {"base", "support_hi", "sales_en"} <= names and len(names) >= 6


def test_examples_cover_every_template_provider_and_language() -> None:
    validator = Validator(Project(ROOT), Catalog([BundledSnapshot()]), env={})
    profiles = [c.profile for c in validator.run([ROOT / "configs"]).checked
                if c.profile and not c.profile.abstract]
    assert {p.data["prompt"]["template"] for p in profiles} == {
        "customer_support", "sales_assistant", "technical_support", "appointment_scheduler",
        "general_assistant"}
    assert {p.data["llm"]["provider"] for p in profiles} == {"openai", "anthropic", "sarvam"}
    assert {p.data["tts"]["provider"] for p in profiles} == {"sarvam", "elevenlabs"}
    assert {p.data["language"].split("-")[0] for p in profiles} == {"hi", "en"}
