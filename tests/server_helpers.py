"""Shared pieces of the end-to-end server tests (tests/test_server_*.py).

Each test module starts one real server (`python -m repodoc_ls.server` over stdio) on its
own copy of the fixture workspace and drives it with pytest-lsp's client.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig
from pytest_lsp.client import LanguageClient, register_lsp_features

from repodoc_ls.server.server import plain_converter


def make_client() -> LanguageClient:
    # Plain dicts for custom request results (pygls' default makes namedtuples of them).
    client = LanguageClient(converter_factory=plain_converter)
    register_lsp_features(client)
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "repodoc_ls.server"],
                            client_factory=make_client)


def capabilities(markdown: bool = True) -> types.ClientCapabilities:
    fmt = [types.MarkupKind.Markdown, types.MarkupKind.PlainText] if markdown else [types.MarkupKind.PlainText]
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            workspace_folders=True, configuration=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=fmt),
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True)),
    )


async def start(client: LanguageClient, ws: Path, markdown: bool = True,
                options: dict[str, Any] | None = None) -> dict:
    # A generous jedi budget: the first jedi call of a process can take a while on a busy
    # machine, and these tests check what jedi says, not how fast (bench/lsp.py does).
    opts = {"hoverBudgetMs": 10000, **(options or {})}
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(markdown), root_uri=uri(ws),
        workspace_folders=[types.WorkspaceFolder(uri(ws), ws.name)], initialization_options=opts))
    return await wait_ready(client)


async def wait_ready(client: LanguageClient, timeout: float = 20.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await request(client, "repodoc/status", {})
        if status["state"] == "ready":
            return status
        if loop.time() > deadline:
            raise AssertionError(f"server not ready after {timeout}s: {status}")
        await asyncio.sleep(0.02)


async def request(client: LanguageClient, method: str, params: Any) -> Any:
    return await client.protocol.send_request_async(method, params)


def uri(ws: Path, rel: str = "") -> str:
    return from_fs_path(str(ws / rel)) if rel else from_fs_path(str(ws))


def pos(line: int, character: int) -> dict:
    return {"line": line, "character": character}


def rng(line: int, start: int, end: int, end_line: int | None = None) -> dict:
    return {"start": pos(line, start), "end": pos(line if end_line is None else end_line, end)}


def loc(ws: Path, rel: str, line: int, start: int, end: int) -> dict:
    return {"uri": uri(ws, rel), "range": rng(line, start, end)}


def as_json(client: LanguageClient, value: Any) -> Any:
    return client.protocol._converter.unstructure(value)


async def hover(client: LanguageClient, ws: Path, rel: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri(ws, rel)), position=types.Position(line, character)))


def open_doc(client: LanguageClient, ws: Path, rel: str, version: int = 1) -> str:
    text = (ws / rel).read_text(encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri(ws, rel), language_id="python", version=version, text=text)))
    return text


def change_doc(client: LanguageClient, ws: Path, rel: str, version: int, start: tuple[int, int],
               end: tuple[int, int], text: str) -> None:
    """An incremental change: replace the range start..end with `text`."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri(ws, rel), version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text)]))


def in_process_renderer(ws: Path):
    """A renderer over an in-memory index of `ws`: what the server's pages must equal."""
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.indexer import Index

    return Renderer(Index.build(load_settings(ws), persistent=False))
