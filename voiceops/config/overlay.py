"""Environment overlays: `configs/env/<name>.yaml`, laid over every profile for one
environment (staging, prod...), selected with `--env NAME` or `VOICEOPS_ENV`.

    version: 1
    all:                      # every profile
      session: {max_duration_s: 600}
      llm: {api_key: ${PROD_OPENAI_KEY}}
    profiles:                 # one profile, over `all`
      support_hi:
        llm: {model: gpt-5.4}

An overlay is merged after a profile's own file (maps merge, lists replace), so it wins;
its values keep their own file, line and column, so a bad value is reported where it is.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from voiceops.config.yamlread import Document, Key, Mark
from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import UsageError
from voiceops.suggest import did_you_mean

ENV_FOLDER = "env"
_TOP_KEYS = ("version", "all", "profiles", "description")
_NOT_HERE = ("extends", "abstract", "version")


def environments(configs: Path) -> list[str]:
    """The names of the environments `configs` defines (configs/env/*.yaml), sorted."""
    return sorted(p.stem for p in (configs / ENV_FOLDER).glob("*.yaml") if p.is_file())


def overlay_path(configs: Path, name: str) -> Path:
    """The overlay file of environment `name`; UsageError naming the ones there are."""
    path = configs / ENV_FOLDER / f"{name}.yaml"
    if path.is_file():
        return path
    known = environments(configs)
    hint = did_you_mean(name, known) or (f"environments: {', '.join(known)}" if known
                                         else f"create {path} to define it")
    raise UsageError(f"no environment '{name}' ({path} does not exist); {hint}")


def overlay_problems(doc: Document) -> list[Diagnostic]:
    """Keys an overlay may not have (checked once per overlay file)."""
    found = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for key in data:
        if key not in _TOP_KEYS:
            mark = doc.keys.get((key,), Mark(doc.path, 1, 1))
            found.append(make("VO201", mark.path, mark.line, mark.col,
                              f"unknown key '{key}' in an environment overlay",
                              did_you_mean(key, _TOP_KEYS) or "use all: or profiles:"))
    for prefix in _sections(data):
        section = _at(data, prefix)
        for key in (section if isinstance(section, dict) else {}):
            if key in _NOT_HERE:
                mark = doc.keys.get((*prefix, key), Mark(doc.path, 1, 1))
                found.append(make("VO201", mark.path, mark.line, mark.col,
                                  f"'{key}' cannot be set by an environment overlay"))
    return found


def unknown_profiles(doc: Document, names: Collection[str]) -> list[Diagnostic]:
    """`profiles:` entries of an overlay that name no profile among `names`."""
    profiles = doc.data.get("profiles") if isinstance(doc.data, dict) else None
    found = []
    for name in profiles if isinstance(profiles, dict) else {}:
        if name not in names:
            mark = doc.keys.get(("profiles", name), Mark(doc.path, 1, 1))
            found.append(make("VO201", mark.path, mark.line, mark.col,
                              f"unknown profile '{name}' under profiles:",
                              did_you_mean(str(name), sorted(names))
                              or f"profiles: {', '.join(sorted(names))}"))
    return found


def overlay_files(configs: Path) -> list[Path]:
    """The overlay files of `configs` (configs/env/*.yaml), sorted."""
    return [configs / ENV_FOLDER / f"{name}.yaml" for name in environments(configs)]


def overlay_views(doc: Document, profile: str) -> list[Document]:
    """The parts of an overlay that apply to `profile`, most specific first, each re-rooted
    so its paths are the profile's (`profiles.support_hi.llm.model` -> `llm.model`)."""
    views = []
    for prefix in (("profiles", profile), ("all",)):
        data = _at(doc.data, prefix)
        if isinstance(data, dict):
            clean = {k: v for k, v in data.items() if k not in _NOT_HERE}
            views.append(Document(doc.path, clean, _rerooted(doc.values, prefix),
                                  _rerooted(doc.keys, prefix)))
    return views


def _sections(data: dict[str, object]) -> list[Key]:
    prefixes: list[Key] = [("all",)]
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        prefixes += [("profiles", name) for name in profiles]
    return prefixes


def _at(data: object, prefix: Key) -> object:
    for step in prefix:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _rerooted(marks: dict[Key, Mark], prefix: Key) -> dict[Key, Mark]:
    size = len(prefix)
    return {key[size:]: mark for key, mark in marks.items() if key[:size] == prefix}
