"""What `voiceops diff` finds between two trees, profile by profile."""

from __future__ import annotations

import json

import pytest

from tests.review.conftest import GitProject
from voiceops.errors import UsageError
from voiceops.review.compare import DiffResult, ProfileChange
from voiceops.review.diff import diff_revisions

TEMPLATE_USERS = {"support_hi"}  # the starter profiles using prompts/customer_support.j2
CHILDREN = {"appointments_en", "assistant_hi", "sales_en", "support_hi", "tech_support_en"}


def changed(result: DiffResult) -> dict[str, ProfileChange]:
    return {c.name: c for c in result.changes}


def test_nothing_changed(git_project: GitProject) -> None:
    result = diff_revisions([])
    assert result.changes == () and not result.changed
    assert set(result.unchanged) == CHILDREN | {"base"}
    assert result.old.startswith("HEAD (") and result.new == "working tree"


def test_base_change_reaches_every_child_marked_via_base(git_project: GitProject) -> None:
    git_project.edit("configs/base.yaml", "max_tokens: 300", "max_tokens: 350")
    found = changed(diff_revisions([]))

    # tech_support_en sets its own max_tokens, so the base's no longer reaches it
    assert set(found) == CHILDREN - {"tech_support_en"} | {"base"}
    assert found["base"].abstract and found["base"].direct and not found["base"].via
    for name in CHILDREN - {"tech_support_en"}:
        change = found[name]
        assert change.only_via and change.via == ("base.yaml",), name
        assert [(f.path, f.old, f.new) for f in change.fields] == [("llm.max_tokens", 300, 350)]


def test_a_child_overriding_the_changed_value_is_not_listed(git_project: GitProject) -> None:
    git_project.edit("configs/base.yaml", "optimization: balanced", "optimization: quality")
    found = changed(diff_revisions([]))
    # appointments_en and tech_support_en set their own optimization: nothing changes there
    assert set(found) == {"base", "assistant_hi", "sales_en", "support_hi"}


def test_shared_template_change_lists_only_its_users_with_a_prompt_diff(
        git_project: GitProject) -> None:
    git_project.edit("prompts/customer_support.j2", "Keep every reply to one to three short "
                     "sentences.", "Keep every reply short.")
    found = changed(diff_revisions([]))

    assert set(found) == TEMPLATE_USERS
    change = found["support_hi"]
    assert change.only_via and change.via == ("prompts/customer_support.j2",)
    assert change.fields == () and change.entries == ()
    assert "-Keep every reply to one to three short sentences. The caller hears you; they " \
           "cannot read." in change.prompt_diff
    assert "+Keep every reply short. The caller hears you; they cannot read." \
        in change.prompt_diff
    assert change.prompt_diff[0].startswith("--- HEAD (")


def test_own_edit_and_base_edit_together(git_project: GitProject) -> None:
    git_project.edit("configs/base.yaml", "max_tokens: 300", "max_tokens: 350")
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2", "temperature: 0.3")
    change = changed(diff_revisions([]))["appointments_en"]
    assert change.direct and change.via == ("base.yaml",) and not change.only_via
    assert [f.path for f in change.fields] == ["llm.max_tokens", "llm.temperature"]


def test_voice_change_shows_catalog_attributes(git_project: GitProject) -> None:
    git_project.edit("configs/sales_en.yaml", "voice: Sarah", "voice: George")
    change = changed(diff_revisions([]))["sales_en"]

    assert [(f.path, f.old, f.new) for f in change.fields] == [("tts.voice", "Sarah", "George")]
    (entry,) = change.entries
    assert entry.path == "tts.voice" and not entry.same_entry
    assert entry.old is not None and entry.new is not None
    assert (entry.old.id, entry.new.id) == ("EXAVITQu4vr4xnSDxMaL", "JBFqnCBsd6RMkjVDRZzb")
    assert "gender" in entry.changed
    assert (entry.old.attributes["gender"], entry.new.attributes["gender"]) == ("female", "male")


