"""The full-text index of a project's knowledge files: SQLite FTS5, in memory, no server.

Why FTS5 (measured in bench/knowledge.py against bm25s): it is in the standard library,
builds 10,000 chunks in well under a second and answers in about a millisecond, and its
BM25 ranks as well as bm25s's on the labelled English, Hindi and Hinglish set.

Devanagari needs care: FTS5's `unicode61` tokenizer splits words at every character that is
not a letter or digit, and Indic vowel signs, viramas and nasal marks are combining marks
(Mn/Mc), so it cut "प्लान" into "प" "ल" "न", and "पालन" into the same three pieces.
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

from voiceops.knowledge.types import Passage

#: Bumped whenever the tokenizer or table layout changes: older saved indexes are dropped.
FORMAT = 1
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


def normalize(text: str) -> str:
    """Text as indexed and queried: NFC, no zero-width characters."""
    return unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)


def query_terms(query: str) -> list[str]:
    """The distinct searchable words of `query`, in order, stopwords dropped."""
    seen: dict[str, None] = {}
    for word in _TOKEN.findall(normalize(query).casefold()):
        if word not in STOPWORDS and word != "_" and len(seen) < MAX_QUERY_TERMS:
            seen.setdefault(word)
    return list(seen)


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
        if base is not None:
            base.backup(self._db)  # a page copy: much faster than inserting every chunk again
        else:
            self._db.execute(f"PRAGMA user_version = {FORMAT}")
            self._db.execute("CREATE TABLE files (source TEXT PRIMARY KEY, digest TEXT)")
            self._db.execute("CREATE VIRTUAL TABLE chunks USING fts5(body, id UNINDEXED, "
                             "source UNINDEXED, line UNINDEXED, text UNINDEXED, "
                             f"context UNINDEXED, tokenize=\"{TOKENIZER}\")")

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
                "INSERT INTO chunks (body, id, source, line, text, context) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(normalize(f"{r.context}\n{r.text}"), r.id, r.source, r.line, r.text,
                  r.context) for r in added])
            self._db.execute("DELETE FROM files")
            self._db.executemany("INSERT INTO files VALUES (?, ?)", digests.items())
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
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        where = "" if sources is None else \
            f" AND source IN ({','.join('?' * len(sources))})"
        sql = (f"SELECT id, source, line, text, -bm25(chunks) FROM chunks WHERE chunks MATCH ?"
               f"{where} ORDER BY bm25(chunks) LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (match, *(sources or ()), limit)).fetchall()
        return [Passage(i, s, int(n), round(float(score), 4), t) for i, s, n, t, score in rows]

    def count(self) -> int:
        """How many chunks are indexed."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
