"""The full-text index of a project's knowledge files: SQLite FTS5, in memory, no server.

Why FTS5 rather than bm25s (bench/knowledge.py, 10,000 chunks of English, Hindi and
Hinglish on a 2-core machine): with the same chunks and words, the same retrieval quality on
the labelled questions (the same misses); search p50 0.07 ms / p99 1.2 ms against bm25s's
1.1 / 1.6 ms; half the memory (+15 MB against +30 MB); incremental updates (bm25s indexes
everything again); an index that saves to and loads from one file; and nothing to install
(bm25s needs numpy and scipy). Sound keys (`phonetic`) then let Latin-script Hindi find
Devanagari passages, which no engine's tokenizer does.

Devanagari needs care: FTS5's `unicode61` tokenizer splits words at every character that is
not a letter or digit, and Indic vowel signs, viramas and nasal marks are combining marks
(Mn/Mc), so it cut "प्लान" into "प" "ल" "न" and "कीमत" (price) into "क" "मत", which is
also what it made of "का मत" (a passage saying "don't"); a lone "क" matched every की, का, के.
Declaring every combining mark of the Indic blocks a token character keeps such words whole.
Text and queries are also put in NFC and lose zero-width joiners, so one word typed two ways
(precomposed nukta letters, ZWJ conjuncts) is one term. `porter` stems English words.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceops.knowledge.phonetic import sound_keys
from voiceops.knowledge.types import Passage

#: Bumped whenever the tokenizer or table layout changes: older saved indexes are dropped.
FORMAT = 3
_INDIC_MARKS = "".join(chr(c) for c in range(0x0900, 0x0E00)
                       if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me"))
TOKENIZER = f"porter unicode61 remove_diacritics 2 tokenchars '{_INDIC_MARKS}'"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
# What the tokenizer keeps as one token: letters, digits and the Indic marks.
_TOKEN = re.compile(rf"[\w{_INDIC_MARKS}]+")
#: Words that say nothing about which passage answers (English, Hindi, Hinglish): dropped
#: from queries, where matching them in thousands of chunks costs time and ranks nothing.
_STOPWORD_TEXT = """
a an and are as at be but by can could do does for from had has have how i if in is it its
me my of on or our please so that the their them there these this to us was we what when
where which who why will with would you your hello hi ok okay yes no tell about want know
है हैं था थी थे की का के को में से पर और या भी तो ही यह वह ये वो क्या कैसे कब कौन
मैं मुझे मेरा मेरी हम आप आपका आपकी कृपया बताइए बताओ बताएं नमस्ते जी हाँ नहीं कि एक
hai hain tha thi the ki ka ke ko mein me se par aur ya bhi to hi yeh ye woh wo kya kaise kab
kaun main mujhe mera meri hum aap aapka aapki kripya batao bataiye namaste ji haan nahi
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
#: The most query terms used: a transcript with the last exchange can be long, and each term
#: is a posting-list walk.
MAX_QUERY_TERMS = 24
#: bm25 weights of the columns: words, then (id, source, line, text, context: not searched),
#: then sound keys (Latin-script Hindi meeting Devanagari), which are rougher.
_WEIGHTS = "1.0, 0, 0, 0, 0, 0, 0.4"
Term = tuple[str, str]  # (column, word)
#: The most chunks a query's terms may match together before its commonest terms are skipped.
ROW_BUDGET = 1500


def _affordable(terms: list[Term], frequency: Mapping[Term, int]) -> list[Term]:
    """The rarest terms whose chunks add up to at most ROW_BUDGET (always the rarest one that
    matches anything; terms in no chunk are dropped).

    Ranking visits every chunk any term matches (about a microsecond each), and a word in
    most chunks (the company's name, "plan") has almost no weight in BM25 anyway: skipping
    the commonest words keeps a search near a millisecond at 10,000 chunks."""
    kept: list[Term] = []
    rows = 0
    for term in sorted((t for t in terms if frequency.get(t)), key=lambda t: frequency[t]):
        rows += frequency[term]
        if kept and rows > ROW_BUDGET:
            break
        kept.append(term)
    return kept


def normalize(text: str) -> str:
    """Text as indexed and queried: NFC, no zero-width characters."""
    return unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)


def words(text: str) -> list[str]:
    """The searchable words of `text`, in order, casefolded, stopwords dropped."""
    return [w for w in _TOKEN.findall(normalize(text).casefold())
            if w not in STOPWORDS and w != "_"]


def query_terms(query: str) -> list[str]:
    """The distinct searchable words of `query`, in order, at most MAX_QUERY_TERMS."""
    return list(dict.fromkeys(words(query)))[:MAX_QUERY_TERMS]


@dataclass(frozen=True)
class Row:
    """One chunk as stored: its id, file, first line, text and the headings above it."""

    id: str
    source: str
    line: int
    text: str
    context: str = ""


