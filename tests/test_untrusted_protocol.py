"""Protocol correctness (issue 10, item 5), through a real client over stdio.

Every bad request gets its JSON-RPC error, and the next valid request is answered: params
that do not fit (-32602, with what did not fit), requests before `initialize` (-32002) and
after `shutdown` (-32600), and a client that answers `window/showDocument` with null. Bad
requests are sent as raw JSON: lsprotocol's types on the client side would refuse to build
them.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from concurrent.futures import Future

import pytest
import pytest_lsp
from conftest import materialize_workspace
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features
from server_helpers import CONFIG, capabilities, start, uri

from repodoc_ls.server.server import plain_converter

pytestmark = pytest.mark.asyncio(loop_scope="module")

INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, NOT_INITIALIZED = -32602, -32600, -32601, -32002
#: Only so that a request the server never answers fails the test instead of hanging it.
HANG_GUARD = 60.0
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return materialize_workspace(tmp_path_factory.mktemp("protocol")).resolve()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, ws):
    await start(lsp_client, ws)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def fresh(lsp_client: LanguageClient):
    """A server that has been sent nothing yet."""
    yield
    # pytest-lsp then waits for the server to exit: make sure it does, whatever state a
    # failed test left it in (exit is obeyed before initialize and after shutdown alike).
    if lsp_client._server is not None and lsp_client._server.returncode is None:
        notify(lsp_client, "exit", None)


async def raw(client: LanguageClient, method: str, params=None):
    """Send a request as raw JSON and return its result (or raise its error)."""
    protocol = client.protocol
    msg_id = f"raw-{next(_ids)}"
    future: Future = Future()
    # The client's protocol matches the answer to this future by its id.
    protocol._request_futures[msg_id] = future
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), HANG_GUARD)
    finally:
        protocol._request_futures.pop(msg_id, None)  # an answer after the guard is ignored


def notify(client: LanguageClient, method: str, params) -> None:
    client.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


async def refused(client: LanguageClient, method: str, params, code: int) -> str:
    with pytest.raises(JsonRpcException) as info:
        await raw(client, method, params)
    assert info.value.code == code, f"{method} {params!r}: {info.value.code} {info.value.message}"
    return info.value.message


def at(ws, rel: str, line, character) -> dict:
    return {"textDocument": {"uri": uri(ws, rel)}, "position": {"line": line, "character": character}}


async def assert_serving(client: LanguageClient, ws) -> None:
    """The server still answers: a hover and a custom request."""
    result = await raw(client, "textDocument/hover", at(ws, "shop/pricing.py", 4, 2))
    assert "DISCOUNT = 0.1" in result["contents"]["value"]
    assert (await raw(client, "repodoc/status", {}))["state"] == "ready"


# -- params that do not fit -----------------------------------------------------

NUL = "\x00"
PRICING = "shop/pricing.py"


def _pricing(ws) -> str:
    return uri(ws, PRICING)


def _pos(line, character, rel: str = PRICING):
    return lambda ws: {"uri": uri(ws, rel), "position": {"line": line, "character": character}}


# (method, params as a function of the workspace, what the error message says)
BAD_STANDARD_REQUESTS = [
    ("textDocument/hover", lambda ws: at(ws, PRICING, -1, 0), "Position.line should be in range"),
    ("textDocument/hover", lambda ws: at(ws, PRICING, 2**40, 0), "Position.line should be in range"),
    ("textDocument/hover", lambda ws: at(ws, PRICING, 0, -3), "Position.character should be in range"),
    (
        "textDocument/hover",
        lambda ws: {"textDocument": {"uri": _pricing(ws)}, "position": "1:2"},
        "params.position",
    ),
    (
        "textDocument/hover",
        lambda ws: {"position": {"line": 1, "character": 0}},
        "params.textDocument: required",
    ),
    ("textDocument/hover", lambda ws: None, "params"),
    ("textDocument/hover", lambda ws: at(ws, "shop/pri" + NUL + "cing.py", 4, 2), "NUL"),
    (
        "textDocument/hover",
        lambda ws: {
            "textDocument": {"uri": _pricing(ws).replace("pricing", "pri%00cing")},
            "position": {"line": 4, "character": 2},
        },
        "NUL",
    ),
    ("textDocument/definition", lambda ws: at(ws, PRICING, -5, 0), "Position.line should be in range"),
    ("textDocument/references", lambda ws: at(ws, PRICING, 4, 2), "params.context: required"),
    ("textDocument/documentSymbol", lambda ws: {"textDocument": 5}, "params.textDocument"),
    ("textDocument/codeLens", lambda ws: {"textDocument": {"uri": _pricing(ws) + NUL}}, "NUL"),
    ("workspace/symbol", lambda ws: {}, "params.query: required"),
    ("workspace/executeCommand", lambda ws: {"command": "repodoc.reindex", "arguments": "x"}, "JSON object"),
]

BAD_CUSTOM_REQUESTS = [
    ("repodoc/crossReferences", _pos(-1, 0), "position.line"),
    ("repodoc/crossReferences", _pos(2**40, 0), "position.line"),
    ("repodoc/crossReferences", _pos(True, 0), "position.line"),
    ("repodoc/crossReferences", _pos(1, -2), "position.character"),
    ("repodoc/crossReferences", lambda ws: {"uri": _pricing(ws), "position": "1:2"}, "position must be"),
    ("repodoc/crossReferences", _pos(4, 2, "shop/pri" + NUL + "cing.py"), "NUL"),
    (
        "repodoc/crossReferences",
        lambda ws: {"uri": 5, "position": {"line": 4, "character": 2}},
        "uri must be",
    ),
    ("repodoc/crossReferences", lambda ws: {"keyword": 3}, "keyword"),
    ("repodoc/crossReferences", lambda ws: {}, "give either"),
    ("repodoc/crossReferences", lambda ws: [], "JSON object"),
    ("repodoc/fileDoc", lambda ws: {}, "uri"),
    ("repodoc/fileDoc", lambda ws: {"uri": 5}, "uri must be a string"),
    ("repodoc/fileDoc", lambda ws: {"uri": uri(ws, "shop/pri" + NUL + "cing.py")}, "NUL"),
    ("repodoc/fileDoc", lambda ws: "file:///x", "JSON object"),
    ("repodoc/keywordIndex", lambda ws: {"uri": None}, "uri"),
    ("repodoc/keywordIndex", lambda ws: {"uri": ["x"]}, "uri"),
    ("repodoc/folderDoc", lambda ws: {"uri": uri(ws), "kind": 3}, "kind"),
    ("repodoc/folderDoc", lambda ws: {"uri": uri(ws), "kind": ["index"]}, "kind"),
    ("repodoc/folderDoc", lambda ws: {"uri": uri(ws), "kind": "sub", "letter": 5}, "letter"),
    ("repodoc/folderDoc", lambda ws: {"uri": uri(ws), "kind": "index", "letter": "t"}, "letter"),
    ("repodoc/folderDoc", lambda ws: {"kind": "index"}, "uri"),
    ("repodoc/searchKeywords", lambda ws: {}, "query"),
    ("repodoc/searchKeywords", lambda ws: {"query": 5}, "query"),
    ("repodoc/searchKeywords", lambda ws: {"query": "x", "limit": "3"}, "limit"),
    ("repodoc/searchKeywords", lambda ws: {"query": "x", "limit": True}, "limit"),
    ("repodoc/searchKeywords", lambda ws: {"query": "x", "limit": 0}, "limit"),
]

BAD_COMMANDS = [
    ("repodoc.showFileDoc", lambda ws: [5], "JSON object"),
    ("repodoc.showFileDoc", lambda ws: [{}], "uri"),
    ("repodoc.showFileDoc", lambda ws: [{"uri": uri(ws, "shop/cart" + NUL + ".py")}], "NUL"),
    ("repodoc.exportDocs", lambda ws: [{"outputDir": 5}], "outputDir"),
    ("repodoc.reindex", lambda ws: [{"uri": 5}], "uri must be a string"),
    ("repodoc.nope", lambda ws: [], "not defined"),
]


def _ids_of(cases) -> list[str]:
    return [f"{i}-{method}" for i, (method, _, _) in enumerate(cases)]


@pytest.mark.parametrize("method, params, says", BAD_STANDARD_REQUESTS, ids=_ids_of(BAD_STANDARD_REQUESTS))
async def test_standard_requests_with_bad_params_get_invalid_params(
    client: LanguageClient, ws, method, params, says
):
    message = await refused(client, method, params(ws), INVALID_PARAMS)
    assert says in message
    await assert_serving(client, ws)


@pytest.mark.parametrize("method, params, says", BAD_CUSTOM_REQUESTS, ids=_ids_of(BAD_CUSTOM_REQUESTS))
async def test_custom_requests_with_bad_params_get_invalid_params(
    client: LanguageClient, ws, method, params, says
):
    message = await refused(client, method, params(ws), INVALID_PARAMS)
    assert says in message
    await assert_serving(client, ws)


@pytest.mark.parametrize("command, arguments, says", BAD_COMMANDS, ids=_ids_of(BAD_COMMANDS))
async def test_commands_with_bad_arguments_get_invalid_params(
    client: LanguageClient, ws, command, arguments, says
):
    message = await refused(
        client, "workspace/executeCommand", {"command": command, "arguments": arguments(ws)}, INVALID_PARAMS
    )
    assert says in message
    await assert_serving(client, ws)


async def test_the_refusal_names_the_parameter_in_the_protocols_spelling(client: LanguageClient, ws):
    message = await refused(client, "textDocument/hover", at(ws, "shop/pricing.py", -1, 0), INVALID_PARAMS)
    assert message == (
        "invalid params for textDocument/hover: params.position: "
        "Position.line should be in range [0:2147483647], but was -1"
    )


async def test_positions_past_the_end_are_valid(client: LanguageClient, ws):
    # In range for the protocol, past the end of the file: an answer, not an error.
    assert await raw(client, "textDocument/hover", at(ws, "shop/pricing.py", 2**31 - 1, 2**31 - 1)) is None
    answer = await raw(
        client,
        "repodoc/crossReferences",
        {"uri": uri(ws, "shop/pricing.py"), "position": {"line": 2**31 - 1, "character": 0}},
    )
    assert answer["definitions"] == [] and answer["references"] == []


async def test_unknown_method_gets_method_not_found(client: LanguageClient, ws):
    await refused(client, "repodoc/noSuchRequest", {}, METHOD_NOT_FOUND)
    await assert_serving(client, ws)


async def test_a_notification_with_bad_params_is_dropped_and_logged(client: LanguageClient, ws):
    notify(client, "textDocument/didOpen", {"textDocument": 5})
    notify(
        client,
        "textDocument/didChange",
        {"textDocument": {"uri": uri(ws, "shop/pricing.py")}, "contentChanges": "x"},
    )
    await assert_serving(client, ws)
    logged = [m.message for m in client.log_messages]
    assert any(
        m.startswith("repodoc: invalid params for textDocument/didOpen: params.textDocument") for m in logged
    ), logged


# -- lifecycle ------------------------------------------------------------------


async def test_requests_before_initialize_get_server_not_initialized(fresh: LanguageClient, ws):
    for method, params in (
        ("repodoc/status", {}),
        ("textDocument/hover", at(ws, "shop/pricing.py", 4, 2)),
        ("repodoc/fileDoc", {"uri": uri(ws, "shop/pricing.py")}),
        ("shutdown", None),
        ("workspace/executeCommand", {"command": "repodoc.reindex", "arguments": []}),
    ):
        message = await refused(fresh, method, params, NOT_INITIALIZED)
        assert "initialize" in message
    notify(
        fresh,
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": uri(ws, "shop/pricing.py"),
                "languageId": "python",
                "version": 1,
                "text": "x = 1\n",
            }
        },
    )
    # Then the session starts as usual, and the notification sent before it was dropped.
    status = await start(fresh, ws)
    assert [f["uri"] for f in status["folders"]] == [uri(ws)]
    await assert_serving(fresh, ws)
    await refused(fresh, "initialize", {"capabilities": {}}, INVALID_REQUEST)
    await assert_serving(fresh, ws)
    await fresh.shutdown_session()


async def test_requests_after_shutdown_get_invalid_request_and_exit_ends_the_process(
    fresh: LanguageClient, ws
):
    await start(fresh, ws)
    assert await raw(fresh, "shutdown") is None
    for method, params in (
        ("repodoc/status", {}),
        ("textDocument/hover", at(ws, "shop/pricing.py", 4, 2)),
        ("repodoc/fileDoc", {"uri": uri(ws, "shop/pricing.py")}),
        ("shutdown", None),
    ):
        message = await refused(fresh, method, params, INVALID_REQUEST)
        assert "shutting down" in message
    notify(fresh, "exit", None)
    server = fresh._server  # pytest-lsp's own shutdown_session waits on it the same way
    assert await asyncio.wait_for(server.wait(), HANG_GUARD) == 0


# -- requests of the server to the client ---------------------------------------


def _client_answering_show_document() -> LanguageClient:
    """A client whose answer to window/showDocument is whatever `show_answer` holds."""
    client = LanguageClient(converter_factory=plain_converter)
    features = {m: f for m, f in DEFAULT_CLIENT_FEATURES.items() if m != types.WINDOW_SHOW_DOCUMENT}
    register_lsp_features(client, features)
    client.show_answer = None
    client.shown = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams):
        return None

    @client.feature(types.WINDOW_SHOW_DOCUMENT)
    def show_document(params: types.ShowDocumentParams):
        client.shown.append(params.uri)
        return client.show_answer

    return client


SHOWING = ClientServerConfig(
    server_command=[sys.executable, "-m", "repodoc_ls.server"], client_factory=_client_answering_show_document
)


@pytest_lsp.fixture(config=SHOWING, loop_scope="module")
async def showing(lsp_client: LanguageClient, ws):
    caps = capabilities()
    caps.window.show_document = types.ShowDocumentClientCapabilities(support=True)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=uri(ws),
            workspace_folders=[types.WorkspaceFolder(uri(ws), ws.name)],
            initialization_options={"hoverBudgetMs": 10000},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def show(client: LanguageClient, ws) -> dict:
    return await raw(
        client,
        "workspace/executeCommand",
        {"command": "repodoc.showFileDoc", "arguments": [{"uri": uri(ws, "shop/cart.py"), "symbol": "Cart"}]},
    )


async def test_show_file_doc_answers_when_the_client_answers_show_document_with_null(
    showing: LanguageClient, ws
):
    from server_helpers import wait_ready

    await wait_ready(showing)
    page = uri(ws, ".repodoc/pages/shop/cart.py_docs.md") + "#Cart"
    showing.show_answer = None
    result = await show(showing, ws)
    assert result["pageUri"] == page and result["shown"] is False
    assert showing.shown == [page]
    assert any("did not show" in m.message for m in showing.log_messages)

    showing.show_answer = types.ShowDocumentResult(success=False)
    assert (await show(showing, ws))["shown"] is False
    showing.show_answer = types.ShowDocumentResult(success=True)
    assert (await show(showing, ws))["shown"] is True
    assert len(showing.shown) == 3
    await assert_serving(showing, ws)


async def test_a_client_request_left_unanswered_gives_up_after_the_timeout():
    """In process: the server's request times out (shortened here) and a late answer is
    ignored. The stdio tests cannot wait CLIENT_REQUEST_TIMEOUT seconds."""
    from pygls.protocol.json_rpc import JsonRPCResponseMessage

    from repodoc_ls.server.app import create_server
    from repodoc_ls.server.protocol import ClientDidNotAnswer

    ls = create_server()
    sent: list[bytes] = []

    class Writer:
        def write(self, data: bytes) -> None:
            sent.append(data)

        def close(self) -> None:
            pass

    ls.protocol.set_writer(Writer())
    ls.protocol.client_request_timeout = 0.01
    request = ls.protocol.send_request_async(
        types.WINDOW_SHOW_DOCUMENT, types.ShowDocumentParams(uri="file:///x")
    )
    with pytest.raises(ClientDidNotAnswer, match="did not answer window/showDocument"):
        await asyncio.wait_for(request, HANG_GUARD)
    assert b'"window/showDocument"' in sent[0]
    msg_id = __import__("json").loads(sent[0].split(b"\r\n\r\n", 1)[1])["id"]
    ls.protocol.handle_message(JsonRPCResponseMessage(id=msg_id, jsonrpc="2.0", result={"success": True}))
