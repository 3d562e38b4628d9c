"""Standard features from the index: documentSymbol, workspace/symbol, definition,
references, codeLens; and the Location helpers the custom requests share.

Positions: `Symbol.col` counts characters. The text before a definition's name is
indentation and keywords (ASCII), so its client column equals `col` and only the name's own
width needs converting; no file is read for a definition. A reference is known by line
only, so its line is read (from the buffer or a small cache) to find the name on it.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from repodoc_ls.docs import caps
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileFacts, ModuleRef, Symbol, SymbolKind, SymbolRef
from repodoc_ls.server import target as targets
from repodoc_ls.server.folders import Folder
from repodoc_ls.server.server import RepodocServer, guarded

_KIND = {
    SymbolKind.CLASS: types.SymbolKind.Class,
    SymbolKind.FUNCTION: types.SymbolKind.Function,
    SymbolKind.METHOD: types.SymbolKind.Method,
    SymbolKind.CONSTANT: types.SymbolKind.Constant,
    SymbolKind.VARIABLE: types.SymbolKind.Variable,
    SymbolKind.TYPE_ALIAS: types.SymbolKind.Class,  # names a type, as editors show classes
    SymbolKind.ATTRIBUTE: types.SymbolKind.Property,
    SymbolKind.FIELD: types.SymbolKind.Field,
}
WORKSPACE_SYMBOL_LIMIT = 100


def register(ls: RepodocServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(guarded(ls, "documentSymbol", document_symbol))
    ls.feature(types.WORKSPACE_SYMBOL)(guarded(ls, "workspace/symbol", workspace_symbol))
    ls.feature(types.TEXT_DOCUMENT_DEFINITION)(guarded(ls, "definition", definition))
    ls.feature(types.TEXT_DOCUMENT_REFERENCES)(guarded(ls, "references", references))
    ls.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(
        guarded(ls, "codeLens", code_lens)
    )


# -- locations ------------------------------------------------------------------


def symbol_range(ls: RepodocServer, symbol: Symbol) -> types.Range:
    width = ls.workspace.position_codec.client_num_units(symbol.name)
    return types.Range(
        types.Position(symbol.line - 1, symbol.col), types.Position(symbol.line - 1, symbol.col + width)
    )


def definition_location(
    ls: RepodocServer, folder: Folder, ref: SymbolRef | ModuleRef
) -> types.Location | None:
    if isinstance(ref, ModuleRef):
        return types.Location(
            folder.uri_of(ref.path), types.Range(types.Position(0, 0), types.Position(0, 0))
        )
    index = folder.index
    assert index is not None
    symbol = index.graph.symbols_of(ref.path).get(ref.qualname) if ref.path in index.facts else None
    if symbol is None:
        return None
    return types.Location(folder.uri_of(ref.path), symbol_range(ls, symbol))


def line_location(
    ls: RepodocServer, folder: Folder, path: str, line: int, names: set[str], span: int = 1
) -> types.Location:
    """A 1-based `line` of `path`, narrowed to the first of `names` written on it (or on
    the `span` - 1 lines after it: the names of a multi-line import statement)."""
    lines = ls.lines(folder, path)
    for offset in range(span):
        text = lines[line - 1 + offset] if 0 < line + offset <= len(lines) else ""
        start, end = _find_name(text, names)
        if end:
            line += offset
            break
    else:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        start, end = len(text) - len(text.lstrip()), len(text)
    rng = ls.workspace.position_codec.range_to_client_units(
        lines or [""], types.Range(types.Position(line - 1, start), types.Position(line - 1, end))
    )
    return types.Location(folder.uri_of(path), rng)


def _find_name(text: str, names: set[str]) -> tuple[int, int]:
    for name in sorted(names, key=len, reverse=True):
        m = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) or re.search(
            rf"\b{re.escape(name)}\b", text
        )
        if m:
            return m.start(), m.end()
    return 0, 0


def reference_locations(
    ls: RepodocServer, folder: Folder, ref: SymbolRef | ModuleRef
) -> list[types.Location]:
    """Every use of a symbol (or import of a module), sorted by file and line. Hold the lock."""
    index = folder.index
    assert index is not None
    out = []
    if isinstance(ref, ModuleRef):
        for importer in index.graph.imported_by(ref.path):
            for r in index.graph.imports_of(importer):
                if r.target == ref.path:
                    names = {r.imp.alias or r.imp.module.split(".")[-1] or r.imp.name or ""} - {""}
                    out.append(line_location(ls, folder, importer, r.imp.line, names))
        return dedupe(out)
    name = ref.qualname.rsplit(".", 1)[-1]
    for path, lines in sorted(index.references(ref.path, ref.qualname).items()):
        names = {name} | _aliases(index, path, ref)
        for line in lines:
            out.append(line_location(ls, folder, path, line, names))
    return dedupe(out)


def _aliases(index: Index, path: str, ref: SymbolRef) -> set[str]:
    """Names bound in `path` to the symbol (or to its top-level class): `import X as Y`."""
    top = ref.qualname.split(".")[0]
    out = set()
    facts = index.file(path)
    for imp in facts.imports if facts is not None else ():
        if imp.alias and imp.name in (top, ref.qualname.rsplit(".", 1)[-1]):
            out.add(imp.alias)
    return out


def dedupe(locations: list[types.Location]) -> list[types.Location]:
    """`locations` without repeats (same document, same start), in their order."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for loc in locations:
        key = (loc.uri, loc.range.start.line, loc.range.start.character)
        if key not in seen:
            seen.add(key)
            out.append(loc)
    return out


