"""The custom requests of PRODUCT.md ("The server's protocol"); docs/protocol.md documents them.

Params and results are plain JSON objects. Pages come from the same `Renderer` the CLI
uses, reading open documents from their buffers so unsaved edits show.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from repodoc_ls.docs import caps, kinds
from repodoc_ls.model import Symbol, SymbolRef
from repodoc_ls.server import symbols
from repodoc_ls.server import target as targets
from repodoc_ls.server.folders import Folder
from repodoc_ls.server.server import RepodocServer, guarded

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

SEARCH_LIMIT = 50
SEARCH_LIMIT_MAX = 1000
UINTEGER_MAX = 2**31 - 1


def register(ls: RepodocServer) -> None:
    for method, fn in (
        ("repodoc/fileDoc", file_doc),
        ("repodoc/keywordIndex", keyword_index),
        ("repodoc/folderDoc", folder_doc),
        ("repodoc/page", page_by_path),
        ("repodoc/crossReferences", cross_references),
        ("repodoc/searchKeywords", search_keywords),
        ("repodoc/status", status),
    ):
        ls.feature(method)(guarded(ls, method, fn))


def _params(params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, dict):
        return params
    raise JsonRpcInvalidParams("params must be a JSON object")


def _to_json(ls: RepodocServer, value: Any) -> Any:
    return ls.protocol.to_json(value)


async def _indexed_file(ls: RepodocServer, params: dict[str, Any]) -> tuple[Folder, str]:
    folder, rel = ls.locate(params.get("uri"))
    await ls.docs.settle()
    if folder.index is None:
        raise JsonRpcInvalidParams(
            f"{folder.name} is still being indexed; try again when repodoc/status is ready"
        )
    if rel not in folder.index.facts:
        raise JsonRpcInvalidParams(
            f"{rel or folder.root} is not an indexed file (excluded, generated, or not a file)"
        )
    return folder, rel


def _renderer(ls: RepodocServer, folder: Folder) -> Renderer:
    from repodoc_ls.docs.render import Renderer  # (jinja2 stays out of the start-up)

    assert folder.index is not None
    return Renderer(folder.index, read_source=ls.read_source(folder))


def _where(folder: Folder, page: str) -> dict[str, str]:
    """Where a page lives (or will, once exported): clients name and link pages by these."""
    return {"page": page, "outputDir": str(folder.settings.output_path)}


async def file_doc(ls: RepodocServer, params: Any) -> dict[str, Any]:
    params = _params(params)
    folder, rel = await _indexed_file(ls, params)
    markdown = await ls.run(lambda: _renderer(ls, folder).render_page(rel, "docs"))
    return {
        "uri": params["uri"],
        "path": rel,
        "markdown": markdown,
        **_where(folder, kinds.page_path("docs", rel)),
    }


async def keyword_index(ls: RepodocServer, params: Any) -> dict[str, Any]:
    params = _params(params)
    folder, rel = await _indexed_file(ls, params)

    def build() -> tuple[str, list[dict[str, Any]]]:
        markdown = _renderer(ls, folder).render_page(rel, "kw")
        index = folder.index
        assert index is not None
        with index.lock:
            keywords = index.keywords(rel, caps.MAX_SYMBOLS, caps.MAX_ROWS)  # the page's rows
            facts = index.file(rel)
        assert facts is not None
        first: dict[
            str, Symbol
        ] = {}  # qualname -> its first symbol (what facts.symbol finds, without a scan per name)
        for s in facts.symbols:
            first.setdefault(s.qualname, s)
        out = []
        for kw in keywords:
            symbol = first.get(kw.qualname) if kw.kind not in ("imported module", "imported name") else None
            if symbol is not None:
                rng = symbols.symbol_range(ls, symbol)
            else:
                bound = kw.name.split(" as ")[-1]
                rng = symbols.line_location(
                    ls, folder, rel, kw.line, {bound, bound.split(".")[0]}, span=targets.IMPORT_SPAN
                ).range
            out.append(
                {
                    "name": kw.name,
                    "kind": kw.kind,
                    "qualifiedName": kw.qualname,
                    "range": _to_json(ls, rng),
                    "references": kw.other_files,
                }
            )
        return markdown, out

    markdown, keywords = await ls.run(build)
    return {
        "uri": params["uri"],
        "path": rel,
        "markdown": markdown,
        "keywords": keywords,
        **_where(folder, kinds.page_path("kw", rel)),
    }


async def folder_doc(ls: RepodocServer, params: Any) -> dict[str, Any]:
    params = _params(params)
    kind = params.get("kind", kinds.DEFAULT_FOLDER_KIND)
    if kind not in kinds.FOLDER_KINDS:
        raise JsonRpcInvalidParams(f"kind must be one of {', '.join(kinds.FOLDER_KINDS)}, not {_shown(kind)}")
    letter = params.get("letter")
    if letter is not None and (not isinstance(letter, str) or kinds.split_page("", kind, letter) is None):
        raise JsonRpcInvalidParams(
            "letter (with kind sub) must be a-z or _, optionally with a part "
            f"number as in sub-t-2.md: t-2; not {_shown(letter)}"
        )
    folder, rel = ls.locate(params.get("uri"))
    await ls.docs.settle()
    if folder.index is None:
        raise JsonRpcInvalidParams(
            f"{folder.name} is still being indexed; try again when repodoc/status is ready"
        )
    if rel in folder.index.facts or (folder.root / rel).is_file():
        rel = rel.rsplit("/", 1)[0] if "/" in rel else ""  # a file's URI means its folder
    renderer = _renderer(ls, folder)
    if rel and not renderer.is_folder(rel):
        raise JsonRpcInvalidParams(f"{rel} is not a folder holding indexed files")
    if letter is None:
        markdown = await ls.run(renderer.render_page, rel, kind)
        return {
            "uri": params["uri"],
            "path": rel,
            "kind": kind,
            "markdown": markdown,
            **_where(folder, kinds.page_path(kind, rel)),
        }
    page = kinds.split_page(rel, kind, letter)
    if page is None:  # checked above for the root; a folder's pages are named alike
        raise JsonRpcInvalidParams(f"{rel}: no {kind} page is named by the letter {_shown(letter)}")
    markdown = await ls.run(_letter_page, renderer, rel, page)
    return {
        "uri": params["uri"],
        "path": rel,
        "kind": kind,
        "letter": letter,
        "markdown": markdown,
        **_where(folder, page),
    }


def _letter_page(renderer: Renderer, folder: str, page: str) -> str:
    """A page of a split symbols page: `sub-<letter>.md`, or a part of it."""
    try:
        return renderer.render_page_at(page)
    except kinds.NoSuchPage:  # the folder's symbols page is not split, or has no such letter
        raise JsonRpcInvalidParams(
            f"{folder or 'the workspace root'} has no symbols page "
            f"{page.rsplit('/', 1)[-1]} (its sub.md lists the pages it has)"
        ) from None


async def page_by_path(ls: RepodocServer, params: Any) -> dict[str, Any]:
    """{uri, page}: the page at `page` (relative to the output folder) of the workspace
    folder `uri` names (or holds): how clients follow a link between pages."""
    params = _params(params)
    path = params.get("page")
    unit = kinds.unit_of_page(path) if isinstance(path, str) else None
    if unit is None:
        raise JsonRpcInvalidParams(
            f"page must be a page path relative to the output folder, not {_shown(path)}"
        )
    folder, _ = ls.locate(params.get("uri"))
    await ls.docs.settle()
    if folder.index is None:
        raise JsonRpcInvalidParams(
            f"{folder.name} is still being indexed; try again when repodoc/status is ready"
        )
    try:
        markdown = await ls.run(_renderer(ls, folder).render_page_at, path)
    except kinds.NoSuchPage as exc:
        raise JsonRpcInvalidParams(f"{folder.name}: {exc}") from None
    scope = "file" if kinds.kind_of(unit).scope is kinds.Scope.FILE else "folder"  # what the page documents
    return {
        "uri": folder.uri_of(unit.path),
        "path": unit.path,
        "scope": scope,
        "markdown": markdown,
        **_where(folder, path),
    }


async def cross_references(ls: RepodocServer, params: Any) -> dict[str, Any]:
    params = _params(params)
    cancel = threading.Event()
    work: Callable[[], tuple[str | None, list[types.Location], list[types.Location]]]
    if "keyword" in params:
        keyword = params["keyword"]
        if not isinstance(keyword, str) or not keyword.strip():
            raise JsonRpcInvalidParams("keyword must be a non-empty string")
        await ls.docs.settle()
        work = lambda: _by_keyword(ls, keyword.strip(), cancel)  # noqa: E731
    elif "uri" in params and "position" in params:
        pos = _position(params["position"])
        folder, rel = ls.locate(params["uri"])
        await ls.docs.settle()
        if folder.index is None:
            return {"keyword": None, "definitions": [], "references": []}
        work = lambda: _by_position(ls, folder, rel, pos, cancel)  # noqa: E731
    else:
        raise JsonRpcInvalidParams("give either {keyword} or {uri, position}")
    try:
        keyword, definitions, refs = await ls.run(work)
    except asyncio.CancelledError:
        cancel.set()  # $/cancelRequest: stop the worker at its next check
        raise
    return {
        "keyword": keyword,
        "definitions": [_to_json(ls, d) for d in definitions],
        "references": [_to_json(ls, r) for r in refs],
    }


def _position(value: Any) -> dict[str, int]:
    """An LSP Position: two unsigned 32-bit integers (lsprotocol checks the same range
    for the standard requests)."""
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(f"position must be {{line, character}}, not {_shown(value)}")
    for key in ("line", "character"):
        number = value.get(key)
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= UINTEGER_MAX:
            raise JsonRpcInvalidParams(
                f"position.{key} must be an integer from 0 to {UINTEGER_MAX}, not {_shown(number)}"
            )
    return value


def _shown(value: Any, limit: int = 60) -> str:
    """A parameter's value for an error message, cut: it is the client's and may be huge."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise JsonRpcRequestCancelled("request cancelled")


