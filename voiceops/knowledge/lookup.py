"""`voiceops knowledge PROFILE "query"` as a library call: the passages a turn would get."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from voiceops.config.loader import ProfileLoader, display_path
from voiceops.config.overlay import overlay_path
from voiceops.errors import ConfigError
from voiceops.knowledge.base import build_knowledge
from voiceops.knowledge.remote import retrieve_remote
from voiceops.knowledge.types import KnowledgeSettings, Passage
from voiceops.project import find_project


def lookup(ref: str, query: str, env: Mapping[str, str], *, top_k: int | None = None,
           overlay: str | None = None) -> list[Passage]:
    """The passages profile `ref` (a name in configs/ or a path) retrieves for `query`: from
    its sources, else from its HTTP retriever; at most `top_k` (default: the profile's) and
    the profile's max_chars of text. Raises ConfigError when the profile has no knowledge or
    a source is broken, UsageError when there is no such profile."""
    from voiceops.validation.render import find_profile

    path = find_profile(ref)
    project = find_project(path)
    loader = ProfileLoader(env, overlay=overlay_path(project.configs, overlay)
                           if overlay else None)
    profile, problems = loader.load(path)
    if profile is None:
        raise ConfigError(f"{ref} cannot be read", problems)
    settings = KnowledgeSettings.of(profile.data)
    wanted = top_k or settings.top_k
    if not settings.enabled or not (settings.sources or settings.retriever):
        raise ConfigError(f"{profile.name} has no knowledge: set rag.enabled: true and "
                          f"rag.sources (e.g. [knowledge/*.md]) in {display_path(path)}")
    if not settings.sources and settings.retriever is not None:
        return asyncio.run(retrieve_remote(settings.retriever, query, wanted, env,
                                           profile=profile.name)) or []
    knowledge, found = build_knowledge(project, {profile.name: profile.data})
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise ConfigError(f"{profile.name}: {len(errors)} broken knowledge source"
                          f"{'s' if len(errors) > 1 else ''}; `voiceops validate` lists them",
                          errors)
    return knowledge.search(settings.sources, query, wanted, settings.max_chars)
