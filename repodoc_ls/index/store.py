"""The on-disk index: SQLite, one row per file, rebuilt rather than trusted when in doubt.

Files are keyed by path with their size, mtime and content hash, so a warm start only
stats the tree; facts are stored as one `FileFacts.to_bytes` blob per file. Symbols are
also stored in rows with an FTS5 trigram table over them, for fuzzy keyword search
without loading every file. The store is a cache: an old schema, a corrupt file or a
store locked by another process gives a warning and a fresh (or in-memory) store, never
a crash.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from repodoc_ls.index.model import FACTS_VERSION, FileFacts

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
STORE_NAME = "index.sqlite3"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    facts BLOB NOT NULL
);
CREATE TABLE symbols (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    qualname TEXT NOT NULL,
    kind TEXT NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL
);
CREATE INDEX symbols_path ON symbols(path);
CREATE INDEX symbols_name ON symbols(name);
CREATE VIRTUAL TABLE symbols_fts USING fts5(
    qualname, content='symbols', content_rowid='id', tokenize='trigram'
);
CREATE TABLE edges (src TEXT NOT NULL, dst TEXT NOT NULL, PRIMARY KEY (src, dst)) WITHOUT ROWID;
CREATE INDEX edges_dst ON edges(dst);
"""


@dataclass(frozen=True, slots=True)
class StoredFile:
    size: int
    mtime_ns: int
    hash: str


@dataclass(frozen=True, slots=True)
class SymbolRow:
    path: str
    name: str
    qualname: str
    kind: str
    line: int
    col: int


