"""Runaway templates and paths outside prompts/: diagnostics, never a hang or a MemoryError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voiceops.config.loader import ProfileLoader
from voiceops.errors import PromptError
from voiceops.project.scaffold import scaffold
from voiceops.prompts.budget import MAX_PROMPT_CHARS, Budget, RenderBudgetExceeded
from voiceops.prompts.library import TemplateLibrary
from voiceops.prompts.render import render_prompt

HEADER = "{#- voiceops:\nvariables: {}\n-#}\n"
NESTED = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
          "{% endfor %}")
#: template body -> the codes it may give (a bomb is stopped by whichever budget it hits)
BOMBS = {
    "nested_range": (NESTED, {"VO509"}),
    "nested_range_in_block": ("{% set x %}" + NESTED + "{% endset %}{{ x }}", {"VO509"}),
    "repeat_1e8": ('{{ "a"*10**8 }}', {"VO508"}),
    "repeat_1e9": ('Line one\n{{ "a"*10**9 }}', {"VO508"}),
    "power": ("{{ 9 ** (9 ** 9) }}", {"VO508"}),
    "list_repeat": ("{{ [1]*10**9 }}", {"VO508"}),
    "center": ('{{ "x"|center(10**9) }}', {"VO508"}),
    "replace": ('{{ ("a"*60000)|replace("", "a"*60000) }}', {"VO508"}),
    "join": ('{{ (["a"*60000]*60000)|join }}', {"VO508"}),
    "format_method": ('{{ "{:>1000000000}".format(1) }}', {"VO508"}),
    "format_nested_width": ('{{ "{:{}}".format(1, ">100000000000") }}', {"VO508"}),
    "percent": ('{{ "%1000000000d" % 1 }}', {"VO508"}),
    "doubling": ("{% set ns = namespace(l=[1]) %}{% for i in range(64) %}"
                 "{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}", {"VO508"}),
    "concat_doubling": ('{% set ns = namespace(s="ab") %}{% for i in range(64) %}'
                        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}", {"VO508"}),
    "literal_in_block": ("{% set x %}{% for i in range(100000) %}" + "y" * 50_000
                         + "{% endfor %}{% endset %}{{ x|length }}", {"VO508"}),
    "to_bytes": ('{{ (1).to_bytes(10**9, "big")|length }}', {"VO506", "VO508"}),
    "long_output": ("{{ 'word ' * 9000 }}\n{{ 'word ' * 9000 }}", {"VO508"}),
}
#: A header whose `description` is 10**9 strings once its aliases are expanded.
ALIAS_BOMB_HEADER = "{#- voiceops:\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 9)
) + "description: *l8\nvariables: {}\n-#}\n"
PROFILE = """version: 1
extends: assistant_hi
prompt: {{template: {name}, vars: {{}}}}
first_message: Namaste
"""


Found = dict[str, list[dict[str, object]]]


@pytest.fixture(scope="module")
def project_and_found(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Found]:
    """Every bomb in its own profile and template, validated in one real process: the
    project, and its diagnostics by the name of the file they are in."""
    root = tmp_path_factory.mktemp("bombs")
    scaffold(root)
    for name, (body, _) in BOMBS.items():
        (root / "prompts" / f"{name}.j2").write_text(HEADER + body)
        (root / "configs" / f"{name}.yaml").write_text(PROFILE.format(name=name))
    assistant = (root / "configs" / "assistant_hi.yaml").read_text()
    (root / "configs" / "inline.yaml").write_text(
        assistant[:assistant.index("prompt:")]
        + "prompt:\n  text: \"{{ 'a' * 10**8 }}\"\nfirst_message: Namaste\n")
    (root / "prompts" / "header_bomb.j2").write_text(ALIAS_BOMB_HEADER + "Hello")
    (root / "configs" / "header_bomb.yaml").write_text(PROFILE.format(name="header_bomb"))
    (root / "configs" / "first.yaml").write_text(
        "version: 1\nextends: assistant_hi\nfirst_message: \"{{ 'a' * 10**9 }}\"\n")
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "validate", "--format", "json"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    by_case: Found = {}
    for diagnostic in json.loads(proc.stdout)["diagnostics"]:
        by_case.setdefault(Path(str(diagnostic["path"])).stem, []).append(diagnostic)
    return root, by_case


@pytest.fixture
def validated(project_and_found: tuple[Path, Found]) -> Found:
    return project_and_found[1]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BOMBS))
def test_template_bomb_is_a_diagnostic(validated: Found, case: str) -> None:
    errors = [d for d in validated.get(case, []) if d["severity"] == "error"]
    assert errors, f"{case} validated"
    assert {str(d["code"]) for d in errors} <= BOMBS[case][1] | {"VO506"}
    assert {str(d["code"]) for d in errors} & BOMBS[case][1]


@pytest.mark.slow
def test_budget_diagnostic_names_the_template_line(validated: Found) -> None:
    (found,) = [d for d in validated["repeat_1e9"] if d["code"] == "VO508"]
    assert found["path"] == "prompts/repeat_1e9.j2" and found["line"] == 5


@pytest.mark.slow
@pytest.mark.parametrize(("case", "key"), [("inline", "  text:"), ("first", "first_message:")])
def test_inline_bombs_point_at_their_key(project_and_found: tuple[Path, Found],
                                         case: str, key: str) -> None:
    root, validated = project_and_found
    (found,) = [d for d in validated[case] if d["severity"] == "error"]
    assert (found["code"], found["path"]) == ("VO508", f"configs/{case}.yaml"), found
    lines = (root / "configs" / f"{case}.yaml").read_text().splitlines()
    assert lines[int(str(found["line"])) - 1].startswith(key), found


def test_session_variables_cannot_blow_up_a_prompt(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "t.j2").write_text(
        "{#- voiceops:\nvariables:\n  word: {}\n  times: {type: number}\n-#}\n"
        "{{ word * times }}")
    library = TemplateLibrary([tmp_path / "prompts"])
    data = {"prompt": {"template": "t", "vars": {"word": "ab", "times": 10**8}}}
    with pytest.raises(PromptError) as caught:
        render_prompt("p", data, library)
    assert isinstance(caught.value, RenderBudgetExceeded) and caught.value.code == "VO508"
    data["prompt"]["vars"]["times"] = 3
    assert render_prompt("p", data, library).system == "ababab"


def test_rendered_prompt_up_to_the_limit_is_fine(tmp_path: Path) -> None:
    library = TemplateLibrary([tmp_path])
    fits = {"prompt": {"text": "{{ 'a' * n }}", "vars": {"n": MAX_PROMPT_CHARS}}}
    assert len(render_prompt("p", fits, library).system) == MAX_PROMPT_CHARS
    fits["prompt"]["vars"]["n"] = MAX_PROMPT_CHARS + 1  # type: ignore[index]
    with pytest.raises(RenderBudgetExceeded):
        render_prompt("p", fits, library)


def test_ordinary_jinja_still_works(tmp_path: Path) -> None:
    library = TemplateLibrary([tmp_path])
    source = ("{% set ns = namespace(n=0) %}{% for x in items %}{{ loop.index }}. "
              "{{ x|title }}{{ ', ' if not loop.last }}{% set ns.n = ns.n + 1 %}{% endfor %}"
              " ({{ ns.n }}) {{ items|join('/')|upper }} {{ '%s-%d'|format('a', 2) }} "
              "{{ 'x'.center(5, '*') }} {{ 'a b'.replace(' ', '_') }} {{ '{}!'.format(1) }}"
              " {{ range(3)|list }} {{ 2 ** 10 }} {{ 'ab' * 2 }} {{ [1] * 2 }} {{ d.k }}")
    data = {"prompt": {"text": source, "vars": {"items": ["tea", "coffee"], "d": {"k": 1}}}}
    assert render_prompt("p", data, library).system == (
        "1. Tea, 2. Coffee (2) TEA/COFFEE a-2 **x** a_b 1! [0, 1, 2] 1024 abab [1, 1] 1")


def profile_with_template(tmp_path: Path, name: str) -> list[str]:
    from voiceops.prompts.check import check_prompt

    (tmp_path / "configs" / "p.yaml").write_text(
        f"version: 1\nprompt:\n  template: {name}\n  vars: {{}}\n")
    profile, _ = ProfileLoader({}).load(tmp_path / "configs" / "p.yaml")
    assert profile is not None
    found = check_prompt(profile, TemplateLibrary([tmp_path / "prompts"]))
    return [f"{d.code} {Path(d.path).name}:{d.line} {d.message}" for d in found]


SECRET = "hunter2-do-not-show"


def test_template_name_cannot_leave_prompts(tmp_path: Path) -> None:
    (tmp_path / "x.j2").write_text(SECRET)
    (tmp_path / "project" / "configs").mkdir(parents=True)
    (tmp_path / "project" / "prompts" / "sub").mkdir(parents=True)
    found = profile_with_template(tmp_path / "project", "sub/../../../x")
    assert len(found) == 1 and found[0].startswith("VO004 p.yaml:3 ")
    assert SECRET not in found[0]
    found = profile_with_template(tmp_path / "project", "/" + str(tmp_path / "x"))
    assert len(found) == 1 and found[0].startswith("VO004 p.yaml:3 ")


def test_template_symlinked_outside_prompts_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.j2").write_text(SECRET)
    (tmp_path / "project" / "configs").mkdir(parents=True)
    (tmp_path / "project" / "prompts").mkdir(parents=True)
    (tmp_path / "project" / "prompts" / "t.j2").symlink_to(tmp_path / "x.j2")
    found = profile_with_template(tmp_path / "project", "t")
    assert len(found) == 1 and found[0].startswith("VO004 t.j2:1 ")
    assert SECRET not in found[0]


@pytest.mark.slow
def test_template_that_is_a_fifo_is_reported_promptly(tmp_path: Path) -> None:
    scaffold(tmp_path)
    os.mkfifo(tmp_path / "prompts" / "pipe.j2")
    (tmp_path / "configs" / "piped.yaml").write_text(PROFILE.format(name="pipe"))
    proc = subprocess.run([sys.executable, "-m", "voiceops.cli", "validate"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "prompts/pipe.j2:1:1: VO005" in proc.stdout, proc.stdout


def test_a_render_past_its_time_stops_at_the_next_step() -> None:
    budget = Budget()
    budget.step()
    budget.deadline = time.monotonic() - 1  # as if the render had run out of time
    with pytest.raises(RenderBudgetExceeded) as caught:
        budget.step()
    assert caught.value.code == "VO509" and "s to render" in str(caught.value)


def test_list_methods_that_grow_a_list_are_refused(tmp_path: Path) -> None:
    library = TemplateLibrary([tmp_path])
    data = {"prompt": {"text": "{% set x = items.extend(items) %}{{ items|length }}",
                       "vars": {"items": [1, 2]}}}
    with pytest.raises(PromptError, match=r"unsafe|not available"):
        render_prompt("p", data, library)


@pytest.mark.slow
def test_alias_bomb_in_a_template_header_is_refused(validated: Found) -> None:
    found = [(d["code"], d["line"], d["message"]) for d in validated["header_bomb"]]
    assert [code for code, _, _ in found] == ["VO505"], found
    assert 2 <= int(str(found[0][1])) <= 11 and "alias" in str(found[0][2]), found


@pytest.mark.parametrize("source", ["{{ " + "(" * 50_000 + "1" + ")" * 50_000 + " }}",
                                    "{% if 1 %}" * 5_000 + "x" + "{% endif %}" * 5_000,
                                    "{{ 1" + " + 1" * 100_000 + " }}"])
def test_deeply_nested_template_is_a_syntax_diagnostic(tmp_path: Path, source: str) -> None:
    (tmp_path / "deep.j2").write_text(source)
    template, problems = TemplateLibrary([tmp_path]).get("deep")
    assert template is None and [p.code for p in problems] == ["VO503"]
    with pytest.raises(PromptError):
        render_prompt("p", {"prompt": {"text": source}}, TemplateLibrary([tmp_path]))


def test_a_nul_byte_in_a_template_name_is_no_template(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "t.j2").write_text("Hi")
    found = profile_with_template(tmp_path, '"t\\0x"')
    assert len(found) == 1 and found[0].startswith("VO500 p.yaml:3 "), found
