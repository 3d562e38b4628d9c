"""Turning off the standard features another Python server already gives (`features`).

The user's initializationOptions unregister a feature before the capabilities are computed:
the server does not advertise it and answers MethodNotFound if asked anyway. A folder's
`[tool.repodoc.features]` comes too late to change capabilities: the feature answers null
or empty in that folder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import materialize_workspace
from hostile_workspace import assert_one_line_error, repodoc
from launch_server import server_command
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig
from server_helpers import DEFAULT_OPTIONS, capabilities, hover, make_client, running_server, uri, wait_ready

from repodoc_ls.config import SettingsError, load_settings

on_module_loop = pytest.mark.asyncio(loop_scope="module")

OFF_BESIDE_PYLANCE = {
    "hover": False,
    "definition": False,
    "references": False,
    "documentSymbol": False,
    "workspaceSymbol": False,
}


@on_module_loop
async def test_disabled_features_are_not_advertised_and_not_served(ws):
    client = await ClientServerConfig(server_command=server_command(), client_factory=make_client).start()
    try:
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(),
                root_uri=uri(ws),
                workspace_folders=[types.WorkspaceFolder(uri(ws), ws.name)],
                initialization_options={**DEFAULT_OPTIONS, "features": OFF_BESIDE_PYLANCE},
            )
        )
        caps = result.capabilities
        assert caps.hover_provider is None
        assert caps.definition_provider is None
        assert caps.references_provider is None
        assert caps.document_symbol_provider is None
        assert caps.workspace_symbol_provider is None
        assert caps.code_lens_provider is not None
        await wait_ready(client)
        with pytest.raises(JsonRpcMethodNotFound):
            await hover(client, ws, "shop/pricing.py", 9, 6)
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(types.TextDocumentIdentifier(uri(ws, "shop/pricing.py")))
        )
        assert lenses
    finally:
        await client.shutdown_session()
        await client.stop()


@on_module_loop
async def test_a_folder_pyproject_turns_hover_off_there(tmp_path):
    ws = materialize_workspace(tmp_path).resolve()
    pyproject = ws / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + "\n[tool.repodoc.features]\nhover = false\n", encoding="utf-8"
    )
    async with running_server(ws) as client:
        assert await hover(client, ws, "shop/pricing.py", 9, 6) is None
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(ws, "shop/pricing.py")))
        )
        assert symbols  # only hover is off


@on_module_loop
async def test_hover_is_on_by_default(client, ws):
    result = await hover(client, ws, "shop/pricing.py", 9, 6)
    assert result is not None and "price_of" in result.contents.value


def test_user_features_add_to_the_workspace_ones(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.repodoc.features]\nhover = false\n", encoding="utf-8")
    settings = load_settings(tmp_path, {"features": {"code_lens": False}})
    assert "hover" not in settings.features and "codeLens" not in settings.features
    assert "definition" in settings.features
    assert "hover" in load_settings(tmp_path, {"features": {"hover": True}}).features


@pytest.mark.parametrize(
    "table, message",
    [
        ('[tool.repodoc.features]\nhover = "no"\n', "features.hover must be true or false"),
        ("[tool.repodoc.features]\nhovr = false\n", "unknown feature 'hovr'"),
        ('[tool.repodoc]\nfeatures = ["hover"]\n', "features must be a table"),
    ],
)
def test_a_bad_features_table_is_a_one_line_error(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    (tmp_path / "mod.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path)
    assert_one_line_error(repodoc("export", str(tmp_path)), message)


def test_the_neovim_plugin_sends_its_features_option(tmp_path):
    from test_nvim_client import NVIM, NVIM_FOUND

    if NVIM is None:
        pytest.skip(NVIM_FOUND)
    client_dir = Path(__file__).parent.parent / "nvim-client"
    lua = (
        'local c = require("repodoc.config"); io.stdout:write(vim.json.encode(c.init_options(c.resolve('
        "{features = {hover = false}, settings = {features = {definition = false}}}))))"
    )
    result = subprocess.run(
        [
            NVIM,
            "--headless",
            "-u",
            "NONE",
            "--cmd",
            f"set rtp^={client_dir}",
            "-c",
            f"lua {lua}",
            "-c",
            "qa!",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert json.loads(result.stdout)["features"] == {"hover": False, "definition": False}, result
