"""An unexpected exception in a handler: logged to the client with its traceback, answered
as InternalError; the handler's own JSON-RPC errors pass through as they are; every failure
reaches the client's log once, with one "repodoc: " prefix."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import (
    FeatureRequestError,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcRequestCancelled,
)

from repodoc_ls.server.app import create_server
from repodoc_ls.server.server import guarded


def _server_logging_to_a_list():
    """A server (not started) whose window/logMessage notifications land in a list."""
    ls = create_server()
    ls.loop = asyncio.get_running_loop()
    logged: list[types.LogMessageParams] = []
    ls.window_log_message = logged.append
    return ls, logged


async def test_unexpected_exception_is_logged_and_returned_as_internal_error():
    ls, logged = _server_logging_to_a_list()

    async def broken(ls, params):
        raise KeyError("boom")

    with pytest.raises(JsonRpcInternalError, match="repodoc: repodoc/x failed: KeyError: 'boom'"):
        await guarded(ls, "repodoc/x", broken)({})
    assert logged[0].type == types.MessageType.Error
    assert "Traceback" in logged[0].message and "KeyError: 'boom'" in logged[0].message


async def test_refusals_pass_through_unlogged():
    ls, logged = _server_logging_to_a_list()

    async def refuses(ls, params):
        raise JsonRpcInvalidParams("no")

    with pytest.raises(JsonRpcInvalidParams, match="no"):
        await guarded(ls, "repodoc/x", refuses)({})
    assert logged == []


async def test_failed_requests_are_logged_once_with_one_prefix():
    ls, logged = _server_logging_to_a_list()

    async def broken(ls, params):
        raise KeyError("boom")

    try:
        await guarded(ls, "repodoc/folderDoc", broken)({})
    except JsonRpcInternalError as exc:
        ls.report_server_error(exc, FeatureRequestError)  # as pygls does after the response
    ls.report_server_error(
        JsonRpcInvalidParams("file:///x is outside every workspace folder"), FeatureRequestError
    )
    ls.report_server_error(JsonRpcRequestCancelled("Request with id 3 is canceled"), FeatureRequestError)
    ls.report_server_error(JsonRpcInvalidParams("repodoc: already prefixed"), FeatureRequestError)
    messages = [m.message.split("\n")[0] for m in logged]
    assert messages == [
        "repodoc: repodoc/folderDoc failed: 'boom'",
        "repodoc: file:///x is outside every workspace folder",
        "repodoc: already prefixed",
    ]
    assert [m.type for m in logged] == [types.MessageType.Error] + [types.MessageType.Warning] * 2
