"""What each LLM provider accepts in a tool declaration, as data (checked late 2026).

- OpenAI (and OpenAI-compatible servers): a function name "must be a-z, A-Z, 0-9, or contain
  underscores and dashes, with a maximum length of 64" (the `openai` SDK's
  `FunctionDefinition.name`); `parameters` must be "a JSON Schema of type: object" (the API's
  400 "Invalid schema for function ...: schema must be a JSON Schema of 'type: \"object\"'").
- Anthropic: `name` must match `^[a-zA-Z0-9_-]{1,64}$` (the API's 400 "String should match
  pattern"); `input_schema` is JSON Schema draft 2020-12 with `type: "object"` required (the
  `anthropic` SDK's `InputSchemaTyped`), and the API refuses "oneOf, allOf, or anyOf at the
  top level" (its 400 `input_schema does not support oneOf, allOf, or anyOf at the top level`).
- Sarvam: OpenAI-compatible chat (`sarvamai` 0.1.39's `ChatCompletionTool` /
  `FunctionDefinition`: name, description, parameters); its docs state no name rule of their
  own, so OpenAI's applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RULES", "ToolRules", "rules_for"]


@dataclass(frozen=True)
class ToolRules:
    """A provider's rules for a tool's name and its parameter schema."""

    name: re.Pattern[str]
    name_rule: str  # the rule in words, for messages
    top_level_refused: tuple[str, ...] = ()  # schema keywords refused at the root


_OPENAI = ToolRules(re.compile(r"[a-zA-Z0-9_-]{1,64}\Z"),
                    "letters, digits, _ and -, at most 64")
RULES: dict[str, ToolRules] = {
    "openai": _OPENAI,
    "openai_compatible": _OPENAI,
    "sarvam": _OPENAI,
    "anthropic": ToolRules(re.compile(r"[a-zA-Z0-9_-]{1,64}\Z"),
                           "letters, digits, _ and -, at most 64",
                           top_level_refused=("anyOf", "oneOf", "allOf")),
}


def rules_for(provider: str) -> ToolRules:
    """The rules of `provider`; an unknown one (reported elsewhere) gets OpenAI's."""
    return RULES.get(provider, _OPENAI)
