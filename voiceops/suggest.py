""""Did you mean ...": the closest names to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` choices close to `word`, best first; case is ignored for matching."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)
    if not matches:  # prefixes: "claude-3-5-haiku" -> "claude-3-5-haiku-latest"
        matches = [c for c in by_lower if c.startswith(word.lower()) and word][:n]
    return [by_lower[m] for m in matches]


def did_you_mean(word: str, choices: Iterable[str], list_all_below: int = 8) -> str | None:
    """A hint line: "did you mean 'x'?", or the full list when it is short, or None."""
    pool = sorted(set(choices))
    matches = closest(word, pool)
    if matches:
        return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"
    if pool and len(pool) <= list_all_below:
        return "expected one of: " + ", ".join(pool)
    return None
