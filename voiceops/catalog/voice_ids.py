"""Voice names to voice ids: profiles may name a voice ("George"), provider APIs want its id.

The daemon resolves each config version's profiles once (`voice_ids`); `voiceops preview`
and `POST /v1/tts/preview` resolve the one TTS section they speak with (`voice_id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voiceops.catalog.resolve import Catalog

__all__ = ["voice_id", "voice_ids"]


def voice_id(section: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A TTS section (or one of its fallbacks) with its voice as the catalog's id, the name
    as written kept as `voice_name` for logs and metrics. Unknown voices stay as written:
    the provider's answer then says what is wrong."""
    result = dict(section)
    voice = catalog.voice(str(section.get("provider")), str(section.get("voice")))
    if voice is not None and voice.id != section.get("voice"):
        result.update(voice=voice.id, voice_name=section["voice"])
    return result


def voice_ids(data: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A profile's data with `voice_id` applied to its TTS section and each TTS fallback."""
    tts = data.get("tts")
    if not isinstance(tts, Mapping):
        return dict(data)
    resolved = voice_id(tts, catalog)
    if isinstance(tts.get("fallbacks"), list):
        resolved["fallbacks"] = [voice_id(f, catalog) if isinstance(f, Mapping) else f
                                 for f in tts["fallbacks"]]
    return {**data, "tts": resolved}
