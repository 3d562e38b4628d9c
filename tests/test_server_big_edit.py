"""An edit of a large buffer is read off the event loop and never holds up a hover: a hover
on another file answers at once, a hover on the edited file answers from the facts of the
text before the edit and says so, until the new facts are in. The extraction is held by the
test launcher's --hold-extract hook, so "still being read" needs no timing. The store write
of such a buffer's facts waits for a pause in its edits (--store-idle sets the pause), and
the shutdown writes what still waits."""

from __future__ import annotations

import asyncio

import pytest
from conftest import materialize_workspace
from launch_server import HANG_GUARD_SECONDS, Hold, StoreIdle
from lsprotocol import types
from pytest_lsp import LanguageClient
from server_helpers import ServerSetup, change_doc, hover, open_doc, running_server, uri
from store_records import facts_record, stored_facts

from repodoc_ls.config import load_settings
from repodoc_ls.extract import extract_file
from repodoc_ls.server.hover import EARLIER_VERSION
from repodoc_ls.server.sync import LARGE_BUFFER_BYTES

pytestmark = pytest.mark.asyncio(loop_scope="module")

BIG = "shop/big.py"


@pytest.fixture(scope="module")
def extract_hold(tmp_path_factory):
    return Hold(tmp_path_factory.mktemp("extract-hold"), "--hold-extract")


@pytest.fixture(scope="module")
def server_setup(extract_hold):
    return ServerSetup(hooks=[extract_hold])


@pytest.fixture(scope="module")
def ws(ws):
    classes = "".join(f"class Generated{i}:\n    value = {i}\n\n\n" for i in range(12000))
    text = f'"""Generated."""\n\n\nclass First:\n    """The first class."""\n\n\n{classes}'
    assert len(text) > LARGE_BUFFER_BYTES
    (ws / BIG).write_text(text)
    (ws / "shop" / "uses_big.py").write_text("from shop.big import First\n\nFirst\n")
    return ws


def text_of(answer: types.Hover | None) -> str:
    assert answer is not None
    assert isinstance(answer.contents, types.MarkupContent)
    return answer.contents.value


async def test_hovers_answer_while_a_large_edit_is_read(client: LanguageClient, ws, extract_hold):
    open_doc(client, ws, BIG)
    open_doc(client, ws, "shop/uses_big.py")
    before = text_of(await hover(client, ws, BIG, 3, 7))  # First, before any edit
    assert "First" in before and EARLIER_VERSION not in before
    # An edit that adds a class at the top: the facts lag until it is read.
    change_doc(client, ws, BIG, 2, (2, 0), (2, 0), "class Added:\n    pass\n\n\n")
    await extract_hold.reached()
    other = text_of(await hover(client, ws, "shop/uses_big.py", 2, 1))
    assert "First" in other and EARLIER_VERSION not in other  # another file: not held up
    held = text_of(await hover(client, ws, BIG, 7, 7))  # First, moved down by the edit
    assert EARLIER_VERSION in held
    extract_hold.release()
    # documentSymbol waits for every edit to be read: the new facts are in after it.
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri(ws, BIG)))
    )
    assert symbols and any(s.name == "Added" for s in symbols)
    after = text_of(await hover(client, ws, BIG, 2, 7))  # Added: in the facts now
    assert "Added" in after and EARLIER_VERSION not in after
    moved = text_of(await hover(client, ws, BIG, 7, 7))
    assert "First" in moved and EARLIER_VERSION not in moved


async def test_hover_after_an_edit_equals_a_fresh_open(client: LanguageClient, ws):
    # Continues from the edit above (the buffer is version 2). The edited file's own uses are
    # not resolved again for a hover ("Used in" lists only the other files): the answers must
    # be those of the same text saved and opened afresh.
    change_doc(client, ws, BIG, 3, (2, 0), (2, 0), "ALIAS = First\n")
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri(ws, BIG)))
    )
    places = [(BIG, 8, 7), (BIG, 2, 9), ("shop/uses_big.py", 2, 1)]
    edited = [text_of(await hover(client, ws, *place)) for place in places]
    assert "shop/uses_big.py" in edited[0] and EARLIER_VERSION not in edited[0]
    lines = (ws / BIG).read_text(encoding="utf-8").split("\n")
    lines[2:2] = ["ALIAS = First", "class Added:", "    pass", "", ""]
    (ws / BIG).write_text("\n".join(lines), encoding="utf-8")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri(ws, BIG)))
    )
    open_doc(client, ws, BIG, version=4)
    fresh = [text_of(await hover(client, ws, *place)) for place in places]
    assert edited == fresh


def stored(ws, rel):
    """The facts record of `rel` in the folder's store, read by a store opened afresh."""
    return stored_facts(load_settings(ws), rel)


async def edit_three_times(client: LanguageClient, ws) -> object:
    """Three edits of the big module, each read; the facts record of the last text."""
    text = open_doc(client, ws, BIG)
    lines = text.split("\n")
    for version in (2, 3, 4):
        change_doc(client, ws, BIG, version, (2, 0), (2, 0), f"EDIT_{version} = {version}\n")
        lines.insert(2, f"EDIT_{version} = {version}")
        await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri(ws, BIG)))
        )
    return facts_record(extract_file(BIG, "\n".join(lines).encode("utf-8")).to_bytes())


@pytest.fixture
def own_ws(tmp_path, ws):
    copy = materialize_workspace(tmp_path).resolve()
    (copy / BIG).write_text((ws / BIG).read_text())
    (copy / "shop" / "uses_big.py").write_text((ws / "shop" / "uses_big.py").read_text())
    return copy


async def test_a_large_buffer_s_store_write_waits_for_the_shutdown(own_ws):
    disk = None
    async with running_server(own_ws, ServerSetup(hooks=[StoreIdle(86400)])) as client:
        disk = stored(own_ws, BIG)
        newest = await edit_three_times(client, own_ws)
        assert stored(own_ws, BIG) == disk  # no pause in the edits yet
    assert disk is not None and stored(own_ws, BIG) == newest  # written at the shutdown


async def test_a_large_buffer_s_store_write_comes_once_its_edits_pause(own_ws):
    async with running_server(own_ws, ServerSetup(hooks=[StoreIdle(0)])) as client:
        newest = await edit_three_times(client, own_ws)
        guard = asyncio.get_running_loop().time() + HANG_GUARD_SECONDS
        while stored(own_ws, BIG) != newest:  # written in the background, with no request
            assert asyncio.get_running_loop().time() < guard, "the store write never came"
            await asyncio.sleep(0.05)
