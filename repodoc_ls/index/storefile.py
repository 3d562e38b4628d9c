"""Where the index store lives on disk, whose file it is, and how it is made and removed.

The cache folder sits in an untrusted workspace: a committed `.repodoc` (or its database, or
the database's side files) may be a symlink to anywhere, and the file at the store's path
may be someone else's database. So before the store creates, opens or deletes anything, the
cache folder and every file it touches must be reached without a symlink (from the workspace
root when the folder lies in the workspace), and a file is deleted only when it is ours:
repodoc marks its databases with an SQLite application id, written to the header before the
database switches to WAL so that even a crash leaves the mark in the main file.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from repodoc_ls.safefs import UnsafePath, check_no_links, is_inside

STORE_NAME = "index.sqlite3"
#: "RPDC" at offset 68 of the SQLite header: this database is a repodoc index.
APPLICATION_ID = 0x52504443
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_MAGIC = b"SQLite format 3\x00"
_IGNORE_TEXT = "# repodoc's index cache\n*\n"


def connect(target: str) -> sqlite3.Connection:
    """A connection to an existing store (ours: its file was checked first)."""
    conn = sqlite3.connect(target, timeout=2.0, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    # WAL with NORMAL: a power loss may drop the last transactions, never corrupt the file.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def create(target: str, schema: str, meta: list[tuple[str, str]]) -> sqlite3.Connection:
    """A new store at `target` (a missing or empty file, or ":memory:")."""
    conn = sqlite3.connect(target, timeout=2.0, check_same_thread=False, isolation_level=None)
    try:
        # Before WAL: in rollback mode the header (and so the mark) is written to the main file.
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript("BEGIN;" + schema + "COMMIT;")
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta)
    except BaseException:
        conn.close()
        raise
    return conn


def mark(conn: sqlite3.Connection) -> None:
    """Put our application id on a store an older repodoc made (it had none)."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


class StoreFile:
    """The store's path in its cache folder, and the checks made before touching it."""

    def __init__(self, folder: Path, root: Path | None):
        folder = Path(os.path.abspath(folder))
        real_root = Path(os.path.realpath(root)) if root is not None else None
        if real_root is not None and _lexically_under(folder, real_root):
            base = real_root  # the workspace decides every step below its root: check them all
        else:
            # A folder outside the workspace was named by the user (config.py keeps the
            # workspace's own choices inside it): its location is theirs, links included.
            folder = Path(os.path.realpath(folder))
            base = real_root if real_root is not None and is_inside(folder, real_root) else folder
        self.folder = folder
        self.base = base
        self.path = folder / STORE_NAME

    def files(self) -> list[Path]:
        return [self.path] + [Path(f"{self.path}{suffix}") for suffix in SIDE_SUFFIXES]

    def link_problem(self) -> str | None:
        """Why the store may not be used here (a symlink on the way), or None."""
        for target in self.files() + [self.folder / ".gitignore"]:
            try:
                check_no_links(self.base, target)
            except UnsafePath as exc:
                return str(exc)
        return None

    def prepare_folder(self) -> None:
        """Create the cache folder; in a folder it created (or an empty one) also a
        `.gitignore` that keeps the cache out of version control. Raises OSError."""
        if os.path.lexists(self.folder):
            if not self.folder.is_dir():
                raise NotADirectoryError(f"{self.folder} is not a folder")
            with os.scandir(self.folder) as entries:
                if next(entries, None) is not None:
                    return  # a folder with content of its own gets no `*` .gitignore from us
        else:
            self.folder.mkdir(parents=True)
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        )
        try:
            fd = os.open(self.folder / ".gitignore", flags, 0o644)
        except FileExistsError:
            return
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_IGNORE_TEXT)

    def state(self) -> str:
        """ "missing", "ours" (our mark, an older repodoc's store, or an empty file),
        "foreign" (another database), "unreadable" (not an SQLite file) or "not a file"."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return "missing"
        if not stat.S_ISREG(st.st_mode):
            return "not a file"
        if st.st_size == 0:
            return "ours"  # nothing in it to lose: SQLite makes a new database in place
        header = _header(self.path)
        if header is None or not header.startswith(_MAGIC):
            return "unreadable"
        app_id = int.from_bytes(header[68:72], "big")
        if app_id == APPLICATION_ID:
            return "ours"
        return "ours" if app_id == 0 and _made_by_older_repodoc(self.path) else "foreign"

    def remove(self) -> None:
        """Delete the store and its side files (the caller checked that it is ours)."""
        problem = self.link_problem()
        if problem is not None:
            raise UnsafePath(problem)
        for path in self.files():
            path.unlink(missing_ok=True)


def trouble(exc: BaseException) -> str:
    """What a store error means: "busy" (another process holds it), "io" (a full disk, a
    read-only or vanished file: the file may be fine) or "damaged" (anything else)."""
    if isinstance(exc, OSError):
        return "io"
    name = getattr(exc, "sqlite_errorname", None) or ""
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name.startswith(
        ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_NOMEM")
    ) or any(w in text for w in ("full", "readonly", "disk i/o", "unable to open")):
        return "io"
    return "damaged"


def not_ours(path: Path, state: str) -> str:
    what = {
        "foreign": "is a database repodoc did not create",
        "unreadable": "is unreadable and was not created by repodoc",
        "not a file": "is not a regular file",
    }[state]
    return (
        f"index store {path} {what}: left as it is; using an in-memory index "
        "(remove it to keep the index on disk)"
    )


def close_quietly(conn: sqlite3.Connection) -> None:
    try:
        conn.close()
    except sqlite3.Error:
        pass


def _lexically_under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _header(path: Path) -> bytes | None:
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, 100)
    except OSError:
        return None
    finally:
        os.close(fd)


def _made_by_older_repodoc(path: Path) -> bool:
    """An unmarked database is ours when it has our meta table (stores made before the
    mark existed). Read-only: someone else's database is never written."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return False
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "files", "symbols"} <= tables:
            return False
        return conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()
