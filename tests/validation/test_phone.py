"""`phone:` in validate: E.164 numbers, one profile per number across the project (both
places named), numbers not inherited through `extends:`, unknown keys, dtmf values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeProject
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.snapshot import BundledSnapshot
from voiceops.project import Project
from voiceops.validation.validator import ValidationResult, Validator

PROFILE = """version: 1
{head}language: en-IN
llm: {{provider: openai, model: gpt-5.4-mini}}
tts: {{provider: sarvam, model: bulbul:v3, voice: shubh}}
stt: {{provider: sarvam, model: saaras:v3}}
prompt: {{text: "You answer the phone."}}
{phone}"""


def profile(phone: str = "", head: str = "") -> str:
    return PROFILE.format(phone=phone, head=head)


def run(root: Path, *, overlay: str | None = None,
        env: dict[str, str] | None = None) -> ValidationResult:
    validator = Validator(Project(root), Catalog([BundledSnapshot()]), env=env or {},
                          overlay=overlay)
    return validator.run([root / "configs"])


def found(result: ValidationResult) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in result.diagnostics]


@pytest.fixture
def make(make_project: MakeProject) -> MakeProject:
    return lambda files: make_project(files, starter=False)


def test_good_numbers_and_dtmf_pass(make: MakeProject) -> None:
    root = make({"configs/a.yaml": profile(
        'phone:\n  numbers: ["+14155550100", "+918047491899"]\n'
        '  dtmf: {mode: event, finish_on_key: "*", timeout_ms: 1500}\n')})
    assert found(run(root)) == []


@pytest.mark.parametrize(("written", "hint"), [
    ('"+1 (415) 555-0100"', 'write it as "+14155550100"'),
    ('"08047491899"', "a national number"),
    ('"14155550100"', 'did you mean "+14155550100"?'),
    ("+14155550100", "YAML reads an unquoted +14155550100 as a whole number"),
    ('"+0123456"', "E.164 is +, the country code"),
    ('"+1234567890123456"', "E.164 is +, the country code"),  # 16 digits: too long
    ('"+141555"', "E.164 is +, the country code"),  # 6 digits: no country's are so short
    ("-14155550100", "write each number as text"),
    ('"call me"', "E.164 is +, the country code"),
])
def test_a_number_not_in_e164_is_an_error_with_the_fix(make: MakeProject, written: str,
                                                       hint: str) -> None:
    root = make({"configs/a.yaml": profile(f"phone:\n  numbers:\n    - {written}\n")})
    result = run(root)
    assert [(d.code, d.path, d.line, d.col) for d in result.diagnostics] == [
        ("VO801", "configs/a.yaml", 9, 7)]
    assert hint in (result.diagnostics[0].hint or "")


def test_a_number_in_two_profiles_names_both_places_in_each(make: MakeProject) -> None:
    root = make({
        "configs/sales.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
        "configs/support.yaml": profile('phone:\n  numbers:\n    - "+442071838750"\n'
                                        '    - "+14155550100"\n'),
    })
    result = run(root)
    assert [(d.code, d.path, d.line, d.col) for d in result.diagnostics] == [
        ("VO802", "configs/sales.yaml", 8, 13), ("VO802", "configs/support.yaml", 10, 7)]
    for d in result.diagnostics:
        assert "configs/sales.yaml:8:13" in d.message
        assert "configs/support.yaml:10:7" in d.message
        assert "sales" in d.message and "support" in d.message


def test_checking_one_file_still_sees_the_other_profiles(make: MakeProject) -> None:
    root = make({
        "configs/sales.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
        "configs/support.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
    })
    validator = Validator(Project(root), Catalog([BundledSnapshot()]), env={})
    checked = validator.check(root / "configs/support.yaml")
    assert [d.code for d in checked.diagnostics] == ["VO802"]
    assert "configs/sales.yaml:8:13" in checked.diagnostics[0].message


def test_a_number_twice_in_one_profile_is_a_warning(make: MakeProject) -> None:
    root = make({"configs/a.yaml": profile(
        'phone:\n  numbers: ["+14155550100", "+14155550100"]\n')})
    assert [(c, sev) for c, sev in ((d.code, d.severity) for d in run(root).diagnostics)] == [
        ("VO803", "warning")]


def test_numbers_are_not_inherited_through_extends(make: MakeProject) -> None:
    # a concrete base answers its number; its children do not claim it, but they do inherit
    # its dtmf settings
    root = make({
        "configs/main.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'
                                     "  dtmf: {mode: ignore}\n"),
        "configs/child.yaml": "extends: main\ndescription: another line\n",
        "configs/other.yaml": ("extends: main\n"
                               'phone:\n  numbers: ["+14155550199"]\n'),
    })
    result = run(root)
    assert found(result) == []
    data = {c.path.name: c.profile.data for c in result.checked if c.profile}
    assert data["main.yaml"]["phone"]["numbers"] == ["+14155550100"]
    assert data["child.yaml"]["phone"] == {"dtmf": {"mode": "ignore"}}
    assert data["other.yaml"]["phone"] == {"numbers": ["+14155550199"],
                                           "dtmf": {"mode": "ignore"}}


def test_a_base_with_only_numbers_leaves_no_phone_block_to_its_children(
        make: MakeProject) -> None:
    root = make({
        "configs/main.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
        "configs/child.yaml": "extends: main\n",
    })
    result = run(root)
    child = next(c.profile for c in result.checked if c.path.name == "child.yaml")
    assert child is not None and "phone" not in child.data


def test_numbers_on_an_abstract_profile_are_an_error(make: MakeProject) -> None:
    root = make({
        "configs/base.yaml": profile('phone:\n  numbers: ["+14155550100"]\n',
                                     head="abstract: true\n"),
        "configs/child.yaml": "extends: base\n",
    })
    assert [(c, p, line) for c, p, line, _ in found(run(root))] == [
        ("VO804", "configs/base.yaml", 9)]


def test_an_overlay_sets_numbers_per_environment(make: MakeProject) -> None:
    root = make({
        "configs/sales.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
        "configs/support.yaml": profile(),
        "configs/env/prod.yaml": ("version: 1\nprofiles:\n  support:\n"
                                  '    phone: {numbers: ["+14155550100"]}\n'),
    })
    # validating the folder checks every overlay too: prod's clash is reported in it,
    # and, with prod applied, in sales as well
    assert {(d.code, d.path, d.line) for d in run(root).diagnostics} == {
        ("VO802", "configs/env/prod.yaml", 4)}
    result = run(root, overlay="prod")
    places = sorted({(d.code, d.path) for d in result.diagnostics})
    assert places == [("VO802", "configs/env/prod.yaml"), ("VO802", "configs/sales.yaml")]


def test_an_overlay_that_gives_one_number_to_all_says_so(make: MakeProject) -> None:
    root = make({
        "configs/a.yaml": profile(),
        "configs/b.yaml": profile(),
        "configs/env/prod.yaml": 'version: 1\nall:\n  phone: {numbers: ["+14155550100"]}\n',
    })
    result = run(root, overlay="prod")
    assert {(d.code, d.path, d.line) for d in result.diagnostics} == {
        ("VO802", "configs/env/prod.yaml", 3)}
    assert "given to every profile" in result.diagnostics[0].message


def test_numbers_from_the_environment_are_checked_after_expansion(make: MakeProject) -> None:
    root = make({
        "configs/a.yaml": profile('phone:\n  numbers: ["${SALES_NUMBER}"]\n'),
        "configs/b.yaml": profile('phone:\n  numbers: ["${SUPPORT_NUMBER:-+14155550100}"]\n'),
    })
    # "+14155550100" from a variable (or a default) stays text, not the YAML integer
    assert found(run(root, env={"SALES_NUMBER": "+442071838750"})) == []
    assert [(d.code, d.path) for d in run(root, env={"SALES_NUMBER": "0415"}).diagnostics] == [
        ("VO801", "configs/a.yaml")]
    clash = run(root, env={"SALES_NUMBER": "+14155550100"})
    assert [(d.code, d.path) for d in clash.diagnostics] == [
        ("VO802", "configs/a.yaml"), ("VO802", "configs/b.yaml")]


@pytest.mark.parametrize(("phone", "code", "text"), [
    ('phone:\n  number: ["+14155550100"]\n', "VO201", "unknown key 'number' in phone"),
    ("phone:\n  dtmf: {mode: digits}\n", "VO200", "phone.dtmf.mode: 'digits' is not allowed"),
    ('phone:\n  dtmf: {finish_on_key: "##"}\n', "VO200", "phone.dtmf.finish_on_key"),
    ("phone:\n  dtmf: {timeout_ms: 10}\n", "VO200", "phone.dtmf.timeout_ms"),
    ("phone:\n  dtmf:\n    finish_on_key: #\n", "VO200",
     "phone.dtmf.finish_on_key is empty: an unquoted # starts a comment"),
    ("phone:\n  dtmf: {finish_on_key: 5}\n", "VO200",
     "phone.dtmf.finish_on_key: 5 is a number to YAML, not text"),
    ("phone:\n  dtmf: {mode: turn, digits: 4}\n", "VO201", "unknown key 'digits' in phone.dtmf"),
    ('phone:\n  numbers: "+14155550100"\n', "VO200", "phone.numbers: expected a list"),
])
def test_the_phone_block_is_checked_against_the_schema(make: MakeProject, phone: str,
                                                       code: str, text: str) -> None:
    result = run(make({"configs/a.yaml": profile(phone)}))
    assert [d.code for d in result.diagnostics] == [code]
    assert text in result.diagnostics[0].message


@pytest.mark.slow
def test_validate_reports_a_clash_in_one_line_each_and_exits_1(make: MakeProject) -> None:
    root = make({
        "configs/sales.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
        "configs/support.yaml": profile('phone:\n  numbers: ["+14155550100"]\n'),
    })
    done = subprocess.run([sys.executable, "-m", "voiceops.cli", "validate"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "configs/sales.yaml:8:13: VO802 +14155550100 is routed to two profiles" in done.stdout
    assert "configs/support.yaml:8:13: VO802" in done.stdout
