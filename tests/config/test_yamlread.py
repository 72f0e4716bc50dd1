from __future__ import annotations

from pathlib import Path

import pytest

from voiceops.config.yamlread import MAX_DEPTH, Mark, parse, read_text
from voiceops.project.files import MAX_BYTES


def codes(diagnostics: list) -> list[str]:
    return [d.code for d in diagnostics]


def test_marks_record_line_and_column_of_keys_and_values() -> None:
    doc, problems = parse("version: 1\nllm:\n  model: gpt-4o-mini\n", "p.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"version": 1, "llm": {"model": "gpt-4o-mini"}}
    assert doc.values[("llm", "model")] == Mark("p.yaml", 3, 10)
    assert doc.keys[("llm", "model")] == Mark("p.yaml", 3, 3)


def test_scalars_get_yaml_types_and_dates_stay_text() -> None:
    doc, _ = parse("a: 1\nb: 0.5\nc: true\nd: null\ne: 2026-01-01\nf: '7'\n", "p.yaml")
    assert doc is not None
    assert doc.data == {"a": 1, "b": 0.5, "c": True, "d": None, "e": "2026-01-01", "f": "7"}


def test_duplicate_key_is_reported_with_the_first_line() -> None:
    _, problems = parse("a: 1\nb: 2\na: 3\n", "p.yaml")
    assert codes(problems) == ["VO103"]
    assert problems[0].line == 3 and "first at line 1" in problems[0].message


def test_syntax_error_has_position() -> None:
    doc, problems = parse("llm:\n  model: [gpt\n", "p.yaml")
    assert doc is None
    assert codes(problems) == ["VO100"]
    assert problems[0].line == 3


def test_aliases_of_long_text_are_a_bomb_too() -> None:
    """Few values, but 50 copies of 500 KB: every printout or scan of it would be 25 MB."""
    text = 'a: &a "' + "x" * 500_000 + '"\nb: [' + ", ".join(["*a"] * 50) + "]\n"
    doc, problems = parse(text, "bomb.yaml")
    assert doc is None and codes(problems) == ["VO101"]
    doc, problems = parse('a: &a "' + "x" * 500_000 + '"\nb: [*a, *a]\n', "ok.yaml")
    assert doc is not None and problems == []


def test_alias_bomb_is_stopped_quickly() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    doc, problems = parse("\n".join(levels) + "\n", "bomb.yaml")
    assert doc is None
    assert codes(problems) == ["VO101"]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    doc, problems = parse("[" * 100_000, "deep.yaml")
    assert doc is None
    assert codes(problems) == ["VO101"]
    # our own limit, or libyaml's (newer wheels stop at depth 1000 while scanning)
    assert str(MAX_DEPTH) in problems[0].message or "depth" in problems[0].message


def test_python_tags_are_refused() -> None:
    doc, problems = parse("a: !!python/object/apply:os.system ['echo hi']\n", "p.yaml")
    assert doc is None
    assert codes(problems) == ["VO104"]


def test_merge_keys_fill_in_without_overriding() -> None:
    doc, problems = parse("d: &d {x: 1, y: 2}\ne:\n  <<: *d\n  y: 3\n", "p.yaml")
    assert problems == [] and doc is not None
    assert doc.data["e"] == {"x": 1, "y": 3}


def test_second_document_is_refused() -> None:
    doc, problems = parse("a: 1\n---\nb: 2\n", "p.yaml")
    assert doc is None and codes(problems) == ["VO100"]
    assert problems[0].line == 2


def test_complex_key_is_refused() -> None:
    _, problems = parse("? [a, b]\n: 1\n", "p.yaml")
    assert codes(problems) == ["VO200"]


def test_control_character_has_position() -> None:
    _, problems = parse("a: 1\nb: \x07\n", "p.yaml")
    assert codes(problems) == ["VO100"]
    assert (problems[0].line, problems[0].col) == (2, 4)


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "VO002"), (b"# only a comment\n\n", "VO002"), (b"\x00\x01\x02", "VO001"),
     (b"a: \xff\xfe\n", "VO001")],
)
def test_unreadable_files(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    text, problems = read_text(path, "x.yaml")
    assert text is None and codes(problems) == [code]


def test_directory_and_huge_file(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    _, problems = read_text(tmp_path / "d.yaml", "d.yaml")
    assert codes(problems) == ["VO001"] and "directory" in problems[0].message
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 10))
    _, problems = read_text(big, "big.yaml")
    assert codes(problems) == ["VO003"]