class Store:
    """Thread-safe wrapper around one SQLite connection (the server calls it from workers)."""

    def __init__(self, cache_dir: Path | None):
        self.warnings: list[str] = []
        self._lock = threading.RLock()
        self.path = cache_dir / STORE_NAME if cache_dir is not None else None
        self._conn = self._open()
        self._ensure_derived_tables(self._conn)

    # -- opening -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._fresh(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _ignore_file = self.path.parent / ".gitignore"
            if not _ignore_file.exists():
                _ignore_file.write_text("# repodoc's index cache\n*\n", encoding="utf-8")
        except OSError as exc:
            return self._fallback(f"cannot create the index folder {self.path.parent}: {exc}")
        if not self.path.exists():
            try:
                return self._fresh(str(self.path))
            except sqlite3.Error as exc:
                return self._fallback(f"cannot create the index store {self.path}: {exc}")
        try:
            conn = self._connect(str(self.path))
            if self._compatible(conn):
                return conn
            conn.close()
            self.warnings.append(f"index store {self.path} is from another version: rebuilding it")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return self._fallback(f"index store {self.path} is locked by another process: using a private in-memory index")
            self.warnings.append(f"index store {self.path} is unreadable ({exc}): rebuilding it")
        except sqlite3.DatabaseError as exc:
            self.warnings.append(f"index store {self.path} is corrupt ({exc}): rebuilding it")
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            except OSError as exc:
                return self._fallback(f"cannot remove the old index store {self.path}: {exc}")
        try:
            return self._fresh(str(self.path))
        except sqlite3.Error as exc:
            return self._fallback(f"cannot create the index store {self.path}: {exc}")

    def _fallback(self, reason: str) -> sqlite3.Connection:
        self.warnings.append(reason)
        self.path = None
        return self._fresh(":memory:")

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=2.0, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # A cache: losing the last transaction on power loss costs a re-extract, nothing more.
        conn.execute("PRAGMA synchronous=OFF")
        return conn

    @staticmethod
    def _compatible(conn: sqlite3.Connection) -> bool:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            return False
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("schema") != str(SCHEMA_VERSION) or meta.get("facts") != str(FACTS_VERSION):
            return False
        conn.execute("SELECT count(*) FROM files").fetchone()  # raises on a corrupt file
        return True

    @staticmethod
    def _ensure_derived_tables(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS refs (path TEXT PRIMARY KEY, record BLOB NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS symbols_qualname ON symbols(qualname)")

    def _fresh(self, target: str) -> sqlite3.Connection:
        conn = self._connect(target)
        conn.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("schema", str(SCHEMA_VERSION)), ("facts", str(FACTS_VERSION))])
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- reading -------------------------------------------------------------

    def file_table(self) -> dict[str, StoredFile]:
        with self._lock:
            rows = self._conn.execute("SELECT path, size, mtime_ns, hash FROM files").fetchall()
        return {p: StoredFile(s, m, h) for p, s, m, h in rows}

    def load_facts(self, paths: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
        with self._lock:
            if paths is None:
                rows = self._conn.execute("SELECT path, facts FROM files").fetchall()
            else:
                wanted = list(paths)
                rows = []
                for i in range(0, len(wanted), 500):
                    chunk = wanted[i:i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows += self._conn.execute(
                        f"SELECT path, facts FROM files WHERE path IN ({marks})", chunk).fetchall()
        yield from rows

    def search_symbols(self, text: str, limit: int) -> list[SymbolRow]:
        """Symbols whose qualified name contains `text` (case-insensitive)."""
        with self._lock:
            if len(text) >= 3:
                quoted = '"' + text.replace('"', '""') + '"'
                rows = self._conn.execute(
                    "SELECT s.path, s.name, s.qualname, s.kind, s.line, s.col FROM symbols_fts f"
                    " JOIN symbols s ON s.id = f.rowid WHERE symbols_fts MATCH ? LIMIT ?",
                    (quoted, limit)).fetchall()
            else:
                escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                rows = self._conn.execute(
                    "SELECT path, name, qualname, kind, line, col FROM symbols"
                    " WHERE qualname LIKE ? ESCAPE '\\' LIMIT ?", (f"%{escaped}%", limit)).fetchall()
        return [SymbolRow(*r) for r in rows]

    def definers(self, qualnames: Iterable[str]) -> dict[str, list[str]]:
        """qualname -> the files defining a symbol of exactly that qualified name (sorted)."""
        wanted = sorted(set(qualnames))
        found: dict[str, set[str]] = {}
        with self._lock:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for path, qualname in self._conn.execute(
                        f"SELECT path, qualname FROM symbols WHERE qualname IN ({marks})", chunk):
                    found.setdefault(qualname, set()).add(path)
        return {q: sorted(paths) for q, paths in found.items()}

    def reference_records(self, signature: str) -> dict[str, bytes] | None:
        """The per-file reference records saved under `signature` (see `Graph`), or None
        when there are none or they were saved for another module map."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'refs'").fetchone()
            if row is None or row[0] != signature:
                return None
            return dict(self._conn.execute("SELECT path, record FROM refs"))

    def write_reference_records(self, signature: str, records: dict[str, bytes], full: bool) -> None:
        """Save per-file reference records (all of them when `full`, else an update)."""
        with self._lock, _transaction(self._conn) as conn:
            if full:
                conn.execute("DELETE FROM refs")
            conn.executemany("INSERT OR REPLACE INTO refs VALUES (?, ?)", sorted(records.items()))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('refs', ?)", (signature,))

    def edges(self) -> list[tuple[str, str]]:
        with self._lock:
            return self._conn.execute("SELECT src, dst FROM edges ORDER BY src, dst").fetchall()

    # -- writing -------------------------------------------------------------

    def write_files(self, entries: Iterable[tuple[str, int, int, str, bytes, FileFacts]]) -> None:
        """Store (path, size, mtime_ns, hash, blob, facts) rows, replacing older ones."""
        entries = list(entries)
        with self._lock, _transaction(self._conn) as conn:
            if len(entries) >= _BULK_ROWS and conn.execute("SELECT 1 FROM symbols LIMIT 1").fetchone() is None:
                # A first build: nothing to replace, and filling the full-text index in one
                # statement costs a third of an insert into it per symbol. In rowid order (the
                # planner would read the qualname index): out of order, it costs four times more.
                conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                                 [entry[:5] for entry in entries])
                conn.executemany("INSERT INTO symbols (path, name, qualname, kind, line, col) VALUES (?, ?, ?, ?, ?, ?)",
                                 [(path, s.name, s.qualname, s.kind, s.line, s.col)
                                  for path, *_, facts in entries for s in facts.symbols])
                conn.execute("INSERT INTO symbols_fts(rowid, qualname)"
                             " SELECT id, qualname FROM symbols NOT INDEXED ORDER BY id")
                return
            for path, size, mtime_ns, digest, blob, facts in entries:
                self._delete_symbols(conn, path)
                conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                             (path, size, mtime_ns, digest, blob))
                self._insert_symbols(conn, facts)

    def touch_files(self, entries: Iterable[tuple[str, int, int]]) -> None:
        """Record a new (size, mtime) for files whose content hash did not change."""
        with self._lock, _transaction(self._conn) as conn:
            conn.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                             [(s, m, p) for p, s, m in entries])

    def remove_files(self, paths: Iterable[str]) -> None:
        with self._lock, _transaction(self._conn) as conn:
            for path in paths:
                self._delete_symbols(conn, path)
                conn.execute("DELETE FROM files WHERE path = ?", (path,))
                conn.execute("DELETE FROM edges WHERE src = ?", (path,))

    def replace_edges(self, edges: dict[str, set[str]], paths: Iterable[str] | None = None) -> None:
        """Replace the import edges of `paths` (all files when None) with `edges`."""
        with self._lock, _transaction(self._conn) as conn:
            if paths is None:
                conn.execute("DELETE FROM edges")
                sources = list(edges)
            else:
                sources = list(paths)
                conn.executemany("DELETE FROM edges WHERE src = ?", [(p,) for p in sources])
            conn.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?)",
                             [(src, dst) for src in sources for dst in sorted(edges.get(src, ()))])

    @staticmethod
    def _delete_symbols(conn: sqlite3.Connection, path: str) -> None:
        old = conn.execute("SELECT id, qualname FROM symbols WHERE path = ?", (path,)).fetchall()
        if old:
            conn.executemany(
                "INSERT INTO symbols_fts(symbols_fts, rowid, qualname) VALUES ('delete', ?, ?)", old)
            conn.execute("DELETE FROM symbols WHERE path = ?", (path,))

    @staticmethod
    def _insert_symbols(conn: sqlite3.Connection, facts: FileFacts) -> None:
        for s in facts.symbols:
            cur = conn.execute("INSERT INTO symbols (path, name, qualname, kind, line, col) VALUES (?, ?, ?, ?, ?, ?)",
                               (facts.path, s.name, s.qualname, s.kind, s.line, s.col))
            conn.execute("INSERT INTO symbols_fts(rowid, qualname) VALUES (?, ?)",
                         (cur.lastrowid, s.qualname))


_BULK_ROWS = 64  # files written at once from which an empty store is filled in bulk


class _transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
