"""The diff as a pull-request comment: headline counts, then a section per changed profile.

The comment starts with a hidden marker (`MARKER`) so a bot can find and update its own
comment. GitHub refuses comments over 65,536 characters, so sections are added while they
fit `budget`; the rest are named at the end. User text only ever appears inside code spans
or fenced blocks (fences longer than any backtick run in the text), so a prompt cannot break
the comment's layout or inject markup.
"""

from __future__ import annotations

import re
from typing import Any

from voiceops.review.compare import DiffResult, EntryChange, PassageChange, ProfileChange
from voiceops.review.wording import (
    attribute_value,
    by_source,
    counts,
    entry_facts,
    entry_headline,
    entry_name,
    passage_text,
    problem_lines,
    value,
)

MARKER = "<!-- voiceops-diff -->"
BUDGET = 60_000  # GitHub's limit is 65,536; leave room for the tail and a bot's own text
_TICKS = re.compile(r"`+")


def markdown(result: DiffResult, budget: int = BUDGET) -> str:
    """The whole comment."""
    head = [MARKER, "## voiceops diff", "",
            f"{code(result.old)} → {code(result.new)}: {counts(result)}."]
    head += [f"> **Note:** {note}" for note in result.notes]
    if result.routes:
        head += ["", "**Phone numbers**", "", "| number | was | now |", "|---|---|---|"]
        head += [f"| {code(r.number)} | {_route_cell(r.old)} | {_route_cell(r.new)} |"
                 for r in result.routes]
    if not result.changes:
        head += ["", "No profile changes."]
        return "\n".join(head) + "\n"
    removed = [c for c in result.changes if c.status == "removed"]
    if removed:
        head += ["", "**Removed:** " + ", ".join(code(c.name) for c in removed)]
    text = "\n".join(head) + "\n"
    shown = 0
    rest = [c for c in result.changes if c.status != "removed"]
    for change in rest:
        section = "\n" + _section(change, result) + "\n"
        if len(text) + len(section) > budget:
            break
        text += section
        shown += 1
    if shown < len(rest):
        left = rest[shown:]
        names = ", ".join(code(c.name) for c in left)
        if len(text) + len(names) > budget:
            names = names[: max(0, budget - len(text))].rsplit(",", 1)[0] + ", …"
        text += (f"\n…and {len(left)} more changed profiles not shown here: {names}\n"
                 "Run `voiceops diff` locally to see them all.\n")
    return text


def _section(change: ProfileChange, result: DiffResult) -> str:
    status: str = change.status
    if change.via:
        files = ", ".join(code(name) for name in change.via)
        status += f" via {files}" if change.only_via else f", also via {files}"
    kind = " (abstract)" if change.abstract else ""
    lines = [f"### {code(change.name)}{kind} · {status}"]
    lines += [f"> ⚠️ {_inline(line)}"
              for line in problem_lines(change, result.old, result.new)]
    if change.status == "added":
        lines += _entries_table(change.entries)
        if change.fields:
            lines += ["", "<details><summary>Effective configuration</summary>", "",
                      "| field | value |", "|---|---|"]
            lines += [f"| {code(f.path)} | {code(value(f.new))} |" for f in change.fields]
            lines += ["", "</details>"]
        return "\n".join(lines)
    rows = [(f.path, f.old if f.kind != "added" else None, f.new if f.kind != "removed"
             else None, f.kind) for f in change.fields]
    if change.first_message and not any(f.path == "first_message" for f in change.fields):
        rows.append(("first_message (rendered)", *change.first_message, "changed"))
    if rows:
        lines += ["", "| field | old | new |", "|---|---|---|"]
        lines += [f"| {code(path)} | {_cell(old, kind == 'added')} | "
                  f"{_cell(new, kind == 'removed')} |" for path, old, new, kind in rows]
    lines += _entries_table(change.entries)
    lines += _knowledge_table(change.knowledge)
    if change.prompt_diff:
        body = "\n".join(change.prompt_diff[2:])  # the ---/+++ lines repeat the heading
        fence = _fence(body)
        lines += ["", "**System prompt**", "", f"{fence}diff", body, fence]
    return "\n".join(lines)


def _entries_table(entries: tuple[EntryChange, ...]) -> list[str]:
    if not entries:
        return []
    lines = ["", "**Models and voices**", "", "| where | old | new |", "|---|---|---|"]
    for change in entries:
        old = _entry_cell(change.old)
        new = _entry_cell(change.new)
        if change.same_entry:
            lines.append(f"| {code(change.path)} | {_inline(entry_headline(change))} | |")
        else:
            lines.append(f"| {code(change.path)} | {old} | {new} |")
        if change.old is not None and change.new is not None:
            before, after = change.old.attributes, change.new.attributes
            lines += [f"| ↳ {attribute} | {code(attribute_value(before.get(attribute)))} | "
                      f"{code(attribute_value(after.get(attribute)))} |"
                      for attribute in change.changed]
    return lines


def _knowledge_table(passages: tuple[PassageChange, ...]) -> list[str]:
    if not passages:
        return []
    lines = ["", "**Knowledge**", ""]
    for source, summary, changes in by_source(passages):
        lines += [f"{code(source)}: {summary}", "", "| | where | passage |", "|---|---|---|"]
        lines += [f"| {'+' if c.kind == 'added' else '−'} | {code(f'{c.source}:{c.line}')} | "
                  f"{_inline(passage_text(c))} |" for c in changes]
        lines.append("")
    return lines[:-1]


def _entry_cell(entry: Any) -> str:
    if entry is None:
        return "–"
    facts = entry_facts(entry)
    return _inline(entry_name(entry)) + (f"<br>{_inline(facts)}" if facts else "")


def _route_cell(profile: str | None) -> str:
    return code(profile) if profile is not None else "default profile"


def _cell(item: Any, absent: bool) -> str:
    return "–" if absent else code(value(item))


def code(text: str) -> str:
    """`text` as an inline code span, safe inside a table cell."""
    text = text.replace("\n", "⏎").replace("|", "\\|")
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _inline(text: str) -> str:
    """Free text that may quote user content: each quoted part as code, the rest escaped."""
    return re.sub(r"[\\`*_<>|\[\]]", lambda m: "\\" + m.group(0), text.replace("\n", " "))


def _fence(body: str) -> str:
    longest = max((len(m) for m in _TICKS.findall(body)), default=0)
    return "`" * max(3, longest + 1)
