"""The `voiceops prompts` listing: templates, their variables and their own problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voiceops.config.loader import display_path
from voiceops.project import find_project
from voiceops.prompts.library import TemplateLibrary


def describe_templates(directory: Path | None = None) -> list[dict[str, Any]]:
    """One JSON-ready entry per template in `directory` (default: the project's prompts/)."""
    library = TemplateLibrary([directory or find_project().prompts], display_path)
    entries = []
    for name in library.names():
        template, problems = library.get(name)
        variables = [] if template is None else [
            {"name": v.name, "description": v.description, "required": v.required,
             "default": v.default, "type": v.type}
            for v in template.variables.values()]
        entries.append({
            "name": name,
            "path": template.path if template else name,
            "description": template.description if template else "",
            "variables": variables,
            "problems": [d.format() for d in problems],
        })
    return entries
