"""The simulated model's function calling, the same for every chat format it speaks.

    # tools offered: check_availability(date: string), book_appointment(slot: integer)
    user: "check_availability date=2026-12-01 then book_appointment slot=10"
    ->  call check_availability {"date": "2026-12-01"}
    ->  (its result comes back) call book_appointment {"slot": 10}
    ->  (its result comes back) 'Tool check_availability returned: ... Tool book_appointment
        returned: ...'

The model calls a declared tool when the user's last message names it (as a word), one call
per response, in the order the message names them; arguments are that message's `key=value`
words (a value may be "quoted"), typed by the tool's parameter schema (integer, number,
boolean, array as comma-separated, object as JSON), only the declared properties when the
schema has `properties` (none for `properties: {}`). Once every named tool has answered, it
replies with what they returned, each result cut to `RESULT_CHARS`; a result marked as an
error reads "failed" instead.

A conversation is read into `Step`s by each format's module (chat.py, messages.py); `check`
answers the API's refusal when a call has no result or a result answers no call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voiceops.sim.data import stable_id

__all__ = ["RESULT_CHARS", "Call", "Step", "arguments", "call_id", "check", "decide",
           "result_line"]

#: How much of a tool's result the simulated reply quotes.
RESULT_CHARS = 80
_PAIR = re.compile(r'(?<![\w-])([A-Za-z_][\w-]*)=("[^"]*"|\S+)')


@dataclass(frozen=True)
class Step:
    """One thing in a conversation, as the tool logic reads it: the user said `text`, the
    assistant called `name` as `id`, or `id`'s result came back (`text`, `error`)."""

    kind: str  # "user", "call" or "result"
    text: str = ""
    id: str = ""
    name: str = ""
    error: bool = False


@dataclass(frozen=True)
class Call:
    """The simulated model's decision to call `name` with `arguments`."""

    id: str
    name: str
    arguments: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.arguments, separators=(", ", ": "))


def check(steps: Sequence[Step]) -> str | None:
    """What the API refuses in `steps`: a call whose result did not come back before the
    conversation went on, or a result answering no earlier call."""
    open_calls: dict[str, str] = {}
    for step in steps:
        if step.kind == "call":
            open_calls[step.id] = step.name
        elif step.kind == "result":
            if step.id not in open_calls:
                return f"a tool result answers '{step.id}', which no earlier tool call made"
            del open_calls[step.id]
        elif open_calls:
            return ("an assistant message with tool calls must be followed by a result for "
                    f"each call; missing: {', '.join(sorted(open_calls))}")
    return None


def decide(tools: Mapping[str, Mapping[str, Any]], steps: Sequence[Step],
           salt: str, *, may_call: bool = True) -> Call | str | None:
    """The next call to make, the reply about the results, or None (an ordinary reply).
    `may_call` False (the request's tool_choice is none): no call, whatever was named."""
    last = max((i for i, s in enumerate(steps) if s.kind == "user"), default=-1)
    said = steps[last].text if last >= 0 else ""
    turn = steps[last + 1:]
    called = {s.name for s in turn if s.kind == "call"}
    names = {s.id: s.name for s in turn if s.kind == "call"}
    named = sorted((m.start(), name) for name in tools
                   if (m := re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", said)))
    pending = [name for _, name in named if name not in called]
    if pending and may_call:
        name = pending[0]
        args = arguments(said, tools[name])
        return Call(call_id(name, args, f"{salt}\x1f{len(steps)}"), name, args)
    results = [s for s in turn if s.kind == "result"]
    if results:
        return " ".join(result_line(names.get(s.id, "?"), s.text, s.error) for s in results)
    return None


def call_id(name: str, args: Mapping[str, Any], salt: str) -> str:
    """A call's id: the same call in the same conversation gets the same id."""
    return stable_id(f"{salt}\x1f{name}\x1f{json.dumps(args, sort_keys=True)}", 24)


def result_line(name: str, result: str, error: bool = False) -> str:
    """'Tool NAME returned: <result, shortened>.'"""
    text = " ".join(result.split())
    if len(text) > RESULT_CHARS:
        text = text[:RESULT_CHARS].rstrip() + "..."
    return f"Tool {name} {'failed' if error else 'returned'}: {text}"


def arguments(said: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The `key=value` words of `said`, typed by `schema` (see the module docstring)."""
    properties = schema.get("properties")
    declared = properties if isinstance(properties, Mapping) else {}
    found: dict[str, Any] = {}
    for key, raw in _PAIR.findall(said):
        if isinstance(properties, Mapping) and key not in declared:
            continue
        value = raw[1:-1] if raw.startswith('"') else raw.rstrip(".,;!?")
        kind = declared.get(key, {}).get("type") if isinstance(declared.get(key), Mapping) \
            else None
        found[key] = _typed(value, kind)
    return found


def _typed(value: str, kind: object) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "object":
            parsed = json.loads(value)
            return parsed if isinstance(parsed, dict) else value
    except ValueError:
        return value  # what a model sends when it gets a type wrong: the text
    if kind == "boolean":
        return value.lower() in ("true", "yes", "1")
    if kind == "array":
        return [v for v in value.split(",") if v]
    return value