def test_model_change_shows_price_and_context_window(git_project: GitProject) -> None:
    git_project.edit("configs/support_hi.yaml", "model: gpt-5.4-mini", "model: gpt-4o-mini")
    (entry,) = changed(diff_revisions([]))["support_hi"].entries
    assert entry.path == "llm.model"
    assert {"price_in", "context_window", "deprecated"} <= set(entry.changed)
    assert entry.new is not None and entry.new.attributes["context_window"] == 128000


def test_lock_attribute_change_is_listed_via_the_lock(git_project: GitProject) -> None:
    lock = json.loads((git_project.root / "voiceops.lock").read_text())
    voices = lock["providers"]["sarvam"]["voices"]
    priya = next(v for v in voices if v["id"] == "priya")
    priya["languages"] = ["hi-IN"]
    git_project.write("voiceops.lock", json.dumps(lock, indent=2))

    found = changed(diff_revisions([]))

    assert set(found) == {"support_hi"}
    change = found["support_hi"]
    assert change.only_via and change.via == ("voiceops.lock",)
    (entry,) = change.entries
    assert entry.same_entry and entry.changed == ("languages",)


def test_a_new_voice_and_a_relock_is_not_blamed_on_the_lock(git_project: GitProject) -> None:
    git_project.edit("configs/support_hi.yaml", "voice: priya", "voice: ritu")
    lock = json.loads((git_project.root / "voiceops.lock").read_text())
    lock["generated_by"] = "someone else"
    git_project.write("voiceops.lock", json.dumps(lock, indent=2))
    change = changed(diff_revisions([]))["support_hi"]
    assert change.direct and change.via == ()


def test_added_removed_and_untracked_profiles(git_project: GitProject) -> None:
    (git_project.root / "configs/tech_support_en.yaml").unlink()
    git_project.write("configs/new_agent.yaml",
                      (git_project.root / "configs/support_hi.yaml").read_text())
    result = diff_revisions([])
    found = changed(result)

    assert found["tech_support_en"].status == "removed"
    added = found["new_agent"]
    assert added.status == "added" and added.new_problem is None
    assert ("llm.model", "gpt-5.4-mini") in [(f.path, f.new) for f in added.fields]
    assert {e.path for e in added.entries} >= {"llm.model", "tts.voice", "stt.model"}
    assert [c.status for c in result.changes] == ["added", "removed"]


def test_profile_that_fails_to_load_on_one_side(git_project: GitProject) -> None:
    git_project.write("configs/sales_en.yaml", "llm: [\n")
    change = changed(diff_revisions([]))["sales_en"]

    assert change.old_problem is None
    assert change.new_problem is not None and not change.new_problem.loads
    assert change.new_problem.first.startswith("configs/sales_en.yaml:2:1: VO100")
    assert change.fields == ()


def test_broken_base_reports_its_children_without_crashing(git_project: GitProject) -> None:
    git_project.write("configs/base.yaml", "version: 1\nllm: {\n")
    found = changed(diff_revisions([]))
    assert set(found) == CHILDREN | {"base"}
    problem = found["sales_en"].new_problem
    assert problem is not None and not problem.loads
    assert problem.first.startswith("configs/base.yaml:")


def test_comment_only_edit_lists_nothing(git_project: GitProject) -> None:
    git_project.edit("configs/sales_en.yaml", "version: 1", "version: 1  # reviewed")
    result = diff_revisions([])
    assert result.changes == () and "sales_en" in result.unchanged


def test_effective_values_are_interpolated_and_secrets_redacted(
        git_project: GitProject) -> None:
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2",
                     "temperature: ${TEMP:-0.2}")
    git_project.commit()
    git_project.edit("configs/support_hi.yaml", "api_key: ${OPENAI_API_KEY}",
                     "api_key: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")

    result = diff_revisions([], env={"TEMP": "0.9"})
    found = changed(result)

    assert "appointments_en" not in found  # ${TEMP} is 0.9 on both sides
    support = found["support_hi"]
    assert [(f.path, f.old, f.new) for f in support.fields] == [
        ("llm.api_key", "${OPENAI_API_KEY}", "***redacted***")]
    assert support.new_problem is not None and "VO320" in support.new_problem.first
    assert "abcdefghijklmnop" not in repr(result)


