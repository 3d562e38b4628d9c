"""workspace/executeCommand: repodoc.exportDocs, repodoc.reindex, repodoc.showFileDoc."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import hover, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def execute(client, command, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


async def test_commands_are_advertised(client: LanguageClient, ws):
    # initialize's result is not kept by the client; the server refuses an unknown command
    with pytest.raises(Exception, match="not defined"):
        await execute(client, "repodoc.nope")


async def test_export_docs_writes_the_doc_set_with_progress(client: LanguageClient, ws):
    before = set(client.progress_reports)
    result = await execute(client, "repodoc.exportDocs", {"outputDir": "out/docs"})
    out = ws / "out" / "docs"
    assert result["outputDir"] == str(out)
    assert result["written"] > 0 and result["removed"] == 0
    assert (out / "shop/cart.py_docs.md").is_file()
    new = [t for t in client.progress_reports if t not in before]
    assert new, "export reported no progress"
    kinds = [type(r).__name__ for r in client.progress_reports[new[-1]]]
    assert kinds[0] == "WorkDoneProgressBegin"
    again = await execute(client, "repodoc.exportDocs", {"outputDir": "out/docs"})
    assert again["written"] == 0 and again["unchanged"] == result["written"] + result["unchanged"]


async def test_hover_links_to_the_exported_page_once_it_exists(client: LanguageClient, ws):
    await execute(client, "repodoc.exportDocs")
    page = ws / "docs/repodoc/shop/pricing.py_docs.md"
    assert page.is_file()
    result = await hover(client, ws, "shop/pricing.py", 9, 6)
    assert result.contents.value.endswith(
        f"[Docs: shop/pricing.py]({uri(ws, 'docs/repodoc/shop/pricing.py_docs.md')}#price_of)"
    )


async def test_reindex(client: LanguageClient, ws):
    result = await execute(client, "repodoc.reindex")
    assert result["state"] == "ready" and result["files"] >= 22 and result["symbols"] > 20


async def test_show_file_doc_writes_the_page_to_the_cache(client: LanguageClient, ws):
    result = await execute(client, "repodoc.showFileDoc", {"uri": uri(ws, "shop/cart.py"), "symbol": "Cart"})
    assert result["path"] == "shop/cart.py"
    assert result["pageUri"] == uri(ws, ".repodoc/pages/shop/cart.py_docs.md") + "#Cart"
    assert (ws / ".repodoc/pages/shop/cart.py_docs.md").read_text(encoding="utf-8") == result["markdown"]


async def test_bad_command_arguments(client: LanguageClient, ws):
    with pytest.raises(JsonRpcInvalidParams, match="outside every workspace folder"):
        await execute(client, "repodoc.reindex", {"uri": "file:///"})