def _by_keyword(
    ls: RepodocServer, keyword: str, cancel: threading.Event
) -> tuple[str, list[types.Location], list[types.Location]]:
    definitions, refs = [], []
    for folder in ls.folders.indexed():
        index = folder.index
        assert index is not None
        with index.lock:
            for ref in index.definitions(keyword):
                _check(cancel)
                loc = symbols.definition_location(ls, folder, ref)
                if loc is not None:
                    definitions.append(loc)
                refs.extend(symbols.reference_locations(ls, folder, ref))
    return keyword, definitions, symbols.dedupe(refs)


def _by_position(
    ls: RepodocServer, folder: Folder, rel: str, pos: dict[str, int], cancel: threading.Event
) -> tuple[str | None, list[types.Location], list[types.Location]]:
    lines = ls.lines(folder, rel)
    server_pos = ls.workspace.position_codec.position_from_client_units(
        lines, types.Position(pos["line"], pos["character"])
    )
    index = folder.index
    assert index is not None
    with index.lock:
        found = targets.resolve(index, rel, lines, server_pos.line, server_pos.character)
        if found is None or found.target is None:
            return (found.word.text if found else None), [], []
        _check(cancel)
        target = found.target
        if isinstance(target, SymbolRef):
            keyword = target.qualname
        else:
            keyword = index.graph.module_name.get(target.path, target.path)
        loc = symbols.definition_location(ls, folder, target)
        refs = symbols.reference_locations(ls, folder, target)
    return keyword, [loc] if loc else [], refs


