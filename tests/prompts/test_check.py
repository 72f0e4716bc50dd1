from __future__ import annotations

from pathlib import Path

from voiceops.config.loader import ProfileLoader
from voiceops.prompts.check import check_prompt
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import render_prompt

TEMPLATE = """{#- voiceops:
variables:
  company: {description: Company, required: true}
  hours: {default: "9 to 5"}
  count: {type: number, default: 1}
-#}
You work for {{ company }}, open {{ hours }}, {{ count }} lines, speaking {{ language_name }}.
"""


def run(tmp_path: Path, profile: str) -> tuple[list, str]:
    (tmp_path / "prompts").mkdir(exist_ok=True)
    (tmp_path / "prompts" / "t.j2").write_text(TEMPLATE)
    (tmp_path / "p.yaml").write_text(profile)
    loaded, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert loaded is not None
    lib = TemplateLibrary([tmp_path / "prompts"])
    found = check_prompt(loaded, lib)
    rendered = "" if found else render_prompt(loaded.name, loaded.data, lib).system
    return found, rendered


def test_complete_vars_render_with_defaults_and_builtins(tmp_path: Path) -> None:
    found, text = run(tmp_path, "language: hi-IN\nprompt:\n  template: t\n"
                                "  vars: {company: Acme}\n")
    assert found == []
    assert text == "You work for Acme, open 9 to 5, 1 lines, speaking Hindi."


def test_missing_required_variable_points_at_vars(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: t\n  vars:\n    hours: 24/7\n")
    assert [(d.code, d.line) for d in found] == [("VO501", 4)]
    assert "company" in found[0].message


def test_unused_variable_points_at_its_key(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: t\n  vars:\n    company: A\n    compnay: B\n")
    assert [(d.code, d.line, d.col) for d in found] == [("VO502", 5, 5)]
    assert found[0].hint == "did you mean 'company'?"


def test_wrong_type(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: t\n  vars: {company: A, count: many}\n")
    assert [d.code for d in found] == ["VO507"]


def test_first_message_variables(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: t\n  vars: {company: A}\n"
                             "first_message: Hi from {{ company }} {{ agent }}\n")
    assert [(d.code, d.line) for d in found] == [("VO501", 4)]
    assert "'agent'" in found[0].message


def test_variable_used_only_by_first_message_is_used(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: t\n  vars: {company: A, agent: Bo}\n"
                             "first_message: I am {{ agent }}\n")
    assert found == []


def test_missing_template_suggests(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  template: tt\n")
    assert [d.code for d in found] == ["VO500"] and found[0].hint == "did you mean 't'?"


def test_inline_text(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  text: Hello {{ who }}\n  vars: {whom: x}\n")
    assert sorted(d.code for d in found) == ["VO501", "VO502"]


def test_inline_syntax_error(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  text: Hello {{ who\n")
    assert [d.code for d in found] == ["VO503"]


def test_render_failure_is_a_diagnostic(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  text: '{{ n + 1 }}'\n  vars: {n: x}\n")
    assert [d.code for d in found] == ["VO506"]


def test_neither_template_nor_text(tmp_path: Path) -> None:
    found, _ = run(tmp_path, "prompt:\n  vars: {a: 1}\n")
    assert [d.code for d in found] == ["VO202"]
