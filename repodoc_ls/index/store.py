"""The on-disk index: SQLite, one row per file, rebuilt rather than trusted when in doubt.

Files are keyed by path with their size, mtime and content hash, so a warm start only
stats the tree; facts are stored as one `FileFacts.to_bytes` blob per file. Symbols are
also stored in rows with an FTS5 trigram table over them, for fuzzy keyword search
without loading every file.

The store is a cache, and the workspace it lives in is untrusted (storefile.py says what is
checked before a file is touched). Whatever goes wrong with it, at open or at any later
query or write, costs one warning and never the operation: a damaged store of ours is
rebuilt, anything else (someone else's file, a symlink, a full disk, a lock held by another
process) gives a private in-memory store. Either way the new store starts empty, and its
owner (the `Index`) is asked to `refill` it from memory before the operation is retried.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar, overload

from repodoc_ls.index.storefile import StoreFile, close_quietly, connect, create, mark, not_ours, trouble
from repodoc_ls.model import FACTS_VERSION, FileFacts

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_T = TypeVar("_T")

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
#: Added after the first schema: created in older stores on open.
_DERIVED = """
CREATE TABLE IF NOT EXISTS refs (path TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS resolved (path TEXT PRIMARY KEY, hash TEXT NOT NULL, record BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS symbols_qualname ON symbols(qualname);
"""


@dataclass(frozen=True, slots=True)
class StoredFile:
    size: int
    mtime_ns: int
    hash: str


@dataclass(frozen=True, slots=True)
class WarmRows:
    """What a warm start reads from the store, in one query."""

    files: dict[str, StoredFile]
    facts: dict[str, bytes]  # path -> its facts record
    #: path -> (the content hash it was computed from, its resolution record), saved under
    #: `resolved_signature` (resolved.py)
    resolved: dict[str, tuple[str, bytes]]
    resolved_signature: str | None


@dataclass(frozen=True, slots=True)
class SymbolRow:
    path: str
    name: str
    qualname: str
    kind: str
    line: int
    col: int


class Store:
    """Thread-safe wrapper around one SQLite connection (the server calls it from workers).

    `generation` counts the times the store was replaced by an empty one; `refill`, when
    set, is called (under the store's lock) right after each replacement."""

    def __init__(self, cache_dir: Path | None, root: Path | None = None, fresh: bool = False):
        self.warnings: list[str] = []
        self.on_warning: Callable[[str], None] | None = None
        self.refill: Callable[[], None] | None = None
        self.generation = 0
        self._lock = threading.RLock()
        self._refilling = False
        self._file = StoreFile(cache_dir, root) if cache_dir is not None else None
        self.path: Path | None = self._file.path if self._file is not None else None
        self._conn = self._open(fresh)
        self._call(self._ensure_derived_tables)

    # -- opening and healing -------------------------------------------------

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    def _open(self, fresh: bool) -> sqlite3.Connection:
        if self._file is None:
            return self._create(":memory:")
        file = self._file
        problem = file.link_problem()
        if problem is not None:
            return self._fallback(f"{problem}: using an in-memory index")
        try:
            file.prepare_folder()
        except OSError as exc:
            return self._fallback(f"cannot create the index folder {file.folder}: {exc}")
        state = file.state()
        if state == "missing":
            return self._create_file(None)
        if state != "ours":
            return self._fallback(not_ours(file.path, state))
        if fresh:
            return self._replace(None)
        try:
            conn = connect(str(file.path))
            if self._compatible(conn):
                mark(conn)
                return conn
            conn.close()
            reason = "is from another version"
        except sqlite3.DatabaseError as exc:
            if trouble(exc) == "busy":
                return self._fallback(
                    f"index store {file.path} is locked by another process: using a private in-memory index"
                )
            if trouble(exc) == "io":
                return self._fallback(
                    f"cannot open the index store {file.path} ({exc}): using an in-memory index"
                )
            reason = f"is corrupt ({exc})"
        return self._replace(f"index store {file.path} {reason}: rebuilding it")

    def _replace(self, warning: str | None) -> sqlite3.Connection:
        """Delete our store file and start a new one."""
        assert self._file is not None
        try:
            self._file.remove()
        except OSError as exc:
            return self._fallback(f"cannot remove the old index store {self._file.path}: {exc}")
        return self._create_file(warning)

    def _create_file(self, warning: str | None) -> sqlite3.Connection:
        assert self._file is not None
        try:
            conn = self._create(str(self._file.path))
        except sqlite3.Error as exc:
            return self._fallback(f"cannot create the index store {self._file.path}: {exc}")
        if warning:
            self._warn(warning)
        return conn

    def _fallback(self, reason: str) -> sqlite3.Connection:
        self._warn(reason)
        self.path = None
        return self._create(":memory:")

    @staticmethod
    def _create(target: str) -> sqlite3.Connection:
        return create(
            target, _SCHEMA + _DERIVED, [("schema", str(SCHEMA_VERSION)), ("facts", str(FACTS_VERSION))]
        )

    @staticmethod
    def _compatible(conn: sqlite3.Connection) -> bool:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "files", "symbols", "symbols_fts", "edges"} <= tables:
            return False
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("schema") != str(SCHEMA_VERSION) or meta.get("facts") != str(FACTS_VERSION):
            return False
        conn.execute("SELECT count(*) FROM files").fetchone()  # raises on a corrupt file
        return True

    @staticmethod
    def _ensure_derived_tables(conn: sqlite3.Connection) -> None:
        conn.executescript(_DERIVED)

    @overload
    def _call(self, op: Callable[[sqlite3.Connection], _T], retry: Literal[True] = True) -> _T: ...

    @overload
    def _call(self, op: Callable[[sqlite3.Connection], _T], retry: bool) -> _T | None: ...

    def _call(self, op: Callable[[sqlite3.Connection], _T], retry: bool = True) -> _T | None:
        """`op(connection)`, healing the store when it fails: the failed operation is then
        run again on the new (refilled) store, or skipped (None) when `retry` is False."""
        with self._lock:
            heals = 0
            while True:
                try:
                    return op(self._conn)
                except sqlite3.ProgrammingError:
                    raise  # a closed store or a bad statement: a bug, not damage
                except (sqlite3.DatabaseError, OSError) as exc:
                    if self._refilling or heals >= 2:
                        raise
                    heals += 1
                    self._heal(exc)
                    if not retry:
                        return None

    def _heal(self, exc: BaseException) -> None:
        """Replace the store after `exc`: rebuild ours when it is damaged, else (or when
        that fails too) go to memory; then let the owner refill it."""
        while True:
            self._swap(exc)
            if self.refill is None:
                return
            self._refilling = True
            try:
                self.refill()
                return
            except sqlite3.ProgrammingError:
                raise
            except (sqlite3.DatabaseError, OSError) as again:
                exc = again
            finally:
                self._refilling = False

    def _swap(self, exc: BaseException) -> None:
        if self.path is None:
            raise exc  # already in memory: nothing left to heal
        close_quietly(self._conn)
        kind = trouble(exc)
        file = self._file
        assert file is not None
        if kind == "damaged" and file.link_problem() is None and file.state() == "ours":
            conn = self._replace(f"index store {file.path} is damaged ({exc}): rebuilt it")
        elif kind == "damaged":
            conn = self._fallback(
                f"index store {file.path} is damaged ({exc}) and cannot be rebuilt "
                "in place: using an in-memory index"
            )
        elif kind == "busy":
            conn = self._fallback(
                f"index store {file.path} is locked by another process ({exc}): "
                "using a private in-memory index"
            )
        else:
            conn = self._fallback(
                f"could not write the index store {file.path} ({exc}): "
                "using an in-memory index; the next run extracts again"
            )
        self._conn = conn
        self.generation += 1

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- reading -------------------------------------------------------------

    def file_table(self) -> dict[str, StoredFile]:
        rows = self._call(
            lambda conn: conn.execute("SELECT path, size, mtime_ns, hash FROM files").fetchall()
        )
        return {p: StoredFile(s, m, h) for p, s, m, h in rows}

    def load_warm(self) -> WarmRows:
        """Every file's row, its facts record and its saved resolution (see `WarmRows`)."""

        def load(conn: sqlite3.Connection) -> WarmRows:
            meta = conn.execute("SELECT value FROM meta WHERE key = 'resolved'").fetchone()
            rows = conn.execute(
                "SELECT f.path, f.size, f.mtime_ns, f.hash, f.facts, r.hash, r.record"
                " FROM files f LEFT JOIN resolved r ON r.path = f.path"
            ).fetchall()
            return WarmRows(
                {p: StoredFile(s, m, h) for p, s, m, h, *_ in rows},
                {row[0]: row[4] for row in rows},
                {row[0]: (row[5], row[6]) for row in rows if row[6] is not None},
                meta[0] if meta is not None else None,
            )

        return self._call(load)

    def write_resolved(self, signature: str, records: Iterable[tuple[str, str, bytes]], full: bool) -> None:
        """Save (path, content hash, resolution record) rows under `signature`: all of them
        when `full` (the set of paths changed), else an update of the rows saved under it."""
        rows = sorted(records)

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                if full:
                    conn.execute("DELETE FROM resolved")
                elif (
                    conn.execute(
                        "SELECT 1 FROM meta WHERE key = 'resolved' AND value = ?", (signature,)
                    ).fetchone()
                    is None
                ):
                    return  # rows saved for another set of paths: an update of them is not
                conn.executemany("INSERT OR REPLACE INTO resolved VALUES (?, ?, ?)", rows)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('resolved', ?)", (signature,))

        # A healed store has no rows to update: the next run resolves every file again.
        self._call(write, retry=full)

    def search_symbols(self, text: str, limit: int) -> list[SymbolRow]:
        """Symbols whose qualified name contains `text` (case-insensitive)."""

        def search(conn: sqlite3.Connection) -> list[tuple[str, str, str, str, int, int]]:
            if len(text) >= 3:
                quoted = '"' + text.replace('"', '""') + '"'
                return conn.execute(
                    "SELECT s.path, s.name, s.qualname, s.kind, s.line, s.col FROM symbols_fts f"
                    " JOIN symbols s ON s.id = f.rowid WHERE symbols_fts MATCH ? LIMIT ?",
                    (quoted, limit),
                ).fetchall()
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return conn.execute(
                "SELECT path, name, qualname, kind, line, col FROM symbols"
                " WHERE qualname LIKE ? ESCAPE '\\' LIMIT ?",
                (f"%{escaped}%", limit),
            ).fetchall()

        return [SymbolRow(*r) for r in self._call(search)]

    def symbols_named_in(self, ranges: Iterable[tuple[str, str]] | None) -> list[tuple[SymbolRow, int]]:
        """(symbol, its row id) for each symbol whose name lies in one of the half-open
        `ranges` (of names as the name index sorts them: by code point), in no order; every
        symbol for `ranges` None. A file's symbols have consecutive ids, in source order."""
        query = "SELECT path, name, qualname, kind, line, col, id FROM symbols"

        def find(conn: sqlite3.Connection) -> list[tuple[SymbolRow, int]]:
            if ranges is None:
                rows = conn.execute(query).fetchall()
            else:
                rows = [
                    row
                    for low, high in ranges
                    for row in conn.execute(f"{query} WHERE name >= ? AND name < ?", (low, high))
                ]
            return [(SymbolRow(*row[:6]), row[6]) for row in rows]

        return self._call(find)

    def first_symbol_id(self, path: str) -> int | None:
        """The row id of the first symbol of `path` (see `symbols_named_in`)."""

        def first(conn: sqlite3.Connection) -> int | None:
            found = conn.execute("SELECT min(id) FROM symbols WHERE path = ?", (path,)).fetchone()[0]
            return found if isinstance(found, int) else None

        return self._call(first)

    def definers(self, qualnames: Iterable[str]) -> dict[str, list[str]]:
        """qualname -> the files defining a symbol of exactly that qualified name (sorted)."""
        wanted = sorted(set(qualnames))

        def find(conn: sqlite3.Connection) -> dict[str, set[str]]:
            found: dict[str, set[str]] = {}
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for path, qualname in conn.execute(
                    f"SELECT path, qualname FROM symbols WHERE qualname IN ({marks})", chunk
                ):
                    found.setdefault(qualname, set()).add(path)
            return found

        return {q: sorted(paths) for q, paths in self._call(find).items()}

    def reference_records(self, signature: str) -> dict[str, bytes] | None:
        """The per-file reference records saved under `signature` (see `Graph`), or None
        when there are none or they were saved for another module map."""

        def load(conn: sqlite3.Connection) -> dict[str, bytes] | None:
            row = conn.execute("SELECT value FROM meta WHERE key = 'refs'").fetchone()
            if row is None or row[0] != signature:
                return None
            return dict(conn.execute("SELECT path, record FROM refs"))

        return self._call(load)

    def has_reference_records(self, signature: str) -> bool:
        """Whether reference records are saved under `signature` (`reference_records`
        would not answer None), without reading them."""

        def saved(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT value FROM meta WHERE key = 'refs'").fetchone()
            return row is not None and row[0] == signature

        return bool(self._call(saved))

    def write_reference_records(self, signature: str, records: dict[str, bytes], full: bool) -> None:
        """Save per-file reference records (all of them when `full`, else an update)."""

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                if full:
                    conn.execute("DELETE FROM refs")
                conn.executemany("INSERT OR REPLACE INTO refs VALUES (?, ?)", sorted(records.items()))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('refs', ?)", (signature,))

        # An update is only valid on top of the records it was computed against: a healed
        # store has none, and without them the next process computes all of them again.
        self._call(write, retry=full)

    def symbol_counts(self) -> dict[str, int]:
        """path -> the number of its symbol rows."""
        return dict(
            self._call(
                lambda conn: conn.execute("SELECT path, count(*) FROM symbols GROUP BY path").fetchall()
            )
        )

    def has_edges(self) -> bool:
        return self._call(lambda conn: conn.execute("SELECT 1 FROM edges LIMIT 1").fetchone()) is not None

    def edges(self) -> list[tuple[str, str]]:
        return self._call(
            lambda conn: conn.execute("SELECT src, dst FROM edges ORDER BY src, dst").fetchall()
        )

    # -- writing -------------------------------------------------------------

    def write_files(self, entries: Iterable[tuple[str, int, int, str, bytes, FileFacts]]) -> None:
        """Store (path, size, mtime_ns, hash, blob, facts) rows, replacing older ones."""
        entries = list(entries)

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                if (
                    len(entries) >= _BULK_ROWS
                    and conn.execute("SELECT 1 FROM symbols LIMIT 1").fetchone() is None
                ):
                    # A first build: nothing to replace, and filling the full-text index in one
                    # statement costs a third of an insert into it per symbol. In rowid order (the
                    # planner would read the qualname index): out of order, it costs four times more.
                    conn.executemany(
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                        [entry[:5] for entry in entries],
                    )
                    conn.executemany(
                        _INSERT_SYMBOL,
                        [
                            (path, s.name, s.qualname, s.kind, s.line, s.col)
                            for path, *_, facts in entries
                            for s in facts.symbols
                        ],
                    )
                    conn.execute(
                        "INSERT INTO symbols_fts(rowid, qualname)"
                        " SELECT id, qualname FROM symbols NOT INDEXED ORDER BY id"
                    )
                    return
                for path, size, mtime_ns, digest, blob, facts in entries:
                    self._delete_symbols(conn, path)
                    conn.execute(
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                        (path, size, mtime_ns, digest, blob),
                    )
                    self._insert_symbols(conn, facts)

        self._call(write)

    def touch_files(self, entries: Iterable[tuple[str, int, int]]) -> None:
        """Record a new (size, mtime) for files whose content hash did not change."""
        rows = [(s, m, p) for p, s, m in entries]

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                conn.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", rows)

        self._call(write)

    def remove_files(self, paths: Iterable[str]) -> None:
        paths = list(paths)

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                for path in paths:
                    self._delete_symbols(conn, path)
                    conn.execute("DELETE FROM files WHERE path = ?", (path,))
                    conn.execute("DELETE FROM edges WHERE src = ?", (path,))
                    conn.execute("DELETE FROM resolved WHERE path = ?", (path,))

        self._call(write)

    def replace_edges(self, edges: dict[str, set[str]], paths: Iterable[str] | None = None) -> None:
        """Replace the import edges of `paths` (all files when None) with `edges`."""
        sources = list(edges) if paths is None else list(paths)
        rows = [(src, dst) for src in sources for dst in sorted(edges.get(src, ()))]

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                if paths is None:
                    conn.execute("DELETE FROM edges")
                else:
                    conn.executemany("DELETE FROM edges WHERE src = ?", [(p,) for p in sources])
                conn.executemany("INSERT OR IGNORE INTO edges VALUES (?, ?)", rows)

        self._call(write)

    @staticmethod
    def _delete_symbols(conn: sqlite3.Connection, path: str) -> None:
        old = conn.execute("SELECT id, qualname FROM symbols WHERE path = ?", (path,)).fetchall()
        if old:
            conn.executemany(
                "INSERT INTO symbols_fts(symbols_fts, rowid, qualname) VALUES ('delete', ?, ?)", old
            )
            conn.execute("DELETE FROM symbols WHERE path = ?", (path,))

    @staticmethod
    def _insert_symbols(conn: sqlite3.Connection, facts: FileFacts) -> None:
        for s in facts.symbols:
            cur = conn.execute(_INSERT_SYMBOL, (facts.path, s.name, s.qualname, s.kind, s.line, s.col))
            conn.execute(
                "INSERT INTO symbols_fts(rowid, qualname) VALUES (?, ?)", (cur.lastrowid, s.qualname)
            )


_BULK_ROWS = 64  # files written at once from which an empty store is filled in bulk
_INSERT_SYMBOL = "INSERT INTO symbols (path, name, qualname, kind, line, col) VALUES (?, ?, ?, ?, ?, ?)"


class _transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN")
        return self.conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # After some errors (a full disk) SQLite has already rolled back; a failing
            # ROLLBACK must not hide the error that says what went wrong.
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
