"""The JSON-RPC rules pygls leaves to the server: every request gets an answer.

pygls turns each incoming message into lsprotocol's types while it parses the JSON (an
`object_hook` of `json.loads`); when that fails, the message is dropped before it has an
id to answer, so a hover with `line: -1` was never answered and the client waited for
good. Here a message that does not fit its type becomes a `Misfit`, answered -32602 with
what did not fit. The lifecycle is enforced in one place, before any handler runs:
requests before `initialize` get -32002, requests after `shutdown` get -32600, `exit`
always ends the process. And every request the server sends the client (showDocument,
configuration, registration, progress) gives up after `CLIENT_REQUEST_TIMEOUT` seconds, so
a client that never answers cannot hang a handler, and an answer of the wrong shape (a
null `ShowDocumentResult`) reaches the caller as `None` or an error instead of vanishing.
The open documents' text is kept by `buffers.py`, not pygls' workspace, whose documents
join and split the whole text on every incremental change.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from concurrent.futures import Future
from typing import Any

import attrs
from cattrs.errors import BaseValidationError
from cattrs.v import format_exception, transform_error
from lsprotocol import types
from pygls.exceptions import (
    FeatureNotificationError,
    FeatureRequestError,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCResponseMessage
from pygls.protocol.language_server import lsp_method

from repodoc_ls.server.buffers import Buffers

log = logging.getLogger(__name__)

#: Seconds the server waits for the client's answer to one of its requests.
CLIENT_REQUEST_TIMEOUT = 10.0
_MESSAGE_MAX = 400
_CAMEL = re.compile(r"_([a-z])")


class ClientDidNotAnswer(TimeoutError):
    """The client left a request of the server unanswered for CLIENT_REQUEST_TIMEOUT."""


@attrs.define
class Misfit:
    """An incoming message whose params do not fit the method's type."""

    method: str
    jsonrpc: str
    id: Any
    error: str