async def search_keywords(ls: RepodocServer, params: Any) -> dict[str, Any]:
    params = _params(params)
    query = params.get("query")
    if not isinstance(query, str):
        raise JsonRpcInvalidParams("query must be a string")
    limit = params.get("limit", SEARCH_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise JsonRpcInvalidParams("limit must be a positive integer")
    limit = min(limit, SEARCH_LIMIT_MAX)
    await ls.docs.settle()

    def search() -> list[dict[str, Any]]:
        items = []
        for folder in ls.folders.indexed():
            index = folder.index
            assert index is not None
            with index.lock:
                for ref in index.search(query, limit):
                    symbol = index.graph.symbols_of(ref.path).get(ref.qualname)
                    if symbol is None:
                        continue
                    loc = types.Location(folder.uri_of(ref.path), symbols.symbol_range(ls, symbol))
                    items.append(
                        {
                            "name": symbol.name,
                            "kind": symbol.kind,
                            "qualifiedName": ref.qualname,
                            "location": _to_json(ls, loc),
                        }
                    )
        return items[:limit]

    return {"items": await ls.run(search)}


async def status(ls: RepodocServer, params: Any) -> dict[str, Any]:
    folders = []
    for folder in ls.folders:
        folders.append(
            {
                "uri": folder.uri,
                "state": folder.state,
                "files": folder.files(),
                "symbols": folder.symbols(),
                "outputDir": str(folder.settings.output_path),
            }
        )
    return {
        "state": ls.state(),
        "files": sum(f["files"] for f in folders),
        "symbols": sum(f["symbols"] for f in folders),
        "folders": folders,
    }
