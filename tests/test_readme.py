"""Every command and YAML block of README.md, and every example in the commands' --help, is
run: commands in a scratch project made by `voiceops init` (a git repository with two
commits), with the provider simulators' keys and base URLs in the environment, so commands
that talk to providers (`--live`, `lock`, `preview`) run against them. Daemons (`run`,
`sim`) are started, seen serving, and stopped; `talk` talks to a daemon started for it.
YAML blocks are validated as what they are: a profile, an environment overlay, or (at
least) YAML. Nothing is skipped but the commands in SKIPPED, each with its reason."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from voiceops.cli import cli
from voiceops.harness.daemon import DaemonProcess
from voiceops.sim.stack import SimStack

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
COMMENT = re.compile(r"\s+#\s.*$")
VOICEOPS = [sys.executable, "-m", "voiceops.cli"]

#: Commands not run, and why. None of them needs a real provider key: they are the test
#: suite, CI and the benchmarks, which this test is part of or which take minutes.
SKIPPED = {
    "python -m pytest": "the test suite, which runs this test",
    ".ci/run": "CI (install, validate, ruff, mypy, the whole suite), which runs this test",
    "python bench/validate.py": "a benchmark (minutes of work): measured, not checked",
    "python bench/catalog.py": "a benchmark (minutes of work): measured, not checked",
    "python bench/sessions.py": "a benchmark (minutes of work): measured, not checked",
    "python bench/reload.py": "a benchmark (minutes of work): measured, not checked",
    "python bench/soak.py": "a benchmark (minutes of work): measured, not checked",
    "python bench/diff.py": "a benchmark (minutes of work): measured, not checked",
}
#: Commands run in part: the package is already installed in the environment running this.
INSTALLED = {"pip install -e '.[dev]' && voiceops validate configs": "voiceops validate configs"}


def _command(line: str) -> str:
    return COMMENT.sub("", line).strip()


def readme_commands() -> list[str]:
    """Every line of a ```bash block, and every `$ voiceops ...` line of any block."""
    found = []
    for language, body in FENCE.findall(README):
        for line in body.splitlines():
            if language == "bash":
                found.append(_command(line))
            elif line.startswith("$ voiceops "):
                found.append(_command(line[2:]))
    return [c for c in found if c]


def help_examples() -> list[str]:
    """The example lines of `voiceops --help` and of each command's --help."""
    root = click.Context(cli, info_name="voiceops")
    texts = [cli.get_help(root)] + [
        command.get_help(click.Context(command, info_name=f"voiceops {name}", parent=root))
        for name, command in sorted(cli.commands.items())]
    found = []
    for text in texts:
        in_block = False
        for line in text.splitlines():
            stripped = line.strip()
            if re.fullmatch(r"(Examples?|Start here):", stripped):
                in_block = True
            elif stripped.startswith("Then: voiceops "):
                found.append(_command(stripped.removeprefix("Then: ")))
            elif in_block and line.startswith("    ") and stripped:
                found.append(_command(stripped))
            else:
                in_block = False
    return found


def yaml_blocks() -> list[str]:
    return [body for language, body in FENCE.findall(README) if language == "yaml"]


COMMANDS = list(dict.fromkeys(readme_commands() + help_examples()))


def test_the_examples_are_found() -> None:
    assert len(yaml_blocks()) >= 2
    assert "voiceops talk --profile support_hi" in COMMANDS
    assert "voiceops validate --live" in COMMANDS
    assert any(c.startswith("voiceops init ") for c in help_examples())
    assert not [c for c in COMMANDS if not c.startswith(("voiceops ", "env ", "pip "))
                and c not in SKIPPED]


def write_tone(path: Path, seconds: float = 1.0, rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 5)))
                                 for i in range(int(seconds * rate))))


@pytest.fixture(scope="module")
def sims() -> Iterator[SimStack]:
    with SimStack() as stack:
        yield stack


@pytest.fixture(scope="module")
def environment(sims: SimStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, **sims.env(), "NO_COLOR": "1", "PATH": path,
           "VOICEOPS_CACHE_URL": str(tmp_path_factory.mktemp("cache")),
           "PROD_OPENAI_API_KEY": sims.env()["OPENAI_API_KEY"],
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("VOICEOPS_TOKEN", None)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str],
             sims: SimStack) -> Path:
    """`voiceops init`, the README's overlay as configs/env/prod.yaml and its shared tools
    files as tools/*.yaml, two commits (the second edits a template) with `origin/main` at
    the first, and the files the examples name (question.wav, sims.env, the panel's
    sessions.json and export/*.json)."""
    base = tmp_path_factory.mktemp("readme")
    _run([*VOICEOPS, "init", "agents"], base, environment)
    project = base / "agents"
    overlay = next((b for b in yaml_blocks() if b.startswith("# configs/env/prod.yaml")), None)
    if overlay is not None:
        (project / "configs" / "env").mkdir(exist_ok=True)
        (project / "configs" / "env" / "prod.yaml").write_text(overlay, encoding="utf-8")
        _run([*VOICEOPS, "lock", "--offline"], project, environment)  # as the README says
    for block in yaml_blocks():  # shared tools files, which the README's profiles name
        shared = re.match(r"#\s*(tools/\w+\.yaml)", block)
        if shared:
            (project / "tools").mkdir(exist_ok=True)
            (project / shared[1]).write_text(block, encoding="utf-8")
    write_tone(project / "question.wav")
    # what `voiceops sim > sims.env` writes, for `env $(cat sims.env) voiceops run ...`
    (project / "sims.env").write_text("".join(f"{k}={v}\n" for k, v in sims.env().items()))
    for name, target in (("support_hi", "sessions.json"), ("sales_en", "export/panel.json")):
        record = json.loads(_run([*VOICEOPS, "export", name], project, environment))
        record["name"] = f"imported_{name}"
        (project / target).parent.mkdir(exist_ok=True)
        (project / target).write_text(json.dumps(record), encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "first"]):
        _run(["git", *args], project, environment)
    template = project / "prompts" / "customer_support.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nBe brief.\n",
                        encoding="utf-8")
    for args in (["commit", "-qam", "second"], ["update-ref", "refs/remotes/origin/main",
                                                "HEAD~1"]):
        _run(["git", *args], project, environment)
    return project


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "agents"
    shutil.copytree(template, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def daemon(template: Path, environment: dict[str, str],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    copy = tmp_path_factory.mktemp("daemon") / "agents"
    shutil.copytree(template, copy, symlinks=True)
    with DaemonProcess(copy, ["support_hi", "--sim"], env=environment) as running:
        yield running


def _serve(command: str, cwd: Path, env: dict[str, str]) -> None:
    """A daemon or the simulators: started (on a free port), seen serving, stopped."""
    if re.search(r"\bvoiceops run\b", command):
        command = (command.replace("--port 8765", "--port 0") if "--port 8765" in command
                   else f"{command} --port 0")
        if "0.0.0.0" in command:
            env = {**env, "VOICEOPS_TOKEN": "readme-token"}
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        seen.append(line)
        if "serving ws://" in line or "simulators ready" in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    if serving := re.search(r"serving ws://\S+:(\d+)/", seen[-1]):
        _wait_healthy(int(serving[1]))
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    output = "".join(seen) + rest
    assert "serving ws://" in output or "simulators ready" in output, output
    assert proc.returncode in (0, 130), output  # 130: the daemon says it was interrupted
    assert "Traceback" not in output


def _wait_healthy(port: int) -> None:
    """Until the daemon answers: uvicorn's Ctrl-C handler is in place only from then on
    (a SIGINT between "serving" and that can be lost in a garbage collector callback)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            assert time.monotonic() < deadline, "the daemon never answered /healthz"
            time.sleep(0.1)


def _talk(command: str, daemon: DaemonProcess) -> str:
    """`talk` or `phone` pointed at the test's daemon: its URL in place of the default one."""
    for default in ("http://127.0.0.1:8765", "ws://127.0.0.1:8765/v1/sessions"):
        if default in command:
            return command.replace(default, daemon.http_url)
    if command.startswith("voiceops phone"):  # phone takes the daemon's http(s) address
        return command.replace("voiceops phone", f"voiceops phone {daemon.http_url}", 1)
    return command.replace("voiceops talk", f"voiceops talk {daemon.ws_url}", 1)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs(command: str, project: Path, environment: dict[str, str],
                      request: pytest.FixtureRequest) -> None:
    if command in SKIPPED:
        pytest.skip(SKIPPED[command])
    command = INSTALLED.get(command, command)
    if re.search(r"\bvoiceops (run|sim)\b", command):
        _serve(command, project, environment)
        return
    if command.startswith(("voiceops talk", "voiceops phone")):
        command = _talk(command, request.getfixturevalue("daemon"))
    done = subprocess.run(["bash", "-c", command], cwd=project, env=environment, text=True,
                          capture_output=True, timeout=180, input="What plans do you have?\n")
    assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("block", yaml_blocks(), ids=lambda b: b.splitlines()[0][:40])
def test_yaml_block_is_valid(block: str, project: Path, environment: dict[str, str]) -> None:
    data = yaml.safe_load(block)  # every block is YAML at least
    assert isinstance(data, dict)
    overlay = re.match(r"#\s*configs/env/(\w+)\.yaml", block)
    if overlay:
        target = project / "configs" / "env" / f"{overlay[1]}.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_text(block, encoding="utf-8")
        args = ["validate", "--strict", "--env", overlay[1]]
    elif data.get("version") == 1 and {"llm", "tts", "stt", "extends"} & set(data):
        (project / "configs" / "readme_profile.yaml").write_text(block, encoding="utf-8")
        args = ["validate", "--strict", "configs/readme_profile.yaml"]
    else:
        return
    # what a profile or an environment uses is pinned first, as the README says to
    subprocess.run([*VOICEOPS, "lock", "--offline"], cwd=project, env=environment,
                   capture_output=True, timeout=120)
    done = subprocess.run([*VOICEOPS, *args], cwd=project, env=environment, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
