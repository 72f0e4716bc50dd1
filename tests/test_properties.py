"""Property tests: random YAML and random profile mutations never crash the checks,
and every diagnostic they produce has a path and a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.project import Project
from voiceops.project.scaffold import starter_files
from voiceops.validation.validator import Validator

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
keys = st.one_of(st.sampled_from(["version", "extends", "llm", "tts", "stt", "prompt",
                                  "provider", "model", "voice", "tuning", "vars", "template",
                                  "text", "language", "api_key", "fallbacks", "pace", "<<"]),
                 st.text(min_size=1, max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)

STARTER = {name: body.decode() for name, body in starter_files().items()}
PROFILE = yaml.safe_load(STARTER["configs/support_hi.yaml"])


def validator(root: Path) -> Validator:
    return Validator(Project(root), Catalog([BundledSnapshot()]), env={})


def project(tmp_path_factory: Any) -> Path:
    root: Path = tmp_path_factory.mktemp("p")
    for name, text in STARTER.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def assert_well_formed(result_checked: Any) -> None:
    for d in result_checked.diagnostics:
        assert d.path and d.line >= 1 and d.col >= 1, d
        assert d.code.startswith("VO") and d.message and "\n" not in d.message


@SETTINGS
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(tmp_path_factory: Any, text: str) -> None:
    root = project(tmp_path_factory)
    path = root / "configs" / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    checked = validator(root).check(path)
    assert_well_formed(checked)


@SETTINGS
@given(data=values)
def test_random_yaml_documents_never_crash(tmp_path_factory: Any, data: Any) -> None:
    root = project(tmp_path_factory)
    path = root / "configs" / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert_well_formed(validator(root).check(path))


def _mutate(doc: dict[str, Any], path: list[str], value: Any, delete: bool) -> None:
    node: Any = doc
    for step in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(step), dict):
            return
        node = node[step]
    if isinstance(node, dict):
        if delete:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value


FIELDS = [["llm", "model"], ["llm", "provider"], ["tts", "voice"], ["tts", "tuning", "pace"],
          ["tts", "model"], ["stt", "model"], ["language"], ["prompt", "template"],
          ["prompt", "vars", "company_name"], ["extends"], ["first_message"], ["llm"],
          ["optimization"], ["tts", "provider"], ["llm", "fallbacks"], ["version"]]


@SETTINGS
@given(mutations=st.lists(st.tuples(st.sampled_from(FIELDS), values, st.booleans()),
                          min_size=1, max_size=4))
def test_mutated_profiles_never_crash(tmp_path_factory: Any, mutations: list[Any]) -> None:
    root = project(tmp_path_factory)
    doc = yaml.safe_load(yaml.safe_dump(PROFILE))
    for field, value, delete in mutations:
        _mutate(doc, field, value, delete)
    path = root / "configs" / "fuzz.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    checked = validator(root).check(path)
    assert_well_formed(checked)


@SETTINGS
@given(blob=st.binary(max_size=300))
def test_random_bytes_never_crash(tmp_path_factory: Any, blob: bytes) -> None:
    root = project(tmp_path_factory)
    path = root / "configs" / "fuzz.yaml"
    path.write_bytes(blob)
    assert_well_formed(validator(root).check(path))


@SETTINGS
@given(mutations=st.lists(st.tuples(st.sampled_from(FIELDS), values, st.booleans()),
                          min_size=0, max_size=4), abstract=st.booleans())
def test_fast_schema_check_agrees_with_jsonschema(mutations: list[Any], abstract: bool) -> None:
    """The compiled fast path and jsonschema must agree, or errors would go unreported."""
    import jsonschema

    from voiceops.config.schema import is_valid, profile_schema

    doc = yaml.safe_load(yaml.safe_dump(PROFILE))
    doc.pop("extends")
    if abstract:
        doc["abstract"] = True
    for field, value, delete in mutations:
        _mutate(doc, field, value, delete)
    expected = jsonschema.Draft202012Validator(profile_schema()).is_valid(doc)
    assert is_valid(doc) == expected
