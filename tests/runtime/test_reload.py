"""Hot reload in-process: a real `Reloader` watching a real project folder, a real
`LiveRegistry`; files are edited the ways editors, git and deploy tools edit them."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.runtime import reloader as reloader_module
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.runtime.reloader import Reloader

PROFILE = "configs/support_hi.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    scaffold(tmp_path)
    return Project(tmp_path)


def described(project: Project, text: str, base: str | None = None) -> None:
    """Save support_hi (or `base`) with a new description, as an editor's atomic save does."""
    path = project.root / PROFILE
    lines = [f"description: {text}" if line.startswith("description:") else line
             for line in (path.read_text() if base is None else base).splitlines()]
    temporary = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    temporary.write_text("\n".join(lines) + "\n")
    os.replace(temporary, path)


def description(registry: LiveRegistry) -> Any:
    return registry.current.profiles["support_hi"].data["description"]


async def until(condition: Callable[[], bool], timeout_s: float = 15) -> None:
    """Poll `condition` until it holds; AssertionError after a generous deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def until_equal(value: Callable[[], object], expected: object) -> None:
    await until(lambda: value() == expected)


def live_description(registry: LiveRegistry) -> Callable[[], object]:
    return lambda: description(registry)


Scenario = Callable[[Reloader, LiveRegistry], Awaitable[None]]


def run_reloader(project: Project, scenario: Scenario, overlay: str | None = None) -> None:
    """Run the reloader on `project` while `scenario` edits files and checks the registry."""

    async def main() -> None:
        build = build_version(project, 1, overlay)
        assert build.version is not None, build.diagnostics
        registry = LiveRegistry(build.version)
        reloader = Reloader(project, registry, overlay=overlay)
        task = asyncio.create_task(reloader.run())
        await until(lambda: reloader.watching)
        try:
            await scenario(reloader, registry)
            assert not task.done(), "the reloader stopped"
        finally:
            reloader.stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(main())


def test_a_version_digest_is_of_the_bytes_its_profiles_came_from(project: Project) -> None:
    # The digest names a version's content: read the files twice (once to validate, once to
    # hash) and a save in between gives old profiles under the new content's name.
    digests = {}
    for text in ("first", "second"):
        described(project, text)
        version = build_version(project, 1).version
        assert version is not None
        digests[text] = version.digest
    stop = threading.Event()

    def save_forever() -> None:
        i = 0
        while not stop.is_set():
            described(project, "first" if i % 2 == 0 else "second")
            i += 1

    thread = threading.Thread(target=save_forever, daemon=True)
    thread.start()
    try:
        checked = 0
        while checked < 40:
            version = build_version(project, 1).version
            if version is None:
                continue
            text = version.profiles["support_hi"].data["description"]
            assert version.digest == digests[text], f"profiles of '{text}', digest of the other"
            checked += 1
    finally:
        stop.set()
        thread.join()


def test_two_quick_saves_leave_the_second_live(project: Project) -> None:
    rng = random.Random(11)

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        for trial in range(25):
            described(project, f"trial {trial} first save")
            await asyncio.sleep(rng.uniform(0.0, 0.15))
            described(project, f"trial {trial} second save")
            await until_equal(live_description(registry), f"trial {trial} second save")

    run_reloader(project, scenario)


def test_a_conflicted_lock_is_rejected_and_later_edits_still_go_live(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "voiceops.reload")
    lock = project.lock

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        lock.write_text("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n")
        await until(lambda: registry.rejected == 1)
        assert "voiceops.lock" in caplog.text and "not valid JSON" in caplog.text
        lock.unlink()
        described(project, "after the conflict")
        await until(lambda: description(registry) == "after the conflict")

    run_reloader(project, scenario)


def test_a_deleted_overlay_is_rejected_and_its_return_goes_live(project: Project) -> None:
    overlay = project.configs / "env" / "staging.yaml"
    overlay.parent.mkdir()
    overlay.write_text("version: 1\nall:\n  session: {max_duration_s: 600}\n")

    def max_duration(registry: LiveRegistry) -> Any:
        return registry.current.profiles["support_hi"].section("session")["max_duration_s"]

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        assert max_duration(registry) == 600
        overlay.unlink()
        await until(lambda: registry.rejected == 1)
        assert registry.last_rejection is not None
        assert "staging" in registry.last_rejection.diagnostics[0].message
        overlay.write_text("version: 1\nall:\n  session: {max_duration_s: 300}\n")
        await until(lambda: max_duration(registry) == 300)

    run_reloader(project, scenario, overlay="staging")


def test_a_rebuild_that_raises_is_logged_once_counted_and_the_watch_goes_on(
        project: Project, caplog: pytest.LogCaptureFixture,
        failing_rebuilds: threading.Event) -> None:
    caplog.set_level(logging.INFO, "voiceops.reload")
    broken = failing_rebuilds

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        for n in range(3):
            described(project, f"while broken {n}")
            await until_equal(lambda: registry.failed, n + 1)
        failure = registry.last_failure
        assert failure is not None and "Too many open files" in failure.error
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING
                    and "Too many open files" in r.getMessage()]
        assert len(warnings) == 1, "one warning per distinct failure, not one per edit"
        broken.clear()
        described(project, "repaired")
        await until(lambda: description(registry) == "repaired")
        assert registry.last_failure is None
        assert "is live again" in caplog.text

    run_reloader(project, scenario)


@pytest.mark.parametrize("fix", ["edit", "revert"])
def test_recovery_after_a_rejected_edit_is_logged(
        project: Project, caplog: pytest.LogCaptureFixture, fix: str) -> None:
    # a fix that makes new content, or one that reverts to what is live (no new version)
    caplog.set_level(logging.INFO, "voiceops.reload")
    path = project.root / PROFILE
    good = path.read_text()

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        path.write_text(good + "volume_knob: 11\n")  # an unknown key: VO201
        await until(lambda: registry.rejected == 1)
        assert "is live again" not in caplog.text
        if fix == "edit":
            described(project, "fixed", base=good)
            await until(lambda: description(registry) == "fixed")
        else:
            path.write_text(good)
            await until(lambda: "is live again" in caplog.text)
            assert registry.current.number == 1 and registry.last_rejection is None
        live_again = [r.getMessage() for r in caplog.records
                      if "is live again" in r.getMessage()]
        assert len(live_again) == 1
        assert live_again[0].endswith(f"config {registry.current.label} is live again")

    run_reloader(project, scenario)


@pytest.mark.parametrize("folder", ["configs", "prompts"])
def test_edits_go_live_after_the_folder_is_replaced(project: Project, folder: str) -> None:
    # `mv configs x && cp -r x configs`: what git checkout, some editors and deploy tools do
    root = project.root

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        (root / folder).rename(root / "old")
        shutil.copytree(root / "old", root / folder)
        shutil.rmtree(root / "old")
        await asyncio.sleep(0.5)
        for n in range(3):
            described(project, f"after the copy {n}")
            await until_equal(live_description(registry), f"after the copy {n}")
        template = root / "prompts" / "customer_support.j2"
        template.write_text(template.read_text() + "\nMention the monsoon offer.\n")
        await until(lambda: "monsoon offer" in
                    registry.current.profiles["support_hi"].prompt.system)

    run_reloader(project, scenario)


def test_a_folder_deleted_and_recreated_is_watched_again(project: Project) -> None:
    root = project.root

    async def scenario(reloader: Reloader, registry: LiveRegistry) -> None:
        saved = root / "saved"
        shutil.copytree(root / "configs", saved)
        shutil.rmtree(root / "configs")
        await until(lambda: registry.rejected >= 1)
        saved.rename(root / "configs")
        described(project, "back again")
        await until(lambda: description(registry) == "back again")

    run_reloader(project, scenario)


def test_the_filter_passes_project_files_only(project: Project) -> None:
    from voiceops.runtime.reloader import ConfigFilter

    root = project.root
    passes = ConfigFilter(root)
    added = reloader_module.Change.added
    for wanted in ("configs/a.yaml", "configs/env/prod.yaml", "prompts/x/y.j2",
                   "voiceops.lock"):
        assert passes(added, str(root / wanted)), wanted
    for unwanted in ("configs/.a.yaml.swp", "configs/a.yaml~", "README.md",
                     ".git/configs/a.yaml", ".venv/lib/prompts/x.j2",
                     "node_modules/configs/a.yaml", "other/a.yaml", "prompts/notes.txt"):
        assert not passes(added, str(root / unwanted)), unwanted


_SPY_RELOAD = """
import asyncio, sys, threading
from pathlib import Path
from voiceops.project import Project
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.runtime.reloader import Reloader

