"""The repository's own configs/, prompts/ and schemas/ are the starter `voiceops init` writes,
and they pass validation: the example project is the product's first user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceops.catalog.references import SECTION_APIS, targets
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.cli import cli
from voiceops.project import Project
from voiceops.project.scaffold import starter_files
from voiceops.validation.validator import Validator

ROOT = Path(__file__).resolve().parents[1]
STARTER = ROOT / "voiceops" / "resources" / "starter"


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


@pytest.mark.parametrize("folder", [ROOT / "configs", STARTER / "configs"],
                         ids=["repository", "starter"])
def test_examples_use_no_retired_model_and_each_on_the_api_voiceops_calls(folder: Path) -> None:
    """Asserted on the catalog entries themselves, not through `validate`'s messages: a
    profile that validates but names a model the endpoint refuses fails every turn."""
    catalog = Catalog([BundledSnapshot()])
    validator = Validator(Project(ROOT), catalog, env={})
    used = []
    for checked in validator.run([folder]).checked:
        assert checked.profile is not None
        if checked.profile.abstract:
            continue
        for target in targets(checked.profile.data):
            model = catalog.model(str(target.data["provider"]), str(target.data["model"]))
            assert model is not None, (checked.path.name, target.path)
            used.append((checked.path.stem, target.section, model))
    assert used
    assert [(name, m.id) for name, _, m in used if m.retired or m.deprecated] == []
    assert [(name, section, m.id) for name, section, m in used
            if m.apis and SECTION_APIS[section] not in m.apis] == []


def test_a_new_project_passes_its_own_ci_checks(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`voiceops init x && cd x && voiceops validate --strict`: what the workflow `init`
    writes runs first on every pull request."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "x"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "x")
    result = runner.invoke(cli, ["validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["lock", "--check"]).exit_code == 0


def test_the_readmes_booking_tools_file_is_the_one_init_writes() -> None:
    """The README shows tools/booking.yaml whole (the booking example runs it): the same file
    `voiceops init` writes and the starter's appointments_en uses."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"^```yaml\n# tools/booking\.yaml\n(.*?)^```", readme, re.M | re.S)
    assert shown == [starter_files()["tools/booking.yaml"].decode()]
