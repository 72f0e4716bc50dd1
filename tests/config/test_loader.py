from __future__ import annotations

from pathlib import Path

from voiceops.config.loader import ProfileLoader
from voiceops.config.yamlread import Mark


def write(folder: Path, **files: str) -> None:
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)


def test_extends_merges_maps_replaces_lists_and_traces_values(tmp_path: Path) -> None:
    write(tmp_path,
          base="version: 1\nabstract: true\nllm:\n  provider: openai\n  temperature: 0.4\n"
               "tags: [a, b]\n",
          child="version: 1\nextends: base\nllm:\n  temperature: 0.9\ntags: [c]\n")
    profile, problems = ProfileLoader({}).load(tmp_path / "child.yaml")
    assert problems == [] and profile is not None
    assert profile.data == {"version": 1, "llm": {"provider": "openai", "temperature": 0.9},
                            "tags": ["c"]}
    assert not profile.abstract  # abstract describes base.yaml, not what extends it
    base_line = profile.marks.value(("llm", "provider"))
    assert base_line.path.endswith("base.yaml") and base_line.line == 4
    assert profile.marks.value(("llm", "temperature")).path.endswith("child.yaml")


def test_missing_parent_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path, base="version: 1\n", child="version: 1\nextends: bsae\n")
    profile, problems = ProfileLoader({}).load(tmp_path / "child.yaml")
    assert [p.code for p in problems] == ["VO300"]
    assert (problems[0].line, problems[0].col) == (2, 10)
    assert problems[0].hint == "did you mean 'base'?"
    assert profile is not None and profile.data["extends"] == "bsae"


def test_cycle_is_reported_with_the_chain(tmp_path: Path) -> None:
    write(tmp_path, a="version: 1\nextends: b\n", b="version: 1\nextends: c\n",
          c="version: 1\nextends: a\n")
    _, problems = ProfileLoader({}).load(tmp_path / "a.yaml")
    assert [p.code for p in problems] == ["VO301"]
    assert "a -> b -> c -> a" in problems[0].message


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, a="version: 1\nextends: a\n")
    _, problems = ProfileLoader({}).load(tmp_path / "a.yaml")
    assert [p.code for p in problems] == ["VO301"]


def test_broken_parent_is_named(tmp_path: Path) -> None:
    write(tmp_path, base="llm: [\n", child="version: 1\nextends: base\n")
    profile, problems = ProfileLoader({}).load(tmp_path / "child.yaml")
    assert profile is None
    assert sorted(p.code for p in problems) == ["VO100", "VO300"]


def test_shared_base_is_parsed_once(tmp_path: Path) -> None:
    write(tmp_path, base="version: 1\n", a="version: 1\nextends: base\n",
          b="version: 1\nextends: base\n")
    loader = ProfileLoader({})
    loader.load(tmp_path / "a.yaml")
    first = loader.document(tmp_path / "base.yaml")
    loader.load(tmp_path / "b.yaml")
    assert loader.document(tmp_path / "base.yaml") is first


def test_interpolation_uses_the_given_environment(tmp_path: Path) -> None:
    write(tmp_path, p="version: 1\nllm:\n  model: ${MODEL:-gpt-4o-mini}\n  temperature: ${T}\n")
    profile, problems = ProfileLoader({"T": "0.3"}).load(tmp_path / "p.yaml")
    assert problems == [] and profile is not None
    assert profile.data["llm"] == {"model": "gpt-4o-mini", "temperature": 0.3}


def test_not_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, p="- a\n- b\n")
    profile, problems = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is None and [p.code for p in problems] == ["VO102"]


def test_missing_mark_falls_back_to_nearest_ancestor(tmp_path: Path) -> None:
    write(tmp_path, p="version: 1\nllm:\n  provider: openai\n")
    profile, _ = ProfileLoader({}).load(tmp_path / "p.yaml")
    assert profile is not None
    assert profile.marks.value(("llm", "model")) == profile.marks.value(("llm",))
    assert profile.marks.value(("nothing",)) == Mark(profile.path, 1, 1)
