"""Where a voiceops project's folders are: configs/, prompts/, knowledge/, tools/, schemas/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIGS = "configs"
PROMPTS = "prompts"
KNOWLEDGE = "knowledge"  # documents profiles retrieve from (`rag.sources`)
TOOLS = "tools"  # shared tool declarations profiles name in `tools:`
SCHEMAS = "schemas"
LOCK = "voiceops.lock"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def configs(self) -> Path:
        return self.root / CONFIGS

    @property
    def prompts(self) -> Path:
        return self.root / PROMPTS

    @property
    def knowledge(self) -> Path:
        return self.root / KNOWLEDGE

    @property
    def tools(self) -> Path:
        return self.root / TOOLS

    @property
    def lock(self) -> Path:
        return self.root / LOCK


def find_project(start: Path | None = None) -> Project:
    """The nearest folder at or above `start` with configs/ or prompts/ (else `start` itself).

    A profile file in `configs/` finds its project through its folder, so
    `voiceops validate other/configs/x.yaml` uses `other/prompts/`.
    """
    here = (start or Path.cwd()).resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIGS).is_dir() or (folder / PROMPTS).is_dir():
            return Project(folder)
    return Project(here)
