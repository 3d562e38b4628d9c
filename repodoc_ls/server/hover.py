"""Hover: index first, jedi only where the index cannot tell, within a time budget.

The index answer (target.py, hover_scope.py) costs about a millisecond and needs no file but the
open one. Only a name it cannot resolve (a name from outside the workspace, an attribute
whose type needs real inference) goes to jedi, in its own process (jedi_worker.py), awaited
for at most `settings.hover_budget_ms` counted from the request's arrival. Past that, or
when jedi knows nothing, the hover says what the index knows (hover_unknown.py: the type is
unknown, these are the definitions of that name), while jedi's request runs on: its answer
is kept for the next hover at the same place in the same text (late_answers.py).
"""

from __future__ import annotations

import asyncio
import json
import keyword
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lsprotocol import types
from pygls.uris import from_fs_path

from repodoc_ls.docs import kinds, pages
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import ModuleRef, Symbol, SymbolKind, SymbolRef
from repodoc_ls.server import target as targets
from repodoc_ls.server.folders import Folder
from repodoc_ls.server.hover_format import Format, HoverContext
from repodoc_ls.server.hover_scope import scope_hover
from repodoc_ls.server.hover_unknown import PENDING_JEDI, unknown_hover
from repodoc_ls.server.server import RepodocServer, guarded

log = logging.getLogger(__name__)

USERS_SHOWN = 5  # "Used in N files": how many are listed as links
PARTIAL = "(the workspace is still being indexed: uses in other files are not known yet)"
_VALUE_MAX = 80
#: How long a hover waits for the edit of a large buffer to be read (once the edit is handed
#: to the extraction process, `DocSync.settle`) before it answers from the facts of the text
#: before that edit, saying so. None at all: that extraction takes seconds, 0.1 s was futile.
LARGE_EDIT_PATIENCE_S = 0.0
EARLIER_VERSION = "from the file as it was before your last edit, which is still being read"


def register(ls: RepodocServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_HOVER)(guarded(ls, "hover", hover))


def wants_markdown(ls: RepodocServer) -> bool:
    td = ls.client_capabilities.text_document
    formats = td.hover.content_format if td is not None and td.hover is not None else None
    if not formats:
        return True  # the client did not say: Markdown is what LSP clients render
    return formats[0] == types.MarkupKind.Markdown or (
        types.MarkupKind.Markdown in formats and types.MarkupKind.PlainText not in formats
    )


async def hover(ls: RepodocServer, params: types.HoverParams) -> types.Hover | None:
    assert ls.loop is not None
    started = ls.loop.time()
    located, rel = ls.locate(params.text_document.uri)
    if "hover" not in located.settings.features:
        return None  # turned off for this folder after initialize
    behind = await ls.docs.settle(patience=LARGE_EDIT_PATIENCE_S)
    folder = located.view()  # during the first build, the open documents' index
    if folder is None:
        return None
    ctx = HoverContext(ls, folder, Format(wants_markdown(ls), ls.link_kinds))
    lines = await ls.run(ls.lines, folder, rel)
    pos = ls.workspace.position_codec.position_from_client_units(lines, params.position)
    text, word = await ls.run(index_hover, ctx, rel, lines, pos.line, pos.character)
    if text is None and word is not None:
        # The budget counts from the request's arrival: a hover never takes longer than it.
        budget = folder.settings.hover_budget_ms / 1000 - (ls.loop.time() - started)
        # What the index knows is gathered while jedi works, so that a hover past the
        # budget still answers right after it.
        fallback = asyncio.ensure_future(ls.run(locked_unknown_hover, ctx, rel, lines, word))
        fallback.add_done_callback(_retrieved)  # not awaited when jedi answers or the hover is cancelled
        answered, result = await ls.jedi.ask(
            "help",
            str(folder.root),
            str(folder.root / rel),
            "\n".join(lines),
            pos.line + 1,
            pos.character,
            budget,
            place=(word.line, word.start),  # anywhere on the word: the same answer
        )
        if result is not None:
            text = await ls.run(jedi_text, ctx, result)
        if text is None:
            unknown = await fallback
            if unknown is not None:
                text = ctx.fmt.join([unknown, "" if answered else PENDING_JEDI])
    if not text or word is None:
        return None
    if (located.uri, rel) in behind:
        text += f"\n\n*{EARLIER_VERSION}*" if ctx.fmt.markdown else f"\n\n({EARLIER_VERSION})"
    rng = ls.workspace.position_codec.range_to_client_units(
        lines, types.Range(types.Position(word.line, word.start), types.Position(word.line, word.end))
    )
    kind = types.MarkupKind.Markdown if ctx.fmt.markdown else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=rng)


