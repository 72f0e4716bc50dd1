"""Check a profile's prompt against its template: variables set, used, typed and rendering."""

from __future__ import annotations

from typing import Any

import jinja2

from voiceops.config.loader import LoadedProfile, Marks
from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import PromptError
from voiceops.prompts.budget import RenderBudgetExceeded
from voiceops.prompts.library import BUILTINS, Template, TemplateLibrary
from voiceops.prompts.render import prompt_vars, render_prompt
from voiceops.suggest import did_you_mean


def check_prompt(profile: LoadedProfile, library: TemplateLibrary) -> list[Diagnostic]:
    """Diagnostics for `prompt:` and `first_message:` of an effective profile."""
    data, marks = profile.data, profile.marks
    prompt = data.get("prompt")
    if not isinstance(prompt, dict):
        return []
    given = prompt_vars(data)
    vars_place = marks.place(("prompt", "vars") if "vars" in prompt else ("prompt",))
    found: list[Diagnostic] = []
    template: Template | None = None
    declared: dict[str, Any] = {}
    used: dict[str, int] = {}

    if isinstance(prompt.get("template"), str):
        name = prompt["template"]
        if library.leads_outside(name):
            found.append(make("VO004", *marks.place(("prompt", "template")),
                              f"prompt.template '{name}' leads outside {library.where()}",
                              "name a template inside the folder, without `..`"))
            return found
        template, problems = library.get(name)
        found.extend(problems)
        if template is None:
            if not problems:
                found.append(make("VO500", *marks.place(("prompt", "template")),
                                  f"no template '{name}' in {library.where()}",
                                  did_you_mean(name, library.names())))
            return found
        declared = dict(template.variables)
        used = dict(template.used)
        for spec in template.variables.values():
            if spec.required and spec.name not in given:
                about = f" ({spec.description})" if spec.description else ""
                found.append(make("VO501", *vars_place,
                                  f"template {name} needs '{spec.name}'{about}",
                                  f"add `{spec.name}: ...` under prompt.vars"))
    elif isinstance(prompt.get("text"), str):
        source_used = _used(library, prompt["text"], marks.place(("prompt", "text")), found)
        used.update(source_used)
        for var in source_used:
            if var not in given and var not in BUILTINS:
                found.append(make("VO501", *marks.place(("prompt", "text")),
                                  f"prompt text uses '{var}', which prompt.vars does not set",
                                  f"add `{var}: ...` under prompt.vars"))
    else:
        found.append(make("VO202", *marks.place(("prompt",)),
                          "prompt needs `template:` (a file in prompts/) or `text:`"))
        return found

    first = data.get("first_message")
    if isinstance(first, str):
        first_used = _used(library, first, marks.place(("first_message",)), found)
        available = set(given) | set(BUILTINS) | {
            v for v, spec in declared.items() if not spec.required}
        for var in first_used:
            used.setdefault(var, 0)
            if var not in available:
                found.append(make("VO501", *marks.place(("first_message",)),
                                  f"first_message uses '{var}', which is not set",
                                  f"add `{var}: ...` under prompt.vars"))

    for var, value in given.items():
        place = marks.key(("prompt", "vars", var))
        if var in declared and not declared[var].accepts(value):
            found.append(make("VO507", *marks.place(("prompt", "vars", var)),
                              f"prompt variable '{var}' should be a {declared[var].type}"))
        if var not in declared and var not in used:
            where = f"template {template.name}" if template else "the prompt text"
            found.append(make("VO502", place.path, place.line, place.col,
                              f"prompt variable '{var}' is not used by {where} "
                              "or first_message",
                              did_you_mean(var, [*declared, *used]) or "remove it"))

    if not any(d.severity == "error" for d in found):
        try:
            render_prompt(profile.name, data, library)
        except RenderBudgetExceeded as exc:
            found.append(make(exc.code, *_budget_place(exc, template, marks), str(exc),
                              "render less: fewer or shorter loops, no repeated text"))
        except PromptError as exc:
            found.append(make("VO506", *marks.place(("prompt",)), str(exc)))
    return found


def _budget_place(exc: RenderBudgetExceeded, template: Template | None,
                  marks: Marks) -> tuple[str, int, int]:
    """Where a render stopped: the template's line, else the profile's text."""
    if exc.part == "first_message":
        return marks.place(("first_message",))
    if template is not None:
        return template.path, exc.line or 1, 1
    return marks.place(("prompt", "text"))


def _used(library: TemplateLibrary, source: str, place: tuple[str, int, int],
          found: list[Diagnostic]) -> dict[str, int]:
    try:
        return library.inline(source)[1]
    except jinja2.TemplateSyntaxError as exc:
        found.append(make("VO503", *place, f"template syntax: {exc.message}"))
        return {}
