"""The bundled catalog snapshot: every file loads, and its data is self-consistent and right."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import pytest

from voiceops.catalog.codec import CatalogFormatError, catalog_from_json
from voiceops.catalog.snapshot import (
    BundledSnapshot,
    bundled_providers,
)
from voiceops.catalog.types import CatalogSource, Model, ProviderCatalog, Range

PROVIDERS = ("anthropic", "elevenlabs", "openai", "sarvam")
LLM_PROVIDERS = ("anthropic", "openai", "sarvam")
SARVAM_TTS_LANGUAGES = {
    f"{code}-IN" for code in ("en", "hi", "bn", "ta", "te", "kn", "ml", "mr", "gu", "pa", "od")
}
RACHEL = "21m00Tcm4TlvDq8ikWAM"


def catalog(provider: str) -> ProviderCatalog:
    found = BundledSnapshot().provider_catalog(provider)
    assert found is not None, f"no bundled catalog for {provider}"
    return found


def model(provider: str, model_id: str) -> Model:
    matches = [m for m in catalog(provider).models if model_id in (m.id, *m.aliases)]
    assert len(matches) == 1, f"{provider} model {model_id}: {len(matches)} matches"
    return matches[0]


def data_text(provider: str) -> str:
    data_dir = resources.files("voiceops.catalog").joinpath("data")
    return data_dir.joinpath(f"{provider}.json").read_text(encoding="utf-8")


def raw(provider: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(data_text(provider))
    return data


# --- loading -------------------------------------------------------------------------------


def test_bundled_providers_are_the_four_data_files() -> None:
    assert bundled_providers() == PROVIDERS


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_provider_loads_as_a_dated_bundled_catalog(provider: str) -> None:
    found = catalog(provider)
    assert found.provider == provider
    assert found.source == "bundled"
    assert found.fetched_at is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", found.fetched_at)
    assert found.models, f"{provider} has no models"
    assert all(m.provider == provider for m in found.models)
    assert all(v.provider == provider for v in found.voices)


def test_snapshot_is_a_catalog_source_and_caches() -> None:
    source: CatalogSource = BundledSnapshot()
    assert source.provider_catalog("sarvam") is BundledSnapshot().provider_catalog("sarvam")
    assert source.provider_catalog("Sarvam") is source.provider_catalog("sarvam")


@pytest.mark.parametrize("provider", ["deepgram", "", "../sarvam", "data/sarvam"])
def test_unknown_provider_is_none(provider: str) -> None:
    assert BundledSnapshot().provider_catalog(provider) is None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_data_files_are_canonical_json(provider: str) -> None:
    """Sorted keys, 2-space indent, trailing newline: regenerating a file gives a clean diff."""
    text = data_text(provider)
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["provider"] == provider
    assert data["source"].strip()


# --- consistency ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_model_names_and_voice_ids_are_unique(provider: str) -> None:
    found = catalog(provider)
    names = [n for m in found.models for n in (m.id, *m.aliases)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    ids = [v.id for v in found.voices]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert not set(ids) & set(found.retired_voices), "a retired voice is listed as available"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_voices_name_existing_tts_models(provider: str) -> None:
    found = catalog(provider)
    tts = {m.id for m in found.models if m.kind == "tts"}
    for voice in found.voices:
        assert set(voice.models) <= tts, f"{voice.id}: {set(voice.models) - tts}"
        assert voice.name.strip()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_default_voice_exists_and_works_with_its_model(provider: str) -> None:
    found = catalog(provider)
    voices = {v.id: v for v in found.voices}
    for m in found.models:
        if m.default_voice is None:
            continue
        assert m.kind == "tts", m.id
        assert m.default_voice in voices, f"{m.id} default voice {m.default_voice}"
        works_with = voices[m.default_voice].models
        assert not works_with or m.id in works_with, f"{m.default_voice} cannot speak on {m.id}"


def test_every_current_sarvam_tts_model_has_a_default_voice() -> None:
    for m in catalog("sarvam").models:
        if m.kind == "tts" and not m.deprecated:
            assert m.default_voice, m.id


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tuning_ranges_are_well_formed(provider: str) -> None:
    for m in catalog(provider).models:
        if m.tuning:
            assert m.kind == "tts", f"{m.id}: tuning on a {m.kind} model"
        for name, limits in m.tuning.items():
            assert isinstance(limits, Range)
            assert limits.min <= limits.max, f"{m.id}.{name}"
            if limits.default is not None:
                assert limits.contains(limits.default), f"{m.id}.{name} default"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sample_rates_hold_the_default(provider: str) -> None:
    for m in catalog(provider).models:
        if m.default_sample_rate is not None:
            assert m.default_sample_rate in m.sample_rates, m.id


@pytest.mark.parametrize("provider", LLM_PROVIDERS)
def test_current_chat_models_have_kind_chat_and_a_context_window(provider: str) -> None:
    chat = [m for m in catalog(provider).models if m.kind == "chat"]
    assert chat, f"{provider} has no chat models"
    for m in chat:
        if m.deprecated and m.deprecated.startswith("retired"):
            continue  # gone models may lack numbers
        assert m.context_window and m.context_window >= 4096, m.id
        assert m.max_output is None or m.max_output <= m.context_window, m.id
        assert m.price_in is None or m.price_out is None or m.price_in <= m.price_out, m.id


def test_anthropic_models_are_all_chat_models() -> None:
    assert {m.kind for m in catalog("anthropic").models} == {"chat"}


def test_deprecation_texts_say_what_to_use_instead() -> None:
    for provider in PROVIDERS:
        for m in catalog(provider).models:
            if m.deprecated:
                assert "use " in m.deprecated, f"{provider} {m.id}: {m.deprecated}"


@pytest.mark.parametrize(
    ("provider", "model_id", "gone"),
    [
        ("anthropic", "claude-3-5-haiku-20241022", True),
        ("anthropic", "claude-sonnet-4-5-20250929", False),
        ("openai", "gpt-4.1-nano", True),
        ("openai", "gpt-4o-mini", False),
        ("sarvam", "sarvam-m", True),
        ("sarvam", "saarika:v2.5", False),
    ],
)
def test_retired_models_say_so_first(provider: str, model_id: str, gone: bool) -> None:
    """'retired...' marks a model that no longer answers; other texts mean 'still works'."""
    text = model(provider, model_id).deprecated
    assert text is not None
    assert text.startswith("retired") is gone, text


# --- facts ---------------------------------------------------------------------------------


def test_sarvam_bulbul_v2_tuning_matches_the_sdk() -> None:
    tuning = model("sarvam", "bulbul:v2").tuning
    assert set(tuning) == {"pitch", "pace", "loudness"}
    assert (tuning["pitch"].min, tuning["pitch"].max, tuning["pitch"].default) == (-0.75, 0.75, 0.0)
    assert (tuning["pace"].min, tuning["pace"].max) == (0.3, 3.0)
    # PROVIDERS.md and a docs page say 0.1..3.0; the sarvamai SDK (which wins) says 0.3..3.0.
    assert (tuning["loudness"].min, tuning["loudness"].max) == (0.3, 3.0)
    assert model("sarvam", "bulbul:v2").default_sample_rate == 22050


@pytest.mark.parametrize("model_id", ["bulbul:v3", "bulbul:v4-flash"])
def test_sarvam_v3_family_has_pace_but_no_pitch_or_loudness(model_id: str) -> None:
    tts = model("sarvam", model_id)
    assert "pitch" not in tts.tuning and "loudness" not in tts.tuning
    assert (tts.tuning["pace"].min, tts.tuning["pace"].max) == (0.5, 2.0)
    assert {32000, 44100, 48000} <= set(tts.sample_rates)


def test_sarvam_speakers_belong_to_their_model() -> None:
    voices = {v.id: v for v in catalog("sarvam").voices}
    assert model("sarvam", "bulbul:v3").default_voice == "shubh"
    assert voices["anushka"].models == ("bulbul:v2",)
    assert voices["shubh"].models == ("bulbul:v3",)
    assert voices["shubh_enhi_ads"].models == ("bulbul:v4-flash",)
    v2 = [v for v in voices.values() if "bulbul:v2" in v.models]
    v3 = [v for v in voices.values() if "bulbul:v3" in v.models]
    assert len(v2) == 7 and len(v3) == 37
    assert {v.gender for v in v2} == {"female", "male"}


def test_sarvam_languages() -> None:
    for m in catalog("sarvam").models:
        if m.kind == "tts":
            assert set(m.languages) == SARVAM_TTS_LANGUAGES, m.id
    for stt in ("saaras:v3", "saaras:v4", "saarika:v2.5"):
        langs = set(model("sarvam", stt).languages)
        assert SARVAM_TTS_LANGUAGES | {"unknown"} <= langs, stt
    assert len(model("sarvam", "saaras:v3").languages) == 23 + 1  # 22 Indic + English + unknown


def test_sarvam_chat_models() -> None:
    assert model("sarvam", "sarvam-105b").context_window == 128000
    assert not model("sarvam", "sarvam-105b").deprecated
    assert model("sarvam", "sarvam-105b-conversations").context_window == 32000
    assert model("sarvam", "sarvam-m").deprecated


def test_known_ids_are_present() -> None:
    mini = model("openai", "gpt-4o-mini")
    assert (mini.kind, mini.context_window, mini.max_output) == ("chat", 128000, 16384)
    assert (mini.price_in, mini.price_out) == (0.15, 0.6)
    assert model("openai", "gpt-4o-mini-2024-07-18") is mini
    assert "anushka" in {v.id for v in catalog("sarvam").voices}
    george = {v.id: v for v in catalog("elevenlabs").voices}["JBFqnCBsd6RMkjVDRZzb"]
    assert (george.name, george.category, george.gender) == ("George", "premade", "male")


def test_rachel_is_known_but_retired() -> None:
    """Rachel's id is recognised, as retired, so a check can say so instead of 'unknown'."""
    assert RACHEL not in {v.id for v in catalog("elevenlabs").voices}
    assert catalog("elevenlabs").retired_voices[RACHEL].startswith("Rachel")


