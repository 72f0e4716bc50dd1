"""`voiceops init`: write a starter project from the files shipped in the package."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from voiceops.project import CONFIGS, KNOWLEDGE, PROMPTS, SCHEMAS, TOOLS


def starter_files() -> dict[str, bytes]:
    """Project-relative path -> content of every file `init` writes."""
    package = resources.files("voiceops.resources")
    starter = package.joinpath("starter")
    files: dict[str, bytes] = {}
    for folder in (CONFIGS, PROMPTS, KNOWLEDGE, TOOLS):
        for entry in _walk(starter.joinpath(folder)):
            files[f"{folder}/{entry[0]}"] = entry[1].read_bytes()
    for name in ("profile.schema.json", "tools.schema.json"):  # profiles; tools/*.yaml
        files[f"{SCHEMAS}/{name}"] = package.joinpath("schemas", name).read_bytes()
    workflow = starter.joinpath("voiceops-workflow.yml")
    files[".github/workflows/voiceops.yml"] = workflow.read_bytes()
    return files


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            found.extend(_walk(item, f"{prefix}{item.name}/"))
        elif not item.name.startswith((".", "__")):
            found.append((f"{prefix}{item.name}", item))
    return found


def scaffold(directory: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write the starter into `directory`; returns (written, kept because they existed)."""
    written: list[Path] = []
    kept: list[Path] = []
    for relative, content in starter_files().items():
        target = directory / relative
        if target.exists() and not force:
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written, kept
