from __future__ import annotations

import pytest

from voiceops.config.secrets import find_literal_secrets, find_misplaced_credentials
from voiceops.config.yamlread import parse

OPENAI_KEY = "sk-proj-" + "a1B2c3D4" * 5
ANTHROPIC_KEY = "sk-ant-api03-" + "Zz09" * 10


def scan(text: str) -> list:
    doc, problems = parse(text, "p.yaml")
    assert doc is not None, problems
    return find_literal_secrets(doc) + find_misplaced_credentials(doc)


@pytest.mark.parametrize("value", [OPENAI_KEY, ANTHROPIC_KEY, "sk_" + "ab12" * 12])
def test_known_key_shapes_anywhere(value: str) -> None:
    found = scan(f"metadata:\n  notes: 'use {value}'\n")
    assert [d.code for d in found] == ["VO320"]
    assert value not in found[0].message and value not in (found[0].hint or "")


def test_any_literal_api_key_suggests_the_provider_variable() -> None:
    found = scan("llm:\n  provider: anthropic\n  api_key: hunter2\n")
    assert [d.code for d in found] == ["VO320"]
    assert (found[0].line, found[0].col) == (3, 12)
    assert "ANTHROPIC_API_KEY" in (found[0].hint or "")


def test_opaque_value_in_a_key_field() -> None:
    found = scan("metadata:\n  webhook_token: " + "f" * 40 + "\n")
    assert [d.code for d in found] == ["VO320"]


def test_references_and_ordinary_text_pass() -> None:
    assert scan("llm:\n  api_key: ${OPENAI_API_KEY}\nmetadata:\n  key: short\n"
                "  description: ask the desk for a key\n") == []


@pytest.mark.parametrize("field", [
    "description: 'desc ${OPENAI_API_KEY}'",
    "metadata:\n  owner: '${SARVAM_API_KEY}'",
    "prompt:\n  vars: {company_name: 'x ${BOOKING_API_TOKEN}'}",
    "first_message: '${VOICEOPS_TOKEN:-hi}'",
    "metadata:\n  note: '${DB_PASSWORD}'",
    "llm:\n  model: '${ELEVENLABS_API_KEY}'",
])
def test_a_credential_reference_outside_a_secret_field_is_an_error(field: str) -> None:
    found = scan(field + "\n")
    assert [d.code for d in found] == ["VO321"], found
    assert "secret field" in found[0].message


def test_credential_references_belong_in_secret_fields_and_other_variables_anywhere() -> None:
    assert scan("llm:\n  api_key: ${OPENAI_API_KEY}\n"
                "  fallbacks:\n    - {provider: anthropic, api_key: '${ANTHROPIC_API_KEY}'}\n"
                "tools:\n  - name: book\n    http:\n      url: '${BOOKING_API_URL}/x'\n"
                "      headers: {Authorization: 'Bearer ${BOOKING_API_TOKEN}'}\n"
                "description: 'line ${REGION:-south}'\n") == []
