"""Render a profile's system prompt and first message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceops import languages
from voiceops.errors import PromptError
from voiceops.prompts.budget import RenderBudgetExceeded, within_budget
from voiceops.prompts.library import Template, TemplateLibrary


@dataclass(frozen=True)
class RenderedPrompt:
    system: str
    first_message: str | None


def builtins(profile_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The variables voiceops provides to every template (see `library.BUILTINS`)."""
    language = data.get("language")
    tag = language if isinstance(language, str) else ""
    return {"language": tag, "language_name": languages.name(tag) if tag else "",
            "profile": profile_name}


def context(profile_name: str, data: dict[str, Any], template: Template | None) -> dict[str, Any]:
    """Builtins, then the template's defaults, then the profile's own `prompt.vars`."""
    return {**builtins(profile_name, data), **(template.defaults() if template else {}),
            **prompt_vars(data)}


def prompt_vars(data: dict[str, Any]) -> dict[str, Any]:
    """`prompt.vars` of an effective profile, or {} when absent or not a map."""
    prompt = data.get("prompt")
    given = prompt.get("vars") if isinstance(prompt, dict) else None
    return given if isinstance(given, dict) else {}


def render_prompt(profile_name: str, data: dict[str, Any],
                  library: TemplateLibrary) -> RenderedPrompt:
    """The rendered system prompt and first message of an effective profile.

    Raises PromptError when the template is missing or does not render, and its subclass
    RenderBudgetExceeded when rendering goes past a limit of `voiceops.prompts.budget`.
    """
    prompt = data.get("prompt") or {}
    template: Template | None = None
    try:
        if "template" in prompt:
            template, _ = library.get(prompt["template"])
            if template is None:
                raise PromptError(f"template '{prompt['template']}' not found or invalid")
            render = template.compiled.render
        else:
            render = library.inline(str(prompt.get("text", "")))[0]
        values = context(profile_name, data, template)
        system = within_budget(render, values).strip()
        first = data.get("first_message")
        first_text = None
        if first:
            try:
                first_text = within_budget(library.inline(first)[0], values).strip()
            except RenderBudgetExceeded as exc:
                exc.part = "first_message"
                raise
    except PromptError:
        raise
    except Exception as exc:  # a template is user code: any failure in it is the user's to fix
        raise PromptError(f"{profile_name}: prompt does not render: {exc}") from exc
    return RenderedPrompt(system, first_text)