def test_openai_audio_models() -> None:
    assert model("openai", "whisper-1").streaming is False
    assert model("openai", "whisper-1").kind == "stt"
    for stt in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe"):
        assert model("openai", stt).kind == "stt" and model("openai", stt).streaming
    for tts in ("tts-1", "tts-1-hd", "gpt-4o-mini-tts"):
        assert model("openai", tts).kind == "tts"
        assert model("openai", tts).tuning["speed"] == Range(0.25, 4.0, 1.0)
    assert model("openai", "gpt-realtime-2").kind == "realtime"
    voices = {v.id: v for v in catalog("openai").voices}
    builtin = {
        "alloy",
        "ash",
        "ballad",
        "coral",
        "echo",
        "fable",
        "onyx",
        "nova",
        "sage",
        "shimmer",
    }
    assert builtin <= set(voices)
    assert voices["marin"].models == ("gpt-4o-mini-tts",)


def test_anthropic_aliases_resolve_to_dated_ids() -> None:
    haiku = model("anthropic", "claude-3-5-haiku-latest")
    assert haiku.id == "claude-3-5-haiku-20241022" and haiku.deprecated
    assert model("anthropic", "claude-haiku-4-5").id == "claude-haiku-4-5-20251001"
    assert not model("anthropic", "claude-sonnet-4-6").deprecated