class RepodocProtocol(LanguageServerProtocol):
    client_request_timeout = CLIENT_REQUEST_TIMEOUT

    def __init__(self, server, converter) -> None:
        super().__init__(server, converter)
        self.initialize_received = False
        self.shutdown_received = False
        self.buffers = Buffers()

    # -- documents: kept by `buffers`, not pygls' workspace (buffers.py says why) ---------

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        doc = params.text_document
        self.buffers.open(doc.uri, doc.text, doc.version)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        doc = params.text_document
        encoding = self.workspace.position_codec.encoding or types.PositionEncodingKind.Utf16
        self.buffers.change(doc.uri, doc.version, params.content_changes, encoding)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        self.buffers.close(params.text_document.uri)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    # -- incoming ----------------------------------------------------------------

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            return self._misfit(data, exc)

    def _misfit(self, data: dict[str, Any], exc: JsonRpcException):
        detail = describe(exc.__cause__ or exc)
        if "method" in data:
            return Misfit(
                method=str(data["method"]),
                jsonrpc=data.get("jsonrpc", ""),
                id=data.get("id"),
                error=f"invalid params for {data['method']}: {detail}",
            )
        if "id" in data:
            # The client's answer to one of our requests, of the wrong shape. A null is
            # passed on as None (callers treat it as "no"); anything else fails the request.
            if data.get("result") is None:
                return JsonRPCResponseMessage(id=data["id"], jsonrpc=data.get("jsonrpc", ""), result=None)
            return types.ResponseErrorMessage(
                id=data["id"],
                error=types.ResponseError(
                    code=JsonRpcInternalError.CODE, message=f"the client's answer did not fit: {detail}"
                ),
            )
        raise exc

    def handle_message(self, message) -> None:
        method = getattr(message, "method", None)
        if method == types.EXIT and isinstance(message, Misfit):
            message = types.ExitNotification()  # exit with params it has no use for still exits
        if method is None or method == types.EXIT:
            super().handle_message(message)  # answers to our requests; exit always exits
        elif not self.initialize_received and method != types.INITIALIZE:
            self._refuse(
                message,
                JsonRpcServerNotInitialized(
                    f"the server is not initialized: send initialize before {method}"
                ),
            )
        elif self.shutdown_received:
            self._refuse(
                message,
                JsonRpcInvalidRequest(
                    f"the server is shutting down: {method} refused, only exit is accepted"
                ),
            )
        elif method == types.INITIALIZE and self.initialize_received:
            self._refuse(message, JsonRpcInvalidRequest("initialize was already received"))
        elif isinstance(message, Misfit):
            self._refuse(message, JsonRpcInvalidParams(message.error))
        else:
            if method == types.INITIALIZE:
                self.initialize_received = True
            elif method == types.SHUTDOWN:
                self.shutdown_received = True
            super().handle_message(message)

    def _refuse(self, message, error: JsonRpcException) -> None:
        """Answer a request with `error`; a notification has no answer and is dropped.
        Bad params are reported to the client's log too, as pygls reports a handler's
        error; a message out of the lifecycle's order only to stderr (before initialize
        the client may not be listening, after shutdown it is leaving)."""
        is_request = getattr(message, "id", None) is not None
        if is_request:
            self._send_response(message.id, error=error.to_response_error())
        if isinstance(error, JsonRpcInvalidParams):
            source = FeatureRequestError if is_request else FeatureNotificationError
            try:
                self._server.report_server_error(error, source)
            except Exception:
                log.warning("could not report %s", error, exc_info=True)
        else:
            log.warning("%s", error.message)

    # -- outgoing ----------------------------------------------------------------

    def send_request(self, method, params=None, callback=None, msg_id=None) -> Future:
        msg_id = str(uuid.uuid4()) if msg_id is None else msg_id
        future = super().send_request(method, params, callback, msg_id)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return future  # not on the event loop (a server built by hand in a test)
        loop.call_later(self.client_request_timeout, self._give_up, msg_id, method, future)
        return future

    def _give_up(self, msg_id: Any, method: str, future: Future) -> None:
        if future.done():
            return
        # Forgotten: a late answer then finds no request and is ignored.
        self._request_futures.pop(msg_id, None)
        self._result_types.pop(msg_id, None)
        future.set_exception(
            ClientDidNotAnswer(f"the client did not answer {method} within {self.client_request_timeout:g} s")
        )

    # -- what handlers need of pygls' internals, in one place ----------------------

    def to_json(self, value: Any) -> Any:
        """`value` (lsprotocol types included) as the JSON value it is sent as: for results
        of our own requests, which are plain JSON objects holding LSP types."""
        return self._converter.unstructure(value)

    def cancel_with_request(self, task: asyncio.Task) -> None:
        """Cancel `task` when the client cancels the request being handled. pygls runs a
        command as a task of its own under the executeCommand request, and $/cancelRequest
        cancels only the request's future: the client gets -32800, but the command would
        run on (an export to the end)."""
        msg_id = self.msg_id
        request = self._request_futures.get(msg_id) if msg_id is not None else None
        if request is None:
            return
        loop = task.get_loop()
        request.add_done_callback(lambda f: f.cancelled() and loop.call_soon_threadsafe(task.cancel))


def describe(exc: BaseException) -> str:
    """One line naming each parameter that did not fit, in the protocol's camelCase:
    "params.position.line: Position.line should be in range [0:2147483647], but was -1"."""
    if not isinstance(exc, BaseValidationError):
        return str(exc) or type(exc).__name__
    parts = []
    for error in transform_error(exc, path="$", format_exception=_format):
        text, _, path = error.rpartition(" @ ")
        path = _CAMEL.sub(lambda m: m[1].upper(), path.removeprefix("$").removeprefix("."))
        parts.append(f"{path}: {text}" if path else text)
    line = "; ".join(parts).replace("\n", " ")
    return line if len(line) <= _MESSAGE_MAX else line[: _MESSAGE_MAX - 1] + "…"


def _format(exc: BaseException, type_) -> str:
    # lsprotocol's validators say what range a value must lie in; cattrs' default
    # formatter would only say "invalid value".
    if isinstance(exc, ValueError) and type_ is None and str(exc):
        return str(exc).rstrip(".")
    return format_exception(exc, type_)
