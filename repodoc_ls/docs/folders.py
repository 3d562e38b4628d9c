"""View models of a folder's `index.md` and `doc.md` (its symbols pages are `subpages.py`'s).

`render_index` and `render_doc` build the values a template shows and render it. Every path
and link comes from `pages.py`; every name that reaches link text or a table cell is escaped
with `pages.text` by the templates' `text` filter. What several folders share (the direct
children of every folder, each subtree's files, file kinds) is computed once and kept on
the renderer (`folderview.FolderCache`), which is discarded whenever the index changes.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from repodoc_ls.docs import caps, namedeps, pages
from repodoc_ls.docs.folderview import FolderCache, folder_navigation, folder_title, under
from repodoc_ls.docs.importgraph import import_graph
from repodoc_ls.docs.units import Rendered
from repodoc_ls.model import Category, FileFacts, FileKind, ModuleRef, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

#: The templates of the folder pages.
INDEX_TEMPLATE = "folder_index.md.j2"
DOC_TEMPLATE = "folder_doc.md.j2"

#: At most this many entries in the public API summary of `doc.md`.
PUBLIC_API_LIMIT = 50
#: At most this many modules in the key modules table of `doc.md`.
KEY_MODULES_LIMIT = 10
#: At most this many nodes, and edges, in the import graph diagram of `doc.md`.
GRAPH_NODE_LIMIT = 40
GRAPH_EDGE_LIMIT = 60

_README_NAMES = ("readme.md", "readme.markdown")
_INIT_NAMES = ("__init__.py", "__init__.pyi")
_API_KINDS = (SymbolKind.CLASS, SymbolKind.FUNCTION)
_EXTERNAL = (Category.STDLIB, Category.THIRD_PARTY)
_NOT_DEPENDENCIES = frozenset({"__future__"})
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
#: A description taken from a README paragraph is cut to about this many characters.
DESCRIPTION_CHARS = 160


# ---------------------------------------------------------------- helpers


def _kind(renderer: Renderer, cache: FolderCache, path: str) -> str:
    kind = cache.kinds.get(path)
    if kind is None:
        kind = cache.kinds[path] = renderer.graph.kind(path)
    return kind


def _name(path: str) -> str:
    return posixpath.basename(path)


def _readme(cache: FolderCache, folder: str, facts: Mapping[str, FileFacts]) -> FileFacts | None:
    for path in cache.files.get(folder, ()):
        if _name(path).lower() in _README_NAMES and facts[path].kind == FileKind.MARKDOWN:
            return facts[path]
    return None


def _init(cache: FolderCache, folder: str, facts: Mapping[str, FileFacts]) -> FileFacts | None:
    prefix = f"{folder}/" if folder else ""
    for name in _INIT_NAMES:
        found = facts.get(prefix + name)
        if found is not None and found.is_python:
            return found
    return None


def _description(renderer: Renderer, cache: FolderCache, folder: str) -> str:
    """One line on the folder's role: its `__init__` docstring, else its README."""
    facts = renderer.index.facts
    init = _init(cache, folder, facts)
    if init is not None and init.summary:
        return init.summary
    readme = _readme(cache, folder, facts)
    if readme is not None:
        if readme.summary:
            return _one_line(readme.summary)
        if readme.outline:
            return readme.outline[0].title
    return ""


def _role(renderer: Renderer, cache: FolderCache, folder: str) -> tuple[str, str | None]:
    """(first paragraph on the folder's role, the file it comes from)."""
    facts = renderer.index.facts
    init = _init(cache, folder, facts)
    if init is not None and init.docstring and init.docstring.strip():
        paragraph = _BLANK_LINE.split(init.docstring.strip(), 1)[0]
        return " ".join(paragraph.split()), init.path
    readme = _readme(cache, folder, facts)
    if readme is not None and readme.docstring:
        return " ".join(readme.docstring.split()), readme.path
    return "", None


def _one_line(paragraph: str) -> str:
    """The first sentence of a paragraph, or its first DESCRIPTION_CHARS characters."""
    m = _SENTENCE_END.search(paragraph)
    if m and m.end() <= DESCRIPTION_CHARS:
        return paragraph[: m.end()]
    if len(paragraph) <= DESCRIPTION_CHARS:
        return paragraph
    cut = paragraph.rfind(" ", 0, DESCRIPTION_CHARS)
    return paragraph[: cut if cut > 0 else DESCRIPTION_CHARS].rstrip() + "…"


