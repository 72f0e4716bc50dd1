"""Checks of a profile's `phone:` block: its numbers are E.164, and each reaches one profile.

A number listed by two profiles of a project is reported in each, naming both places. The
project's numbers are read from the profile files themselves (and the environment overlay),
not from fully loaded profiles: numbers are never inherited (`voiceops.config.phone`), so a
profile's own file, or its overlay, is where they are, and checking one file does not load
every other profile of the folder.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceops.config.interpolate import interpolate
from voiceops.config.loader import LoadedProfile, ProfileLoader, profile_files, profile_name
from voiceops.config.overlay import overlay_views
from voiceops.config.phone import as_e164, numbers_source, tidy
from voiceops.config.yamlread import Document, Mark
from voiceops.diagnostics import Diagnostic, make

if TYPE_CHECKING:
    from voiceops.validation.validator import ValidationResult

__all__ = ["check_phone", "routes_of"]

_NUMBERS = ("phone", "numbers")


@dataclass(frozen=True)
class _Claim:
    """A profile that lists a number, and where."""

    profile: str
    mark: Mark

    def named(self) -> str:
        return f"{self.profile} ({self.mark.path}:{self.mark.line}:{self.mark.col})"


_Table = Mapping[str, tuple[_Claim, ...]]
#: Per loader (one validation run, one overlay), per folder: every number's claims.
_TABLES: weakref.WeakKeyDictionary[ProfileLoader, dict[str, _Table]] = \
    weakref.WeakKeyDictionary()


def check_phone(profile: LoadedProfile, loader: ProfileLoader, path: Path) -> list[Diagnostic]:
    """Every problem with the numbers of `profile` (loaded from `path` by `loader`)."""
    phone = profile.data.get("phone")
    numbers = phone.get("numbers") if isinstance(phone, dict) else None
    if not isinstance(numbers, list) or not numbers:
        return []  # absent, or not a list: the schema says so
    marks = profile.marks
    if profile.abstract:
        place = marks.key(_NUMBERS)
        return [make("VO804", place.path, place.line, place.col,
                     f"{profile.name} is abstract: it answers no calls, and profiles that "
                     "extend it do not inherit its phone numbers",
                     "list each number in the profile that should answer it")]
    table = _project_numbers(loader, path.parent)
    found: list[Diagnostic] = []
    first: dict[str, int] = {}
    for index, value in enumerate(numbers):
        place = marks.value((*_NUMBERS, index))
        number = value if isinstance(value, str) and as_e164(value) == value else None
        if number is None:
            found.append(make("VO801", place.path, place.line, place.col,
                              f"phone number {_shown(value)} is not in E.164 form",
                              _e164_hint(value)))
            continue
        if number in first:
            found.append(make("VO803", place.path, place.line, place.col,
                              f"{number} is listed twice in phone.numbers",
                              f"remove one (the first is item {first[number] + 1})"))
            continue
        first[number] = index
        found += _clashes(profile.name, number, place, table.get(number, ()))
    return found


def routes_of(result: ValidationResult) -> dict[str, str]:
    """Every number the servable profiles of a valid `result` list -> the profile it
    reaches, by number."""
    table: dict[str, str] = {}
    for checked in result.checked:
        profile = checked.profile
        if profile is None or profile.abstract:
            continue
        phone = profile.data.get("phone")
        numbers = phone.get("numbers") if isinstance(phone, dict) else None
        for number in numbers if isinstance(numbers, list) else ():
            table.setdefault(str(number), profile.name)
    return dict(sorted(table.items()))


def _clashes(name: str, number: str, place: Mark,
             claims: tuple[_Claim, ...]) -> list[Diagnostic]:
    others = [c for c in claims if c.profile != name]
    if not others:
        return []
    if any(c.mark == place for c in others):  # one line gives it to several profiles
        return [make("VO802", place.path, place.line, place.col,
                     f"{number} is given to every profile this applies to "
                     f"({', '.join(sorted({name, *(c.profile for c in others)}))})",
                     "set phone numbers per profile (under profiles: NAME: in an "
                     "environment overlay), not for all")]
    every = ", ".join(c.named() for c in others)
    return [make("VO802", place.path, place.line, place.col,
                 f"{number} is routed to two profiles: {name} "
                 f"({place.path}:{place.line}:{place.col}) and {every}",
                 "a number reaches one profile: remove it from all but one")]


def _project_numbers(loader: ProfileLoader, folder: Path) -> _Table:
    """Every E.164 number the servable profiles of `folder` list, with who lists it where."""
    per_folder = _TABLES.setdefault(loader, {})
    key = str(folder.resolve())
    if key not in per_folder:
        claims: dict[str, list[_Claim]] = {}
        layer = loader.document(loader.overlay)[0] if loader.overlay else None
        for path in profile_files(folder):
            doc = loader.document(path)[0]
            if doc is None or doc.data.get("abstract") is True:
                continue  # unreadable (reported in its own check) or answering no calls
            name = profile_name(path)
            views = overlay_views(layer, name) if layer is not None else []
            for number, mark in _listed(numbers_source([*views, doc]), loader.env):
                claims.setdefault(number, []).append(_Claim(name, mark))
        per_folder[key] = {number: tuple(found) for number, found in claims.items()}
    return per_folder[key]


def _listed(source: Document | None, env: Mapping[str, str]) -> list[tuple[str, Mark]]:
    """The valid numbers `source` lists for a profile, with their marks (after ${VAR}s)."""
    if source is None:
        return []
    numbers = source.data["phone"]["numbers"]
    if not isinstance(numbers, list):
        return []
    at = Mark(source.path, 1, 1)

    def place(path: tuple[str | int, ...]) -> tuple[str, int, int]:
        mark = source.values.get(path, at)
        return mark.path, mark.line, mark.col

    # rooted as in a profile, so the numbers are expanded as text; problems are reported
    # by the profile's own check
    expanded = interpolate({"phone": {"numbers": numbers}}, env, place)[0]["phone"]["numbers"]
    return [(n, source.values.get((*_NUMBERS, i), at)) for i, n in enumerate(expanded)
            if isinstance(n, str) and as_e164(n) == n]


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _e164_hint(value: Any) -> str:
    """How to write `value` as E.164, as far as it can be told."""
    if isinstance(value, bool) or not isinstance(value, str | int) or (
            isinstance(value, int) and value <= 0):
        return 'write each number as text: "+14155550100"'
    if isinstance(value, int):
        return (f'YAML reads an unquoted +{value} as a whole number: write it in quotes, '
                f'"+{value}"')
    bare = tidy(value)
    if as_e164(bare):
        return f'write it as "{bare}": E.164 has no spaces or punctuation'
    if bare.startswith("0") and bare[1:].isdigit():
        return ("a national number: write + and the country code, then the number "
                'without its leading 0 ("+91" and 9876543210 for India)')
    if bare.isdigit() and as_e164(f"+{bare}"):
        return f'did you mean "+{bare}"?'
    return 'E.164 is +, the country code, then the number: "+14155550100"'