def index_hover(
    ctx: HoverContext, rel: str, lines: list[str], line: int, char: int
) -> tuple[str | None, targets.Word | None]:
    """(hover text or None, word under the cursor or None); runs in the query pool.
    The word is returned without text when only jedi may know the name."""
    index = ctx.folder.index
    assert index is not None
    with index.lock:
        found = targets.resolve(index, rel, lines, line, char)
        if found is None:
            return None, None
        target = found.target
        if isinstance(target, SymbolRef) and target.kind in _READ_FROM_CODE:
            # a value symbol (issue 12): the code readers know more (its type, its binding)
            answer = _scope_answer(ctx, rel, lines, found.word)
            if isinstance(answer, str):
                return answer, found.word
        if found.target is None:
            if keyword.iskeyword(found.word.text):
                return None, None  # nothing to ask jedi either
            try:
                answer = scope_hover(ctx, rel, lines, found.word)
                if isinstance(answer, (SymbolRef, ModuleRef)):
                    answer = render_target(ctx, answer)
                return answer, found.word
            except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError):
                # A fast path over odd code failed: jedi still gets its chance to answer.
                log.warning("index hover failed at %s:%s", rel, line + 1, exc_info=True)
                return None, found.word
        return render_target(ctx, found.target), found.word


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("unknown-type hover failed", exc_info=future.exception())


def locked_unknown_hover(ctx: HoverContext, rel: str, lines: list[str], word: targets.Word) -> str | None:
    index = ctx.folder.index
    if index is None:
        return None
    with index.lock:
        return unknown_hover(ctx, rel, lines, word)


# Symbol kinds whose hover the code readers give when they can (constants have always had
# the index's rendering).
_READ_FROM_CODE = SymbolKind.VALUES - {SymbolKind.CONSTANT}


def _scope_answer(ctx: HoverContext, rel: str, lines: list[str], word: targets.Word) -> object:
    try:
        return scope_hover(ctx, rel, lines, word)
    except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None


def render_target(ctx: HoverContext, target: SymbolRef | ModuleRef) -> str | None:
    if isinstance(target, SymbolRef):
        return render_symbol(ctx, target)
    if isinstance(target, ModuleRef):
        return render_module(ctx, target)
    return None


def exported_page(folder: Folder, path: str) -> Path:
    """Where an export writes the file page of `path`."""
    return folder.settings.output_path / kinds.page_path("docs", path)


def docs_link(folder: Folder, path: str, qualname: str | None = None, commands: bool = True) -> str | None:
    """The exported page when it is on disk, else a command that renders it on demand
    (None for a client that opens no command links)."""
    page = exported_page(folder, path)
    if page.is_file():
        uri = from_fs_path(str(page))
        return f"{uri}#{pages.anchor(qualname)}" if qualname else uri
    if not commands:
        return None
    args = {"uri": from_fs_path(str(folder.root / path))}
    if qualname:
        args["symbol"] = qualname
    return "command:repodoc.showFileDoc?" + quote(json.dumps([args]))


def signature(symbol: Symbol) -> str:
    decorators = "".join(f"@{d}\n" for d in symbol.decorators)
    if symbol.kind == SymbolKind.CLASS:
        bases = f"({', '.join(symbol.bases)})" if symbol.bases else ""
        return f"{decorators}class {symbol.qualname}{bases}"
    if symbol.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        prefix = "async def" if symbol.is_async else "def"
        return f"{decorators}{prefix} {symbol.qualname}{symbol.signature or '()'}"
    # "(attribute) Cart.lines: list[Line] = []", as the hovers on locals say "(variable) x"
    head = symbol.qualname if symbol.kind == SymbolKind.CONSTANT else f"({symbol.kind}) {symbol.qualname}"
    head += symbol.signature or ""  # ": int" for an annotated value
    if symbol.value is not None:
        value = symbol.value if len(symbol.value) <= _VALUE_MAX else symbol.value[: _VALUE_MAX - 1] + "…"
        return f"{head} = {value}"
    return head


def _docs(ctx: HoverContext, path: str, qualname: str | None = None) -> str:
    """The hover's last line: a link to the file's page, or, for a client that opens no
    link to it (no command links and no page exported yet), where an export writes it."""
    fmt = ctx.fmt
    if not fmt.markdown:
        return ""
    link = docs_link(ctx.folder, path, qualname, commands=fmt.opens("command"))
    if link is not None:
        return fmt.link(f"Docs: {path}", link)
    page = exported_page(ctx.folder, path)
    shown = (
        page.relative_to(ctx.folder.root).as_posix() if page.is_relative_to(ctx.folder.root) else str(page)
    )
    return f"Docs: {pages.text(shown)} (not exported yet)"


