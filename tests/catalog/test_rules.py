"""Per-model parameter rules (issue 13 items 3 and 4): facts as dated data, one reader, and
`validate` reporting a profile the provider would refuse, on the profile's own line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voiceops.catalog import rules
from voiceops.catalog.check import check_catalog
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot, bundled_providers
from voiceops.config.loader import ProfileLoader

CATALOG = Catalog([BundledSnapshot()])


def check(tmp_path: Path, text: str) -> list:
    (tmp_path / "p.yaml").write_text("version: 1\nlanguage: en-IN\n" + text)
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    return [d for d in check_catalog(profile, CATALOG) if d.code not in ("VO405", "VO410")]


def found(diags: list) -> list[tuple[str, str, int]]:
    return [(d.code, d.severity, d.line) for d in diags]


def test_every_rule_is_dated_sourced_and_graded() -> None:
    seen = 0
    for provider in bundled_providers():
        for rule in rules.provider_rules(provider):
            seen += 1
            assert rule.source.strip(), rule
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule.seen), rule
            assert rule.status in rules.STATUSES, rule
    assert seen >= 8


def test_rules_match_models_by_id_and_pattern() -> None:
    effort = rules.for_model("openai", "gpt-5.1").values("reasoning_effort")
    assert effort is not None and "none" in effort.values and effort.default == "none"
    old = rules.for_model("openai", "gpt-5").values("reasoning_effort")
    assert old is not None and "none" not in old.values and old.default == "medium"
    assert rules.for_model("openai", "gpt-4o-mini").values("reasoning_effort") is None


def test_lowest_effort_comes_from_the_rules() -> None:
    assert rules.for_model("openai", "gpt-5.1").lowest_effort() == "none"
    assert rules.for_model("openai", "gpt-5").lowest_effort() == "minimal"
    assert rules.for_model("sarvam", "sarvam-105b").lowest_effort() == "none"
    assert rules.for_model("openai", "gpt-4o").lowest_effort() is None


def test_sarvam_105b_small_budget_without_effort_warns_on_max_tokens(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: sarvam\n  model: sarvam-105b\n"
                            "  max_tokens: 300\n")
    assert found(diags) == [("VO414", "warning", 6)]
    assert "finish_reason" in diags[0].message and "length" in diags[0].message
    assert "sarvam-105b-conversations" in (diags[0].hint or "")
    assert "reasoning_effort" in (diags[0].hint or "")


def test_sarvam_105b_with_reasoning_off_or_a_big_budget_passes(tmp_path: Path) -> None:
    assert check(tmp_path, "llm:\n  provider: sarvam\n  model: sarvam-105b\n"
                           "  max_tokens: 300\n  reasoning_effort: none\n") == []
    assert check(tmp_path, "llm:\n  provider: sarvam\n  model: sarvam-105b-conversations\n"
                           "  max_tokens: 300\n") == []


def test_gpt5x_temperature_with_effort_not_none_is_an_error(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: openai\n  model: gpt-5.1\n"
                            "  temperature: 0.3\n  reasoning_effort: low\n")
    assert found(diags) == [("VO413", "error", 6)]
    assert "reasoning_effort" in diags[0].message and "none" in (diags[0].hint or "")


def test_gpt5x_temperature_with_effort_none_passes(tmp_path: Path) -> None:
    assert check(tmp_path, "llm:\n  provider: openai\n  model: gpt-5.1\n"
                           "  temperature: 0.3\n  reasoning_effort: none\n") == []
    # gpt-5.1's default effort is none: temperature alone is accepted
    assert check(tmp_path, "llm:\n  provider: openai\n  model: gpt-5.1\n"
                           "  temperature: 0.3\n") == []


def test_gpt5_temperature_with_its_medium_default_is_an_error(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: openai\n  model: gpt-5\n  top_p: 0.5\n")
    assert found(diags) == [("VO413", "error", 6)]


def test_a_reasoning_effort_the_model_does_not_take(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: openai\n  model: gpt-5.1\n"
                            "  reasoning_effort: minimal\n")
    assert found(diags) == [("VO413", "error", 6)]
    assert "none, low, medium, high" in (diags[0].hint or "")
    diags = check(tmp_path, "llm:\n  provider: openai\n  model: gpt-4o\n"
                            "  reasoning_effort: low\n")
    assert found(diags) == [("VO413", "error", 6)]


def test_sarvam_disputed_effort_value_is_a_warning(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: sarvam\n  model: sarvam-105b\n"
                            "  reasoning_effort: medium\n")
    assert found(diags) == [("VO414", "warning", 6)]
    assert "sources disagree" in diags[0].message


def test_anthropic_temperature_and_top_p_are_refused(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: anthropic\n  model: claude-haiku-4-5\n"
                            "  temperature: 0.5\n  top_p: 0.9\n")
    assert found(diags) == [("VO413", "error", 6), ("VO413", "error", 7)]
    assert "2026-10-21" in diags[0].message


def test_anthropic_fallback_is_checked_on_its_own_line(tmp_path: Path) -> None:
    diags = check(tmp_path, "llm:\n  provider: openai\n  model: gpt-4o-mini\n"
                            "  fallbacks:\n"
                            "    - {provider: anthropic, model: claude-haiku-4-5, top_p: 0.9}\n")
    assert found(diags) == [("VO413", "error", 7)]


@pytest.mark.parametrize("key", ["pitch", "loudness", "temperature"])
def test_bulbul_v4_flash_disputed_tuning_is_a_warning(tmp_path: Path, key: str) -> None:
    diags = check(tmp_path, "tts:\n  provider: sarvam\n  model: bulbul:v4-flash\n"
                            f"  voice: shubh_enhi_ads\n  tuning: {{{key}: 0.2}}\n")
    assert found(diags) == [("VO414", "warning", 7)]
    assert "sources disagree" in diags[0].message and "not sent" in (diags[0].hint or "")


def test_bulbul_v3_pitch_stays_an_error(tmp_path: Path) -> None:
    diags = check(tmp_path, "tts:\n  provider: sarvam\n  model: bulbul:v3\n"
                            "  voice: shubh\n  tuning: {pitch: 0.2}\n")
    assert found(diags) == [("VO404", "error", 7)]


def test_assamese_v4_flash_speakers_are_known_but_account_gated(tmp_path: Path) -> None:
    for voice in ("kangkana_as_conversational", "mouchumi_as_conversational"):
        (tmp_path / "p.yaml").write_text(
            "version: 1\ntts:\n  provider: sarvam\n  model: bulbul:v4-flash\n"
            f"  voice: {voice}\n")
        profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
        assert profile is not None
        diags = [d for d in check_catalog(profile, CATALOG) if d.code not in ("VO405", "VO410")]
        assert found(diags) == [("VO414", "warning", 5)], diags
        assert "enable_in22_languages" in (diags[0].hint or "")
