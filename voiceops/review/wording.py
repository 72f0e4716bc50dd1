"""The words both diff reports use: values, catalog entries, causes, counts."""

from __future__ import annotations

import json
import re
from typing import Any

from voiceops.provider_facts import title
from voiceops.review.compare import (
    DiffResult,
    EntryChange,
    PassageChange,
    ProfileChange,
    RouteChange,
)
from voiceops.review.effective import CatalogEntry, Problem

_BARE = re.compile(r"[\w.:/@+-]+\Z")  # ids, names, numbers-as-text: readable without quotes
MAX_VALUE = 80
MAX_PASSAGE = 200  # of a passage's text, on one line: enough to see what it says


def value(item: Any, limit: int = MAX_VALUE) -> str:
    """A field value as a reviewer reads it: bare words unquoted, the rest as JSON, long
    values shortened."""
    if isinstance(item, str) and _BARE.match(item) and item not in ("null", "true", "false"):
        text = item
    else:
        text = json.dumps(item, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entry_name(entry: CatalogEntry) -> str:
    """"Sarvam voice Anushka (anushka)", "OpenAI model gpt-5.4-mini", or an unknown one."""
    if entry.id is None:
        return f"{title(entry.provider)} {entry.what} '{entry.ref}' (not in the catalog)"
    name = entry.attributes.get("name")
    if entry.what == "voice" and isinstance(name, str) and name.casefold() != entry.id.casefold():
        return f"{title(entry.provider)} voice {name} ({entry.id})"
    return f"{title(entry.provider)} {entry.what} {entry.id}"


def entry_facts(entry: CatalogEntry) -> str:
    """The attributes that identify an entry at a glance, in one short line."""
    a = entry.attributes
    parts: list[str] = []
    if entry.what == "model":
        if "context_window" in a:
            parts.append(f"{a['context_window']:,} tokens")
        if "price_in" in a or "price_out" in a:
            parts.append(f"${_num(a.get('price_in'))} in / ${_num(a.get('price_out'))} out "
                         "per M tokens")
        if "latency" in a:
            parts.append(f"{a['latency']} latency")
    else:
        parts += [str(a[k]) for k in ("gender", "accent", "category") if k in a]
    if a.get("languages"):
        langs = list(a["languages"])
        parts.append(", ".join(langs[:5]) + (f" +{len(langs) - 5}" if len(langs) > 5 else ""))
    if "deprecated" in a:
        parts.append(f"deprecated: {a['deprecated']}")
    return "; ".join(parts)


def attribute_value(item: Any) -> str:
    """A catalog attribute value: lists joined, absent as "-"."""
    if item is None:
        return "-"
    if isinstance(item, list):
        return ", ".join(map(str, item)) or "-"
    return value(item, 120)


def entry_headline(change: EntryChange) -> str:
    """`old -> new` for a replaced entry, the entry itself when only attributes moved."""
    if change.same_entry and change.new is not None:
        return f"{entry_name(change.new)} changed in the catalog"
    old = entry_name(change.old) if change.old else "(none)"
    new = entry_name(change.new) if change.new else "(none)"
    return f"{old} -> {new}"


def cause(change: ProfileChange) -> str:
    """Why a changed profile is listed: "via base.yaml", "also via prompts/x.j2", or ""."""
    if not change.via:
        return ""
    files = ", ".join(change.via)
    return f"via {files}" if change.only_via else f"also via {files}"


def problem(item: Problem) -> str:
    """"fails to load: ..." or "2 errors, first: ..."."""
    if not item.loads:
        return f"fails to load: {item.first}"
    more = f"{item.errors} errors, first: " if item.errors > 1 else "error: "
    return more + item.first


def problem_lines(change: ProfileChange, old_label: str, new_label: str) -> list[str]:
    """What a profile's problems on each side amount to, in a line or two."""
    old, new = change.old_problem, change.new_problem
    if change.status != "changed":
        item = new if change.status == "added" else old
        return [problem(item)] if item else []
    if old == new:
        return [f"in both: {problem(new)}"] if new else []
    lines = [f"in {old_label}: {problem(old)}" + ("" if new else " (fixed)")] if old else []
    if new:
        lines.append(f"in {new_label}: {problem(new)}")
    return lines


def route_line(change: RouteChange) -> str:
    """"+14155550100 now reaches sales_en, was support_en"; no profile is the default."""
    if change.new is None:
        return (f"{change.number} is no longer routed (the default profile answers it), "
                f"was {change.old}")
    was = change.old if change.old is not None else "unrouted (the default profile)"
    return f"{change.number} now reaches {change.new}, was {was}"


def counts(result: DiffResult) -> str:
    """"3 changed (2 only via a base, template or lock), 1 added, 0 removed, 40 unchanged"."""
    changed = result.count("changed")
    via = sum(c.only_via for c in result.changes)
    detail = f" ({via} only via a base profile, template, knowledge file or the lock)" \
        if via else ""
    return (f"{changed} changed{detail}, {result.count('added')} added, "
            f"{result.count('removed')} removed, {len(result.unchanged)} unchanged")


def by_source(passages: tuple[PassageChange, ...]
              ) -> list[tuple[str, str, list[PassageChange]]]:
    """The passage changes grouped by file: (file, "1 passage added, 2 removed", changes)."""
    grouped: dict[str, list[PassageChange]] = {}
    for change in passages:
        grouped.setdefault(change.source, []).append(change)
    found = []
    for source, changes in grouped.items():
        added = sum(c.kind == "added" for c in changes)
        noun = "passage" if added == 1 else "passages"
        found.append((source, f"{added} {noun} added, {len(changes) - added} removed", changes))
    return found


def passage_text(change: PassageChange) -> str:
    """A passage's text on one line, shortened."""
    text = " ".join(change.text.split())
    return text if len(text) <= MAX_PASSAGE else text[: MAX_PASSAGE - 1] + "…"


def _num(item: Any) -> str:
    return "?" if item is None else f"{item:g}" if isinstance(item, float) else str(item)