def _users(ctx: HoverContext, label: str, by_file: dict[str, list[int]], exclude: str) -> str:
    fmt = ctx.fmt
    users = sorted(p for p in by_file if p != exclude)
    if not users:
        return f"{label} no other file" if label == "Imported by" else "Not used in other files"
    shown = []
    for path in users[:USERS_SHOWN]:
        line = by_file[path][0] if by_file[path] else None
        shown.append(fmt.link(f"{path}:{line}" if line else path, ctx.file_link(path, line)))
    more = f", and {len(users) - USERS_SHOWN} more" if len(users) > USERS_SHOWN else ""
    noun = "file" if len(users) == 1 else "files"
    return f"{label} {len(users)} {noun}: {', '.join(shown)}{more}"


def render_symbol(ctx: HoverContext, ref: SymbolRef) -> str | None:
    folder, fmt = ctx.folder, ctx.fmt
    index = folder.index
    assert index is not None
    symbol = index.graph.symbols_of(ref.path).get(ref.qualname) if ref.path in index.facts else None
    if symbol is None:
        return None
    summary = symbol.summary
    defined = "Defined in " + fmt.link(f"{ref.path}:{symbol.line}", ctx.file_link(ref.path, symbol.line))
    if folder.partial:  # the open documents alone: who uses it is not known yet
        return fmt.join([fmt.code(signature(symbol)), summary, defined, PARTIAL])
    # Only the other files' uses: an edited big module's own are not resolved again for it.
    used = _users(ctx, "Used in", index.graph.refs.lookup_elsewhere(ref.path, ref.qualname), ref.path)
    docs = _docs(ctx, ref.path, ref.qualname)
    # Docstrings are shown as written: most are Markdown-ish, and escaping them would show
    # backslashes in every client.
    return fmt.join([fmt.code(signature(symbol)), summary, defined, used, docs])


def render_module(ctx: HoverContext, ref: ModuleRef) -> str | None:
    folder, fmt = ctx.folder, ctx.fmt
    index = folder.index
    assert index is not None
    facts = index.file(ref.path)
    if facts is None:
        return None
    name = index.graph.module_name.get(ref.path, ref.path)
    where = "File " + fmt.link(ref.path, ctx.file_link(ref.path))
    if folder.partial:
        return fmt.join([fmt.code(f"module {name}"), facts.summary, where, PARTIAL])
    importers = {p: _import_lines(index, p, ref.path) for p in index.graph.imported_by(ref.path)}
    used = _users(ctx, "Imported by", importers, ref.path)
    docs = _docs(ctx, ref.path)
    summary = facts.summary
    return fmt.join([fmt.code(f"module {name}"), summary, where, used, docs])


def _import_lines(index: Index, importer: str, target: str) -> list[int]:
    return sorted({r.imp.line for r in index.graph.imports_of(importer) if r.target == target})


# -- jedi -----------------------------------------------------------------------


def jedi_text(ctx: HoverContext, name: dict[str, Any]) -> str | None:
    """The hover for what the jedi worker said (jedi_worker.Worker.help); a name jedi
    finds in the workspace gets the index hover."""
    if name["module_path"] is not None and name["line"]:
        mapped = _workspace_symbol(ctx, name)
        if mapped is not None:
            return mapped
    if name["type"] == "keyword":
        return None
    fmt = ctx.fmt
    sigs = name["signatures"]
    head = "\n".join(sigs) if sigs else f"{name['type']} {name['full_name'] or name['name']}"
    doc = name["docstring"]
    paragraph = doc.strip().split("\n\n")[0].strip() if doc else ""
    where = ""
    if name["module_name"] and name["type"] != "module":
        module = name["module_name"]
        where = f"{name['type']} in module " + (f"`{module}`" if fmt.markdown else module)
    return fmt.join([fmt.code(head), paragraph, where])


def _workspace_symbol(ctx: HoverContext, name: dict[str, Any]) -> str | None:
    try:
        rel = Path(name["module_path"]).resolve().relative_to(ctx.folder.root).as_posix()
    except (ValueError, OSError):
        return None
    index = ctx.folder.index
    if index is None:
        return None
    with index.lock:
        facts = index.file(rel)
        if facts is None:
            return None
        for s in facts.symbols:
            if s.line == name["line"] and s.name == name["name"]:
                return render_target(ctx, SymbolRef.of(rel, s))
        if name["type"] == "module":
            return render_target(ctx, ModuleRef(rel))
    return None
