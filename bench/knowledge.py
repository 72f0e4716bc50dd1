"""Benchmark: knowledge retrieval at 1,000 documents / 10,000 chunks, English, Hindi, Hinglish.

Prints, for the SQLite FTS5 index voiceops uses: build time (cold, from the on-disk cache,
after one file changed, with nothing changed), search p50/p99 and memory; the same index
with FTS5's default tokenizer (which cuts Devanagari words at their vowel signs); and, when
the `bm25s` package is importable, bm25s on the same chunks. Retrieval quality is measured on
the labelled questions of bench/knowledge_corpus.py (hit@1, hit@3, MRR), each with exactly one
right passage among the 10,000.

    python bench/knowledge.py [--documents 1000] [--chunks 10] [--queries 3000]
    PYTHONPATH=/path/with/bm25s python bench/knowledge.py   # to compare with bm25s
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from knowledge_corpus import LABELLED, QUESTIONS, distractors

from voiceops.knowledge import KnowledgeBase, build_knowledge
from voiceops.knowledge import index as index_module
from voiceops.knowledge.chunking import chunk_file
from voiceops.knowledge.index import words
from voiceops.project import Project

SOURCES = ("knowledge/**/*.md",)
PROFILES = {"bench": {"version": 1, "rag": {"enabled": True, "sources": list(SOURCES)}}}
Search = Callable[[str], list[str]]  # query -> the sources of the best passages, best first


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def write_project(root: Path, documents: int, chunks: int) -> Project:
    folder = root / "knowledge"
    (folder / "labelled").mkdir(parents=True)
    for number, paragraphs in enumerate(distractors(documents, chunks)):
        body = "\n\n".join(f"## Section {k}\n\n{p}" for k, p in enumerate(paragraphs, 1))
        (folder / f"doc_{number:04d}.md").write_text(f"# Document {number}\n\n{body}\n",
                                                      encoding="utf-8")
    for name, text in LABELLED:
        (folder / "labelled" / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    return Project(root)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def latencies(search: Search, queries: int) -> tuple[float, float]:
    asked = [q for _, q, _ in QUESTIONS]
    times = []
    for n in range(queries):
        start = time.perf_counter()
        search(asked[n % len(asked)])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def quality(search: Search) -> str:
    by_language: dict[str, list[float]] = {}
    for language, question, answer in QUESTIONS:
        found = [Path(s).stem for s in search(question)]
        rank = found.index(answer) + 1 if answer in found else 0
        by_language.setdefault(language, []).append(1 / rank if rank else 0.0)
    parts = []
    for language, ranks in by_language.items():
        hit1 = sum(r == 1 for r in ranks)
        hit3 = sum(r > 0 for r in ranks)
        parts.append(f"{language}: hit@1 {hit1}/{len(ranks)} hit@3 {hit3}/{len(ranks)} "
                     f"MRR {sum(ranks) / len(ranks):.2f}")
    return "; ".join(parts)


def fts5(kb: KnowledgeBase) -> Search:
    return lambda q: [p.source for p in kb.search(SOURCES, q, 3, 100_000)]


def bench_bm25s(kb: KnowledgeBase, project: Project, queries: int) -> None:
    """bm25s over the very chunks the index holds, tokenized by the same function."""
    try:
        import bm25s  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("bm25s: not installed (pip install bm25s into a scratch folder and put it on "
              "PYTHONPATH to compare)")
        return
    passages = [(source, chunk) for source in sorted(kb.files)
                for chunk in chunk_file(source, (project.root / source).read_text("utf-8"))]
    before = rss_mb()
    start = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([words(f"{c.context}\n{c.text}") for _, c in passages],
                    show_progress=False)
    built = (time.perf_counter() - start) * 1000

    def search(query: str) -> list[str]:
        docs, _ = retriever.retrieve([words(query) or ["_"]], k=3, show_progress=False)
        return [passages[int(i)][0] for i in docs[0]]

    p50, p99 = latencies(search, queries)
    print(f"bm25s {bm25s.__version__} (same chunks and words; no stemming, no sound keys): "
          f"build {built:.0f} ms, +{rss_mb() - before:.0f} MB; "
          f"search p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"  quality: {quality(search)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root, cache = Path(scratch) / "project", Path(scratch) / "cache"
        project = write_project(root, args.documents, args.chunks)
        before = rss_mb()
        start = time.perf_counter()
        kb, found = build_knowledge(project, PROFILES, cache_dir=cache)
        cold = (time.perf_counter() - start) * 1000
        assert not found, found
        grown = rss_mb() - before
        warm, _ = timed(lambda: build_knowledge(project, PROFILES, cache_dir=cache))
        same, _ = timed(lambda: build_knowledge(project, PROFILES, kb, cache_dir=cache))
        changed = root / "knowledge" / "doc_0007.md"
        changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n",
                           encoding="utf-8")
        one, _ = timed(lambda: build_knowledge(project, PROFILES, kb, cache_dir=cache))
        print(f"corpus: {len(kb.files)} files, {len(kb)} chunks")
        print(f"FTS5 build: cold {cold:.0f} ms (+{grown:.0f} MB RSS), from the disk cache "
              f"{warm:.0f} ms, one file changed {one:.0f} ms, nothing changed {same:.0f} ms")
        p50, p99 = latencies(fts5(kb), args.queries)
        print(f"FTS5 search (top 3, {args.queries} queries): p50 {p50:.2f} ms, "
              f"p99 {p99:.2f} ms")
        print(f"  quality: {quality(fts5(kb))}")
        default = index_module.TOKENIZER
        index_module.TOKENIZER = "porter unicode61 remove_diacritics 2"
        try:
            plain, _ = build_knowledge(project, PROFILES, cache_dir=Path(scratch) / "plain")
        finally:
            index_module.TOKENIZER = default
        print(f"FTS5 with the default unicode61 tokenizer: quality: {quality(fts5(plain))}")
        bench_bm25s(kb, project, args.queries)


if __name__ == "__main__":
    main()
