"""Passage vectors of the indexed documents, and the documents nearest to a query.

Beside each keyword index, in ``semantic.sqlite``: one row per passage of a
document record (:func:`~practicegraph.search.embedding.passages`), its text
(the snippet of a hit found by meaning), its vector (float16, 768 bytes) and
the document's content hash. A document is as near to
a query as its nearest passage. SQLite because every write is one transaction
(a crash or a full disk leaves the previous state) and any number of processes
may read while one writes; the vectors are held in memory per process and
reloaded when another write has bumped ``meta.version``.

The keyword engines write here first and to their own index last (see
``indexed_hashes`` there): a document whose vectors are missing or out of date
reports no content hash, so the service's index repair writes it again.

Scale: the vectors of the embedded default's documents fit in memory (a
document of 600 words has about 10 passages, 8 KB of vectors), and a query is
compared with every passage. At ~100k documents that product would take about
a second: such a deployment needs a vector search engine in this class's place
(not built; the engines construct this class).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from practicegraph.errors import StorageFullError, StoreError, mentions_disk_full
from practicegraph.search.embedding import DIMENSIONS, SentenceEncoder, passages, shared_encoder
from practicegraph.search.query import Neighbour
from practicegraph.search.records import IndexRecord

FILE_NAME = "semantic.sqlite"
#: Nearest documents a query brings in, at most, and the cosine they must reach:
#: chosen on the tuning queries (tools/search_eval.py), never on the test set.
NEIGHBOURS = 40
MIN_COSINE = 0.45
#: Query vectors kept (1.5 KB each).
QUERY_CACHE = 1024

#: Bumped when the tables change: a file of another version is started afresh (its
#: documents then report no hash, and the service's index repair embeds them again).
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    source TEXT NOT NULL, dataset TEXT NOT NULL, doc_iri TEXT NOT NULL,
    content_hash TEXT NOT NULL, passage TEXT NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS passages_source ON passages (source);
CREATE INDEX IF NOT EXISTS passages_dataset ON passages (dataset);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('version', 0);
"""
_DROP = "DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS meta;"


#: The statements that drop a source's or a dataset's passages (no SQL built from input).
_DELETE_BY = {
    "source": "DELETE FROM passages WHERE source = ?",
    "dataset": "DELETE FROM passages WHERE dataset = ?",
}


