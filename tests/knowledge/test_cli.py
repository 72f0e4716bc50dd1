"""`voiceops knowledge PROFILE "query"`: the top passages with source:line and score, as text
or JSON; a profile without knowledge or with a broken source is a one-line error, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceops.cli import cli
from voiceops.project.scaffold import scaffold

PLANS = """# Plans

## Family 999

The Family 999 plan costs ₹999 a month for up to four SIM cards.

## Basic 199

The Basic 199 plan costs ₹199 and is valid for 28 days.
"""
FAQ_HI = """## अंतरराष्ट्रीय रोमिंग कैसे चालू करें?

अंतरराष्ट्रीय रोमिंग Acme ऐप में चालू होती है। ₹599 का रोमिंग पैक लेना सस्ता पड़ता है।
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scaffold(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "plans.md").write_text(PLANS, encoding="utf-8")
    (tmp_path / "kb" / "faq_hi.md").write_text(FAQ_HI, encoding="utf-8")
    (tmp_path / "configs" / "kb.yaml").write_text(
        "version: 1\nextends: support_hi\nrag: {enabled: true, sources: [kb/*.md], top_k: 2}\n",
        encoding="utf-8")
    (tmp_path / "configs" / "nokb.yaml").write_text(
        "version: 1\nextends: support_hi\nrag: {enabled: false}\n", encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["knowledge", *args])
    return result.exit_code, result.stdout, result.stderr


def test_text_shows_source_line_score_and_passage(project: Path) -> None:
    code, out, _ = run("kb", "how much is the family plan?")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("kb/plans.md:3  score ")
    assert "The Family 999 plan costs ₹999" in out


def test_json_lists_passages_best_first(project: Path) -> None:
    code, out, _ = run("kb", "रोमिंग पैक", "--format", "json")
    assert code == 0
    passages = json.loads(out)["passages"]
    assert passages[0]["source"] == "kb/faq_hi.md" and passages[0]["line"] == 1
    assert set(passages[0]) >= {"source", "line", "score", "text"}
    assert "₹599" in passages[0]["text"]


def test_top_k_caps_the_passages(project: Path) -> None:
    _, out, _ = run("kb", "plan costs", "--format", "json", "--top-k", "1")
    assert len(json.loads(out)["passages"]) == 1


def test_nothing_found_is_an_empty_list_not_an_error(project: Path) -> None:
    code, out, _ = run("kb", "zebra", "--format", "json")
    assert (code, json.loads(out)) == (0, {"passages": []})


def test_a_profile_without_knowledge_is_a_one_line_error(project: Path) -> None:
    code, out, err = run("nokb", "family plan")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "nokb has no knowledge" in err


def test_a_broken_source_is_an_error_naming_it(project: Path) -> None:
    (project / "kb" / "plans.md").write_bytes(b"\xff\xfe broken")
    code, _, err = run("kb", "family plan")
    assert code == 1
    assert "kb/plans.md:1:1: VO703" in err


def test_an_unknown_profile_is_a_usage_error(project: Path) -> None:
    code, _, err = run("nope", "family plan")
    assert code == 2 and "no profile 'nope'" in err


def test_a_retriever_token_stays_a_reference_until_the_request(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # headers are secret fields like api_key: expanded only when the retriever is called, so
    # `render`, the HTTP API and `diff` never show the token
    monkeypatch.setenv("RETRIEVER_TOKEN", "t0k-secret-value")
    (project / "configs" / "remote.yaml").write_text(
        "version: 1\nextends: support_hi\nrag:\n  enabled: true\n  retriever:\n"
        "    url: http://127.0.0.1:9/search\n"
        "    headers: {Authorization: 'Bearer ${RETRIEVER_TOKEN}'}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "remote"])
    assert "Bearer ${RETRIEVER_TOKEN}" in result.stdout
    assert "t0k-secret-value" not in result.stdout + result.stderr
