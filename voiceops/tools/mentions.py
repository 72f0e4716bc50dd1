"""Tools the rendered system prompt names, against the tools the profile declares.

A prompt that says "use `check_availability`" while no such tool is declared sends the model
after a tool it cannot call; a prompt that names its tools but leaves one out usually lost it
in an edit. What counts as the prompt naming a tool that is not declared (so ordinary
snake_case words are left alone): a name in backticks, followed by `(`, after use / call /
run / invoke, or before "tool" / "function". A declared tool counts as named wherever its
name appears as a word; a prompt "names its tools" when it mentions one as above or names a
declared one with _ or - in it (a plain word such as "lookup" in prose is no such sign).
"""

from __future__ import annotations

import re

from voiceops.config.loader import LoadedProfile
from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import PromptError
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import render_prompt
from voiceops.suggest import did_you_mean

__all__ = ["check_mentions", "mentioned"]

#: In prose only snake_case counts ("follow-up(s)", "the check-in tool" are words); in
#: backticks, a dashed name too.
_SNAKE = r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+"
_NAME = r"[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+"
_BACKTICKED = re.compile(rf"`({_NAME})(?:\(\))?`")
_WORD = re.compile(rf"(?<![\w-])({_SNAKE})(?![\w-])")
_BEFORE = re.compile(r"\b(?:use|call|run|invoke|trigger)\s+(?:the\s+)?\Z", re.I)
_AFTER = re.compile(r"\s+(?:tool|function)\b|\(", re.I)


def mentioned(text: str) -> list[str]:
    """The names `text` presents as tools, in order, each once. Each snake_case word is
    looked at in its context (one pass over the words, not a pattern tried at every word
    boundary: prompts are long, and validate reads one per profile)."""
    found = [(m.start(), m.group(1)) for m in _BACKTICKED.finditer(text)] if "`" in text \
        else []
    if "_" in text:
        for m in _WORD.finditer(text):
            if _AFTER.match(text, m.end()) or _BEFORE.search(text, max(0, m.start() - 24),
                                                             m.start()):
                found.append((m.start(), m.group(1)))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def _names_word(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def check_mentions(profile: LoadedProfile, library: TemplateLibrary) -> list[Diagnostic]:
    """VO907 for each tool the prompt names that is not declared, VO908 for each declared
    tool the prompt never names when it names others (both warnings)."""
    tools = profile.data.get("tools")
    entries = {i: e for i, e in enumerate(tools if isinstance(tools, list) else ())
               if isinstance(e, dict) and isinstance(e.get("name", e.get("builtin")), str)}
    declared = {i: str(e.get("name", e.get("builtin"))) for i, e in entries.items()}
    if not declared and not profile.data.get("prompt"):
        return []
    try:
        system = render_prompt(profile.name, profile.data, library).system
    except PromptError:
        return []  # the prompt checks report why it does not render
    prompt = profile.data.get("prompt")
    where = profile.marks.value(("prompt", "template") if isinstance(prompt, dict)
                                and "template" in prompt else ("prompt",))
    found = []
    mentions = mentioned(system)
    unknown = [n for n in mentions if n not in declared.values()]
    for name in unknown:
        found.append(make("VO907", where.path, where.line, where.col,
                          f"the prompt tells the model to use '{name}', which is not a "
                          "declared tool", did_you_mean(name, declared.values())
                          or "declare it under tools:, or reword the prompt"))
    named = [n for n in declared.values() if _names_word(system, n)]
    # a plain word ("lookup") in prose is no sign that the prompt lists its tools
    if mentions or any(re.search(r"[_-]", n) for n in named):
        for index, name in declared.items():
            if name in named:
                continue
            key = "name" if "name" in entries[index] else "builtin"
            mark = profile.marks.value(("tools", index, key))
            found.append(make("VO908", mark.path, mark.line, mark.col,
                              f"tool '{name}' is declared but the prompt, which names "
                              f"{', '.join(named or unknown)}, never mentions it",
                              "say in the prompt when to use it, or remove it"))
    return found
