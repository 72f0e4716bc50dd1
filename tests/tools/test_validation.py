"""Tool validation (issue 16, item 2): each bad declaration is one diagnostic at its line."""

from __future__ import annotations

import pytest

from tests.tools.conftest import ENV, write
from voiceops.catalog.sources import offline_catalog
from voiceops.diagnostics import Diagnostic
from voiceops.project import Project
from voiceops.tools.mentions import mentioned
from voiceops.validation.validator import Validator

HTTP = "http: {url: 'https://booking.example.com/q'}"


def check(project: Project, body: str) -> list[Diagnostic]:
    """The tool diagnostics (VO9xx, and schema ones) of a profile extending support_hi."""
    checked = Validator(project, offline_catalog(project), env=ENV).check(
        write(project, "agent", body))
    return [d for d in checked.diagnostics if d.code.startswith("VO9") or d.code in (
        "VO200", "VO201", "VO202", "VO320", "VO321")]


def codes(found: list[Diagnostic]) -> list[tuple[str, int]]:
    return sorted((d.code, d.line) for d in found)


def test_a_good_tool_is_clean(project: Project) -> None:
    assert check(project, "tools:\n  - name: lookup-order_2\n    description: Find an order.\n"
                          "    parameters: {type: object, properties: {id: {type: integer}}, "
                          "required: [id]}\n"
                          f"    {HTTP}\n") == []


def test_names_are_unique(project: Project) -> None:
    found = check(project, f"tools:\n  - {{name: lookup, description: A., {HTTP}}}\n"
                           f"  - {{name: lookup, description: B., {HTTP}}}\n"
                           "  - builtin: end_call\n  - {builtin: end_call, say: {start: Bye.}}\n")
    assert codes(found) == [("VO901", 5), ("VO901", 7)]
    assert "tools[0] and tools[1]" in found[0].message


@pytest.mark.parametrize("name", ["check.availability", "check availability", "x" * 65,
                                  "डेटा"])
def test_a_name_no_provider_takes_is_an_error(project: Project, name: str) -> None:
    found = check(project, f"tools:\n  - {{name: '{name}', description: A., {HTTP}}}\n")
    if len(name) > 64:  # the schema's maxLength says it first
        assert [d.code for d in found] == ["VO200", "VO902"]
        return
    assert codes(found) == [("VO902", 4)]
    assert "not valid for OpenAI" in found[0].message


def test_fallback_providers_are_held_to_their_rules_too(project: Project) -> None:
    # support_hi's LLM is Sarvam; Anthropic as a fallback adds its top-level rule
    body = ("llm:\n  fallbacks:\n    - {provider: anthropic, model: claude-haiku-4-5}\n"
            "tools:\n  - name: lookup\n    description: A.\n"
            "    parameters: {type: object, anyOf: [{required: [a]}, {required: [b]}], "
            "properties: {a: {type: string}, b: {type: string}}}\n"
            f"    {HTTP}\n")
    found = check(project, body)
    assert codes(found) == [("VO904", 9)]
    assert "Anthropic refuses anyOf" in found[0].message
    assert check(project, body.replace("anthropic, model: claude-haiku-4-5",
                                       "openai, model: gpt-4o-mini")) == []


@pytest.mark.parametrize(("parameters", "code"), [
    ("{type: objekt}", "VO903"),
    ("{type: object, required: date}", "VO903"),
    ("{type: object, properties: {n: {type: integer, minimum: low}}}", "VO903"),
    ("{type: string}", "VO904"),
    ("{properties: {a: {type: string}}}", "VO904"),
    ("{type: object, properties: {a: {$ref: 'https://example.com/s.json'}}}", "VO904"),
    ("{type: object, properties: {a: {type: string}}, required: [b]}", "VO904"),
])
def test_parameter_schemas_are_json_schema_the_providers_take(project: Project,
                                                              parameters: str,
                                                              code: str) -> None:
    found = check(project, f"tools:\n  - name: lookup\n    description: A.\n"
                           f"    parameters: {parameters}\n    {HTTP}\n")
    assert [d.code for d in found] == [code]
    assert found[0].line == 6 and found[0].path == "configs/agent.yaml"


