"""`voiceops probe`: one real request per distinct provider choice, against the simulators
answering with the real providers' error bodies; each failure on the profile's own line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceops.cli import cli
from voiceops.probe import ProbeResult, probe, render
from voiceops.sim.stack import SimStack

GOOD = """version: 1
language: en-IN
llm:
  provider: openai
  model: gpt-5.4-mini
  max_tokens: 200
tts:
  provider: sarvam
  model: bulbul:v3
  voice: shubh
  tuning: {pace: 1.1}
stt:
  provider: sarvam
  model: saaras:v3
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def run(paths: list[Path], env: dict[str, str]) -> ProbeResult:
    return asyncio.run(probe(paths, env))


def places(result: ProbeResult) -> list[tuple[str, int, str]]:
    return [(Path(d.path).name, d.line, d.code) for d in result.result.diagnostics]


def test_a_working_profile_makes_one_call_per_choice(sims: SimStack, tmp_path: Path) -> None:
    result = run([write(tmp_path, "good", GOOD)], sims.env())
    assert places(result) == []
    assert sorted((c.section, c.provider, c.model, c.ok) for c in result.calls) == [
        ("llm", "openai", "gpt-5.4-mini", True), ("stt", "sarvam", "saaras:v3", True),
        ("tts", "sarvam", "bulbul:v3", True)]
    assert all(c.seconds >= 0 and c.cost for c in result.calls)
    # capped to a few tokens, with the profile's own settings otherwise
    assert sims.openai_state.last("/v1/chat/completions").body["max_completion_tokens"] <= 16


def test_the_same_choice_in_two_profiles_is_called_once(sims: SimStack, tmp_path: Path) -> None:
    paths = [write(tmp_path, "a", GOOD), write(tmp_path, "b", GOOD)]
    result = run(paths, sims.env())
    assert len(result.calls) == 3
    assert sims.openai_state.requests_received == 1


def test_a_retired_model_is_reported_on_the_model_line(sims: SimStack, tmp_path: Path) -> None:
    text = GOOD.replace("model: bulbul:v3\n  voice: shubh", "model: bulbul:v2\n  voice: anushka")
    result = run([write(tmp_path, "old", text)], sims.env())
    assert places(result) == [("old.yaml", 9, "VO602")]
    assert "bulbul:v2' has been deprecated" in result.result.diagnostics[0].message


def test_a_refused_parameter_is_reported_on_its_line(sims: SimStack, tmp_path: Path) -> None:
    text = GOOD.replace("  max_tokens: 200\n", "  temperature: 0.3\n  reasoning_effort: low\n"
                        ).replace("gpt-5.4-mini", "gpt-5.1")
    result = run([write(tmp_path, "param", text)], sims.env())
    assert places(result) == [("param.yaml", 6, "VO603")]
    assert "Unsupported parameter: 'temperature'" in result.result.diagnostics[0].message


def test_an_unknown_voice_is_reported_on_the_voice_line(sims: SimStack, tmp_path: Path) -> None:
    text = GOOD.replace("voice: shubh", "voice: nobody")
    result = run([write(tmp_path, "voice", text)], sims.env())
    assert places(result) == [("voice.yaml", 10, "VO604")]


def test_an_unknown_elevenlabs_voice(sims: SimStack, tmp_path: Path) -> None:
    sarvam = "provider: sarvam\n  model: bulbul:v3\n  voice: shubh\n  tuning: {pace: 1.1}"
    text = GOOD.replace(sarvam,
                        "provider: elevenlabs\n  model: eleven_flash_v2_5\n  voice: nope0000")
    result = run([write(tmp_path, "eleven", text)], sims.env())
    assert places(result) == [("eleven.yaml", 10, "VO604")]


def test_a_bad_key_is_reported_and_never_printed(sims: SimStack, tmp_path: Path) -> None:
    env = {**sims.env(), "OPENAI_API_KEY": "sk-wrong-but-secret-4242"}
    result = run([write(tmp_path, "key", GOOD)], env)
    assert places(result) == [("key.yaml", 4, "VO601")]
    for fmt in ("text", "json", "github"):
        assert "secret-4242" not in render(result, fmt)


def test_a_missing_key_is_one_diagnostic_per_variable(sims: SimStack, tmp_path: Path) -> None:
    env = {k: v for k, v in sims.env().items() if k != "SARVAM_API_KEY"}
    result = run([write(tmp_path, "a", GOOD), write(tmp_path, "b", GOOD)], env)
    codes = [d for d in result.result.diagnostics if d.code == "VO605"]
    assert len(codes) == 1 and "SARVAM_API_KEY" in codes[0].message
    assert [c.ok for c in result.calls if c.provider == "openai"] == [True]
    assert "tts sarvam bulbul:v3: not made (no key)" in render(result, "text")


def test_fallbacks_are_probed_too(sims: SimStack, tmp_path: Path) -> None:
    text = GOOD.replace("  max_tokens: 200\n", "  max_tokens: 200\n  fallbacks:\n"
                        "    - {provider: anthropic, model: claude-haiku-4-5, temperature: 0.5}\n")
    result = run([write(tmp_path, "fb", text)], sims.env())
    assert places(result) == [("fb.yaml", 8, "VO603")]
    assert "temperature: Extra inputs are not permitted" in result.result.diagnostics[0].message


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_the_cli_reports_in_each_format(sims: SimStack, tmp_path: Path, fmt: str) -> None:
    bad = write(tmp_path, "old", GOOD.replace("model: bulbul:v3\n  voice: shubh",
                                              "model: bulbul:v2\n  voice: anushka"))
    out = CliRunner().invoke(cli, ["probe", str(bad), "--format", fmt], env=sims.env())
    assert out.exit_code == 1, out.output
    if fmt == "json":
        data = json.loads(out.output)
        assert data["diagnostics"][0]["code"] == "VO602"
        assert {c["model"] for c in data["calls"]} == {"gpt-5.4-mini", "bulbul:v2", "saaras:v3"}
        assert all("seconds" in c and "cost" in c for c in data["calls"])
    elif fmt == "github":
        assert "::error file=" in out.output and "line=9" in out.output
    else:
        assert "old.yaml:9:" in out.output and "VO602" in out.output
        assert "gpt-5.4-mini" in out.output  # the calls made, with their time and cost


def test_the_cli_passes_a_working_profile(sims: SimStack, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["probe", str(write(tmp_path, "good", GOOD))], env=sims.env())
    assert out.exit_code == 0, out.output
