"""Strict parsing for the Stainless SDKs (`openai`, `anthropic`): they build their response
models without validation (`construct`), so a field the simulator left out would pass
unseen. `strict(obj)` validates what the SDK built, as a pydantic model of its own type."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def strict(obj: M) -> M:
    """`obj` validated against its own type: raises when a required field is missing."""
    return type(obj).model_validate(obj.model_dump(mode="json", warnings=False))
