"""Knowledge retrieval (`rag:`): a profile's Markdown and text files, chunked and indexed
with SQLite FTS5, searched for every caller turn; or an HTTP retriever.

The contract with the runtime is /work/notes/KNOWLEDGE_API.md: `build_knowledge` (off the
event loop), `KnowledgeBase.search` (fast, in the loop), `retrieve_remote`, `check_knowledge`.
"""

from voiceops.knowledge.base import KnowledgeBase, build_knowledge, default_cache_dir, fit
from voiceops.knowledge.remote import retrieve_remote
from voiceops.knowledge.types import KnowledgeSettings, Passage, RetrieverSettings

__all__ = ["KnowledgeBase", "KnowledgeSettings", "Passage", "RetrieverSettings",
           "build_knowledge", "default_cache_dir", "fit", "retrieve_remote"]
