"""Text of the files an import writes: a profile's YAML and a prompt template.

Values from the panel are literal text, but a profile reads `${...}` as an environment
reference and prompt text as Jinja. So `${` is written as `$${`, and text holding Jinja
delimiters is wrapped in `{% raw %}`: what the panel said is what the agent says.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import yaml

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/profile.schema.json\n"
_JINJA = re.compile(r"\{[{%#]")
_ENDRAW = re.compile(r"(\{%-?\s*endraw\s*-?%\})")


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, which read (and diff) like the prompt itself."""


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data,
                                   style="|" if "\n" in data else None)


_Dumper.add_representer(str, _text)


def profile_yaml(data: dict[str, Any]) -> str:
    """A profile file: the editor's schema line, then `data` in block style."""
    body = yaml.dump(escape_references(data), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, default_flow_style=False, width=100)
    return SCHEMA_LINE + body


def template_text(description: str, text: str) -> str:
    """A prompt template with a voiceops header declaring no variables."""
    header = yaml.safe_dump({"description": description.replace("#}", "# }"), "variables": {}},
                            sort_keys=False, allow_unicode=True, width=1000)
    return "{#- voiceops:\n" + header + "-#}\n" + jinja_literal(text).rstrip("\n") + "\n"


def jinja_literal(text: str) -> str:
    """Jinja source that renders as `text` exactly."""
    if not _JINJA.search(text):
        return text
    parts = _ENDRAW.split(text)
    # An `{% endraw %}` in the text itself would end the raw block early: emit it as a
    # string expression between two raw blocks.
    body = "".join(part if i % 2 == 0 else "{% endraw %}{{ " + json.dumps(part) + " }}{% raw %}"
                   for i, part in enumerate(parts))
    return "{% raw %}" + body + "{% endraw %}"


def escape_references(value: Any) -> Any:
    """A copy in which every `${` of a text value reads as literal text (`$${`)."""
    if isinstance(value, dict):
        return {k: escape_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_references(v) for v in value]
    if isinstance(value, str):
        return value.replace("${", "$${")
    return value


def slug(name: str) -> str:
    """A file name for `name`: ASCII letters, digits and underscores ("" when none remain)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
