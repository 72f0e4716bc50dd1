from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from voiceops.prompts.library import TemplateLibrary

HEADER = """{#- voiceops:
description: Test
variables:
  company: {description: Company, required: true}
  hours: {description: Hours, default: "9 to 5"}
  items: {type: list, default: []}
-#}
"""


def library(tmp_path: Path, **templates: str) -> TemplateLibrary:
    for name, text in templates.items():
        (tmp_path / f"{name}.j2").write_text(text)
    return TemplateLibrary([tmp_path])


def test_declarations_and_used_lines(tmp_path: Path) -> None:
    lib = library(tmp_path, t=HEADER + "Hi {{ company }}.\nOpen {{ hours }} in {{ language }}.\n")
    template, problems = lib.get("t")
    assert problems == [] and template is not None
    assert template.description == "Test"
    assert template.variables["company"].required
    assert not template.variables["hours"].required
    assert template.used == {"company": 8, "hours": 9, "language": 9}
    assert template.defaults() == {"hours": "9 to 5", "items": []}


def test_undeclared_variable_points_at_its_line(tmp_path: Path) -> None:
    lib = library(tmp_path, t=HEADER + "Hi {{ company }}.\n\n{{ mystery }}\n")
    _, problems = lib.get("t")
    assert [(p.code, p.line) for p in problems] == [("VO504", 10)]


def test_loop_variables_are_not_free(tmp_path: Path) -> None:
    lib = library(tmp_path, t=HEADER + "{% for i in items %}{{ i }}{% endfor %}{{ company }}\n")
    _, problems = lib.get("t")
    assert problems == []


def test_syntax_error_line(tmp_path: Path) -> None:
    lib = library(tmp_path, t="line one\n{% if %}\n")
    template, problems = lib.get("t")
    assert template is None and [(p.code, p.line) for p in problems] == [("VO503", 2)]


def test_bad_header(tmp_path: Path) -> None:
    lib = library(tmp_path, t="{#- voiceops:\nvariables: [a, b]\n-#}\nHi\n")
    _, problems = lib.get("t")
    assert [p.code for p in problems] == ["VO505"]


def test_names_include_subfolders_and_missing_is_none(tmp_path: Path) -> None:
    (tmp_path / "sales").mkdir()
    lib = library(tmp_path, a="A", **{"sales/outbound": "B"})
    assert lib.names() == ["a", "sales/outbound"]
    assert lib.get("nope") == (None, [])


def test_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    lib = library(tmp_path, t="{{ ''.__class__.__mro__[1].__subclasses__() }}")
    template, _ = lib.get("t")
    assert template is not None
    with pytest.raises(jinja2.exceptions.SecurityError):
        template.compiled.render()


def test_strict_undefined(tmp_path: Path) -> None:
    template, _ = library(tmp_path, t="{{ x }}").get("t")
    assert template is not None
    with pytest.raises(jinja2.UndefinedError):
        template.compiled.render()


@pytest.mark.parametrize("source", [
    "Hello {{ name }}!", "{{ a }}{{ b }} and {{ a }}", "x {{ n }} y", "{{ flag }} {{ items }}",
    "Hi {{ name | upper }}", "{% if a %}yes{% endif %} {{ b }}", "{{ a.b }}", "tail\n\n",
    "a\r\nb\rc\n", "{{ name }}\r\n"])
def test_inline_rendering_matches_jinja(tmp_path: Path, source: str) -> None:
    lib = TemplateLibrary([tmp_path])
    values = {"name": "Asha", "a": {"b": 1}, "b": None, "n": 3.5, "flag": True,
              "items": ["x", 2]}
    render, used = lib.inline(source)
    expected = lib.env.from_string(source)
    assert render(values) == expected.render(values)
    assert set(used) <= set(values)


def test_inline_missing_variable_raises_like_jinja(tmp_path: Path) -> None:
    render, _ = TemplateLibrary([tmp_path]).inline("Hi {{ nobody }}")
    with pytest.raises(jinja2.UndefinedError):
        render({})