def test_elevenlabs_models() -> None:
    flash = model("elevenlabs", "eleven_flash_v2_5")
    assert flash.latency == "low" and len(flash.languages) == 32 and "hi" in flash.languages
    assert len(model("elevenlabs", "eleven_multilingual_v2").languages) == 29
    full = model("elevenlabs", "eleven_multilingual_v2").tuning
    assert set(full) == {"stability", "similarity_boost", "style", "use_speaker_boost", "speed"}
    assert (full["use_speaker_boost"].min, full["use_speaker_boost"].max) == (0, 1)
    assert (full["speed"].min, full["speed"].max) == (0.7, 1.2)
    assert set(model("elevenlabs", "eleven_v3").tuning) == {"stability"}
    assert model("elevenlabs", "scribe_v1").kind == "stt"


# --- malformed files -----------------------------------------------------------------------


def broken(provider: str, path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(raw(provider))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("models", 0, "kind"), "llm", "models[0](sarvam-105b).kind"),
        (("models", 0, "context_window"), "128k", "context_window"),
        (("models", 0, "id"), KeyError, "models[0].id"),
        (("models", 0, "contxt_window"), 1, "contxt_window"),
        (("voices", 0, "models"), ["bulbul:v9"], "voices"),
        (("source_date"), "25 Nov 2026", "source_date"),
        (("provider",), KeyError, "provider"),
    ],
)
def test_malformed_data_raises_naming_file_and_field(
    path: tuple[str | int, ...], value: object, field: str
) -> None:
    data = broken("sarvam", path if isinstance(path, tuple) else (path,), value)
    with pytest.raises(CatalogFormatError) as err:
        catalog_from_json(data, origin="data/sarvam.json")
    assert "data/sarvam.json" in str(err.value)
    assert field in str(err.value)


def test_bad_tuning_range_is_rejected() -> None:
    index = next(i for i, m in enumerate(raw("sarvam")["models"]) if m["id"] == "bulbul:v2")
    data = broken("sarvam", ("models", index, "tuning", "pitch", "default"), 2.0)
    with pytest.raises(CatalogFormatError, match=r"tuning\.pitch\.default"):
        catalog_from_json(data, origin="data/sarvam.json")


def test_a_voice_listed_twice_is_rejected() -> None:
    data = raw("openai")
    data["voices"].append(dict(data["voices"][0]))
    with pytest.raises(CatalogFormatError, match="twice"):
        catalog_from_json(data, origin="data/openai.json")
