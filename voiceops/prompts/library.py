"""Load prompt templates and their declared variables; compile each once per run.

A template declares its variables in a header comment, read as YAML:

    {#- voiceops:
    description: Customer support line
    variables:
      company_name: {description: Who the caller is reaching, required: true}
      hours: {description: Opening hours, default: "9 to 6"}
    -#}

Templates render in a Jinja2 sandbox with `StrictUndefined` (`voiceops.prompts.sandbox`),
so a template cannot reach Python internals or run away with memory or time, and a missing
variable is an error, never an empty string. A template is read only from inside its
folder: a name with `..` or a file symlinked elsewhere is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2 import meta, nodes

from voiceops.config.yamlread import parse
from voiceops.diagnostics import Diagnostic, make
from voiceops.project.files import RefusedFile, read_bounded
from voiceops.prompts.sandbox import BudgetedSandbox

TEMPLATE_SUFFIX = ".j2"
VarType = Literal["string", "number", "boolean", "list"]
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "boolean": (bool,), "list": (list,),
}
#: Provided to every template by voiceops itself; templates use them without declaring.
BUILTINS: Mapping[str, str] = {
    "language": "The profile's language tag, e.g. hi-IN",
    "language_name": "The profile's language in English, e.g. Hindi",
    "profile": "The profile's name",
}
_HEADER = re.compile(r"\A\s*\{#-?\s*voiceops:\s*\n(?P<body>.*?)-?#\}", re.S)
Render = Callable[..., str]


@dataclass(frozen=True)
class Variable:
    """A declared template variable."""

    name: str
    description: str = ""
    required: bool = True
    default: Any = None
    type: VarType = "string"

    def accepts(self, value: Any) -> bool:
        if self.type == "number" and isinstance(value, bool):
            return False
        return isinstance(value, _TYPES[self.type])


@dataclass(frozen=True)
class Template:
    """A compiled template: what it declares, what it uses and where."""

    name: str
    path: str  # as shown to the user
    description: str
    variables: Mapping[str, Variable]
    used: Mapping[str, int]  # variable -> first line it is used on
    compiled: jinja2.Template = field(repr=False)

    def defaults(self) -> dict[str, Any]:
        return {v.name: v.default for v in self.variables.values() if not v.required}


def environment() -> BudgetedSandbox:
    """The one Jinja2 environment all prompt and first-message text renders in."""
    return BudgetedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def used_variables(env: jinja2.Environment, source: str | nodes.Template) -> dict[str, int]:
    """Free variables of `source` (text or parsed) with the first line each appears on.

    Raises jinja2.TemplateSyntaxError for bad syntax.
    """
    ast = env.parse(source) if isinstance(source, str) else source
    free = meta.find_undeclared_variables(ast)
    lines: dict[str, int] = {}
    for name_node in ast.find_all(nodes.Name):
        if name_node.name in free and name_node.name not in lines:
            lines[name_node.name] = name_node.lineno
    return lines


class TemplateLibrary:
    """The templates of a project's prompt directories, loaded on first use."""

    def __init__(self, directories: Iterable[Path], display: Any = str) -> None:
        self.directories = [d for d in directories]
        self.display = display
        self.env = environment()
        self._cache: dict[str, tuple[Template | None, list[Diagnostic]]] = {}
        self._inline: dict[str, tuple[Render, dict[str, int]]] = {}
        #: The source of every template read, by absolute path (see ProfileLoader.texts).
        self.texts: dict[str, str] = {}

    def names(self) -> list[str]:
        """Every template name found, sorted (subfolders give names like `sales/outbound`)."""
        found: set[str] = set()
        for directory in self.directories:
            for path in directory.rglob(f"*{TEMPLATE_SUFFIX}"):
                found.add(path.relative_to(directory).with_suffix("").as_posix())
        return sorted(found)

    def where(self) -> str:
        """The folders searched, as shown to the user."""
        return ", ".join(f"{self.display(d)}/" for d in self.directories) or "no folder"

    def find(self, name: str) -> Path | None:
        """The file of template `name`, or None; a name leading outside finds nothing."""
        found = self._locate(name)
        return found[1] if found else None

    def leads_outside(self, name: str) -> bool:
        """Whether the name itself (`../x`, `/etc/x`) leaves the folders. A file symlinked
        elsewhere is refused when read, and reported at the file."""
        return bool(self.directories) and not any(
            _names_inside(directory, name) for directory in self.directories)

    def _locate(self, name: str) -> tuple[Path, Path] | None:
        """The folder and file of template `name`."""
        for directory in self.directories:
            path = directory / f"{name}{TEMPLATE_SUFFIX}"
            # checked before looking: whether a file exists outside is not ours to say
            if _names_inside(directory, name) and path.exists():
                return directory, path
        return None

    def inline(self, source: str) -> tuple[Render, dict[str, int]]:
        """Inline Jinja text (prompt.text, first_message): how to render it, and what it uses.

        Parsed and compiled once per distinct text; text without `{` is taken as is, which
        spares the Jinja compiler for most first messages. Raises TemplateSyntaxError.
        """
        if source not in self._inline:
            if "{" not in source:
                text = _plain(source)
                self._inline[source] = (lambda _values: text, {})
            else:
                with _compiling():
                    ast = self.env.parse(source)
                    render = _substitution(ast) or self.env.from_string(ast).render
                    self._inline[source] = (render, used_variables(self.env, ast))
        return self._inline[source]

    def get(self, name: str) -> tuple[Template | None, list[Diagnostic]]:
        """The template `name` (cached) with problems in its own file, or None if unusable."""
        if name not in self._cache:
            found = self._locate(name)
            self._cache[name] = (None, []) if found is None else self._load(name, *found)
        return self._cache[name]

    def _load(self, name: str, directory: Path,
              path: Path) -> tuple[Template | None, list[Diagnostic]]:
        shown = self.display(path)
        try:
            source = read_bounded(path, within=directory).decode("utf-8")
        except RefusedFile as exc:
            return None, [make(exc.code, shown, 1, 1, exc.reason)]
        except (OSError, UnicodeDecodeError) as exc:
            return None, [make("VO001", shown, 1, 1, f"cannot read template: {exc}")]
        self.texts[os.path.abspath(path)] = source
        description, variables, problems = _declarations(source, shown)
        try:
            with _compiling():
                used = used_variables(self.env, source)
                compiled = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            return None, [*problems, make("VO503", shown, exc.lineno or 1, 1,
                                          f"template syntax: {exc.message}")]
        for var, line in used.items():
            if var not in variables and var not in BUILTINS:
                problems.append(make(
                    "VO504", shown, line, 1, f"template uses '{var}' but does not declare it",
                    f"add `{var}: {{description: ..., required: true}}` under variables: "
                    "in the voiceops header"))
        return Template(name, shown, description, variables, used, compiled), problems