def test_environment_values_take_effect_on_both_sides(git_project: GitProject) -> None:
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2",
                     "temperature: ${TEMP:-0.2}")
    found = changed(diff_revisions([], env={"TEMP": "0.9"}))
    assert [(f.path, f.old, f.new) for f in found["appointments_en"].fields] == [
        ("llm.temperature", 0.2, 0.9)]


def test_two_revisions_and_one(git_project: GitProject) -> None:
    first = git_project.git("rev-parse", "HEAD").strip()
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.2", "temperature: 0.3")
    git_project.commit("warmer")
    git_project.edit("configs/appointments_en.yaml", "temperature: 0.3", "temperature: 0.4")

    between = diff_revisions(["HEAD~1", "HEAD"])
    since = diff_revisions([first])
    newest = diff_revisions([])

    assert between.old.startswith("HEAD~1 (") and between.new.startswith("HEAD (")
    assert changed(between)["appointments_en"].fields[0].new == 0.3
    assert since.old == first[:len(since.old)] and since.new == "working tree"
    assert changed(since)["appointments_en"].fields[0].old == 0.2
    assert changed(newest)["appointments_en"].fields[0].old == 0.3


def test_configs_missing_on_one_side(git_project: GitProject) -> None:
    git_project.git("rm", "-rq", "configs")
    git_project.commit("no configs yet")
    git_project.git("checkout", "-q", "HEAD~1", "--", "configs")
    result = diff_revisions([])

    assert {c.status for c in result.changes} == {"added"}
    assert len(result.changes) == 6
    assert result.notes == (f"{result.old} has no configs/ folder: every profile of working "
                            "tree is listed as added",)


def test_configs_missing_on_both_sides(git_project: GitProject) -> None:
    git_project.git("rm", "-rq", "configs")
    git_project.commit()
    with pytest.raises(UsageError, match=r"no configs/ folder in HEAD .* or in working tree"):
        diff_revisions([])


def test_a_broken_lock_on_one_side_is_a_note(git_project: GitProject) -> None:
    git_project.write("voiceops.lock", "{not json")
    result = diff_revisions([])
    assert any("working tree:" in note and "bundled catalog snapshot" in note
               for note in result.notes)


def test_too_many_revisions(git_project: GitProject) -> None:
    with pytest.raises(UsageError, match="at most two revisions"):
        diff_revisions(["a", "b", "c"])


PROD = "version: 1\nprofiles:\n  appointments_en:\n    llm: {temperature: %s}\n"


def test_an_environment_overlay_is_laid_over_both_sides(git_project: GitProject) -> None:
    git_project.write("configs/env/prod.yaml", PROD % "0.2")
    git_project.commit("prod environment")
    git_project.edit("configs/env/prod.yaml", "0.2", "0.3")

    assert diff_revisions([]).changes == ()  # without --env the overlay is not used
    found = changed(diff_revisions([], overlay="prod"))
    assert set(found) == {"appointments_en"}
    change = found["appointments_en"]
    assert change.only_via and change.via == ("env/prod.yaml",)
    assert [(f.path, f.old, f.new) for f in change.fields] == [("llm.temperature", 0.2, 0.3)]


def test_an_overlay_new_on_one_side_is_a_note(git_project: GitProject) -> None:
    git_project.write("configs/env/prod.yaml", PROD % "0.5")
    result = diff_revisions([], overlay="prod")
    assert result.notes == (f"{result.old} has no configs/env/prod.yaml: its profiles are "
                            "compared without that environment",)
    assert [(f.path, f.old, f.new) for f in changed(result)["appointments_en"].fields] == [
        ("llm.temperature", 0.2, 0.5)]


def test_an_overlay_on_neither_side_is_a_usage_error(git_project: GitProject) -> None:
    with pytest.raises(UsageError, match="no environment 'prod'"):
        diff_revisions([], overlay="prod")
