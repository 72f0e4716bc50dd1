"""What the simulators serve: the bundled snapshot, as a live API would list it.

The simulators start from `voiceops/catalog/data/*.json` (so they track the snapshot as it is
updated), drop what the snapshot says is gone, and each provider module adds extras the
snapshot does not know (new models, an account's own voices). That difference is the drift a
live fetch must show. Everything here is deterministic: the same input gives the same ids,
dates and order, so ETags and page tokens are stable across runs.
"""

from __future__ import annotations

import hashlib
import string

from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.catalog.types import Model, ProviderCatalog

__all__ = ["is_gone", "snapshot", "stable_id", "stable_int"]

_ID_ALPHABET = string.ascii_letters + string.digits


def snapshot(provider: str) -> ProviderCatalog:
    """The bundled catalog of `provider`; a missing one is a packaging bug."""
    catalog = BundledSnapshot().provider_catalog(provider)
    if catalog is None:
        raise RuntimeError(f"no bundled catalog for {provider!r} to simulate")
    return catalog


def is_gone(model: Model) -> bool:
    """True when the snapshot says the provider no longer serves `model` (so no list has it).

    The snapshot's convention: a `deprecated` text starting "retired" (or OpenAI's "shut
    down") means calls fail; any other text means it still works for now.
    """
    note = (model.deprecated or "").lower()
    return note.startswith(("retired", "shut down"))


def stable_int(text: str, modulo: int) -> int:
    """A number in 0..modulo-1 that depends only on `text`."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % modulo


def stable_id(text: str, length: int = 20) -> str:
    """An id shaped like ElevenLabs' voice ids (letters and digits) derived from `text`."""
    digest = hashlib.sha256(text.encode()).digest()
    return "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:length])
