"""Benchmark: `voiceops diff HEAD~1 HEAD` after a shared template changed, as a whole process.

Builds a git repository in a temporary folder: 500 profiles extending base.yaml, 50
templates, a lock; commits; edits the template that every fifth profile uses; commits again;
then times the diff. Prints the wall time and how many profiles the diff listed, which must be
exactly the profiles that use the template, each "via" it. Target: under 2 s on 2 cores.

    python bench/diff.py [-n 500] [--templates 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = "t00"  # the template every fifth profile uses
VARIANTS = [  # language, llm provider, model, tts provider, tts model, voice, tuning, stt
    ("hi-IN", "openai", "gpt-5.4-mini", "sarvam", "bulbul:v3", "priya", "{pace: 1.1}",
     "{provider: sarvam, model: saaras:v3}"),
    ("en-US", "anthropic", "claude-haiku-4-5", "elevenlabs", "eleven_flash_v2_5", "Sarah",
     "{stability: 0.5, speed: 1.05}", "{provider: openai, model: gpt-transcribe}"),
    ("en-IN", "sarvam", "sarvam-105b", "sarvam", "bulbul:v3", "aditya", "{pace: 0.95}",
     "{provider: sarvam, model: saaras:v3}"),
    ("hi-IN", "anthropic", "claude-haiku-4-5", "sarvam", "bulbul:v3", "shubh", "{pace: 1.0}",
     "{provider: sarvam, model: saaras:v3}"),
]
BASE = """version: 1
abstract: true
description: Defaults every agent starts from
optimization: balanced
llm: {temperature: 0.4, max_tokens: 300, timeout_s: 10}
session: {barge_in: true, silence_timeout_s: 8, max_duration_s: 900}
rag: {enabled: false}
metadata: {owner: voice-platform}
"""
TEMPLATE = """{{#- voiceops:
description: Template {n}
variables:
  company_name: {{description: The company, required: true}}
  agent_name: {{description: The agent's name, default: Asha}}
-#}}
You are {{{{ agent_name }}}}, a support agent for {{{{ company_name }}}}.
Speak {{{{ language_name }}}}.
Keep every reply to one to three short sentences. The caller hears you; they cannot read.
Never use lists, bullet points, headings, emoji or markdown.
Ask one question at a time, and wait for the answer.
"""


def template_of(i: int, templates: int) -> str:
    return SHARED if i % 5 == 0 else f"t{1 + i % (templates - 1):02d}"


def generate(root: Path, count: int, templates: int) -> set[str]:
    """The project and its first commit; returns the profiles that use the shared template."""
    (root / "configs").mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "configs" / "base.yaml").write_text(BASE)
    for n in range(templates):
        (root / "prompts" / f"t{n:02d}.j2").write_text(TEMPLATE.format(n=n))
    shared: set[str] = set()
    for i in range(count):
        lang, llm, model, tts, tts_model, voice, tuning, stt = VARIANTS[i % len(VARIANTS)]
        template = template_of(i, templates)
        name = f"agent_{i:04d}"
        if template == SHARED:
            shared.add(name)
        (root / "configs" / f"{name}.yaml").write_text(
            f"version: 1\nextends: base\ndescription: Agent {i}\nlanguage: {lang}\n"
            f"llm: {{provider: {llm}, model: {model}, temperature: 0.{i % 9}}}\n"
            f"tts: {{provider: {tts}, model: {tts_model}, voice: {voice}, tuning: {tuning}}}\n"
            f"stt: {stt}\n"
            f"prompt: {{template: {template}, vars: {{company_name: Acme {i}}}}}\n"
            f"first_message: 'Hello, this is {{{{ agent_name }}}} from Acme {i}.'\n")
    voiceops(root, "lock", "--offline")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "bench")
    git(root, "config", "user.email", "bench@example.invalid")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "profiles")
    shared_file = root / "prompts" / f"{SHARED}.j2"
    shared_file.write_text(shared_file.read_text().replace(
        "one to three short sentences", "one or two short sentences"))
    git(root, "commit", "-q", "-am", "shorter replies")
    return shared


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True)


def voiceops(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voiceops.cli", *args], cwd=root,
                          capture_output=True, text=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--profiles", type=int, default=500)
    parser.add_argument("--templates", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voiceops-bench-diff-") as folder:
        root = Path(folder)
        shared = generate(root, args.profiles, args.templates)
        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            proc = voiceops(root, "diff", "HEAD~1", "HEAD", "--format", "json")
            walls.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"voiceops diff failed ({proc.returncode}): {proc.stderr.strip()}")
        result = json.loads(proc.stdout)
        listed = {p["name"] for p in result["profiles"]}
        via = {p["name"] for p in result["profiles"] if p["via"] == [f"prompts/{SHARED}.j2"]
               and p["only_via"]}
        wall = statistics.median(walls)
        print(f"{args.profiles} profiles, {args.templates} templates, {os.cpu_count()} cores "
              f"(median of {args.repeat} runs, whole process)")
        print(f"voiceops diff HEAD~1 HEAD   {wall:6.3f} s wall   {len(listed)} profiles listed "
              f"as affected ({len(shared)} use prompts/{SHARED}.j2)")
        if listed != shared or via != shared:
            sys.exit(f"wrong profiles listed: {len(listed - shared)} extra, "
                     f"{len(shared - listed)} missing, {len(shared - via)} without the cause")
        if wall >= 2.0:
            sys.exit("slower than the 2 s target")


if __name__ == "__main__":
    main()
