"""workspace/executeCommand: repodoc.exportDocs, repodoc.reindex, repodoc.showFileDoc."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sized
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path

from repodoc_ls.docs import pages
from repodoc_ls.docs.pagefiles import atomic_write
from repodoc_ls.safefs import UnsafePath, check_no_links, is_inside
from repodoc_ls.server.folders import SETTINGS_ERROR, Folder
from repodoc_ls.server.progress import WorkProgress
from repodoc_ls.server.requests import file_doc
from repodoc_ls.server.server import RepodocServer, guarded


def register(ls: RepodocServer) -> None:
    for name, fn in (
        ("repodoc.exportDocs", export_docs),
        ("repodoc.reindex", reindex),
        ("repodoc.showFileDoc", show_file_doc),
    ):
        ls.command(name)(_command(ls, guarded(ls, name, fn)))


def _command(
    ls: RepodocServer, handler: Callable[[list[Any]], Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    # pygls passes each element of `arguments` as one positional argument; a bare *args
    # signature receives them unconverted (plain JSON values), and pygls reads its
    # annotations to convert them: none here.
    async def command(*args):
        task = asyncio.current_task()
        if task is not None:  # $/cancelRequest stops the command too, an export included
            ls.protocol.cancel_with_request(task)
        return await handler(list(args))

    return command


def _first_arg(args: list[Any]) -> dict[str, Any]:
    if not args or args[0] is None:
        return {}
    if not isinstance(args[0], dict):
        raise JsonRpcInvalidParams("the command takes one optional JSON object argument")
    return args[0]


def _folders_for(ls: RepodocServer, arg: dict[str, Any]) -> list[Folder]:
    if arg.get("uri"):
        folder, _ = ls.locate(arg["uri"])
        return [folder]
    folders = list(ls.folders)
    if not folders:
        raise JsonRpcInvalidParams("no workspace folder is open")
    return folders


async def export_docs(ls: RepodocServer, args: list[Any]) -> dict[str, Any]:
    """[{outputDir?, uri?}] -> {outputDir, written, unchanged, removed} (per folder in `folders`)."""
    arg = _first_arg(args)
    output_dir = arg.get("outputDir", arg.get("output_dir"))
    if output_dir is not None and not isinstance(output_dir, str):
        raise JsonRpcInvalidParams("outputDir must be a string")
    from repodoc_ls.docs.export import ExportError, export

    results = []
    for folder in _folders_for(ls, arg):
        if folder.building is not None and not folder.building.done():
            await asyncio.shield(folder.building)  # export what the finished index says
        if folder.index is None:
            raise JsonRpcInvalidParams(f"{folder.name} could not be indexed; see the server log")
        if refused := folder.settings.extra.get(SETTINGS_ERROR):
            raise JsonRpcInvalidParams(refused)  # exporting with the defaults instead would surprise
        await ls.docs.settle()
        target: Path | None = None
        if output_dir:
            target = Path(output_dir) if Path(output_dir).is_absolute() else folder.root / output_dir
        progress = await WorkProgress(ls, f"repodoc: exporting {folder.name}").begin()
        cancel = threading.Event()
        try:
            result = await ls.run(_run_export, export, folder, target, progress, cancel, pool=ls.build_pool)
        except asyncio.CancelledError:
            cancel.set()  # $/cancelRequest: the export stops at its next page
            progress.end("cancelled")
            raise
        except ExportError as exc:  # the workspace's doc set cannot be written safely: one line
            progress.end("failed")
            raise JsonRpcInvalidParams(str(exc)) from None
        except Exception:
            progress.end("failed")
            raise
        progress.end(
            f"{result['written']} written, {result['unchanged']} unchanged, {result['removed']} removed"
        )
        for warning in result.get("warnings", ()):
            ls.log_message(f"repodoc: export of {folder.name}: {warning}", types.MessageType.Warning)
        results.append(result)
    first = dict(results[0])
    if len(results) > 1:
        first["folders"] = results
    return first


def _run_export(
    export: Callable[..., Any],
    folder: Folder,
    target: Path | None,
    progress: WorkProgress,
    cancel: threading.Event,
) -> dict[str, Any]:
    result = export(folder.index, target, progress=progress.report, cancel=cancel.is_set)
    answer = {
        "outputDir": str(result.output_dir),
        "written": _count(result.written),
        "unchanged": _count(result.unchanged),
        "removed": _count(result.removed),
    }
    if result.warnings:
        answer["warnings"] = list(result.warnings)
    return answer


def _count(value: int | Sized) -> int:
    return value if isinstance(value, int) else len(value)


async def reindex(ls: RepodocServer, args: list[Any]) -> dict[str, Any]:
    """Rebuild every folder's index from scratch, with a new store (the user's remedy for
    an index that seems wrong); answers when done."""
    arg = _first_arg(args)
    folders = _folders_for(ls, arg)
    tasks = [ls.start_build(folder, fresh=True) for folder in folders]
    await asyncio.gather(*tasks)
    return {
        "state": ls.state(),
        "files": sum(f.files() for f in folders),
        "symbols": sum(f.symbols() for f in folders),
    }


async def show_file_doc(ls: RepodocServer, args: list[Any]) -> dict[str, Any]:
    """[{uri, symbol?}]: render the file page into the cache folder and ask the client to
    show it (the target of hover and code lens links when no exported page exists)."""
    arg = _first_arg(args)
    result = await file_doc(ls, {"uri": arg.get("uri")})
    folder, rel = ls.locate(arg["uri"])
    cache = folder.settings.cache_path
    page = cache / "pages" / result["page"]

    def write() -> None:
        # The cache folder may be the repository's own (a committed `.repodoc` link): never
        # write through a link, from the workspace root down (or from a folder the user chose).
        check_no_links(folder.root if is_inside(cache, folder.root) else cache, page)
        atomic_write(page, result["markdown"].encode("utf-8"))

    try:
        await ls.run(write)
    except UnsafePath as exc:
        raise JsonRpcInvalidParams(f"repodoc: cannot write the page: {exc}") from None
    page_uri = from_fs_path(str(page))
    if arg.get("symbol"):
        page_uri += "#" + pages.anchor(arg["symbol"])
    return {**result, "pageUri": page_uri, "shown": await _show_document(ls, page_uri)}


async def _show_document(ls: RepodocServer, page_uri: str) -> bool:
    """Ask the client to open the page; whether it did. A client that cannot, refuses,
    answers null or does not answer in time (the protocol's timeout) costs a warning in
    its log, never the command's answer."""
    window = ls.client_capabilities.window
    if window is None or window.show_document is None or not window.show_document.support:
        return False
    try:
        answer = await ls.window_show_document_async(types.ShowDocumentParams(uri=page_uri, take_focus=True))
    except Exception as exc:
        ls.log_message(f"repodoc: could not show {page_uri}: {exc}", types.MessageType.Warning)
        return False
    if not isinstance(answer, types.ShowDocumentResult) or not answer.success:
        ls.log_message(
            f"repodoc: the editor did not show {page_uri} (it answered {answer!r})", types.MessageType.Warning
        )
        return False
    return True
