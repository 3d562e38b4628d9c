"""The repodoc language server object (pygls 2.x): folders, settings, builds, text of
documents, messages to the client, and `guarded`, which every handler is wrapped in. The
handlers live in their own modules, below `app.py`, which registers them.

Threading model. The event loop only parses messages, routes them and formats answers.
Index builds run in `build_pool`, buffer updates in `update_pool`, queries in `query_pool`
and jedi (slow, allocation-heavy) in a worker process (jedi_client.py); every handler is
async and awaits its work there, so a slow hover or an export never holds up other
requests. The index is shared: mutations and lazy graph computations take `index.lock`.
While a folder is being (re)built, requests are answered from the index it had, and
`repodoc/status` says "indexing"; on its first build there is none, and a document's own
symbols, hover and definitions come from an index of the open documents (sync.py).
The index and the reference index live as long as the process, so they are frozen out of
the cyclic GC (gc.freeze after a build and after the reference index): full GC passes over
them were the 100-300 ms pauses that made some hovers and edits slow.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from lsprotocol import converters, types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcRequestCancelled,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage
from pygls.uris import to_fs_path

from repodoc_ls import __version__
from repodoc_ls.index.extraction import ExtractionProcess
from repodoc_ls.index.indexer import Index
from repodoc_ls.safefs import read_regular
from repodoc_ls.server import runtime
from repodoc_ls.server.buffers import Text
from repodoc_ls.server.folders import (
    INDEX_FIELDS,
    LINK_KINDS,
    Folder,
    Folders,
    decode,
    settings_for,
    split_lines,
)
from repodoc_ls.server.jedi_client import JediClient
from repodoc_ls.server.progress import WorkProgress
from repodoc_ls.server.protocol import RepodocProtocol
from repodoc_ls.server.sync import DocSync

log = logging.getLogger(__name__)

_LINES_CACHE_SIZE = 256
_PREFIX = "repodoc: "
T = TypeVar("T")
P = TypeVar("P")


def plain_converter() -> Any:
    """lsprotocol's converter, with the params (and results) of methods that lsprotocol does
    not know, i.e. our custom requests, kept as plain JSON values. pygls' default turns them
    into namedtuples, which renames keys that are not identifiers and hides them from `get`."""
    converter = converters.get_converter()
    for cls in (JsonRPCRequestMessage, JsonRPCNotification, JsonRPCResponseMessage):
        converter.register_structure_hook(cls, lambda obj, cls: cls(**obj))
    return converter


class RepodocServer(LanguageServer):
    protocol: RepodocProtocol

    def __init__(self) -> None:
        super().__init__(
            "repodoc",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=RepodocProtocol,
            converter_factory=plain_converter,
        )
        self.folders = Folders()
        self.overrides: dict[str, Any] = {}
        #: The kinds of link the client opens in a hover (initializationOptions.linkKinds).
        self.link_kinds: frozenset[str] = LINK_KINDS
        self.pending_warnings: list[str] = []
        self.query_pool = ThreadPoolExecutor(4, thread_name_prefix="repodoc-query")
        self.update_pool = ThreadPoolExecutor(2, thread_name_prefix="repodoc-update")
        self.build_pool = ThreadPoolExecutor(2, thread_name_prefix="repodoc-build")
        self.jedi = JediClient()
        self.extraction = ExtractionProcess()  # large buffers' edits (sync.py)
        self.docs = DocSync(self)
        self._lines: dict[tuple[str, str], list[str]] = {}  # disk lines of unopened files
        self.buffers = self.protocol.buffers  # the open documents' text (buffers.py)
        self.loop: asyncio.AbstractEventLoop | None = None

    # -- messages to the client ------------------------------------------------

    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self._on_loop(self.window_log_message, types.LogMessageParams(type=kind, message=message))

    def log_error(self, message: str, exc: BaseException | None = None) -> None:
        if exc is not None:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            message = f"{message}: {exc}\n{tb}"
        log.error("%s", message)
        self.log_message(message, types.MessageType.Error)

    def warn(self, message: str) -> None:
        log.warning("%s", message)
        self._on_loop(
            self.window_show_message,
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"repodoc: {message}"),
        )
        self.log_message(message, types.MessageType.Warning)

    def _on_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        # Messages are written synchronously by pygls: from a worker thread they must go
        # through the loop, or two writers could interleave their bytes.
        loop = self.loop
        if loop is None:
            fn(*args)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Called by pygls for every failed request or notification. Requests carry their
        # error in the response; guarded() already logged unexpected ones with a traceback
        # (its InternalError says "repodoc: <method> failed: ..."), so those are not logged
        # twice; a cancellation is no error. What is left (refusals such as a URI outside
        # the workspace, pygls' own errors) is logged once, prefixed once.
        if isinstance(error, JsonRpcRequestCancelled):
            return
        message = error.message if isinstance(error, JsonRpcException) else str(error)
        if isinstance(error, JsonRpcInternalError) and message.startswith(_PREFIX):
            return
        kind = types.MessageType.Warning if isinstance(error, JsonRpcException) else types.MessageType.Error
        self.log_message(message if message.startswith(_PREFIX) else _PREFIX + message, kind)

    # -- documents and text ----------------------------------------------------

    def locate(self, uri: Any) -> tuple[Folder, str]:
        if uri is not None and not isinstance(uri, str):
            raise JsonRpcInvalidParams(f"uri must be a string, not {type(uri).__name__}")
        # No file name holds a NUL; the OS calls behind the containment check refuse one
        # with a ValueError, which would be an internal error instead of a refusal.
        if isinstance(uri, str) and "\x00" in unquote(uri):
            raise JsonRpcInvalidParams(f"{uri[:200]!r} is not a file URI: it contains a NUL character")
        return self.folders.locate(uri)

    def buffer(self, folder: Folder, rel: str) -> Text | None:
        """The open document's current version (buffers.py), if it is open."""
        uri = self.docs.open.get((folder.uri, rel))
        return self.buffers.get(uri) if uri is not None else None

    def buffer_text(self, folder: Folder, rel: str) -> str | None:
        buffer = self.buffer(folder, rel)
        return buffer.text if buffer is not None else None

    def lines(self, folder: Folder, rel: str) -> list[str]:
        """The document's lines: the open buffer's, else the file's on disk (cached)."""
        buffer = self.buffer(folder, rel)
        if buffer is not None:
            return buffer.lines
        key = (folder.uri, rel)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        encoding = None
        if folder.index is not None and (facts := folder.index.file(rel)) is not None:
            encoding = facts.encoding
        try:  # never a FIFO (it would block a query thread for good), never an enormous file
            data = read_regular(folder.root / rel, folder.settings.max_file_bytes)
        except OSError:
            return []
        lines = split_lines(decode(data, encoding))
        if len(self._lines) >= _LINES_CACHE_SIZE:
            self._lines.pop(next(iter(self._lines)))
        self._lines[key] = lines
        return lines

    def forget_lines(self, folder: Folder, rel: str) -> None:
        self._lines.pop((folder.uri, rel), None)

    def read_source(self, folder: Folder) -> Callable[[str], bytes | None]:
        """For the renderer: a file's bytes, from the open buffer when there is one."""

        def read(rel: str) -> bytes | None:
            text = self.buffer_text(folder, rel)
            if text is not None:
                return text.encode("utf-8")
            try:
                return read_regular(folder.root / rel, folder.settings.max_file_bytes)
            except OSError:
                return None

        return read

    async def run(self, fn: Callable[..., T], *args: Any, pool: Executor | None = None) -> T:
        """`fn(*args)` in a worker thread (the query pool unless told), awaited."""
        assert self.loop is not None, "run before initialize"
        return await self.loop.run_in_executor(pool or self.query_pool, partial(fn, *args))

    # -- folders and settings --------------------------------------------------

    def add_folder(self, uri: str, name: str) -> Folder | None:
        path = to_fs_path(uri)
        if path is None or not Path(path).is_dir():
            self.pending_warnings.append(f"workspace folder {uri} is not a local folder; skipped")
            return None
        settings = settings_for(Path(path), self.overrides, self._warn_later)
        return self.folders.add(uri, name or Path(path).name, settings)

    def _warn_later(self, message: str) -> None:
        if self.loop is None:
            self.pending_warnings.append(message)
        else:
            self.warn(message)

    def start_build(self, folder: Folder, fresh: bool = False) -> asyncio.Task[None]:
        assert self.loop is not None, "build before initialize"
        task = self.loop.create_task(self.build(folder, fresh))
        folder.building = task
        return task

    async def build(self, folder: Folder, fresh: bool = False) -> None:
        """(Re)index the folder; `fresh` starts its store anew (repodoc.reindex)."""
        folder.generation += 1
        generation = folder.generation
        folder.state, folder.done, folder.total = "indexing", 0, 0
        await self.docs.write_stores(folder)  # the build reads the store: the edits' rows first
        progress = await WorkProgress(self, f"repodoc: indexing {folder.name}").begin()

        def on_progress(done: int, total: int, message: str) -> None:
            folder.done, folder.total = done, total
            progress.report(done, total, message)

        assert self.loop is not None
        try:
            index = await self.loop.run_in_executor(
                self.build_pool,
                partial(Index.build, folder.settings, progress=on_progress, fresh_store=fresh),
            )
        except Exception as exc:
            progress.end("failed")
            if generation == folder.generation:
                folder.state = "ready" if folder.index is not None else "failed"
            self.log_error(f"indexing {folder.root} failed", exc)
            return
        if generation != folder.generation or self.folders.by_uri.get(folder.uri) is not folder:
            progress.end("superseded")
            return
        folder.index = index
        folder.provisional = None  # the open documents are put back over the new index below
        self._lines = {k: v for k, v in self._lines.items() if k[0] != folder.uri}
        for warning in index.warnings:
            self.log_message(f"{folder.name}: {warning}", types.MessageType.Warning)
        # Later ones come from a store that healed (damage, a full disk) while serving.
        index.on_warning = lambda warning: self.log_message(
            f"{folder.name}: {warning}", types.MessageType.Warning
        )
        await self.docs.reapply(folder)
        symbols = folder.symbols()  # (counted before the reference index takes the lock)
        folder.state = "ready"
        # The graph's reference index is lazy and costs seconds on the stdlib: build it now,
        # in the background, rather than in the first hover that says "Used in N files".
        self.loop.run_in_executor(self.query_pool, partial(_warm_references, index, save=True))
        progress.end(f"{len(index.facts)} files, {symbols} symbols")
        self.log_message(
            f"repodoc: indexed {folder.root}: {len(index.facts)} files, "
            f"{index.stats.extracted} extracted, {index.stats.reused} reused"
        )

    def rewarm(self, index: Index) -> None:
        """After an update that left the graph without a reference index (a module added
        or removed before the first one was built): build it in the background, and freeze
        it, rather than in the next hover that needs it. Callable from any thread."""
        if not index.graph.refs.built and self.loop is not None:
            self.loop.call_soon_threadsafe(
                self.loop.run_in_executor, self.query_pool, partial(_warm_references, index)
            )

    def apply_settings(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        for folder in self.folders:
            new = settings_for(folder.root, overrides, self.warn)
            old = folder.settings
            folder.settings = new
            if any(getattr(old, f) != getattr(new, f) for f in INDEX_FIELDS):
                self.start_build(folder)
            elif folder.index is not None:
                folder.index.settings = new  # output folder, budgets: no rebuild needed

    def state(self) -> str:
        if any(f.state == "indexing" for f in self.folders):
            return "indexing"
        if any(f.state == "failed" for f in self.folders):
            return "failed"
        return "ready"


def _warm_references(index: Index, save: bool = False) -> None:
    """Build the reference index (and the names index); with `save`, after an index
    build, keep its records in the store: the next start adopts them (0.35 s on the
    stdlib) instead of resolving every use again (2.9 s, holding the lock hovers need)."""
    with index.lock:
        index.references("", "")
        index.graph.names.named("")  # symbols by name, for the hover of an untyped attribute
        if save:
            index.save_references()
    runtime.builtin("")  # the builtins' signatures table, ~7 ms, not in the first hover on one
    # The reference index lives as long as the index (edits update it in place): move it out
    # of the GC's reach like the build's objects, or each full pass rescans its ~10^6
    # objects, a 100-200 ms pause in whatever request happens to trigger it.
    gc.freeze()


def guarded(
    ls: RepodocServer, name: str, fn: Callable[[RepodocServer, P], Awaitable[T]]
) -> Callable[[P], Awaitable[T]]:
    """An async handler that logs unexpected exceptions and returns them as errors.

    JSON-RPC errors raised on purpose (InvalidParams for a URI outside the workspace) and
    cancellation pass through untouched; anything else is logged to the client with its
    traceback and answered with InternalError, and the server keeps serving."""

    async def handler(params: P) -> T:
        try:
            return await fn(ls, params)
        except (JsonRpcException, asyncio.CancelledError):
            raise
        except Exception as exc:
            from repodoc_ls.docs.render import TemplateError  # (jinja2 stays out of the start-up)

            if isinstance(exc, TemplateError):  # the user's template failed, not the server: one line
                raise JsonRpcException(
                    f"{_PREFIX}{exc}", code=types.LSPErrorCodes.RequestFailed.value
                ) from None
            ls.log_error(f"{_PREFIX}{name} failed", exc)
            raise JsonRpcInternalError(f"{_PREFIX}{name} failed: {type(exc).__name__}: {exc}") from exc

    handler.__name__ = f"handle_{name.replace('/', '_')}"
    return handler