class Index:
    """An FTS5 table of chunks in a private in-memory database; read-only once built."""

    def __init__(self, base: sqlite3.Connection | None = None) -> None:
        # one connection, used from the reload thread while building and then from any
        # thread for searching (serialised by the lock: a query takes about a millisecond)
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._stems: dict[str, tuple[str, ...]] = {}  # query word -> its tokens as indexed
        if base is not None:
            base.backup(self._db)  # a page copy: much faster than inserting every chunk again
        else:
            self._db.execute(f"PRAGMA user_version = {FORMAT}")
            self._db.execute("CREATE TABLE files (source TEXT PRIMARY KEY, digest TEXT)")
            # how many chunks hold each (stemmed) term: lets a query skip its commonest words
            self._db.execute("CREATE TABLE terms (term TEXT PRIMARY KEY, df INTEGER) "
                             "WITHOUT ROWID")
            self._db.execute("CREATE VIRTUAL TABLE chunks USING fts5(body, id UNINDEXED, "
                             "source UNINDEXED, line UNINDEXED, text UNINDEXED, "
                             f"context UNINDEXED, sound, tokenize=\"{TOKENIZER}\")")
        # per connection, never saved: the index's vocabulary, and a table to stem words with
        self._db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, chunks, row)")
        self._db.execute("CREATE VIRTUAL TABLE temp.stems USING "
                         f"fts5(x, tokenize=\"{TOKENIZER}\")")
        self._db.execute("CREATE VIRTUAL TABLE temp.stem_terms USING "
                         "fts5vocab(temp, stems, instance)")

    def copy(self) -> Index:
        """A new index with this one's chunks, to change while this one stays in use."""
        with self._lock:
            return Index(self._db)

    @classmethod
    def load(cls, path: Path) -> Index | None:
        """The index saved at `path`, or None when there is none or it is unusable."""
        try:
            disk = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error:
            return None
        try:
            if disk.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
                return None
            index = cls(disk)
            index.digests()  # a truncated or foreign file fails here
            return index
        except sqlite3.Error:
            return None
        finally:
            disk.close()

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically: readers see the old file or the new one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
        os.close(fd)
        try:
            disk = sqlite3.connect(temporary)
            try:
                with self._lock:
                    self._db.backup(disk)
            finally:
                disk.close()
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def replace(self, digests: Mapping[str, str], removed: Iterable[str],
                added: Iterable[Row]) -> None:
        """Drop every chunk of the files `removed`, add `added`, record each file's digest
        (`digests`: every file the index holds afterwards). While building only."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM chunks WHERE source = ?", [(s,) for s in removed])
            self._db.executemany(
                "INSERT INTO chunks (body, id, source, line, text, context, sound) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(normalize(f"{r.context}\n{r.text}"), r.id, r.source, r.line, r.text,
                  r.context, " ".join(sound_keys(words(f"{r.context}\n{r.text}"))))
                 for r in added])
            self._db.execute("DELETE FROM files")
            self._db.executemany("INSERT INTO files VALUES (?, ?)", digests.items())
            self._db.execute("DELETE FROM terms")  # one pass over the index's vocabulary
            self._db.execute("INSERT INTO terms SELECT term, doc FROM temp.vocab")
            self._db.execute("COMMIT")

    def digests(self) -> dict[str, str]:
        """The digest of each file indexed, by project-relative path."""
        with self._lock:
            return dict(self._db.execute("SELECT source, digest FROM files").fetchall())

    def rows(self, source: str) -> list[Row]:
        """The chunks of one file, in order."""
        with self._lock:
            found = self._db.execute("SELECT id, source, line, text, context FROM chunks "
                                     "WHERE source = ? ORDER BY rowid", (source,)).fetchall()
        return [Row(i, s, int(n), t, c) for i, s, n, t, c in found]

    def search(self, query: str, limit: int, sources: Sequence[str] | None) -> list[Passage]:
        """The best `limit` chunks for `query`, from the files `sources` (None: every file)."""
        terms = query_terms(query)
        if not terms or limit < 1 or sources == ():
            return []
        asked = [("body", t) for t in terms] + [
            ("sound", k) for k in dict.fromkeys(sound_keys(terms))]
        with self._lock:
            frequency = {term: self._frequency(term[1]) for term in asked}
        kept = _affordable(asked, frequency)
        if not kept:
            return []
        match = " OR ".join(f'{column} : "{word}"' for column, word in kept)
        where = "" if sources is None else \
            f" AND source IN ({','.join('?' * len(sources))})"
        # rank on rowid and score alone, then read the few winners' columns: sorting whole
        # rows would read every matching chunk's text (a common word matches thousands)
        sql = (f"SELECT id, source, line, text, -best.score FROM (SELECT rowid AS row, "
               f"bm25(chunks, {_WEIGHTS}) AS score FROM chunks WHERE chunks MATCH ?{where} "
               f"ORDER BY score LIMIT ?) AS best JOIN chunks ON chunks.rowid = best.row "
               f"ORDER BY best.score")
        with self._lock:
            rows = self._db.execute(sql, (match, *(sources or ()), limit)).fetchall()
        return [Passage(i, s, int(n), round(float(score), 4), t) for i, s, n, t, score in rows]

    def _frequency(self, term: str) -> int:
        """How many chunks hold `term` as the tokenizer stems it ("costs": those with "cost",
        "costing"...); the stems are learnt from a scratch table and remembered."""
        stems = self._stems.get(term)
        if stems is None:
            self._db.execute("INSERT INTO temp.stems (x) VALUES (?)", (term,))
            stems = tuple(t for (t,) in self._db.execute("SELECT term FROM temp.stem_terms"))
            self._db.execute("DELETE FROM temp.stems")
            if len(self._stems) > 50_000:
                self._stems.clear()
            self._stems[term] = stems
        found = [row[0] for stem in stems for row in self._db.execute(
            "SELECT df FROM terms WHERE term = ?", (stem,))]
        return min(found) if len(found) == len(stems) and found else 0

    def count(self) -> int:
        """How many chunks are indexed."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