class Spy:  # notes the thread that imports the Anthropic SDK
    def find_spec(self, name, path=None, target=None):
        if name == "anthropic":
            print("anthropic imported on", threading.current_thread().name, flush=True)

sys.meta_path.insert(0, Spy())

async def main():
    project = Project(Path(sys.argv[1]))
    registry = LiveRegistry(build_version(project, 1).version)
    reloader = Reloader(project, registry)
    task = asyncio.create_task(reloader.run())
    while not reloader.watching:
        await asyncio.sleep(0.01)
    print("anthropic before:", "anthropic" in sys.modules, flush=True)
    Path(sys.argv[2]).rename(project.configs / "sales_en.yaml")
    while "sales_en" not in registry.current.profiles:
        await asyncio.sleep(0.01)
    print("live with anthropic:", "anthropic" in sys.modules, flush=True)
    reloader.stop.set()
    await task

asyncio.run(main())
"""


@pytest.mark.slow
def test_a_profile_arriving_by_reload_has_its_sdk_imported_off_the_loop(
        project: Project, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = project.root
    (root / "configs" / "assistant_hi.yaml").unlink()  # the other users of anthropic
    held = tmp_path / "sales_en.yaml"
    (root / "configs" / "sales_en.yaml").rename(held)
    support = root / PROFILE
    support.write_text("".join(line for line in support.read_text().splitlines(True)
                               if "anthropic" not in line and "fallbacks:" not in line))
    assert build_version(project, 1).version is not None
    script = tmp_path / "spy.py"
    script.write_text(_SPY_RELOAD)
    run = subprocess.run([sys.executable, str(script), str(root), str(held)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "anthropic before: False"
    assert lines[-1] == "live with anthropic: True"
    importers = [line for line in lines if line.startswith("anthropic imported on")]
    assert importers and "MainThread" not in importers[0], lines


_STUCK_REBUILD = """
import asyncio, sys, threading
from pathlib import Path
from voiceops.project import Project
from voiceops.runtime import reloader as reloader_module
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.runtime.reloader import Reloader

project = Project(Path(sys.argv[1]))
registry = LiveRegistry(build_version(project, 1).version)
reloader_module.build_version = lambda *a, **k: threading.Event().wait()  # stuck for good

def building():
    return [t for t in threading.enumerate() if t.name.startswith("voiceops-reload")]

async def main():
    reloader = Reloader(project, registry)
    task = asyncio.create_task(reloader.run())
    template = project.prompts / "customer_support.j2"
    for n in range(200):
        if building():
            break
        template.write_text(template.read_text() + f"Edit {n}.")
        await asyncio.sleep(0.1)
    print("builder threads:", len(building()), flush=True)
    reloader.stop.set()
    await asyncio.wait_for(task, 10)
    print("reloader stopped", flush=True)

asyncio.run(main())
"""


@pytest.mark.slow
def test_a_stuck_rebuild_holds_up_neither_stop_nor_the_process_exit(
        project: Project, tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "stuck.py"
    script.write_text(_STUCK_REBUILD)
    try:
        run = subprocess.run([sys.executable, str(script), str(project.root)],
                             capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the process did not exit: {exc.stdout!r} {exc.stderr!r}")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["builder threads: 1", "reloader stopped"]