async def target_at(
    ls: RepodocServer, params: types.DefinitionParams | types.ReferenceParams
) -> tuple[Folder, str, targets.Found | None]:
    """(folder, rel, Found or None) for a text document position; pending edits applied."""
    located, rel = ls.locate(params.text_document.uri)
    await ls.docs.settle()
    folder = located.view()
    if folder is None:
        return located, rel, None
    lines = await ls.run(ls.lines, folder, rel)
    pos = ls.workspace.position_codec.position_from_client_units(lines, params.position)

    def find() -> targets.Found | None:
        index = folder.index
        assert index is not None
        with index.lock:
            return targets.resolve(index, rel, lines, pos.line, pos.character)

    return folder, rel, await ls.run(find)


# -- features -------------------------------------------------------------------


async def document_symbol(
    ls: RepodocServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    located, rel = ls.locate(params.text_document.uri)
    if "documentSymbol" not in located.settings.features:
        return []  # turned off for this folder after initialize
    await ls.docs.settle()
    folder = located.view()  # during the first build, the open documents' index
    if folder is None:
        return []
    lines = await ls.run(ls.lines, folder, rel)

    def build() -> list[types.DocumentSymbol]:
        index = folder.index
        assert index is not None
        with index.lock:
            facts = index.file(rel)
        if facts is None:
            return []
        return _python_symbols(ls, facts, lines) if facts.is_python else _outline_symbols(facts, lines)

    return await ls.run(build)


def _full_line(lines: list[str], line: int) -> int:
    return len(lines[line]) if 0 <= line < len(lines) else 0


def _python_symbols(ls: RepodocServer, facts: FileFacts, lines: list[str]) -> list[types.DocumentSymbol]:
    """The file's first caps.MAX_SYMBOLS symbols, as its doc page lists them: a generated
    module with 200,000 functions would otherwise cost the client seconds to take in."""
    nodes: dict[str, types.DocumentSymbol] = {}
    roots: list[types.DocumentSymbol] = []
    shown = caps.shown_symbols(facts)
    for s in shown:
        sel = symbol_range(ls, s)
        end_line = max(s.end_line, s.line) - 1
        rng = types.Range(
            types.Position(s.line - 1, 0), types.Position(end_line, max(_full_line(lines, end_line), 0))
        )
        if sel.end.line == rng.end.line and sel.end.character > rng.end.character:
            rng.end.character = sel.end.character
        node = types.DocumentSymbol(
            name=s.name,
            kind=_KIND.get(s.kind, types.SymbolKind.Variable),
            range=rng,
            selection_range=sel,
            detail=s.signature or None,
            children=[],
        )
        nodes.setdefault(s.qualname, node)
        parent = nodes.get(s.parent) if s.parent else None
        (_children(parent) if parent is not None else roots).append(node)
    if len(shown) < len(facts.symbols):
        roots.append(_more(len(facts.symbols) - len(shown), "symbols", facts.symbols[len(shown)].line, lines))
    return roots


def _children(node: types.DocumentSymbol) -> list[types.DocumentSymbol]:
    assert isinstance(node.children, list)  # every node here is made with a list
    return node.children


def _more(count: int, what: str, line: int, lines: list[str]) -> types.DocumentSymbol:
    """The entry that says how many more symbols, from 1-based `line` on, are not listed."""
    start = types.Position(max(line - 1, 0), 0)
    last = max(len(lines) - 1, start.line)
    return types.DocumentSymbol(
        name=f"… {count:,} more {what} not listed",
        kind=types.SymbolKind.Null,
        range=types.Range(start, types.Position(last, _full_line(lines, last))),
        selection_range=types.Range(start, start),
        children=[],
    )


def _outline_symbols(facts: FileFacts, lines: list[str]) -> list[types.DocumentSymbol]:
    kind = types.SymbolKind.String if facts.kind == "Markdown" else types.SymbolKind.Key
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, types.DocumentSymbol]] = []
    for entry in facts.outline[: caps.MAX_ROWS]:
        line = max(entry.line - 1, 0)
        rng = types.Range(types.Position(line, 0), types.Position(line, _full_line(lines, line)))
        node = types.DocumentSymbol(
            name=entry.title or "?", kind=kind, range=rng, selection_range=rng, children=[]
        )
        while stack and stack[-1][0] >= entry.level:
            stack.pop()
        (_children(stack[-1][1]) if stack else roots).append(node)
        stack.append((entry.level, node))
    if len(facts.outline) > caps.MAX_ROWS:
        roots.append(
            _more(len(facts.outline) - caps.MAX_ROWS, "entries", facts.outline[caps.MAX_ROWS].line, lines)
        )
    return roots