class SemanticIndex:
    """Document passages as vectors; writes in one transaction, reads from memory."""

    def __init__(
        self,
        folder: Path,
        encoder: SentenceEncoder | None = None,
        on_full: Callable[[], None] | None = None,
    ) -> None:
        self.path = folder / FILE_NAME
        self._encoder = encoder
        #: Told when a write is refused for lack of space (the engine marks itself
        #: stale, so the service writes the documents again once there is room).
        self._on_full = on_full
        self._lock = threading.Lock()
        self._query_vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        #: What searches read, replaced whole (never changed in place) by a reload.
        self._snapshot = _Snapshot(
            -1,
            np.zeros((0, DIMENSIONS), np.float32),
            [],
            np.zeros(0, np.intp),
            np.zeros(0, np.int64),
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                (version,) = db.execute("PRAGMA user_version").fetchone()
                if version != SCHEMA_VERSION:
                    db.executescript(_DROP)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the semantic index at {self.path}: {exc}") from exc

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection per call, closed after it (threads and processes share the
        file, not objects). SQLite's default rollback journal, not WAL: a reader
        then creates no file, so searches go on when the disk is full."""
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    # -- writes ------------------------------------------------------------------
    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace the passages of each given source (what it has no records for goes)."""
        self._write("source", list(records), records)

    def delete(self, sources: Iterable[str]) -> None:
        self._write("source", list(sources), {})

    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None:
        self._write("dataset", [dataset], records)

    def clear(self) -> None:
        self._write(None, [], {})

    def _write(
        self, column: str | None, keys: list[str], records: Mapping[str, list[IndexRecord]]
    ) -> None:
        """Embed first (no transaction open while the model runs), then delete and
        insert in one transaction that bumps the version readers reload on."""
        documents = [r for items in records.values() for r in items if r.kind == "document"]
        texts: list[str] = []
        owners: list[IndexRecord] = []
        for record in documents:
            for passage in passages(record.title, record.body):
                texts.append(passage)
                owners.append(record)
        vectors = self.encoder.encode(texts).astype(np.float16) if texts else None
        rows = [
            (r.source, r.dataset, r.doc_iri, r.content_hash, texts[i], vectors[i].tobytes())
            for i, r in enumerate(owners)
            if vectors is not None
        ]
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    if column is None:
                        db.execute("DELETE FROM passages")
                    else:
                        db.executemany(_DELETE_BY[column], [(k,) for k in keys])
                    db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?)", rows)
                    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:  # SQLite may have rolled back already (a full disk)
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            if mentions_disk_full(exc) or exc.sqlite_errorcode == sqlite3.SQLITE_FULL:
                if self._on_full is not None:
                    self._on_full()
                raise StorageFullError(
                    "the semantic index was not updated and keeps its previous state"
                ) from exc
            raise StoreError(f"cannot write the semantic index {self.path}: {exc}") from exc

    # -- reads -------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """source -> content hash of the documents that have vectors."""
        with self._connect() as db:
            return dict(db.execute("SELECT DISTINCT source, content_hash FROM passages"))

    def neighbours(self, text: str, limit: int = NEIGHBOURS) -> list[Neighbour]:
        """The documents nearest to ``text``, nearest first: at most ``limit``, those
        reaching ``MIN_COSINE``, each with its nearest passage (a snippet that shows
        why it was found)."""
        snapshot = self._current()
        if not text.strip() or not snapshot.iris:
            return []
        query = self._query_vector(text)
        similarity = snapshot.vectors @ query
        best = np.maximum.reduceat(similarity, snapshot.starts)
        order = [i for i in np.argsort(-best, kind="stable")[:limit] if best[i] >= MIN_COSINE]
        ends = [*snapshot.starts[1:], len(snapshot.iris)]
        rows = {
            int(i): int(snapshot.rowids[start + int(np.argmax(similarity[start:end]))])
            for i in order
            for start, end in [(int(snapshot.starts[i]), int(ends[i]))]
        }
        texts = self._passages(list(rows.values()))
        return [
            Neighbour(
                snapshot.iris[snapshot.starts[i]],
                round(float(best[i]), 4),
                texts.get(rows[int(i)], ""),
            )
            for i in order
        ]

    def _query_vector(self, text: str) -> npt.NDArray[np.float32]:
        """The query's vector, kept for the last QUERY_CACHE queries: paging and
        facet clicks ask the same query again, and encoding it is most of the cost."""
        vector = self._query_vectors.get(text)
        if vector is None:
            vector = self.encoder.encode([text])[0]
            with self._lock:
                self._query_vectors[text] = vector
                while len(self._query_vectors) > QUERY_CACHE:
                    self._query_vectors.popitem(last=False)
        return vector

    def _passages(self, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        with self._connect() as db:
            return dict(
                db.execute(f"SELECT rowid, passage FROM passages WHERE rowid IN ({marks})", rowids)  # noqa: S608 -- placeholders only
            )

    def _current(self) -> _Snapshot:
        """The vectors as last committed, by this process or another: reloaded when
        ``meta.version`` has moved since they were read."""
        try:
            with self._connect() as db:
                (version,) = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                if version == self._snapshot.version:
                    return self._snapshot
                with self._lock:
                    if version != self._snapshot.version:
                        self._snapshot = _load(db, version)
                    return self._snapshot
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the semantic index {self.path}: {exc}") from exc


class _Snapshot(NamedTuple):
    version: int
    vectors: npt.NDArray[np.float32]  # one row per passage, grouped by document
    iris: list[str]  # the document IRI of each row
    starts: npt.NDArray[np.intp]  # the first row of each document
    rowids: npt.NDArray[np.int64]  # the table's rowid of each row (to read its passage)


def _load(db: sqlite3.Connection, version: int) -> _Snapshot:
    rows = db.execute(
        "SELECT doc_iri, rowid, vector FROM passages ORDER BY doc_iri, rowid"
    ).fetchall()
    iris = [iri for iri, _r, _v in rows]
    blob = b"".join(v for _i, _r, v in rows)
    vectors = np.frombuffer(blob, dtype=np.float16).reshape(-1, DIMENSIONS).astype(np.float32)
    starts = [i for i in range(len(iris)) if i == 0 or iris[i] != iris[i - 1]]
    rowids = np.asarray([r for _i, r, _v in rows], dtype=np.int64)
    return _Snapshot(version, vectors, iris, np.asarray(starts, dtype=np.intp), rowids)
