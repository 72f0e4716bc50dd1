"""`voiceops run` refuses to start when it could not serve a single turn: no keys for the
providers the profiles use (without `--sim`), or no project here at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from voiceops.project.scaffold import scaffold

pytestmark = pytest.mark.slow

#: The starter's providers: every variable a profile or fallback of it takes a key from.
KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SARVAM_API_KEY", "ELEVENLABS_API_KEY")


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.endswith(("_API_KEY", "_BASE_URL")) and k != "VOICEOPS_TOKEN"}
    return subprocess.run([sys.executable, "-m", "voiceops.cli", "run", "--port", "0", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=clean | env)


def test_run_without_keys_names_each_missing_variable(tmp_path: Path) -> None:
    scaffold(tmp_path)
    proc = run(tmp_path, "support_hi", SARVAM_API_KEY="sk-sarvam-test")
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    assert "Traceback" not in err and "serving" not in proc.stdout
    # one line per profile and provider, naming the variable
    assert "support_hi: OpenAI (llm) needs OPENAI_API_KEY" in err
    assert "support_hi: Anthropic (llm fallback) needs ANTHROPIC_API_KEY" in err
    assert "sales_en: ElevenLabs (tts) needs ELEVENLABS_API_KEY" in err
    assert "SARVAM_API_KEY" not in err  # it is set
    assert "--sim" in err


def test_a_profiles_own_key_variable_is_the_one_named(tmp_path: Path) -> None:
    scaffold(tmp_path)
    for name in ("appointments_en", "assistant_hi", "sales_en", "tech_support_en"):
        (tmp_path / "configs" / f"{name}.yaml").unlink()
    profile = tmp_path / "configs" / "support_hi.yaml"
    profile.write_text(profile.read_text().replace("${OPENAI_API_KEY}", "${SUPPORT_OPENAI_KEY}"))
    keys = {k: "sk-test" for k in KEYS}
    proc = run(tmp_path, **keys)
    assert proc.returncode == 1
    assert "support_hi: OpenAI (llm) needs SUPPORT_OPENAI_KEY" in proc.stderr


def test_run_in_a_folder_without_configs_says_so(tmp_path: Path) -> None:
    proc = run(tmp_path)
    assert proc.returncode == 2
    assert "no configs/ folder" in proc.stderr and "voiceops init" in proc.stderr
    assert "has errors" not in proc.stderr


def test_run_with_an_empty_configs_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    proc = run(tmp_path)
    assert proc.returncode == 2 and "no .yaml profiles to serve" in proc.stderr
