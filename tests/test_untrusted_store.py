"""The index store and its cache folder in an untrusted workspace (issue 10, cache side).

A repository may commit a `.repodoc` folder: a damaged store, someone else's database, or
symlinks that point out of the workspace. The store is a cache: none of this may cost a
run, delete a file repodoc did not create, or write outside the cache folder. The commands
run as a user runs them (a subprocess), except where a fault must be injected.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from conftest import materialize_workspace
from pytest_lsp.client import LanguageClient
from server_helpers import CONFIG, hover, request, start

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.index.store import Store
from repodoc_ls.index.storefile import APPLICATION_ID

MANIFEST = ".repodoc-manifest.json"


def repodoc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], capture_output=True, text=True, timeout=300
    )


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def db_of(ws: Path) -> Path:
    return ws / ".repodoc" / "index.sqlite3"


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links as links) with a digest of its content."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = "link -> " + os.readlink(path)
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "folder"
    return out


def victim_tree(parent: Path) -> Path:
    """A folder beside the workspace that nothing may touch, holding someone's database."""
    victim = parent / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "keep.txt").write_text("keep me\n")
    (victim / "sub" / "notes.md").write_text("# notes\n")
    foreign_db(victim / "index.sqlite3")
    return victim


def foreign_db(path: Path, app_id: int = 0) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.execute("CREATE TABLE accounts (name TEXT, balance INTEGER)")
    conn.execute("INSERT INTO accounts VALUES ('alice', 100)")
    conn.commit()
    conn.close()


def checkpoint(db: Path) -> None:
    """Move everything a store holds into its main file (nothing left in a -wal)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def corrupt_table(db: Path, table: str) -> None:
    """Overwrite the root b-tree pages of `table` and of its indexes with garbage; the
    header page stays intact, so SQLite opens the file and only a query that reads the
    table finds the damage."""
    checkpoint(db)
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [
        r
        for (r,) in conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", (table,)
        )
    ]
    conn.close()
    assert roots and min(roots) >= 2
    header = db.read_bytes()[:100]
    with open(db, "r+b") as fh:
        for root in roots:
            fh.seek((root - 1) * page_size)
            fh.write(b"\xff" * page_size)  # 0xff is no b-tree page type: any read of it fails
    assert db.read_bytes()[:100] == header
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        probe = sqlite3.connect(db)
        try:
            probe.execute(f"SELECT * FROM {table}").fetchall()
        finally:
            probe.close()


def assert_store_is_ours_and_sound(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def summary(result) -> str:
    """'indexed N files (...), M symbols' without the timing."""
    line = result.stdout.strip().splitlines()[-1]
    return line.rsplit(" in ", 1)[0]


@pytest.fixture
def twins(tmp_path):
    """Two identical workspaces: one to damage, one to compare with."""
    return materialize_workspace(tmp_path / "a"), materialize_workspace(tmp_path / "b")


# -- a damaged store heals in the same run ---------------------------------------------


def test_a_damaged_files_table_costs_one_warning_and_index_succeeds(twins):
    ws, clean = twins
    assert repodoc("index", str(ws)).returncode == 0
    corrupt_table(db_of(ws), "files")
    healed = repodoc("index", str(ws))
    assert healed.returncode == 0, healed.stderr
    assert "Traceback" not in healed.stderr
    (warning,) = warnings_of(healed)
    assert "index.sqlite3" in warning and ("corrupt" in warning or "damaged" in warning)
    expected = repodoc("index", str(clean))
    assert summary(healed) == summary(expected)  # everything extracted again: the same counts
    assert_store_is_ours_and_sound(db_of(ws))
    again = repodoc("index", str(ws))
    assert warnings_of(again) == [] and again.returncode == 0
    files = summary(expected).split()[1]
    assert f"(0 extracted, {files} reused, 0 removed)" in again.stdout  # the rebuilt store is whole


def test_a_damaged_symbols_table_found_by_a_later_write_heals(twins):
    ws, clean = twins
    assert repodoc("index", str(ws)).returncode == 0
    corrupt_table(db_of(ws), "symbols")
    for root in (ws, clean):  # an edit: its old symbols are deleted from the damaged table
        (root / "shop" / "pricing.py").write_text("DISCOUNT = 0.2\n\ndef price_of(x):\n    return x\n")
    healed = repodoc("index", str(ws))
    assert healed.returncode == 0, healed.stderr
    (warning,) = warnings_of(healed)
    assert "damaged" in warning and "rebuilt" in warning
    assert_store_is_ours_and_sound(db_of(ws))
    again = repodoc("index", str(ws))
    assert warnings_of(again) == []
    assert summary(again).split(",")[-1] == summary(repodoc("index", str(clean))).split(",")[-1]  # symbols
    index = Index.build(load_settings(ws))
    assert [r.path for r in index.store.search_symbols("price_of", 10)] == ["shop/pricing.py"]


@pytest.mark.parametrize("table", ["edges", "meta", "files"])
def test_export_over_a_damaged_store_succeeds_with_one_warning_and_the_same_pages(twins, table):
    ws, clean = twins
    assert repodoc("index", str(ws)).returncode == 0
    corrupt_table(db_of(ws), table)
    healed = repodoc("export", str(ws))
    assert healed.returncode == 0, healed.stderr
    assert "Traceback" not in healed.stderr
    assert len(warnings_of(healed)) == 1, healed.stderr
    assert repodoc("export", str(clean)).returncode == 0
    pages = {k: v for k, v in tree_digest(ws / "docs" / "repodoc").items() if k != MANIFEST}
    assert pages == {k: v for k, v in tree_digest(clean / "docs" / "repodoc").items() if k != MANIFEST}
    assert_store_is_ours_and_sound(db_of(ws))
    check = repodoc("check", str(ws))
    assert check.returncode == 0 and warnings_of(check) == [], check.stderr
    again = repodoc("export", str(ws))
    assert warnings_of(again) == [] and ": 0 written, " in again.stdout


def test_a_store_damaged_while_an_index_is_in_use_is_rebuilt_and_refilled(workspace):
    index = Index.build(load_settings(workspace))
    before = index.store.file_table()
    edges = index.store.edges()
    definers = index.store.definers(["Cart", "DISCOUNT"])
    assert definers and before

    class Damaged:
        """The connection of a store whose pages went bad after it was opened."""

        def __init__(self, conn):
            self.conn = conn

        def execute(self, *args):
            raise sqlite3.DatabaseError("database disk image is malformed")

        def close(self):
            self.conn.close()

    index.store._conn = Damaged(index.store._conn)
    shown = []
    index.on_warning = shown.append
    with index.lock:
        assert index.definers(["Cart", "DISCOUNT"]) == definers  # answered, from the refilled store
    assert len(shown) == 1 and "damaged" in shown[0] and shown == index.warnings[-1:]
    assert index.store.file_table() == before
    assert index.store.edges() == edges
    assert index.store.path == db_of(workspace)
    index.store.close()
    assert_store_is_ours_and_sound(db_of(workspace))


# -- a store that cannot be written ----------------------------------------------------


#: Runs the command line with every store file it opens full: a store cannot grow by a
#: page (SQLITE_FULL, "database or disk is full"), as on a full disk.
FULL_DISK = """
import sys
from repodoc_ls.index import store, storefile
from repodoc_ls.cli import main

