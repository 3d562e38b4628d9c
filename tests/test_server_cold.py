"""Answers during the first index of a folder (made slow by the server's test-only
REPODOC_TEST_BUILD_DELAY_MS): an open document's own symbols, hover and definitions come
from an index of the open documents, saying that uses in other files are not known yet;
what needs the whole workspace is refused or empty until the build ends."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import ClientServerConfig
from pytest_lsp.client import LanguageClient
from server_helpers import capabilities, hover, make_client, open_doc, request, uri, wait_ready

from conftest import materialize_workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "repodoc_ls.server"],
                            client_factory=make_client, server_env={"REPODOC_TEST_BUILD_DELAY_MS": "1500"})
PRICING = "shop/pricing.py"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return materialize_workspace(tmp_path_factory.mktemp("cold")).resolve()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, ws):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities(), root_uri=uri(ws),
        workspace_folders=[types.WorkspaceFolder(uri(ws), ws.name)],
        initialization_options={"hoverBudgetMs": 10000}))
    yield
    await lsp_client.shutdown_session()


async def test_open_documents_are_answered_during_the_first_index(client: LanguageClient, ws):
    assert (await request(client, "repodoc/status", {}))["state"] == "indexing"
    open_doc(client, ws, PRICING)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri(ws, PRICING))))
    assert "price_of" in [s.name for s in symbols]

    result = await hover(client, ws, PRICING, 9, 6)  # def price_of
    value = result.contents.value
    assert value.startswith("```python\n@functools.lru_cache(maxsize=None)\ndef price_of(")
    assert value.endswith("(the workspace is still being indexed: uses in other files are not known yet)")
    assert "Used in" not in value

    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri(ws, PRICING)), position=types.Position(9, 6),
        context=types.ReferenceContext(include_declaration=True)))
    assert not refs  # none known yet
    with pytest.raises(JsonRpcInvalidParams, match="still being indexed"):
        await request(client, "repodoc/fileDoc", {"uri": uri(ws, PRICING)})
    assert (await request(client, "repodoc/status", {}))["state"] == "indexing"


async def test_the_whole_index_answers_once_built(client: LanguageClient, ws):
    await wait_ready(client, timeout=60)
    result = await hover(client, ws, PRICING, 9, 6)
    assert "Used in 4 files" in result.contents.value
    assert "still being indexed" not in result.contents.value
