"""View model of a file's keyword page, `X_kw.md`: every name the file defines or imports,
grouped by kind, each with its line, its anchor on the file page and how many other files
define or use it."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps, namedeps, pages
from repodoc_ls.docs.fileview import PageLinks, View, import_anchors, symbol_anchors
from repodoc_ls.docs.units import Rendered
from repodoc_ls.model import Category, ModuleRef, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.graph import Graph, ResolvedImport

#: The template of the keyword page.
TEMPLATE = "file_kw.md.j2"

KEYWORD_GROUPS = (
    ("classes", "Classes"),
    ("methods", "Methods"),
    ("functions", "Functions"),
    ("fields", "Fields"),
    ("attributes", "Attributes"),
    ("type_aliases", "Type aliases"),
    ("constants", "Constants"),
    ("variables", "Variables"),
    ("modules", "Imported modules"),
    ("names", "Imported names"),
)

#: The group of a symbol of each kind; any other kind is a function's.
_SYMBOL_GROUPS = {
    SymbolKind.CLASS: "classes",
    SymbolKind.METHOD: "methods",
    SymbolKind.CONSTANT: "constants",
    SymbolKind.VARIABLE: "variables",
    SymbolKind.TYPE_ALIAS: "type_aliases",
    SymbolKind.ATTRIBUTE: "attributes",
    SymbolKind.FIELD: "fields",
}


def render_keyword_page(renderer: Renderer, path: str) -> Rendered:
    facts = renderer.index.file(path)
    if facts is None:
        raise KeyError(f"{path} is not in the index")
    p = PageLinks(renderer, path, pages.keyword_page(path), {path})
    docs_page = pages.file_page(path)
    graph = renderer.graph
    # Rows are tuples the template unpacks (a file can have thousands of keywords): a
    # symbol's (name, line, anchor, others), an import's (name, line, anchor, target, others).
    groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    anchors = symbol_anchors(facts)
    shown = caps.shown_symbols(facts)
    definers_of = renderer.index.definers(s.qualname for s in shown)
    for s, anchor_id in zip(shown, anchors):
        group = _SYMBOL_GROUPS.get(s.kind, "functions")
        refs = {f for f in graph.references(path, s.qualname) if f != path}
        definers = set(definers_of.get(s.qualname, ())) - {path}
        p.names.update((d, namedeps.DEFINES + s.qualname) for d in definers)  # counted: name deps
        p.counted.update(refs)
        others = len(refs | definers)
        first = anchor_id == pages.anchor(s.qualname)
        others_cell = (
            f"[{others}]({p.link(docs_page, f'refs-{anchor_id}')})"
            if others and first and not s.local
            else str(others)
        )
        groups[group].append(
            (pages.code(s.qualname), p.line_link(path, s.line), p.link(docs_page, anchor_id), others_cell)
        )
    lookups: set[namedeps.Key] = set()  # see namedeps.py
    for r, anchor_id in zip(graph.imports_of(path)[: caps.MAX_ROWS], import_anchors(facts)):
        imp = r.imp
        dots = "." * imp.level
        if imp.name is None:
            group, name = "modules", f"{dots}{imp.module}"
        else:
            group = "names"
            name = f"{dots}{imp.module}.{imp.name}" if imp.module else f"{dots}{imp.name}"
        if imp.alias:
            name = f"{name} as {imp.alias}"
        count: int | None = None  # None: not known (a name defined outside the workspace)
        others_link = target_link = ""
        if r.target:
            if r.target != path:
                resolved = None
                if imp.name not in (None, "*"):
                    with graph.recording_lookups(lookups):
                        resolved = graph.resolve_name(path, imp.bound_name)
                # Links only, to anchors that are names: name deps, not the files linked to.
                if isinstance(resolved, SymbolRef):
                    fragment = caps.symbol_fragment(renderer, resolved.path, resolved.qualname)
                    target_link = p.link(pages.file_page(resolved.path), fragment)
                else:
                    linked = resolved.path if isinstance(resolved, ModuleRef) else r.target
                    lookups.add((linked, ""))
                    target_link = p.link(pages.file_page(linked))
                count, others_link = _others(p, path, r, resolved, lookups)
        elif r.category != Category.WORKSPACE and imp.level == 0:
            count = _outside_others(graph, path, r)
        groups[group].append(
            (
                pages.code(name),
                p.line_link(path, imp.line),
                p.link(docs_page, anchor_id),
                f"[page]({target_link})" if target_link else r.category,
                _count_cell(count, others_link),
            )
        )
    total = len(facts.symbols) + len(graph.imports_of(path))
    view = {
        "title": path,
        "docs_link": pages.link(p.page, docs_page),
        "folder_link": p.to_folder(posixpath.dirname(path), "index"),
        "folder_doc_link": p.to_folder(posixpath.dirname(path), "doc"),
        "source_link": p.to_source(path),
        "groups": [
            View(
                {
                    "title": title,
                    "rows": groups[key],
                    "imports": key in ("modules", "names"),
                    "others_title": "Other files using it" if key == "names" else "Other files importing it",
                }
            )
            for key, title in KEYWORD_GROUPS
            if groups.get(key)
        ],
        "total": total,
        "unknown_counts": any(row[-1] == "—" for row in groups["names"]),
        "more": caps.more(total, sum(len(v) for v in groups.values()), "keywords"),
    }
    text = renderer.template(TEMPLATE).render(**view)
    return Rendered(
        text,
        frozenset(p.deps),
        frozenset(p.counted - p.deps),
        namedeps.entries(renderer, lookups | p.names, p.deps),
    )


def _others(
    p: PageLinks,
    path: str,
    r: ResolvedImport,
    resolved: SymbolRef | ModuleRef | None,
    lookups: set[namedeps.Key],
) -> tuple[int | None, str]:
    """(count, link) for an import of a workspace module or name: the other files importing
    the module, or using the name (the reference index); None when the name is not found.
    A module linked to goes to `lookups`."""
    graph = p.renderer.graph
    if r.imp.name is None or r.imp.name == "*" or r.names_submodule or isinstance(resolved, ModuleRef):
        module = resolved.path if isinstance(resolved, ModuleRef) else r.target
        assert module is not None
        # The count changes only when some file's imports change; export finds those pages
        # from the changed file (incremental.related_files), so they are not deps here.
        importers = set(graph.imported_by(module)) - {path}
        # Its "used-by" anchor is there while it has importers: a link, not a dep.
        lookups.add((module, ""))
        return len(importers), p.link(pages.file_page(module), "used-by") if importers else ""
    if not isinstance(resolved, SymbolRef):
        return None, ""
    users = set(graph.references(resolved.path, resolved.qualname)) - {path}
    # Counted, not shown: a user matters when what it uses changes (incremental.uses_digests).
    p.counted.update(users)
    return len(users), ""


def _outside_others(graph: Graph, path: str, r: ResolvedImport) -> int | None:
    """Other files importing an outside module (`import os`, counted for `from os import
    path` too); None for a name from one: the reference index knows workspace symbols only."""
    if r.imp.name is not None:
        return None
    return len(set(graph.importers_of_external(r.imp.module)) - {path})


def _count_cell(count: int | None, link: str) -> str:
    if count is None:
        return "—"
    return f"[{count}]({link})" if count and link else str(count)
