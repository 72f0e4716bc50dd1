"""Where the Silero VAD model comes from.

The model (`silero_vad.onnx`, MIT licence, 2.3 MB) ships inside the `silero-vad` wheel on
PyPI, which depends on torch. voiceops never installs that wheel: `fetch()` downloads it
alone (`pip download --no-deps`), takes the one ONNX file out, checks its SHA-256 and keeps it
in the user cache. A machine without internet access gets the file some other way and
names it in `VOICEOPS_SILERO_MODEL`.

    python -m voiceops.runtime.vad.model      # fetch it unless cached (prints where it is)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from voiceops.errors import VoiceOpsError

__all__ = ["ENV", "FETCH_HINT", "SILERO_SHA256", "SILERO_VERSION", "ModelMissing",
           "cached_path", "ensure", "extract", "fetch", "find_model"]

#: The wheel the model is taken from, and the model's own checksum.
SILERO_VERSION = "6.2.3"
SILERO_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
_MEMBER = "silero_vad/data/silero_vad.onnx"
#: A model file the user provides (takes precedence over the cache).
ENV = "VOICEOPS_SILERO_MODEL"
FETCH_HINT = (f"fetch it once with `python -m voiceops.runtime.vad.model` (downloads the "
              f"silero-vad {SILERO_VERSION} wheel, no torch) or set {ENV} to the file")


class ModelMissing(VoiceOpsError):
    """Raised when the Silero model is not where it is looked for, or cannot be fetched."""


def cached_path() -> Path:
    """Where `fetch()` keeps the model."""
    return (Path(platformdirs.user_cache_dir("voiceops")) / "models"
            / f"silero_vad-{SILERO_VERSION}.onnx")


def find_model(env: Mapping[str, str] | None = None) -> Path:
    """The model file to load: `VOICEOPS_SILERO_MODEL` when set, else the cached copy.

    Raises ModelMissing (one line, saying what to do) when that file does not exist.
    """
    env = os.environ if env is None else env
    named = env.get(ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ModelMissing(f"{ENV}={named} is not a file; point it at silero_vad.onnx")
        return path
    path = cached_path()
    if not path.is_file():
        raise ModelMissing(f"the Silero VAD model is not in {path.parent}; {FETCH_HINT}")
    return path


def extract(wheel: Path, dest: Path, sha256: str = SILERO_SHA256) -> Path:
    """Take the ONNX model out of a silero-vad wheel into `dest`, if its checksum is
    `sha256` (a file at `dest` appears whole or not at all)."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            data = archive.read(_MEMBER)
        except KeyError as exc:
            raise ModelMissing(f"{wheel.name} holds no {_MEMBER}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelMissing(f"{_MEMBER} in {wheel.name} has SHA-256 {digest}, "
                           f"expected {sha256}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(".part")
    part.write_bytes(data)
    part.replace(dest)
    return dest


def fetch(dest: Path | None = None, *, pip_args: tuple[str, ...] = ()) -> Path:
    """Download the silero-vad wheel without its dependencies and keep its model at `dest`
    (the user cache by default). `pip_args` go to `pip download` (an index, --find-links)."""
    dest = dest or cached_path()
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--only-binary=:all:", "-d", folder, f"silero-vad=={SILERO_VERSION}",
                   *pip_args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(Path(folder).glob("silero_vad-*.whl"))
        if done.returncode != 0 or not wheels:
            last = (done.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise ModelMissing(f"pip could not download silero-vad=={SILERO_VERSION}: {last}")
        return extract(wheels[0], dest)


def ensure() -> Path:
    """The cached model, fetched first unless a good copy is already there."""
    path = cached_path()
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == SILERO_SHA256:
        return path
    return fetch(path)


if __name__ == "__main__":  # the one command line this module has: fetch, say where
    try:
        print(ensure())
    except ModelMissing as exc:
        sys.exit(f"error: {exc}")
