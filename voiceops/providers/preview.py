"""Hear a voice: synthesize text with a profile's (or any) TTS settings into a WAV file."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from voiceops.catalog.resolve import Catalog
from voiceops.catalog.voice_ids import voice_id
from voiceops.config.settings import provider_timeout_s
from voiceops.errors import ProviderSetupError
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


def unusable(value: Any, where: str = "") -> str | None:
    """Why `value` (settings, text, a request body) cannot go to a provider, or None: a
    number that is not finite (JSON has no inf or NaN) or text with a lone surrogate (it
    cannot be encoded as UTF-8). The message names where, e.g. `tuning.pace`."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where or 'a value'} must be a finite number, not {value}"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (f"{where or 'a value'} has a lone surrogate "
                    f"({value[exc.start]!r} at {exc.start}): it is not valid Unicode text")
        return None
    if isinstance(value, Mapping):
        items = [(str(key), item) for key, item in value.items()]
        for key, _ in items:
            if (problem := unusable(key, f"the key of {where or 'a mapping'}")) is not None:
                return problem
        found = (unusable(item, f"{where}.{key}" if where else key) for key, item in items)
        return next((problem for problem in found if problem is not None), None)
    if isinstance(value, list | tuple):
        found = (unusable(item, f"{where}[{n}]") for n, item in enumerate(value))
        return next((problem for problem in found if problem is not None), None)
    return None


async def preview(section: Mapping[str, Any], text: str, *, providers: Providers,
                  resolve: ResolveTarget, env: Mapping[str, str],
                  sample_rate: int = DEFAULT_RATE, language: str | None = None,
                  catalog: Catalog | None = None) -> bytes:
    """`text` spoken with the TTS settings in `section`, as WAV bytes. A voice named by its
    name ("Sarah") is sent as its id when `catalog` knows it, as the daemon does.

    Raises ProviderSetupError for settings or text no provider can take (inf, NaN, lone
    surrogates), and ProviderError (a refused key, an unknown voice) like any TTS call.
    """
    provider = str(section.get("provider"))
    for problem in (unusable(dict(section)), unusable(text, "the text")):
        if problem is not None:
            raise ProviderSetupError(problem, provider=provider)
    if catalog is not None:
        section = voice_id(section, catalog)
    target = resolve(section, env, provider_timeout_s(section), language=language)
    tts = providers.tts(target, sample_rate)
    pcm = bytearray()
    async for chunk in tts.synthesize(text[:MAX_PREVIEW_CHARS]):
        pcm += chunk
    return pcm_to_wav(bytes(pcm), sample_rate)
