"""`voiceops preview` and `POST /v1/tts/preview` against the provider simulators: voice names
resolved through the catalog, `--sim`, and bad input refused with a 400."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeProject
from tests.server.conftest import MakeClient, make_client, project  # noqa: F401 (fixtures)
from voiceops.cli import cli
from voiceops.sim.stack import SimStack

SARAH = "EXAVITQu4vr4xnSDxMaL"  # ElevenLabs' id of the premade voice named Sarah


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def spoken_with(sims: SimStack) -> list[str]:
    return [path for path in (r.path for r in sims.servers["elevenlabs"].log.entries)
            if "/text-to-speech/" in path]


def test_preview_sends_the_id_of_a_voice_named_in_the_profile(
        make_project: MakeProject, sims: SimStack, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project()
    for name, value in sims.env().items():
        monkeypatch.setenv(name, value)
    code, out, err = invoke("preview", "sales_en", "--text", "Hi there",
                            "--set", "tuning.speed=1.1", "-o", "hi.wav", "--no-play")
    assert code == 0, out + err
    assert (root / "hi.wav").read_bytes()[:4] == b"RIFF"
    assert spoken_with(sims) and all(SARAH in path for path in spoken_with(sims))


def test_preview_with_a_voice_name_in_set(make_project: MakeProject, sims: SimStack,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_project()
    for name, value in sims.env().items():
        monkeypatch.setenv(name, value)
    code, out, err = invoke("preview", "sales_en", "--text", "Hi", "--set", "voice=George",
                            "--no-play")
    assert code == 0, out + err
    assert "JBFqnCBsd6RMkjVDRZzb" in spoken_with(sims)[-1]
    assert "voice George" in out


def test_preview_sim_needs_no_keys(make_project: MakeProject,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project()
    for name in ("ELEVENLABS_API_KEY", "SARVAM_API_KEY", "ELEVENLABS_BASE_URL",
                 "SARVAM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = invoke("preview", "sales_en", "--sim", "--text", "Hi", "-o", "s.wav",
                            "--no-play")
    assert code == 0, out + err
    assert (root / "s.wav").stat().st_size > 44
    assert "simulated" in out


def test_http_preview_resolves_voice_names(make_client: MakeClient,  # noqa: F811
                                           sims: SimStack) -> None:
    client = make_client()
    response = client.post("/v1/tts/preview", json={"provider": "elevenlabs", "voice": "Sarah",
                                                     "model": "eleven_multilingual_v2"})
    assert response.status_code == 200, response.text
    assert SARAH in spoken_with(sims)[-1]
    response = client.post("/v1/tts/preview", json={"profile": "sales_en", "voice": "George"})
    assert response.status_code == 200, response.text
    assert "JBFqnCBsd6RMkjVDRZzb" in spoken_with(sims)[-1]


@pytest.mark.parametrize("body", [
    b'{"profile": "support_hi", "tuning": {"pace": 1e309}}',
    b'{"profile": "support_hi", "tuning": {"pace": NaN}}',
    b'{"profile": "support_hi", "text": "hi \\ud800 there"}',
    b'{"profile": "support_hi", "voice": "\\udc80"}',
    b'{"profile": "support_hi", "tuning": "fast"}',
    b'{"profile": ["support_hi"]}',
])
def test_http_preview_bad_input_is_a_400(make_client: MakeClient,  # noqa: F811
                                         body: bytes) -> None:
    client = make_client()
    response = client.post("/v1/tts/preview", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert message and "\n" not in message


def test_an_output_that_cannot_be_written_is_one_line_not_an_internal_error(
        make_project: MakeProject, tmp_path: Path) -> None:
    make_project()
    code, out, err = invoke("preview", "sales_en", "--sim", "--text", "Hi", "--no-play",
                            "-o", str(tmp_path / "no" / "such" / "folder" / "p.wav"))
    assert code == 2, out + err
    assert "cannot write" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
