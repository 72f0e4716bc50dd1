"""How the panel's fields and a profile's correspond, in both directions.

    name                 file name (configs/<slug>.yaml); kept in metadata.legacy_name
                         when the slug differs
    llm_provider/_model  llm.provider, llm.model
    tts_provider         tts.provider
    tts_voice_id         tts.voice (exported as the catalog's id for a voice named by name)
    voice_tuning         tts.tuning: pitch, pace, loudness (ElevenLabs: pace is `speed`)
    system_prompt_id     prompt.template (a template in prompts/)
    system_prompt_text   prompt.text (or, on import with --prompt-templates, prompts/<slug>.j2)
    optimization_level   optimization
    target_language      language
    enable_rag           rag.enabled
    metadata             metadata, plus imported_from; is_default and user_id live there too
"""

from __future__ import annotations

#: The panel's tuning key -> the profile's, where a provider names it differently.
TUNING_NAMES: dict[str, dict[str, str]] = {"elevenlabs": {"pace": "speed"}}
#: Values that change nothing, so dropping them loses nothing.
NEUTRAL_TUNING = {"pitch": 0.0, "pace": 1.0, "loudness": 1.0}
IMPORTED_FROM = "imported_from"
LEGACY_NAME = "legacy_name"
KEPT_IN_METADATA = ("is_default", "user_id")
#: Metadata keys import adds and export takes out again, so a round trip is exact.
ADDED_METADATA = (IMPORTED_FROM, LEGACY_NAME, *KEPT_IN_METADATA)
DEFAULT_OPTIMIZATION = "balanced"  # the schema's default


def tuning_name(provider: str, legacy_key: str) -> str:
    """The profile's tuning key for the panel's `legacy_key` on `provider`'s voices."""
    return TUNING_NAMES.get(provider, {}).get(legacy_key, legacy_key)
