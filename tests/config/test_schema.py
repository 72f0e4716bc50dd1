from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from voiceops.config.loader import ProfileLoader
from voiceops.config.schema import check_schema, profile_schema

COMPLETE = """version: 1
language: en-IN
llm: {provider: openai, model: gpt-4o-mini}
tts: {provider: sarvam, model: bulbul:v2, voice: anushka}
stt: {provider: sarvam, model: saarika:v2.5}
prompt: {text: Hello}
"""


def check(tmp_path: Path, text: str) -> list:
    (tmp_path / "p.yaml").write_text(text)
    profile, problems = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None, problems
    return check_schema(profile)


def test_schema_is_valid_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(profile_schema())


def test_complete_profile_passes(tmp_path: Path) -> None:
    assert check(tmp_path, COMPLETE) == []


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE + "optimisation: latency\n")
    assert [(d.code, d.line, d.col) for d in found] == [("VO201", 7, 1)]
    assert found[0].hint == "did you mean 'optimization'?"


def test_provider_typo(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE.replace("provider: openai", "provider: opneai"))
    assert [d.code for d in found] == ["VO400"]
    assert found[0].hint == "did you mean 'openai'?" and found[0].line == 3


def test_tuning_key_of_the_other_provider(tmp_path: Path) -> None:
    text = COMPLETE.replace("voice: anushka}", "voice: anushka, tuning: {stability: 0.5}}")
    found = check(tmp_path, text)
    assert [d.code for d in found] == ["VO203"]
    assert found[0].message == "Sarvam has no tuning parameter 'stability'"


@pytest.mark.parametrize(("tuning", "message"), [
    ("{pitch: 0.9}", "maximum of 0.75"), ("{pace: 0.1}", "minimum of 0.3"),
    ("{loudness: 'loud'}", "expected a number"),
])
def test_sarvam_static_ranges(tmp_path: Path, tuning: str, message: str) -> None:
    text = COMPLETE.replace("voice: anushka}", f"voice: anushka, tuning: {tuning}}}")
    found = check(tmp_path, text)
    assert [d.code for d in found] == ["VO200"] and message in found[0].message


def test_elevenlabs_speed_range(tmp_path: Path) -> None:
    text = COMPLETE.replace("{provider: sarvam, model: bulbul:v2, voice: anushka}",
                            "{provider: elevenlabs, model: eleven_flash_v2_5, voice: x, "
                            "tuning: {speed: 1.5, stability: 0.2}}")
    found = check(tmp_path, text)
    assert [d.code for d in found] == ["VO200"] and "1.2" in found[0].message


def test_missing_sections_without_extends(tmp_path: Path) -> None:
    found = check(tmp_path, "version: 1\nlanguage: en-IN\n")
    assert sorted(d.message for d in found) == [
        "llm is required", "prompt is required", "stt is required", "tts is required"]


def test_abstract_profiles_may_be_partial(tmp_path: Path) -> None:
    assert check(tmp_path, "version: 1\nabstract: true\nllm: {temperature: 0.2}\n") == []


def test_openai_compatible_needs_base_url(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE.replace("provider: openai,", "provider: openai_compatible,"))
    assert [d.message for d in found] == ["llm.base_url is required"]


def test_prompt_template_and_text_together(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE.replace("{text: Hello}", "{text: Hello, template: x}"))
    assert [d.code for d in found] == ["VO200"]


def test_fallbacks_cannot_nest(tmp_path: Path) -> None:
    text = COMPLETE.replace("model: gpt-4o-mini}", "model: gpt-4o-mini, fallbacks: "
                            "[{provider: anthropic, model: m, fallbacks: []}]}")
    found = check(tmp_path, text)
    assert [d.code for d in found] == ["VO201"]


def test_wrong_version_and_types(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE.replace("version: 1", "version: 2") + "session: []\n")
    assert sorted(d.message for d in found) == ["session: expected a map, got a list",
                                                "version must be 1"]


def test_api_key_problems_are_left_to_the_secrets_check(tmp_path: Path) -> None:
    found = check(tmp_path, COMPLETE.replace("model: gpt-4o-mini}",
                                             "model: gpt-4o-mini, api_key: abc}"))
    assert found == []
