"""Voice activity: the engines, and a listener that takes any frame size and rate, counts
speech only after `min_speech_ms`, and says what to do when an engine cannot run."""

from __future__ import annotations

import math
import random
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.fixtures.speech.synthetic import vowel
from voiceops.config.settings import VadSettings
from voiceops.errors import SessionError
from voiceops.runtime.vad import SPEECH_RMS, rms
from voiceops.runtime.vad import silero as silero_engine
from voiceops.runtime.vad.energy import EnergyEngine
from voiceops.runtime.vad.listener import Listener, listener_for
from voiceops.runtime.vad.model import (
    ENV,
    SILERO_VERSION,
    ModelMissing,
    extract,
    fetch,
    find_model,
)
from voiceops.runtime.vad.webrtc import WebrtcEngine

DEFAULTS = VadSettings.from_session({})


def tone(amplitude: float, samples: int = 320, hz: float = 220.0) -> bytes:
    return struct.pack(f"<{samples}h", *(int(amplitude * math.sin(2 * math.pi * hz * n / 16000))
                                         for n in range(samples)))


def reported(listener: Listener, pcm: bytes, frame_bytes: int) -> list[bool]:
    return [listener.hear(pcm[i:i + frame_bytes]) for i in range(0, len(pcm), frame_bytes)]


def test_rms_of_a_sine_is_its_amplitude_over_root_two() -> None:
    assert abs(rms(tone(8000)) - 8000 / math.sqrt(2)) < 8000 * 0.05
    assert rms(b"") == 0.0 and rms(b"\x01") == 0.0  # an odd byte is no sample


def test_the_energy_gate_passes_loud_windows_and_not_silence_or_hiss() -> None:
    noise = random.Random(3)
    hiss = struct.pack("<320h", *(noise.randint(-100, 100) for _ in range(320)))
    gate = EnergyEngine(16000)
    assert gate.voiced(tone(4000)) and not gate.voiced(bytes(640)) and not gate.voiced(hiss)
    assert not gate.voiced(tone(SPEECH_RMS))  # its RMS is ~354: below the gate


def test_webrtc_hears_a_voice_and_not_a_loud_tone() -> None:
    engine = WebrtcEngine(16000, DEFAULTS.aggressiveness)
    voice = vowel(0.2)
    assert all(engine.voiced(voice[i:i + 640]) for i in range(0, len(voice), 640))
    loud_dc = b"\x10\x27" * 8000  # half a second: loud, and no voice
    assert not any(reported(listener_for(DEFAULTS, 16000), loud_dc, 640))


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("frame_bytes", [7 * 2 * 11 + 1, 640, 4000])  # odd, 20 ms, long
def test_any_rate_and_frame_size_is_heard(rate: int, frame_bytes: int) -> None:
    """Rates the engine lacks are resampled; frames are cut into its windows, a sample
    split between two frames included."""
    listener = listener_for(DEFAULTS, rate)
    quiet, said = bytes(int(0.5 * rate) * 2), vowel(0.6, rate)
    pcm = quiet + said + quiet + quiet
    says = reported(listener, pcm, frame_bytes)
    at = [(i + 1) * frame_bytes / (2 * rate) for i, s in enumerate(says) if s]
    assert at, "the vowel was never heard"
    assert 0.5 < at[0] < 0.5 + 0.2 + 0.1  # after min_speech_ms (and a window or a frame)
    assert at[-1] < 1.1 + 0.4  # and not long after it ended


def test_speech_shorter_than_min_speech_ms_is_not_speech() -> None:
    listener = listener_for(replace(DEFAULTS, min_speech_ms=200), 16000)
    # a click: WebRTC holds speech on for about 0.1 s after a sound, so 60 ms of it look
    # like 160 ms, still under min_speech_ms
    click = bytes(16000) + vowel(0.06) + bytes(16000)
    assert not any(reported(listener, click, 640))
    word = vowel(0.3)
    says = reported(listener, word, 640)
    assert says.index(True) == 9  # the 10th frame completes 200 ms


def test_reset_makes_speech_count_anew() -> None:
    listener = listener_for(DEFAULTS, 16000)
    assert reported(listener, vowel(0.3), 640)[-1]
    listener.reset()
    assert not listener.hear(vowel(0.02))


def test_an_unknown_model_path_is_a_one_line_session_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "nowhere.onnx"))
    with pytest.raises(SessionError) as caught:
        listener_for(replace(DEFAULTS, engine="silero"), 8000)
    assert caught.value.code == "vad_unavailable"
    assert "\n" not in str(caught.value) and ENV in str(caught.value)


def test_no_onnxruntime_names_the_install(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"not loaded")
    monkeypatch.setenv(ENV, str(model))
    monkeypatch.setitem(__import__("sys").modules, "onnxruntime", None)
    with pytest.raises(SessionError) as caught:
        listener_for(replace(DEFAULTS, engine="silero"), 8000)
    assert "onnxruntime" in str(caught.value) and "voiceops[silero]" in str(caught.value)


def test_the_model_is_taken_from_a_wheel_only_with_its_checksum(tmp_path: Path) -> None:
    wheel = tmp_path / "silero_vad-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("silero_vad/data/silero_vad.onnx", b"model bytes")
    import hashlib

    good = hashlib.sha256(b"model bytes").hexdigest()
    dest = extract(wheel, tmp_path / "cache" / "silero.onnx", sha256=good)
    assert dest.read_bytes() == b"model bytes"
    with pytest.raises(ModelMissing, match="SHA-256"):
        extract(wheel, tmp_path / "other.onnx", sha256="0" * 64)
    assert not (tmp_path / "other.onnx").exists()


def _model() -> Path:
    try:
        return find_model()
    except ModelMissing as exc:
        pytest.skip(str(exc))


def test_silero_shares_one_model_and_keeps_state_per_call() -> None:
    pytest.importorskip("onnxruntime")
    path = _model()
    first = silero_engine.SileroEngine(8000, 0.5, path)
    second = silero_engine.SileroEngine(16000, 0.5, path)
    assert first._session is second._session  # one InferenceSession per process
    assert (first.window, second.window) == (256, 512)
    first.probability(vowel(0.032, 8000))
    assert first._state.any() and not second._state.any()  # each call its own state


def _wheel(folder: Path, model: bytes) -> None:
    """A silero-vad wheel as pip sees one, holding `model` as its ONNX file."""
    info = f"silero_vad-{SILERO_VERSION}.dist-info"
    folder.mkdir()
    with zipfile.ZipFile(folder / f"silero_vad-{SILERO_VERSION}-py3-none-any.whl", "w") as w:
        w.writestr("silero_vad/data/silero_vad.onnx", model)
        w.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: silero-vad\n"
                                       f"Version: {SILERO_VERSION}\n")
        w.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: "
                                    "true\nTag: py3-none-any\n")
        w.writestr(f"{info}/RECORD", "")


@pytest.mark.slow
def test_fetch_downloads_the_wheel_alone_and_refuses_a_model_with_another_checksum(
        tmp_path: Path) -> None:
    _wheel(tmp_path / "index", b"not the published model")
    offline = ("--no-index", "--find-links", str(tmp_path / "index"))
    with pytest.raises(ModelMissing, match="SHA-256"):
        fetch(tmp_path / "cache" / "model.onnx", pip_args=offline)
    assert not (tmp_path / "cache" / "model.onnx").exists()
    empty = ("--no-index", "--find-links", str(tmp_path / "nothing"))
    with pytest.raises(ModelMissing, match="pip could not download"):
        fetch(tmp_path / "cache" / "model.onnx", pip_args=empty)