def test_urls_are_http_and_carry_no_credentials(project: Project) -> None:
    found = check(project, "tools:\n  - {name: a, description: A., http: {url: 'ftp://x/q'}}\n"
                           "  - {name: b, description: B., http: {url: 'https://u:pw@x/q'}}\n"
                           "  - {name: c, description: C., http: {url: 'https://x/q?api_key=1'}}\n"
                           "  - {name: d, description: D., http: {url: 'https://x/q?date=1'}}\n")
    assert codes(found) == [("VO200", 4), ("VO906", 5), ("VO906", 6)]


def test_credentials_in_headers_come_only_from_the_environment(project: Project) -> None:
    found = check(project, "tools:\n  - name: a\n    description: A.\n    http:\n"
                           "      url: https://x/q\n      headers:\n"
                           "        Authorization: Bearer abc123\n"
                           "        X-Api-Key: ${BOOKING_API_TOKEN}\n"
                           "        Accept: application/json\n")
    assert codes(found) == [("VO906", 9)]
    # a credential variable anywhere but in headers is the existing VO321
    found = check(project, "tools:\n  - name: a\n    description: A.\n"
                           "    http: {url: 'https://x/q/${BOOKING_API_TOKEN}'}\n")
    assert [d.code for d in found] == ["VO321"]


def test_builtins_take_no_http_and_transfer_needs_a_target(project: Project) -> None:
    found = check(project, "tools:\n  - {builtin: end_call, http: {url: 'https://x/q'}}\n"
                           "  - builtin: transfer_call\n"
                           "  - {builtin: end_call, name: hang_up, target: '+911234567890'}\n"
                           "  - {builtin: transfer_call, name: to_desk, target: 'front desk'}\n"
                           "  - {builtin: transfer_call, name: to_sip, target: 'sip:a@b.com'}\n")
    assert codes(found) == [("VO201", 4), ("VO201", 6), ("VO202", 5), ("VO905", 7)]


def test_an_http_tool_needs_its_keys(project: Project) -> None:
    found = check(project, "tools:\n  - {name: a, http: {url: 'https://x/q'}}\n"
                           "  - {name: b, description: B., http: {url: 'https://x'}, "
                           "say: {begin: Hi}}\n")
    assert codes(found) == [("VO201", 5), ("VO202", 4)]


def prompt(project: Project, text: str) -> str:
    """A `prompt:` block using a template of this text (support_hi's sets a template)."""
    (project.prompts / "tooly.j2").write_text(text + "\n", encoding="utf-8")
    return "prompt: {template: tooly, vars: {}}\n"


def test_the_prompt_naming_undeclared_or_missing_tools_is_reported(project: Project) -> None:
    body = (prompt(project, "You book appointments. Use `check_availability` first, then "
                            "call book_appointment. When the caller is done, use end_call.") +
            f"tools:\n  - {{name: check_availablity, description: A., {HTTP}}}\n"
            "  - builtin: end_call\n  - builtin: transfer_call\n    target: '+911234567890'\n")
    found = check(project, body)
    assert [(d.code, d.severity) for d in found] == [
        ("VO907", "warning"), ("VO907", "warning"), ("VO908", "warning"),
        ("VO908", "warning")]
    (typo,) = [d for d in found if "'check_availability'" in d.message]
    assert typo.hint == "did you mean 'check_availablity'?"
    assert sorted(d.line for d in found if d.code == "VO908") == [5, 7]


def test_a_prompt_that_names_no_tool_is_left_alone(project: Project) -> None:
    assert check(project, prompt(project, "Answer questions about order_status. Look up "
                                          "the order first.") +
                          f"tools:\n  - {{name: lookup, description: A., {HTTP}}}\n") == []


@pytest.mark.parametrize(("text", "names"), [
    ("Use `check_availability` first, then call book_appointment.",
     ["check_availability", "book_appointment"]),
    ("Run the lookup_order tool, or `send-sms`, or cancel_order() if asked.",
     ["lookup_order", "send-sms", "cancel_order"]),
    ("Schedule follow-up(s) and explain the check-in tool; ask for their order_id.", []),
])
def test_what_counts_as_the_prompt_naming_a_tool(text: str, names: list[str]) -> None:
    assert mentioned(text) == names


def test_a_tool_without_a_name_is_the_schemas_to_report(project: Project) -> None:
    found = check(project, prompt(project, "Use `end_call` when done.") +
                  f"tools:\n  - {{description: A., {HTTP}}}\n  - builtin: end_call\n")
    assert [(d.code, d.message) for d in found] == [
        ("VO202", "tools[0].name is required")]
