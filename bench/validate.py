"""Benchmark: `voiceops validate` on N generated profiles, as a whole process.

Prints profiles per second and peak memory, and check-jsonschema (schema only) on the same
files for comparison. Target (issue 2): 1,000 profiles in under 1 s wall on 2 cores.

    python bench/validate.py [-n 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voiceops.project.scaffold import scaffold

VARIANTS = [
    ("customer_support", "hi-IN", "openai", "gpt-5.4-mini", "sarvam", "bulbul:v3", "priya",
     "{company_name: Acme {i}, product_name: Plan {i}}"),
    ("sales_assistant", "en-US", "anthropic", "claude-haiku-4-5", "elevenlabs",
     "eleven_flash_v2_5", "Sarah",
     "{company_name: Acme {i}, product_name: Backup, value_proposition: Hourly backups.}"),
    ("technical_support", "en-IN", "sarvam", "sarvam-105b", "sarvam", "bulbul:v3", "aditya",
     "{company_name: Acme {i}, product_name: Router}"),
    ("general_assistant", "hi-IN", "anthropic", "claude-sonnet-4-6", "sarvam", "bulbul:v3",
     "shubh", "{assistant_name: Sahayak {i}}"),
]


def generate(root: Path, count: int) -> Path:
    """A project with the starter prompts and `count` profiles extending base.yaml."""
    scaffold(root)
    configs = root / "configs"
    for old in configs.glob("*.yaml"):
        if old.name != "base.yaml":
            old.unlink()
    for i in range(count):
        template, lang, llm, model, tts, tts_model, voice, vars_ = VARIANTS[i % len(VARIANTS)]
        stt = "{provider: sarvam, model: saaras:v3}" if lang.endswith("IN") else \
            "{provider: openai, model: gpt-transcribe}"
        pace = "{pace: 1.1}" if tts == "sarvam" else "{stability: 0.5, speed: 1.05}"
        (configs / f"agent_{i:05d}.yaml").write_text(
            f"version: 1\nextends: base\ndescription: Agent {i}\nlanguage: {lang}\n"
            f"llm:\n  provider: {llm}\n  model: {model}\n  temperature: 0.{i % 9}\n"
            f"  api_key: ${{{llm.upper()}_API_KEY}}\n"
            f"tts:\n  provider: {tts}\n  model: {tts_model}\n  voice: {voice}\n"
            f"  tuning: {pace}\nstt: {stt}\n"
            f"prompt:\n  template: {template}\n  vars: {vars_.replace('{i}', str(i))}\n"
            f"first_message: 'Hello, this is agent {{{{ profile }}}} ({i}).'\n"
            f"metadata: {{team: t{i % 7}}}\n")
    return configs


def run(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit status of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(label: str, command: list[str], count: int, repeat: int) -> float:
    runs = [run(command) for _ in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"{label:<34} {wall:6.3f} s  {count / wall:8.0f} profiles/s  {peak:6.1f} MB peak"
          f"  (exit {runs[0][2]})")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--profiles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        configs = generate(Path(tmp), args.profiles)
        files = sorted(str(p) for p in configs.glob("*.yaml"))
        count = len(files)
        voiceops = [sys.executable, "-m", "voiceops.cli", "validate", str(configs)]
        print(f"{count} profiles in {configs} (median of {args.repeat} runs, whole process)")
        ours = measure("voiceops validate (all checks)", voiceops, count, args.repeat)
        checker = shutil.which("check-jsonschema")
        if checker is None:
            print("check-jsonschema not installed: pip install check-jsonschema")
            return
        schema = str(Path(tmp) / "schemas" / "profile.schema.json")
        theirs = measure("check-jsonschema (schema only)",
                         [checker, "--schemafile", schema, *files], count, args.repeat)
        print(f"voiceops is {theirs / ours:.1f}x faster while also checking extends, secrets, "
              "prompts and catalogs")


if __name__ == "__main__":
    main()
