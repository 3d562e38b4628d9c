"""The live index: unsaved edits (incremental didChange) show in the next answer; closing
the document reverts to the disk; a deleted file reported through didChangeWatchedFiles
leaves search. Tests in this module run in order and share one server."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient
from server_helpers import change_doc, hover, loc, open_doc, request, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRICING = "shop/pricing.py"


async def keyword_names(client, ws, rel):
    result = await request(client, "repodoc/keywordIndex", {"uri": uri(ws, rel)})
    return [k["name"] for k in result["keywords"]]


async def test_an_unsaved_edit_changes_hover_keywords_and_cross_references(client: LanguageClient, ws):
    text = open_doc(client, ws, PRICING)
    last = text.split("\n")[16]  # the file's last line of text
    # Replace the docstring of price_of (line 11) and add a function at the end (line 18).
    change_doc(client, ws, PRICING, 2, (10, 4), (10, 42), '"""Price of items, edited."""')
    change_doc(
        client,
        ws,
        PRICING,
        3,
        (16, len(last)),
        (16, len(last)),
        "\n\n\ndef rebate(amount):\n    return apply_discount(amount)\n",
    )

    result = await hover(client, ws, PRICING, 9, 6)
    assert result.contents.value.split("\n\n")[1] == "Price of items, edited."
    assert "rebate" in await keyword_names(client, ws, PRICING)
    refs = await request(client, "repodoc/crossReferences", {"keyword": "apply_discount"})
    assert loc(ws, PRICING, 20, 11, 25) in refs["references"]
    assert refs["definitions"] == [loc(ws, PRICING, 15, 4, 18)]
    assert (ws / PRICING).read_text().count("rebate") == 0  # nothing was written to disk


async def test_a_newer_edit_wins_over_an_older_one(client: LanguageClient, ws):
    for version in range(4, 12):  # a burst of edits: only the last text counts
        change_doc(client, ws, PRICING, version, (19, 0), (20, 0), f"def rebate_{version}(amount):\n")
    names = await keyword_names(client, ws, PRICING)
    assert "rebate_11" in names and not any(n.startswith("rebate_1") and n != "rebate_11" for n in names)


async def test_closing_the_document_reverts_to_the_file_on_disk(client: LanguageClient, ws):
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri(ws, PRICING)))
    )
    for _ in range(50):
        names = await keyword_names(client, ws, PRICING)
        if not any(n.startswith("rebate") for n in names):
            break
    assert not any(n.startswith("rebate") for n in names)
    result = await hover(client, ws, PRICING, 9, 6)
    assert result.contents.value.split("\n\n")[1] == "Return the price of `qty` items."


async def test_deleted_file_leaves_search_after_did_change_watched_files(client: LanguageClient, ws):
    assert any(
        i["qualifiedName"] == "SpecialCart"
        for i in (await request(client, "repodoc/searchKeywords", {"query": "SpecialCart"}))["items"]
    )
    (ws / "shop/util/helpers.py").unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(ws, "shop/util/helpers.py"), type=types.FileChangeType.Deleted)]
        )
    )
    for _ in range(100):
        items = (await request(client, "repodoc/searchKeywords", {"query": "SpecialCart"}))["items"]
        if not items:
            break
    assert items == []
    status = await request(client, "repodoc/status", {})
    assert status["files"] == 22


async def test_a_created_file_joins_the_index(client: LanguageClient, ws):
    (ws / "shop/extra.py").write_text('"""Extra."""\n\n\ndef brand_new_function():\n    pass\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(ws, "shop/extra.py"), type=types.FileChangeType.Created)]
        )
    )
    for _ in range(100):
        items = (await request(client, "repodoc/searchKeywords", {"query": "brand_new_function"}))["items"]
        if items:
            break
    assert [i["location"] for i in items] == [loc(ws, "shop/extra.py", 3, 4, 22)]


async def test_an_unsaved_new_module_is_counted_among_users_and_leaves_with_its_buffer(
    client: LanguageClient, ws
):
    # A module added to the module map by an editor buffer alone (nothing on disk): the
    # hover of what it uses counts it, and stops when the buffer closes.
    fresh = "shop/fresh_module.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=uri(ws, fresh),
                language_id="python",
                version=1,
                text="from shop.pricing import price_of\n\nprice_of('tea')\n",
            )
        )
    )
    counted = "fresh\\_module.py:3"  # (Markdown-escaped)
    for _ in range(100):
        text = (await hover(client, ws, PRICING, 9, 6)).contents.value
        if counted in text:
            break
        await asyncio.sleep(0.05)
    assert counted in text
    assert not (ws / fresh).exists()
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri(ws, fresh)))
    )
    for _ in range(100):
        text = (await hover(client, ws, PRICING, 9, 6)).contents.value
        if "fresh" not in text:
            break
        await asyncio.sleep(0.05)
    assert "fresh" not in text
