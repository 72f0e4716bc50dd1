"""What knowledge retrieval works with: passages found, and a profile's `rag:` settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voiceops.config.settings import schema_default

#: Defaults: the profile schema's own, for the `rag` block.
DEFAULT_TOP_K: int = schema_default("rag", "top_k")
DEFAULT_MAX_CHARS: int = schema_default("rag", "max_chars")
DEFAULT_TIMEOUT_S: float = schema_default("rag", "retriever", "timeout_s")


@dataclass(frozen=True)
class Passage:
    """One chunk of a knowledge file, as retrieved for a query."""

    id: str  # stable: "<source>#<heading slug or ordinal>-<short content hash>"
    source: str  # path relative to the project root, e.g. "knowledge/plans.md"
    line: int  # 1-based first line of the chunk in the source
    score: float  # higher is better
    text: str


@dataclass(frozen=True)
class RetrieverSettings:
    """`rag.retriever`: an HTTP retriever (a team's vector database behind a small service)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class KnowledgeSettings:
    """A profile's `rag:` block, defaults filled in."""

    enabled: bool = False
    sources: tuple[str, ...] = ()
    top_k: int = DEFAULT_TOP_K
    max_chars: int = DEFAULT_MAX_CHARS
    retriever: RetrieverSettings | None = None

    @property
    def searched(self) -> tuple[str, ...]:
        """The source globs a turn searches: none while rag is off."""
        return self.sources if self.enabled else ()

    @classmethod
    def of(cls, profile: Mapping[str, Any]) -> KnowledgeSettings:
        """The settings of an effective (loaded, schema-valid) profile's data."""
        rag = profile.get("rag")
        if not isinstance(rag, Mapping):
            return cls()
        remote = rag.get("retriever")
        retriever = None
        if isinstance(remote, Mapping) and isinstance(remote.get("url"), str):
            retriever = RetrieverSettings(
                remote["url"], {str(k): str(v) for k, v in (remote.get("headers") or {}).items()},
                float(remote.get("timeout_s", DEFAULT_TIMEOUT_S)))
        return cls(bool(rag.get("enabled", schema_default("rag", "enabled"))),
                   tuple(str(s) for s in rag.get("sources") or ()),
                   int(rag.get("top_k", DEFAULT_TOP_K)),
                   int(rag.get("max_chars", DEFAULT_MAX_CHARS)), retriever)
