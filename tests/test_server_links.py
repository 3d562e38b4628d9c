"""initializationOptions.linkKinds: a client that opens only file links (the Neovim plugin
sends `["file"]`) gets hovers without `command:` links: the docs line links the exported
page once it exists, else names where an export writes it. The option is the client's, not
a setting: no "ignoring setting" warning; a value that is no link kind is reported."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient
from server_helpers import ServerSetup, as_json, hover, uri

from repodoc_ls.server.folders import LINK_KINDS, link_kinds, normalize_options

served = pytest.mark.asyncio(loop_scope="module")  # the module's server, its one event loop

PAGE = "docs/repodoc/shop/pricing.py_docs.md"


@pytest.fixture(scope="module")
def server_setup():
    return ServerSetup(options={"linkKinds": ["file", "gopher"]})


@served
async def test_hovers_carry_no_command_links(client: LanguageClient, ws):
    symbol = (await hover(client, ws, "shop/pricing.py", 9, 6)).contents.value  # def price_of
    module = (await hover(client, ws, "shop/cart.py", 7, 7)).contents.value  # from .pricing import
    for value in (symbol, module):
        assert "command:" not in value
        assert value.split("\n\n")[-1] == f"Docs: {PAGE.replace('_', chr(92) + '_')} (not exported yet)"
    assert f"Defined in [shop/pricing.py:10]({uri(ws, 'shop/pricing.py')}#L10)" in symbol  # file links stay


@served
async def test_code_lenses_run_a_command_of_the_protocol_not_a_link(client: LanguageClient, ws):
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri(ws, "shop/pricing.py")))
    )
    assert lenses and all(lens.command.command == "repodoc.showFileDoc" for lens in lenses)
    assert "command:" not in json.dumps(as_json(client, lenses))  # workspace/executeCommand runs it


@served
async def test_once_exported_the_docs_line_links_the_page(client: LanguageClient, ws):
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="repodoc.exportDocs"))
    assert (ws / PAGE).is_file()
    value = (await hover(client, ws, "shop/pricing.py", 9, 6)).contents.value
    assert value.split("\n\n")[-1] == f"[Docs: shop/pricing.py]({uri(ws, PAGE)}#price_of)"


@served
async def test_link_kinds_is_no_setting_and_a_wrong_value_is_reported(client: LanguageClient, ws):
    warnings = [m.message for m in client.messages]
    assert not any("link_kinds" in m or "ignoring setting 'linkKinds'" in m for m in warnings)
    assert any("ignoring linkKinds value 'gopher'" in m for m in warnings)


def test_link_kinds_of_the_options():
    ignored: list[str] = []
    assert link_kinds(None, ignored.append) == LINK_KINDS  # a client that says nothing opens all
    assert link_kinds({"outputDir": "x"}, ignored.append) == LINK_KINDS
    assert link_kinds({"linkKinds": ["file"]}, ignored.append) == {"file"}
    assert link_kinds({"repodoc": {"link_kinds": ["file", "command"]}}, ignored.append) == {"file", "command"}
    assert link_kinds({"linkKinds": []}, ignored.append) == frozenset()
    assert ignored == []
    assert link_kinds({"linkKinds": "file"}, ignored.append) == LINK_KINDS
    assert link_kinds({"linkKinds": ["file", {"x": 1}]}, ignored.append) == {"file"}
    assert len(ignored) == 2 and "expected a list" in ignored[0] and "{'x': 1}" in ignored[1]
    assert normalize_options({"linkKinds": ["file"], "outputDir": "x"}) == {"output_dir": "x"}
