from __future__ import annotations

from pathlib import Path

from voiceops.catalog.check import check_catalog
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.types import Model, ProviderCatalog, Range, Voice
from voiceops.config.loader import ProfileLoader

INDIAN = ("en-IN", "hi-IN")


class FixedSource:
    """A catalog source holding fixed data, as a lock file or snapshot would."""

    def __init__(self, *catalogs: ProviderCatalog) -> None:
        self.catalogs = {c.provider: c for c in catalogs}

    def provider_catalog(self, provider: str) -> ProviderCatalog | None:
        return self.catalogs.get(provider)


CATALOG = Catalog(
    [
        FixedSource(
            ProviderCatalog(
                "openai",
                models=(
                    Model("openai", "gpt-fast", "chat", latency="low"),
                    Model("openai", "gpt-slow", "chat", latency="high"),
                    Model("openai", "gpt-batch", "chat", streaming=False),
                    Model("openai", "gpt-old", "chat", deprecated="use gpt-fast"),
                    Model("openai", "gpt-gone", "chat",
                          deprecated="retired 2026-01-01; use gpt-fast"),
                    Model("openai", "whisper-1", "stt", streaming=False),
                ),
            ),
            ProviderCatalog(
                "sarvam",
                models=(
                    Model(
                        "sarvam",
                        "bulbul:v2",
                        "tts",
                        languages=INDIAN,
                        tuning={"pitch": Range(-0.75, 0.75), "pace": Range(0.3, 3.0)},
                        sample_rates=(8000, 22050),
                    ),
                    Model(
                        "sarvam",
                        "bulbul:v3",
                        "tts",
                        languages=INDIAN,
                        tuning={"pace": Range(0.5, 2.0)},
                    ),
                    Model("sarvam", "saarika:v2.5", "stt", languages=INDIAN),
                ),
                voices=(
                    Voice("sarvam", "anushka", "Anushka", models=("bulbul:v2",), languages=INDIAN),
                    Voice("sarvam", "shubh", "Shubh", models=("bulbul:v3",)),
                ),
                retired_voices={"meera": "Meera: retired with bulbul:v1; use anushka"},
            ),
        )
    ]
)

PROFILE = """version: 1
language: hi-IN
optimization: {optimization}
llm: {{provider: openai, model: {llm}}}
tts: {{provider: sarvam, model: {tts}, voice: {voice}, tuning: {tuning}}}
stt: {{provider: sarvam, model: saarika:v2.5}}
"""


def check(
    tmp_path: Path,
    llm: str = "gpt-fast",
    tts: str = "bulbul:v2",
    voice: str = "anushka",
    tuning: str = "{}",
    optimization: str = "balanced",
    language: str = "hi-IN",
) -> list:
    text = PROFILE.format(
        llm=llm, tts=tts, voice=voice, tuning=tuning, optimization=optimization
    ).replace("hi-IN", language)
    (tmp_path / "p.yaml").write_text(text)
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    return check_catalog(profile, CATALOG)


def test_known_references_pass(tmp_path: Path) -> None:
    assert check(tmp_path) == []


def test_voice_by_name_in_any_case(tmp_path: Path) -> None:
    assert check(tmp_path, voice="ANUSHKA") == []


def test_unknown_model_suggests(tmp_path: Path) -> None:
    found = check(tmp_path, llm="gpt-fats")
    assert [(d.code, d.line) for d in found] == [("VO401", 4)]
    assert "gpt-fast" in (found[0].hint or "")


def test_model_of_the_wrong_kind(tmp_path: Path) -> None:
    found = check(tmp_path, llm="whisper-1")
    assert [d.code for d in found] == ["VO401"] and "speech-to-text" in found[0].message


def test_unknown_voice_suggests_and_mentions_lock(tmp_path: Path) -> None:
    assert check(tmp_path, voice="anushk")[0].hint == "did you mean 'Anushka'?"
    found = check(tmp_path, voice="zzzzzz")
    assert [d.code for d in found] == ["VO402"] and "voiceops lock" in (found[0].hint or "")


def test_voice_on_the_wrong_model(tmp_path: Path) -> None:
    found = check(tmp_path, voice="shubh")
    assert [d.code for d in found] == ["VO402"] and "bulbul:v3" in (found[0].hint or "")


def test_language_the_model_does_not_speak(tmp_path: Path) -> None:
    found = check(tmp_path, language="fr-FR")
    assert [d.code for d in found].count("VO403") == 2  # TTS and STT
    assert "fr-FR" in found[0].message


def test_model_specific_tuning(tmp_path: Path) -> None:
    found = check(tmp_path, tts="bulbul:v3", voice="shubh", tuning="{pitch: 0.1, pace: 2.5}")
    assert sorted((d.code, d.message) for d in found) == [
        ("VO404", "bulbul:v3 does not accept 'pitch'"),
        ("VO404", "pace 2.5 is outside bulbul:v3's range 0.5..2"),
    ]


def test_deprecated_model_warns(tmp_path: Path) -> None:
    found = check(tmp_path, llm="gpt-old")
    assert [(d.code, d.severity) for d in found] == [("VO405", "warning")]