def _file_summary(facts: FileFacts) -> str:
    if facts.kind == FileKind.MARKDOWN and facts.outline:
        return facts.outline[0].title
    return facts.summary


# ---------------------------------------------------------------- index.md


class _FolderRow(NamedTuple):
    name: str
    link: str
    files: int
    description: str


class _FileRow(NamedTuple):
    name: str
    link: str
    kind: str
    lines: int
    summary: str
    keywords: str


def render_index(renderer: Renderer, folder: str) -> Rendered:
    """The folder's `index.md`: its subfolders and files."""
    cache = renderer.folder_cache
    page = pages.folder_page(folder, "index")
    facts = renderer.index.facts
    folders = [
        _FolderRow(
            _name(child) + "/",
            pages.link(page, pages.folder_page(child, "index")),
            len(cache.subtree.get(child, ())),
            _description(renderer, cache, child),
        )
        for child in cache.subfolders.get(folder, ())
    ]
    files = []
    # Counts and descriptions of the subfolders, and the files' rows. A file's kind may
    # follow from other files (a base class there): an export renders the page again when
    # it changes (`Redo.FOLDERS_OF_RESHAPED`).
    deps = set(cache.subtree.get(folder, ()))
    for path in cache.files.get(folder, ()):
        f = facts[path]
        files.append(
            _FileRow(
                _name(path),
                pages.link(page, pages.file_page(path)),
                _kind(renderer, cache, path),
                f.lines,
                _file_summary(f),
                pages.link(page, pages.keyword_page(path)),
            )
        )
    text = renderer.template(INDEX_TEMPLATE).render(
        title=folder_title(renderer, folder),
        description=_description(renderer, cache, folder),
        navigation=folder_navigation(renderer, folder, page, "index"),
        folders=folders,
        files=files,
    )
    return Rendered(text, frozenset(deps))


# ---------------------------------------------------------------- doc.md


class _KindRow(NamedTuple):
    kind: str
    files: int
    lines: int


class _ModuleRow(NamedTuple):
    name: str
    link: str
    importers: int
    summary: str


class _ApiRow(NamedTuple):
    name: str
    link: str | None
    kind: str
    file: str
    file_link: str | None
    summary: str


class _DependencyGroup(NamedTuple):
    category: str
    modules: list[tuple[str, int]]  # (top-level module, files importing it)


def render_doc(renderer: Renderer, folder: str) -> Rendered:
    """The folder's `doc.md`: its role, file kinds, key modules, API, import graph, dependencies."""
    cache = renderer.folder_cache
    page = pages.folder_page(folder, "doc")
    graph = renderer.graph
    subtree = cache.subtree.get(folder, [])
    deps = set(subtree)
    link = pages.links_from(page)

    role, role_source = _role(renderer, cache, folder)

    kind_files: Counter[str] = Counter()
    kind_lines: Counter[str] = Counter()
    # The number of files importing each module: it changes only when a file's imports
    # resolve elsewhere, not with every edit of an importer (`Redo.FOLDERS_OF_RESHAPED`).
    fan_in = {}
    imported_by = graph.imported_by_map
    for path in subtree:
        kind = _kind(renderer, cache, path)
        header = cache.header(renderer.index, path)
        kind_files[kind] += 1
        kind_lines[kind] += header.lines
        if header.is_python:
            importers = imported_by.get(path)
            if importers:
                fan_in[path] = len(importers)
    kinds = [
        _KindRow(k, n, kind_lines[k]) for k, n in sorted(kind_files.items(), key=lambda kn: (-kn[1], kn[0]))
    ]
    key_paths = sorted(fan_in, key=lambda p: (-fan_in[p], p))[:KEY_MODULES_LIMIT]
    key_modules = [
        _ModuleRow(
            under(folder, p), link(pages.file_page(p)), fan_in[p], cache.header(renderer.index, p).summary
        )
        for p in key_paths
    ]

    lookups: set[namedeps.Key] = set()
    with graph.recording_lookups(lookups):
        api, api_total, api_deps = _public_api(renderer, cache, folder, link)
    deps.update(api_deps)

    diagram = import_graph(renderer, folder, subtree, GRAPH_NODE_LIMIT, GRAPH_EDGE_LIMIT)

    users: dict[str, dict[str, set[str]]] = {c: defaultdict(set) for c in _EXTERNAL}
    for path in subtree:
        for category, module in graph.outside_roots(path):
            if module not in _NOT_DEPENDENCIES:
                users[category][module].add(path)
    dependencies = [
        _DependencyGroup(category, [(m, len(users[category][m])) for m in sorted(users[category])])
        for category in _EXTERNAL
        if users[category]
    ]

    text = renderer.template(DOC_TEMPLATE).render(
        title=folder_title(renderer, folder),
        navigation=folder_navigation(renderer, folder, page, "doc"),
        role=role,
        role_source=under(folder, role_source) if role_source else None,
        role_link=link(pages.file_page(role_source)) if role_source else None,
        kinds=kinds,
        total_files=len(subtree),
        key_modules=key_modules,
        api=api,
        api_more=api_total - len(api),
        diagram=diagram,
        dependencies=dependencies,
    )
    # Of other files, the page shows the kinds of its files and the number of importers of
    # its modules (`Redo.FOLDERS_OF_RESHAPED`), the files its API rows come from (deps)
    # and what the lookups that found them answer (names: a re-export rebound on the way).
    return Rendered(text, frozenset(deps), names=namedeps.entries(renderer, lookups, deps))


