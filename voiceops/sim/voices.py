"""ElevenLabs-shaped voice records for the simulator: from the snapshot, the account's own
custom voices, and any number of synthetic voices made deterministically (for paging and
benchmarks: `synthetic_voices(10_000)` takes well under a second and is the same every run).
"""

from __future__ import annotations

import random
from typing import Any

from voiceops.catalog.types import Voice
from voiceops.sim.data import stable_id, stable_int

__all__ = ["CUSTOM_VOICES", "UNNAMED_VOICE_ID", "custom_voices", "from_catalog",
           "synthetic_voices", "wire_voice"]

_PREVIEW = "https://storage.sim.invalid/voices/{voice_id}/preview.mp3"
_HQ_MODELS = ["eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"]
_VERIFIED_MODEL = "eleven_multilingual_v2"
_ACCENT_LOCALES = {
    "american": "en-US", "british": "en-GB", "australian": "en-AU", "irish": "en-IE",
    "swedish": "sv-SE", "indian": "en-IN", "transatlantic": "en-US",
}
_CREATED_FROM = 1_690_000_000
_CREATED_SPAN = 100_000_000

#: The simulated account's own voices (the snapshot cannot know them), plus one famous voice:
#: (name, category, gender, accent, age, use_case, locales).
CUSTOM_VOICES: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("Acme Support Priya", "cloned", "female", "indian", "young", "conversational",
     ("hi-IN", "en-IN")),
    ("Narrator Nova", "generated", "female", "american", "middle_aged", "narrative_story",
     ("en-US",)),
    ("Arjun Pro", "professional", "male", "indian", "middle_aged", "conversational",
     ("hi-IN", "ta-IN", "en-IN")),
    ("Legend Voice", "famous", "male", "british", "old", "narrative_story", ("en-GB",)),
)

#: A voice as the API may list one (`facts.ELEVENLABS_VOICE_CATEGORIES`): no `name` (it is
#: optional in the SDK's `Voice`) and the `high_quality` category. Clients must cope.
UNNAMED_VOICE_ID = stable_id("custom:unnamed-high-quality")

_FIRST = ("Asha", "Bruno", "Chen", "Divya", "Elena", "Farid", "Grace", "Hiro", "Isha", "Jonas",
          "Kavya", "Luca", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Ravi", "Sana", "Tomas",
          "Uma", "Vikram", "Wen", "Ximena", "Yusuf", "Zara")
_STYLE = ("Warm", "Crisp", "Calm", "Bright", "Deep", "Gentle", "Bold", "Soft", "Clear", "Rich")
_CATEGORIES = ("premade", "cloned", "generated", "professional", "famous")
_CATEGORY_WEIGHTS = (10, 40, 20, 25, 5)
_GENDERS = ("female", "male", "neutral")
_AGES = ("young", "middle_aged", "old")
_USE_CASES = ("conversational", "narrative_story", "characters_animation", "social_media",
              "informative_educational", "entertainment_tv")
_LOCALES = (("american", "en-US"), ("british", "en-GB"), ("indian", "hi-IN"),
            ("indian", "en-IN"), ("tamil", "ta-IN"), ("castilian", "es-ES"),
            ("mexican", "es-MX"), ("standard", "de-DE"), ("parisian", "fr-FR"),
            ("standard", "ja-JP"), ("brazilian", "pt-BR"))


def wire_voice(
    voice_id: str, name: str | None, category: str, *, gender: str | None = None,
    accent: str | None = None, age: str | None = None, use_case: str | None = None,
    label_description: str | None = None, description: str | None = None,
    locales: tuple[str, ...] = (), preview_url: str | None = None,
) -> dict[str, Any]:
    """One voice as `GET /v1/voices` and `/v2/voices` return it (no `name` key when
    `name` is None)."""
    labels = {k: v for k, v in (("gender", gender), ("accent", accent), ("age", age),
                                ("use_case", use_case), ("description", label_description))
              if v is not None}
    preview = preview_url or _PREVIEW.format(voice_id=voice_id)
    voice: dict[str, Any] = {"voice_id": voice_id} if name is None else {
        "voice_id": voice_id, "name": name}
    return voice | {
        "category": category,
        "labels": labels,
        "description": description,
        "preview_url": preview,
        "available_for_tiers": [],
        "settings": None,
        "high_quality_base_model_ids": list(_HQ_MODELS),
        "verified_languages": [
            {"language": locale.split("-")[0], "model_id": _VERIFIED_MODEL,
             "accent": accent, "locale": locale, "preview_url": preview}
            for locale in locales
        ],
        "is_owner": category in ("cloned", "generated", "professional"),
        "created_at_unix": _CREATED_FROM + stable_int(voice_id, _CREATED_SPAN),
    }


def from_catalog(voice: Voice) -> dict[str, Any]:
    """A snapshot voice as the API lists it (English verified in the voice's accent)."""
    locales = voice.languages or (_ACCENT_LOCALES.get(voice.accent or "", "en-US"),)
    return wire_voice(
        voice.id, voice.name, voice.category, gender=voice.gender, accent=voice.accent,
        age=voice.age, use_case=voice.use_case, label_description=voice.description,
        locales=locales, preview_url=voice.preview_url,
    )


def custom_voices() -> list[dict[str, Any]]:
    """`CUSTOM_VOICES` as the API lists them, with ids fixed by their names, then the
    nameless `high_quality` voice."""
    return [
        *(wire_voice(stable_id("custom:" + name), name, category, gender=gender,
                     accent=accent, age=age, use_case=use_case,
                     description=f"{name} ({category}, simulated)", locales=locales)
          for name, category, gender, accent, age, use_case, locales in CUSTOM_VOICES),
        wire_voice(UNNAMED_VOICE_ID, None, "high_quality", gender="female",
                   accent="american", locales=("en-US",)),
    ]


def synthetic_voices(count: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """`count` voices with unique ids and names, mixed categories and languages.

    The same (count, seed) always gives the same list, and a longer list starts with the
    shorter one, so a test can grow an account without reshuffling its pages.
    """
    voices = []
    for i in range(count):
        rng = random.Random(f"{seed}:{i}")  # per-voice stream: voice i never depends on count
        category = rng.choices(_CATEGORIES, _CATEGORY_WEIGHTS)[0]
        picks = rng.sample(_LOCALES, rng.randint(1, 3))
        name = f"{rng.choice(_FIRST)} {rng.choice(_STYLE)} {i:05d}"
        voices.append(wire_voice(
            stable_id(f"synthetic:{seed}:{i}"), name, category,
            gender=rng.choice(_GENDERS), accent=picks[0][0], age=rng.choice(_AGES),
            use_case=rng.choice(_USE_CASES), description=f"Synthetic voice {i}",
            locales=tuple(locale for _, locale in picks),
        ))
    return voices
