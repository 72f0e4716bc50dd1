from __future__ import annotations

from voiceops.config.interpolate import interpolate


def place(path: tuple) -> tuple[str, int, int]:
    return ("p.yaml", len(path), 1)


def test_variables_defaults_and_escapes() -> None:
    data = {"a": "Hello ${NAME}", "b": "${MISSING:-fallback}", "c": "cost $${X}"}
    out, problems = interpolate(data, {"NAME": "Asha"}, place)
    assert problems == []
    assert out == {"a": "Hello Asha", "b": "fallback", "c": "cost ${X}"}


def test_whole_value_reference_takes_the_yaml_type() -> None:
    out, _ = interpolate({"t": "${T:-0.4}", "b": "${B}", "s": "${S:-a: b}"}, {"B": "true"},
                         place)
    assert out == {"t": 0.4, "b": True, "s": "a: b"}


def test_empty_variable_counts_as_unset() -> None:
    out, _ = interpolate({"a": "${E:-d}"}, {"E": ""}, place)
    assert out == {"a": "d"}


def test_unset_variable_and_bad_reference_are_reported() -> None:
    _, problems = interpolate({"x": {"y": ["${NOPE}", "${1bad}"]}}, {}, place)
    assert [p.code for p in problems] == ["VO302", "VO303"]
    assert "NOPE" in problems[0].message


def test_api_keys_are_left_as_references() -> None:
    out, problems = interpolate({"llm": {"api_key": "${OPENAI_API_KEY}"}}, {}, place)
    assert problems == []
    assert out["llm"]["api_key"] == "${OPENAI_API_KEY}"


def test_input_is_not_modified() -> None:
    data = {"a": ["${X:-1}"]}
    interpolate(data, {}, place)
    assert data == {"a": ["${X:-1}"]}