def _public_api(
    renderer: Renderer, cache: FolderCache, folder: str, link: pages.Linker
) -> tuple[list[_ApiRow], int, set[str]]:
    """(rows up to PUBLIC_API_LIMIT, total count, files they come from).

    The names of the folder's `__init__` `__all__` when it has one, else the public names
    the `__init__` defines or re-exports (followed to their definitions); for a folder
    whose `__init__` has none (or that has no `__init__`), the public top-level classes and
    functions of its own Python files (those in the file's `__all__` when it has one),
    test modules aside."""
    graph = renderer.graph
    facts = renderer.index.facts
    rows: list[_ApiRow] = []
    total = 0
    used: set[str] = set()

    def row_for(name: str, path: str, qualname: str | None, kind: str, summary: str) -> _ApiRow:
        used.add(path)
        shown = under(folder, path) if not folder or path.startswith(f"{folder}/") else path
        fragment = caps.symbol_fragment(renderer, path, qualname) if qualname else None
        return _ApiRow(
            name, link(pages.file_page(path), fragment), kind, shown, link(pages.file_page(path)), summary
        )

    init = _init(cache, folder, facts)
    names: list[str] = []
    if init is not None:
        names = list(dict.fromkeys(init.all_names)) if init.all_names else _init_public_names(renderer, init)
    if init is not None and names:
        total = len(names)
        for name in names[:PUBLIC_API_LIMIT]:
            target = graph.resolve_name(init.path, name)
            if isinstance(target, SymbolRef):
                symbol = graph.symbols_of(target.path).get(target.qualname)
                rows.append(
                    row_for(
                        name,
                        target.path,
                        target.qualname,
                        target.kind,
                        symbol.summary if symbol is not None else "",
                    )
                )
            elif isinstance(target, ModuleRef):
                summary = cache.header(renderer.index, target.path).summary
                rows.append(row_for(name, target.path, None, "module", summary))
            else:
                rows.append(_ApiRow(name, None, "", "", None, ""))
        return rows, total, used

    for path in cache.files.get(folder, ()):
        f = facts[path]
        if not f.is_python or _kind(renderer, cache, path) == FileKind.TEST_MODULE:
            continue
        exported = set(f.all_names) if f.all_names is not None else None
        for s in f.symbols:
            if s.parent is not None or s.local or s.kind not in _API_KINDS:
                continue
            if (s.name not in exported) if exported is not None else s.name.startswith("_"):
                continue
            total += 1
            if len(rows) < PUBLIC_API_LIMIT:
                rows.append(row_for(s.qualname, path, s.qualname, s.kind, s.summary))
    return rows, total, used


def _init_public_names(renderer: Renderer, init: FileFacts) -> list[str]:
    """A package's public names without `__all__`, in source order: the public top-level
    definitions of its `__init__`, and the public names its imports bind to a module or a
    symbol of the workspace (re-exports; `import os` there is no API of the package)."""
    graph = renderer.graph
    found = [(s.line, s.name) for s in init.symbols if s.parent is None and not s.local]
    bindings, _ = graph.bindings_of(init.path)
    for name, r in bindings.items():
        if r.target is not None and graph.resolve_name(init.path, name) is not None:
            found.append((r.imp.line, name))
    return list(dict.fromkeys(name for _, name in sorted(found) if not name.startswith("_")))
