"""Turn a `DiffResult` into text for a terminal, markdown for a pull request, or JSON.

`REPORTERS` is the registry; its keys are `voiceops diff --format` choices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from voiceops.review.compare import DiffResult, EntryChange, ProfileChange
from voiceops.review.markdown import markdown
from voiceops.review.wording import (
    attribute_value,
    by_source,
    cause,
    counts,
    entry_facts,
    entry_headline,
    entry_name,
    passage_text,
    problem_lines,
    route_line,
    value,
)

Reporter = Callable[[DiffResult, bool], str]

_RED, _GREEN, _CYAN, _YELLOW = "\033[31m", "\033[32m", "\033[36m", "\033[33m"
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_MARKS = {"changed": ("~", _YELLOW), "added": ("+", _GREEN), "removed": ("-", _RED)}


def text(result: DiffResult, color: bool) -> str:
    """A headline, then each profile: its field changes, catalog entries and prompt diff."""
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color else s

    lines = [paint(_BOLD, f"{result.old} -> {result.new}: ") + counts(result)]
    lines += [f"note: {note}" for note in result.notes]
    if result.routes:
        lines.append(paint(_BOLD, "phone numbers:"))
        lines += [f"    {route_line(route)}" for route in result.routes]
    for change in result.changes:
        mark, hue = _MARKS[change.status]
        why = cause(change)
        label = change.name + (" (abstract)" if change.abstract else "")
        lines.append(paint(hue, f"{mark} {paint(_BOLD, label)}") + (f"  {why}" if why else "")
                     + ("" if change.status == "changed" else f"  ({change.status})"))
        lines += [paint(_RED, f"    ! {line}")
                  for line in problem_lines(change, result.old, result.new)]
        if change.status == "changed":
            lines += _changed(change, paint)
        elif change.status == "added":
            lines += [f"    {e.path}: {entry_name(e.new)}" + _facts(e.new)
                      for e in change.entries if e.new]
    if not result.changes:
        lines.append("no profile changes")
    return "\n".join(lines)


def _changed(change: ProfileChange, paint: Callable[[str, str], str]) -> list[str]:
    lines = [f"    {f.path}: {_side(f.old, f.kind == 'added')} -> "
             f"{_side(f.new, f.kind == 'removed')}" for f in change.fields]
    if change.first_message and not any(f.path == "first_message" for f in change.fields):
        old, new = change.first_message
        lines.append(f"    first message (rendered): {_side(old, old is None)} -> "
                     f"{_side(new, new is None)}")
    for entry in change.entries:
        lines += _entry(entry)
    for source, summary, passages in by_source(change.knowledge):
        lines.append(f"    knowledge: {source}: {summary}")
        for p in passages:
            mark, color = ("+", _GREEN) if p.kind == "added" else ("-", _RED)
            lines.append(paint(color, f"      {mark} {p.source}:{p.line}: {passage_text(p)}"))
    if change.prompt_diff:
        lines.append("    system prompt:")
        for line in change.prompt_diff[2:]:  # the ---/+++ lines repeat the heading
            hue = {"+": _GREEN, "-": _RED, "@": _CYAN}.get(line[:1])
            lines.append("      " + (paint(hue, line) if hue else line))
    return lines


def _entry(change: EntryChange) -> list[str]:
    lines = [f"    catalog {change.path}: {entry_headline(change)}"]
    if change.old is None or change.new is None:
        side = change.new or change.old
        return [lines[0] + (_facts(side) if side else "")]
    before, after = change.old.attributes, change.new.attributes
    lines += [f"      {attribute}: {attribute_value(before.get(attribute))} -> "
              f"{attribute_value(after.get(attribute))}" for attribute in change.changed]
    return lines


def _facts(entry: Any) -> str:
    facts = entry_facts(entry)
    return f" ({facts})" if facts else ""


def _side(item: Any, absent: bool) -> str:
    return "(unset)" if absent else value(item)


def as_markdown(result: DiffResult, color: bool) -> str:
    """A pull-request comment (see `voiceops.review.markdown`)."""
    return markdown(result)


def as_json(result: DiffResult, color: bool) -> str:
    """Everything, for tools: labels, counts, notes and every change in full."""
    document: dict[str, Any] = {
        "old": result.old,
        "new": result.new,
        "changed": result.changed,
        "counts": {"changed": result.count("changed"), "added": result.count("added"),
                   "removed": result.count("removed"), "unchanged": len(result.unchanged)},
        "notes": list(result.notes),
        "profiles": [{**asdict(c), "only_via": c.only_via} for c in result.changes],
        "routes": [asdict(r) for r in result.routes],
        "unchanged": list(result.unchanged),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


REPORTERS: dict[str, Reporter] = {"text": text, "markdown": as_markdown, "json": as_json}


def report(result: DiffResult, fmt: str, color: bool = False) -> str:
    """`result` in the format `fmt` (a key of `REPORTERS`)."""
    return REPORTERS[fmt](result, color)


__all__ = ["REPORTERS", "report"]
