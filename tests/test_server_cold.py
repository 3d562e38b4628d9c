"""Answers during the first index of a folder (held by the test launcher's --hold-build
until the test releases it): an open document's own symbols, hover and definitions come
from an index of the open documents, saying that uses in other files are not known yet;
what needs the whole workspace is refused or empty until the build ends."""

from __future__ import annotations

import pytest
from launch_server import Hold
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, hover, open_doc, request, uri, wait_ready

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRICING = "shop/pricing.py"


@pytest.fixture(scope="module")
def build_hold(tmp_path_factory):
    return Hold(tmp_path_factory.mktemp("build-hold"), "--hold-build")


@pytest.fixture(scope="module")
def server_setup(build_hold):
    return ServerSetup(hooks=[build_hold], wait_ready=False)


async def test_open_documents_are_answered_during_the_first_index(client: LanguageClient, ws):
    assert (await request(client, "repodoc/status", {}))["state"] == "indexing"
    open_doc(client, ws, PRICING)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri(ws, PRICING)))
    )
    assert "price_of" in [s.name for s in symbols]

    result = await hover(client, ws, PRICING, 9, 6)  # def price_of
    value = result.contents.value
    assert value.startswith("```python\n@functools.lru_cache(maxsize=None)\ndef price_of(")
    assert value.endswith("(the workspace is still being indexed: uses in other files are not known yet)")
    assert "Used in" not in value

    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri(ws, PRICING)),
            position=types.Position(9, 6),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert not refs  # none known yet
    with pytest.raises(JsonRpcInvalidParams, match="still being indexed"):
        await request(client, "repodoc/fileDoc", {"uri": uri(ws, PRICING)})
    assert (await request(client, "repodoc/status", {}))["state"] == "indexing"


async def test_the_whole_index_answers_once_built(client: LanguageClient, ws, build_hold):
    await build_hold.reached()  # the build was held all along: nothing above raced it
    build_hold.release()
    await wait_ready(client)
    result = await hover(client, ws, PRICING, 9, 6)
    assert "Used in 4 files" in result.contents.value
    assert "still being indexed" not in result.contents.value