def test_latency_needs_streaming_and_warns_on_slow_models(tmp_path: Path) -> None:
    found = check(tmp_path, llm="gpt-batch", optimization="latency")
    assert [(d.code, d.severity) for d in found] == [("VO406", "error")]
    assert "gpt-fast" in (found[0].hint or "")
    found = check(tmp_path, llm="gpt-slow", optimization="latency")
    assert [(d.code, d.severity) for d in found] == [("VO407", "warning")]
    assert check(tmp_path, llm="gpt-batch", optimization="quality") == []


def test_fallbacks_are_checked_too(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "version: 1\nllm:\n  provider: openai\n  model: gpt-fast\n  fallbacks:\n"
        "    - {provider: openai, model: nope}\n"
    )
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    found = check_catalog(profile, CATALOG)
    assert [(d.code, d.line) for d in found] == [("VO401", 6)]


def test_provider_without_that_service(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("version: 1\ntts: {provider: openai, voice: x}\n")
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    assert [d.code for d in check_catalog(profile, CATALOG)] == ["VO400"]


def test_retired_model_is_an_error_with_the_replacement(tmp_path: Path) -> None:
    found = check(tmp_path, llm="gpt-gone")
    assert [(d.code, d.severity) for d in found] == [("VO401", "error")]
    assert "no longer serves" in found[0].message and "gpt-fast" in (found[0].hint or "")


def test_retired_voice_by_id_or_name(tmp_path: Path) -> None:
    for ref in ("meera", "Meera"):
        found = check(tmp_path, voice=ref)
        assert [d.code for d in found] == ["VO402"]
        assert "retired" in found[0].message and "anushka" in (found[0].hint or "")


# Which API a model works on: voiceops sends each spoken turn to a file-transcription
# endpoint and each reply to chat completions, so a model that only works elsewhere fails
# every call although it exists and is of the right kind.
APIS = Catalog(
    [
        FixedSource(
            ProviderCatalog(
                "openai",
                models=(
                    Model("openai", "gpt-fast", "chat", latency="low"),
                    Model("openai", "gpt-voice", "realtime", apis=("realtime",)),
                    Model("openai", "gpt-audio", "realtime", apis=("chat",)),
                    Model("openai", "gpt-live", "stt", apis=("stream",)),
                    Model("openai", "gpt-file", "stt", apis=("file", "stream")),
                    Model("openai", "gpt-file-old", "stt", apis=("file",),
                          deprecated="use gpt-file"),
                    Model("openai", "whisper-1", "stt"),
                ),
            ),
        )
    ]
)


def check_choice(tmp_path: Path, section: str, model: str) -> list:
    (tmp_path / "p.yaml").write_text(
        f"version: 1\nlanguage: en-US\n{section}:\n  provider: openai\n  model: {model}\n")
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    return check_catalog(profile, APIS)


def test_live_audio_only_stt_model_is_refused_on_its_line(tmp_path: Path) -> None:
    found = check_choice(tmp_path, "stt", "gpt-live")
    assert [(d.code, d.severity, d.line, d.col) for d in found] == [("VO401", "error", 5, 10)]
    assert "live audio" in found[0].message and "file" in found[0].message
    # the hint names a current model that takes files, not the deprecated one
    assert "gpt-file" in (found[0].hint or "") and "gpt-file-old" not in (found[0].hint or "")


def test_realtime_only_model_under_llm_is_refused(tmp_path: Path) -> None:
    found = check_choice(tmp_path, "llm", "gpt-voice")
    assert [(d.code, d.line) for d in found] == [("VO401", 5)]
    assert "Realtime API" in found[0].message and "gpt-fast" in (found[0].hint or "")


def test_models_on_the_right_api_or_not_recorded_pass(tmp_path: Path) -> None:
    assert check_choice(tmp_path, "llm", "gpt-audio") == []  # realtime kind, chat API
    assert check_choice(tmp_path, "stt", "gpt-file") == []
    assert check_choice(tmp_path, "stt", "whisper-1") == []  # no APIs recorded: not judged


def test_a_lock_pinned_before_a_retirement_does_not_hide_it(tmp_path: Path) -> None:
    """The lock pins what a model was; the bundled facts say it no longer works at all.
    Calls fail either way, so the newer fact wins (for retirement and APIs only)."""
    pinned = ProviderCatalog("openai", models=(Model("openai", "gpt-fast", "chat"),
                                               Model("openai", "gpt-live", "stt")))
    stale = Catalog([FixedSource(pinned), *CATALOG.sources, *APIS.sources],
                    pinned=FixedSource(pinned))
    (tmp_path / "p.yaml").write_text(
        "version: 1\nllm: {provider: openai, model: gpt-fast}\n"
        "stt: {provider: openai, model: gpt-live}\n")
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    assert [(d.code, d.line) for d in check_catalog(profile, stale)] == [("VO401", 3)]
    (tmp_path / "p.yaml").write_text("version: 1\nllm: {provider: openai, model: gpt-gone}\n")
    retired = ProviderCatalog("openai", models=(Model("openai", "gpt-gone", "chat"),))
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    found = check_catalog(profile, Catalog([FixedSource(retired), *CATALOG.sources],
                                           pinned=FixedSource(retired)))
    assert [(d.code, d.severity) for d in found] == [("VO401", "error")]
    assert "no longer serves" in found[0].message
