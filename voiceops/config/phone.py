"""Phone numbers in profiles: the E.164 form, and which file a profile's numbers come from.

A number reaches one profile. So `phone.numbers` is not inherited through `extends:`: a
profile's numbers are the ones its own file lists (or an environment overlay sets for it),
never its base's, or every child of a base with numbers would claim them. The rest of the
`phone:` block (`dtmf`) is inherited like any other setting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from voiceops.config.yamlread import Document

__all__ = ["E164", "DtmfMode", "as_e164", "drop_inherited_numbers", "numbers_source", "tidy"]

DtmfMode = Literal["turn", "event", "ignore"]
#: `+`, a country code that does not start with 0, at most 15 digits in all (ITU-T E.164),
#: and at least 7: no country's numbers are shorter (Niue's: +683 and four digits), so a
#: shorter one is a typo or a short code, which cannot be dialled from abroad.
E164 = re.compile(r"\+[1-9][0-9]{6,14}\Z")
_SEPARATORS = re.compile(r"[\s().\-/]")


def tidy(text: str) -> str:
    """`text` without the separators people write in numbers ("+1 (415) 555-0100"), and
    with an international `00` prefix written as `+`."""
    bare = _SEPARATORS.sub("", text.strip())
    return "+" + bare[2:] if bare.startswith("00") else bare


def as_e164(text: str) -> str | None:
    """`text` in E.164 form ("+14155550100") once separators and a `00` prefix are read,
    or None when it is not an international number."""
    bare = tidy(text)
    return bare if E164.match(bare) else None


def numbers_source(docs: Sequence[Document]) -> Document | None:
    """The document a profile's `phone.numbers` come from: the first of `docs` (overlay
    views, then the profile's own file) that sets them; None when none does."""
    for doc in docs:
        phone = doc.data.get("phone") if isinstance(doc.data, dict) else None
        if isinstance(phone, dict) and "numbers" in phone:
            return doc
    return None


def drop_inherited_numbers(data: dict[str, Any], own: Sequence[Document]) -> dict[str, Any]:
    """The merged profile `data` without `phone.numbers` unless one of `own` (the profile's
    overlay views and its own file) sets them: numbers set only by a base are not its."""
    phone = data.get("phone")
    if not isinstance(phone, dict) or "numbers" not in phone or numbers_source(own):
        return data
    kept = {key: value for key, value in phone.items() if key != "numbers"}
    return {key: kept if key == "phone" else value for key, value in data.items()
            if key != "phone" or kept}
