"""Hear a voice: synthesize text with a profile's (or any) TTS settings into a WAV file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voiceops.providers.audio import pcm_to_wav
from voiceops.runtime.session import Providers, ResolveTarget

DEFAULT_RATE = 22050
MAX_PREVIEW_CHARS = 1000


def apply_settings(section: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """`section` with dotted overrides applied: {"tuning.pace": 1.2, "voice": "vidya"}."""
    result: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v)
                              for k, v in section.items()}
    for dotted, value in settings.items():
        node = result
        *parents, last = dotted.split(".")
        for part in parents:
            child = node.get(part)
            node[part] = child = dict(child) if isinstance(child, Mapping) else {}
            node = child
        node[last] = value
    result.pop("fallbacks", None)
    return result


async def preview(section: Mapping[str, Any], text: str, *, providers: Providers,
                  resolve: ResolveTarget, env: Mapping[str, str],
                  sample_rate: int = DEFAULT_RATE, language: str | None = None) -> bytes:
    """`text` spoken with the TTS settings in `section`, as WAV bytes.

    Raises ProviderError (a refused key, an unknown voice) like any TTS call.
    """
    target = resolve(section, env, float(section.get("timeout_s", 15)), language=language)
    tts = providers.tts(target, sample_rate)
    pcm = bytearray()
    async for chunk in tts.synthesize(text[:MAX_PREVIEW_CHARS]):
        pcm += chunk
    return pcm_to_wav(bytes(pcm), sample_rate)