@contextmanager
def _compiling() -> Iterator[None]:
    """Jinja's parser and compiler recurse, and Python's compiler has its own nesting
    limits: a template nested thousands deep is a syntax error, not a RecursionError."""
    try:
        yield
    except (RecursionError, SyntaxError) as exc:
        raise jinja2.TemplateSyntaxError("template nests too deeply", 1) from exc


def _names_inside(directory: Path, name: str) -> bool:
    folder = os.path.abspath(directory)
    path = os.path.normpath(os.path.join(folder, f"{name}{TEMPLATE_SUFFIX}"))
    return Path(path).is_relative_to(folder)


def _plain(source: str) -> str:
    """What Jinja makes of text without tags: newlines normalised, one trailing one dropped."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    return text[:-1] if text.endswith("\n") else text


def _substitution(ast: nodes.Template) -> Render | None:
    """For text that is only literal parts and `{{ name }}`s, a renderer that substitutes.

    Compiling a template to Python costs about half a millisecond; most first messages are
    this simple, and substituting gives exactly what Jinja would (`str()` of each value,
    and an UndefinedError for a missing name, as StrictUndefined does).
    """
    if len(ast.body) != 1 or not isinstance(ast.body[0], nodes.Output):
        return None
    parts: list[tuple[bool, str]] = []
    for node in ast.body[0].nodes:
        if isinstance(node, nodes.TemplateData):
            parts.append((True, node.data))
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            parts.append((False, node.name))
        else:
            return None

    def render(values: Mapping[str, Any] | None = None) -> str:
        values = values or {}
        out = []
        for literal, text in parts:
            if literal:
                out.append(text)
            elif text in values:
                out.append(str(values[text]))
            else:
                raise jinja2.UndefinedError(f"'{text}' is undefined")
        return "".join(out)

    return render


def _declarations(source: str, shown: str) -> tuple[str, dict[str, Variable], list[Diagnostic]]:
    match = _HEADER.match(source)
    if match is None:
        return "", {}, []
    first_line = source[: match.start("body")].count("\n") + 1
    # the profiles' YAML reader: alias bombs and deep nesting are bounded there
    doc, troubles = parse(match.group("body"), shown)
    if doc is None:
        trouble = troubles[0]
        return "", {}, [make("VO505", shown, first_line + trouble.line - 1, 1,
                             f"voiceops header is not valid YAML: {trouble.message}")]
    header = doc.data
    if not isinstance(header, dict):
        return "", {}, [make("VO505", shown, first_line, 1, "voiceops header must be a map")]
    raw_vars = header.get("variables") or {}
    if not isinstance(raw_vars, dict):
        return "", {}, [make("VO505", shown, first_line, 1, "`variables:` must be a map")]
    variables: dict[str, Variable] = {}
    problems = []
    for var, spec in raw_vars.items():
        spec = spec if isinstance(spec, dict) else {"description": str(spec or "")}
        var_type = spec.get("type", "string")
        if var_type not in _TYPES:
            problems.append(make("VO505", shown, first_line, 1,
                                 f"variable '{var}': type must be one of {', '.join(_TYPES)}"))
            var_type = "string"
        has_default = "default" in spec
        variables[str(var)] = Variable(
            name=str(var),
            description=str(spec.get("description", "")),
            required=bool(spec.get("required", not has_default)),
            default=spec.get("default"),
            type=var_type,
        )
    return str(header.get("description", "")), variables, problems
