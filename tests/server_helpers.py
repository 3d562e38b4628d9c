"""Shared pieces of the end-to-end server tests (tests/test_server_*.py), and their
fixtures (a pytest plugin of tests/conftest.py).

Each test module starts one real server over stdio, through tests/launch_server.py (so a
module can ask for test hooks), on its own copy of the fixture workspace, and drives it
with pytest-lsp's client: the `client` fixture, on the `ws` fixture's workspace. A module
changes how its server starts by overriding the `server_setup` fixture (a `ServerSetup`),
and its workspace by overriding `ws`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import pytest_asyncio
from conftest import materialize_workspace
from launch_server import server_command
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig
from pytest_lsp.client import LanguageClient, register_lsp_features

from repodoc_ls.server.server import plain_converter

#: The initialization options every test server gets, under those of its `ServerSetup`.
#: A generous jedi budget: the first jedi call of a process can take a while on a busy
#: machine, and these tests check what jedi says, not how fast (bench/lsp.py does).
DEFAULT_OPTIONS = {"hoverBudgetMs": 10000}


def make_client() -> LanguageClient:
    # Plain dicts for custom request results (pygls' default makes namedtuples of them).
    client = LanguageClient(converter_factory=plain_converter)
    register_lsp_features(client)
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    return client


CONFIG = ClientServerConfig(
    server_command=[sys.executable, "-m", "repodoc_ls.server"], client_factory=make_client
)


class LauncherHook(Protocol):
    """A hook of tests/launch_server.py as a test holds it (a `Hold`, a `JediGate`)."""

    @property
    def flags(self) -> list[str]: ...

    def open(self) -> None:
        """Let the server go on for good (called when the server stops)."""


@dataclass(frozen=True)
class ServerSetup:
    """How the `client` fixture starts a module's server."""

    hooks: Sequence[LauncherHook] = ()  # test hooks of the launcher, opened when the server stops
    options: dict[str, Any] = field(default_factory=dict)  # initializationOptions, over DEFAULT_OPTIONS
    markdown: bool = True  # the client takes Markdown hovers
    wait_ready: bool = True  # the fixture returns once the first index is built


@contextlib.asynccontextmanager
async def running_server(ws: Path, setup: ServerSetup = ServerSetup()) -> AsyncIterator[LanguageClient]:
    """A client of a real server on `ws`, initialized (and ready, unless the setup says
    not to wait); shut down and stopped on leaving."""
    flags = [flag for hook in setup.hooks for flag in hook.flags]
    config = ClientServerConfig(server_command=server_command(*flags), client_factory=make_client)
    client = await config.start()
    initialized = False
    try:
        await initialize(client, ws, setup.markdown, setup.options)
        initialized = True
        if setup.wait_ready:
            await wait_ready(client)
        yield client
    finally:
        for hook in setup.hooks:
            hook.open()  # a server held by a hook would not stop
        if initialized:
            await client.shutdown_session()
        await client.stop()


@pytest.fixture(scope="module")
def ws(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's own copy of the fixture workspace (tests/conftest.py)."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return materialize_workspace(tmp_path_factory.mktemp(name)).resolve()


@pytest.fixture(scope="module")
def server_setup() -> ServerSetup:
    """Override in a module to start its server otherwise."""
    return ServerSetup()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(ws: Path, server_setup: ServerSetup) -> AsyncIterator[LanguageClient]:
    """The module's client of its own server, on `ws`."""
    async with running_server(ws, server_setup) as lsp_client:
        yield lsp_client


def capabilities(markdown: bool = True) -> types.ClientCapabilities:
    fmt = (
        [types.MarkupKind.Markdown, types.MarkupKind.PlainText] if markdown else [types.MarkupKind.PlainText]
    )
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            workspace_folders=True,
            configuration=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=fmt),
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        ),
    )


async def initialize(
    client: LanguageClient, ws: Path, markdown: bool = True, options: dict[str, Any] | None = None
) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(markdown),
            root_uri=uri(ws),
            workspace_folders=[types.WorkspaceFolder(uri(ws), ws.name)],
            initialization_options={**DEFAULT_OPTIONS, **(options or {})},
        )
    )


async def start(
    client: LanguageClient, ws: Path, markdown: bool = True, options: dict[str, Any] | None = None
) -> dict:
    """Initialize a client started by hand, and wait for the first index."""
    await initialize(client, ws, markdown, options)
    return await wait_ready(client)


async def wait_ready(client: LanguageClient, timeout: float = 300.0) -> dict:
    """The status once every folder is indexed. `timeout` only guards against a hang: a
    loaded machine (CI beside other work, Python 3.10 with the lowest dependencies) may take
    tens of seconds to index a large fixture, and that is no failure."""
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
    return _CONVERTER.unstructure(value)  # the client's own: make_client's converter


_CONVERTER = plain_converter()


async def hover(client: LanguageClient, ws: Path, rel: str, line: int, character: int) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri(ws, rel)), position=types.Position(line, character)
        )
    )


def open_doc(client: LanguageClient, ws: Path, rel: str, version: int = 1) -> str:
    text = (ws / rel).read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri(ws, rel), language_id="python", version=version, text=text)
        )
    )
    return text


def change_doc(
    client: LanguageClient,
    ws: Path,
    rel: str,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> None:
    """An incremental change: replace the range start..end with `text`."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(ws, rel), version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*start), types.Position(*end)), text=text
                )
            ],
        )
    )


def in_process_renderer(ws: Path):
    """A renderer over an in-memory index of `ws`: what the server's pages must equal."""
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.indexer import Index

    return Renderer(Index.build(load_settings(ws), persistent=False))
