"""The server keeps answering while the reference index is built after an index build.

That build (server.py's `_warm_references`) holds the index lock for seconds on a large
workspace. The status request and the build's own ending count symbols on the event loop:
they waited for that lock, so the whole server stopped answering, and "ready" reached the
client only once the reference index was built (3-4 s after a warm start of the stdlib,
against 0.2 s for the index). The launcher's --hold-references holds that lock until the
test releases it, however fast the machine."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from conftest import materialize_workspace
from launch_server import HANG_GUARD_SECONDS, Hold
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, request, running_server

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.index.storefile import STORE_NAME

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def references_hold(tmp_path_factory):
    return Hold(tmp_path_factory.mktemp("references-hold"), "--hold-references")


@pytest.fixture(scope="module")
def server_setup(references_hold):
    return ServerSetup(hooks=[references_hold], wait_ready=False)


async def test_status_answers_while_the_reference_index_holds_the_lock(
    client: LanguageClient, references_hold
):
    await references_hold.reached()  # the index is built and the lock is taken
    # A guard against the hang this test is about, not a measure of speed.
    status = await asyncio.wait_for(request(client, "repodoc/status", {}), HANG_GUARD_SECONDS)
    assert status["state"] == "ready"
    assert status["symbols"] > 0  # counted before the lock was taken
    references_hold.release()
    again = await asyncio.wait_for(request(client, "repodoc/status", {}), HANG_GUARD_SECONDS)
    assert again["symbols"] == status["symbols"]


async def test_a_start_leaves_its_reference_records_to_the_next(tmp_path):
    # Only exports saved them, so every start of the server resolved every use again
    # under the index lock (2.9 s on the stdlib, against 0.35 s from saved records).
    ws = materialize_workspace(tmp_path).resolve()
    settings = load_settings(ws)
    async with running_server(ws) as client:
        assert (await request(client, "repodoc/status", {}))["state"] == "ready"
        loop = asyncio.get_running_loop()
        guard = loop.time() + HANG_GUARD_SECONDS  # against a hang, not a measure
        while not _records_saved(settings):
            assert loop.time() < guard, "the server never saved its reference records"
            await asyncio.sleep(0.05)
    index = Index.build(settings)  # the next process: the same answers, from the records
    assert index.store.reference_records(index.reference_signature()) is not None
    fresh = Index.build(load_settings(ws, {"cache_dir": str(tmp_path / "fresh")}), fresh_store=True)
    for path in ("shop/pricing.py", "shop/cart.py"):
        for symbol in fresh.file(path).symbols:
            assert index.references(path, symbol.qualname) == fresh.references(path, symbol.qualname)


def _records_saved(settings) -> bool:
    """Whether the store holds reference records, read without writing (the server is
    still running on it)."""
    path = settings.cache_path / STORE_NAME
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=HANG_GUARD_SECONDS)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'refs'").fetchone() is not None
    except sqlite3.OperationalError:  # the table is not made yet
        return False
    finally:
        conn.close()