def full(open_store):
    def opened(target, *args):
        conn = open_store(target, *args)
        if target != ":memory:":
            conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return conn
    return opened

store.connect, store.create = full(storefile.connect), full(storefile.create)
raise SystemExit(main(sys.argv[1:]))
"""


def repodoc_on_a_full_disk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", FULL_DISK, *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("command", ["index", "export", "check"])
def test_a_full_disk_under_the_store_is_a_warning_in_every_command(workspace, command):
    result = repodoc_on_a_full_disk(command, str(workspace))
    assert result.returncode == (1 if command == "check" else 0), result.stderr  # check: no doc set yet
    assert "Traceback" not in result.stderr
    (warning,) = warnings_of(result)
    assert "could not write the index store" in warning and "database or disk is full" in warning
    if command == "export":
        assert (workspace / "docs" / "repodoc" / "shop" / "cart.py_docs.md").is_file()
    again = repodoc("index", str(workspace))  # the disk has room again: a clean run
    assert again.returncode == 0 and warnings_of(again) == [], again.stderr
    assert_store_is_ours_and_sound(db_of(workspace))


def test_a_full_disk_found_after_a_warm_start_is_a_warning_too(workspace):
    assert repodoc("index", str(workspace)).returncode == 0
    (workspace / "shop" / "pricing.py").write_text(  # its new symbols need new pages
        "".join(f"def price_{i}(x):\n    return x\n\n\n" for i in range(2000))
    )
    result = repodoc_on_a_full_disk("export", str(workspace))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    (warning,) = warnings_of(result)
    assert "database or disk is full" in warning


# -- files at the store's path that are not ours ----------------------------------------


@pytest.mark.parametrize("content", ["foreign", "other-app", "garbage"])
def test_a_file_repodoc_did_not_create_is_never_deleted(workspace, content):
    db = db_of(workspace)
    db.parent.mkdir()
    if content == "garbage":
        db.write_bytes(random.Random(1).randbytes(20000))
    else:
        foreign_db(db, app_id=0 if content == "foreign" else 0x12345678)
    before = tree_digest(db.parent)
    result = repodoc("index", str(workspace))
    assert result.returncode == 0, result.stderr
    (warning,) = warnings_of(result)
    assert "left as it is" in warning and "in-memory" in warning
    assert tree_digest(db.parent) == before  # not deleted, not rewritten, no side files
    assert result.stdout.startswith("indexed ")
    export = repodoc("export", str(workspace))
    assert export.returncode == 0 and len(warnings_of(export)) == 1
    assert tree_digest(db.parent) == before


def test_a_store_made_before_the_application_id_is_kept_and_marked(workspace):
    first = repodoc("index", str(workspace))
    assert first.returncode == 0
    db = db_of(workspace)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 0")
    conn.close()
    again = repodoc("index", str(workspace))
    assert warnings_of(again) == [] and "(0 extracted, " in again.stdout
    assert_store_is_ours_and_sound(db)


def test_reindex_starts_a_fresh_store(workspace):
    settings = load_settings(workspace)
    Index.build(settings).store.close()
    fresh = Index.build(settings, fresh_store=True)
    assert fresh.warnings == [] and fresh.stats.extracted == len(fresh.paths())
    fresh.store.close()
    db = db_of(workspace)
    db.unlink()
    foreign_db(db)
    before = db.read_bytes()
    kept = Index.build(settings, fresh_store=True)
    assert db.read_bytes() == before and kept.store.path is None
    assert any("left as it is" in w for w in kept.warnings)


# -- symlinks in and around the cache folder --------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        ".repodoc",
        ".repodoc/index.sqlite3",
        ".repodoc/index.sqlite3-wal",
        ".repodoc/index.sqlite3-shm",
        ".repodoc/.gitignore",
    ],
)
def test_no_write_or_delete_through_a_link_in_the_cache_folder(tmp_path, link):
    ws = materialize_workspace(tmp_path)
    victim = victim_tree(tmp_path)
    path = ws / link
    path.parent.mkdir(exist_ok=True)
    target = (
        victim
        if link == ".repodoc"
        else victim / ("index.sqlite3" if link.endswith("sqlite3") else "new-file")
    )
    os.symlink(os.path.relpath(target, path.parent), path)
    before = tree_digest(victim)
    for command in ("index", "export", "check"):
        result = repodoc(command, str(ws))
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert any("symbolic link" in w for w in warnings_of(result)), result.stderr
        assert tree_digest(victim) == before
    assert os.path.islink(path) and not (victim / "new-file").exists()


def test_a_link_higher_up_the_cache_path_is_refused_too(tmp_path):
    ws = materialize_workspace(tmp_path)
    victim = victim_tree(tmp_path)
    os.symlink(os.path.relpath(victim, ws), ws / "build")
    (ws / "pyproject.toml").write_text('[tool.repodoc]\ncache-dir = "build/cache"\n')
    before = tree_digest(victim)
    result = repodoc("index", str(ws))
    # config.py may refuse the folder outright (exit 2); the store never writes through it.
    assert "Traceback" not in result.stderr
    assert tree_digest(victim) == before


# -- the cache folder's .gitignore --------------------------------------------------------


def test_the_cache_gitignore_goes_only_into_a_folder_the_store_made(workspace, tmp_path):
    made = Store(workspace / ".repodoc", root=workspace)
    assert (workspace / ".repodoc" / ".gitignore").read_text() == "# repodoc's index cache\n*\n"
    made.close()
    # A user may point the cache at a folder with content of its own (here: the workspace
    # root): it gets the store, never a `*` .gitignore that would hide the whole folder.
    root_gitignore = (workspace / ".gitignore").read_bytes()
    root_store = Store(workspace, root=workspace)
    assert root_store.path == workspace / "index.sqlite3" and root_store.warnings == []
    assert (workspace / ".gitignore").read_bytes() == root_gitignore
    root_store.close()
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    Store(empty, root=workspace).close()  # outside the workspace: the user named it
    assert (empty / ".gitignore").is_file()


# -- the server --------------------------------------------------------------------------


def test_status_is_not_ready_when_a_folder_failed():
    from types import SimpleNamespace

    from repodoc_ls.server.server import RepodocServer

    def state(*states):
        return RepodocServer.state(SimpleNamespace(folders=[SimpleNamespace(state=s) for s in states]))

    assert state("ready", "ready") == "ready"
    assert state("ready", "failed") == "failed"
    assert state("failed", "indexing") == "indexing"


@pytest.fixture(scope="module")
def damaged_ws(tmp_path_factory):
    ws = materialize_workspace(tmp_path_factory.mktemp("damaged-store")).resolve()
    index = Index.build(load_settings(ws))
    index.store.close()
    corrupt_table(db_of(ws), "files")
    return ws


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, damaged_ws):
    await start(lsp_client, damaged_ws)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_the_server_heals_a_damaged_store_and_reindex_starts_anew(client: LanguageClient, damaged_ws):
    ws = damaged_ws
    expected = Index.build(load_settings(ws), persistent=False)
    status = await request(client, "repodoc/status", {})
    assert status["state"] == "ready" and status["files"] == len(expected.paths())
    assert status["folders"][0]["state"] == "ready"
    logged = [m.message for m in client.log_messages if "index.sqlite3" in m.message]
    assert len(logged) == 1 and ("corrupt" in logged[0] or "damaged" in logged[0])
    answer = await hover(client, ws, "shop/pricing.py", 9, 6)
    assert answer is not None and "price_of" in answer.contents.value
    from lsprotocol import types

    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="repodoc.reindex", arguments=[])
    )
    assert result["state"] == "ready" and result["files"] == len(expected.paths())
    assert result["symbols"] == expected.symbol_count()
    again = await hover(client, ws, "shop/pricing.py", 9, 6)
    assert again is not None and again.contents.value == answer.contents.value
    assert_store_is_ours_and_sound(db_of(ws))  # the reindex's new store