async def workspace_symbol(
    ls: RepodocServer, params: types.WorkspaceSymbolParams
) -> list[types.SymbolInformation]:
    query = params.query.strip()
    if not query:
        return []
    await ls.docs.settle()  # an answer never lags the buffers

    def search() -> list[types.SymbolInformation]:
        out = []
        for folder in ls.folders.indexed():
            if "workspaceSymbol" not in folder.settings.features:
                continue
            index = folder.index
            assert index is not None
            with index.lock:
                refs = index.search(query, WORKSPACE_SYMBOL_LIMIT)
                for ref in refs:
                    symbol = index.graph.symbols_of(ref.path).get(ref.qualname)
                    if symbol is None:
                        continue
                    out.append(
                        types.SymbolInformation(
                            name=symbol.name,
                            kind=_KIND.get(symbol.kind, types.SymbolKind.Variable),
                            location=types.Location(folder.uri_of(ref.path), symbol_range(ls, symbol)),
                            container_name=symbol.parent or index.graph.module_name.get(ref.path, ref.path),
                        )
                    )
        return out[:WORKSPACE_SYMBOL_LIMIT]

    return await ls.run(search)


async def definition(ls: RepodocServer, params: types.DefinitionParams) -> list[types.Location] | None:
    folder, rel, found = await target_at(ls, params)
    if found is None or folder.index is None or "definition" not in folder.settings.features:
        return None
    if found.target is not None:
        with folder.index.lock:
            loc = definition_location(ls, folder, found.target)
        return [loc] if loc else None
    return await _jedi_goto(ls, folder, rel, found)


async def _jedi_goto(
    ls: RepodocServer, folder: Folder, rel: str, found: targets.Found
) -> list[types.Location] | None:
    lines = await ls.run(ls.lines, folder, rel)
    names = await ls.jedi.call(
        "goto",
        str(folder.root),
        str(folder.root / rel),
        "\n".join(lines),
        found.word.line + 1,
        found.word.start,
        folder.settings.hover_budget_ms / 1000,
    )
    out = []
    for name in names or ():
        pos = types.Position(name["line"] - 1, name["column"])
        out.append(
            types.Location(
                Path(name["module_path"]).as_uri(),
                types.Range(pos, types.Position(name["line"] - 1, name["column"] + len(name["name"]))),
            )
        )
    return out or None


async def references(ls: RepodocServer, params: types.ReferenceParams) -> list[types.Location]:
    folder, rel, found = await target_at(ls, params)
    if (
        found is None
        or found.target is None
        or folder.partial
        or "references" not in folder.settings.features
    ):
        return []
    target = found.target

    def collect() -> list[types.Location]:
        index = folder.index
        assert index is not None
        with index.lock:
            out = reference_locations(ls, folder, target)
            if params.context.include_declaration:
                decl = definition_location(ls, folder, target)
                if decl is not None and isinstance(target, SymbolRef):
                    out.insert(0, decl)
        return out

    return await ls.run(collect)


async def code_lens(ls: RepodocServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    folder, rel = ls.locate(params.text_document.uri)
    if "codeLens" not in folder.settings.features:
        return []  # turned off for this folder after initialize
    await ls.docs.settle()
    if folder.index is None:
        return []

    def build() -> list[types.CodeLens]:
        index = folder.index
        assert index is not None
        out = []
        with index.lock:
            facts = index.file(rel)
            if facts is None or not facts.is_python:
                return []
            for s in caps.shown_symbols(facts):  # those the doc page the lens opens lists
                if s.local or s.kind not in (SymbolKind.CLASS, SymbolKind.FUNCTION, SymbolKind.METHOD):
                    continue
                refs = index.references(rel, s.qualname)
                count = sum(len(lines) for path, lines in refs.items()) - (
                    1 if s.line in refs.get(rel, ()) else 0
                )
                title = f"{count} reference{'' if count == 1 else 's'} · docs"
                out.append(
                    types.CodeLens(
                        range=symbol_range(ls, s),
                        command=types.Command(
                            title=title,
                            command="repodoc.showFileDoc",
                            arguments=[{"uri": folder.uri_of(rel), "symbol": s.qualname}],
                        ),
                    )
                )
        return out

    return await ls.run(build)
