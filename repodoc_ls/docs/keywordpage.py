"""View model of a file's keyword page, `X_kw.md`: every name the file defines or imports,
grouped by kind, each with its line, its anchor on the file page and how many other files
define or use it."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps, pages
from repodoc_ls.docs.fileview import PageLinks, View, import_anchors, symbol_anchors
from repodoc_ls.docs.units import Rendered
from repodoc_ls.model import ModuleRef, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

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
        group = {
            SymbolKind.CLASS: "classes",
            SymbolKind.METHOD: "methods",
            SymbolKind.CONSTANT: "constants",
            SymbolKind.VARIABLE: "variables",
            SymbolKind.TYPE_ALIAS: "type_aliases",
            SymbolKind.ATTRIBUTE: "attributes",
            SymbolKind.FIELD: "fields",
        }.get(s.kind, "functions")
        refs = {f for f in graph.references(path, s.qualname) if f != path}
        definers = set(definers_of.get(s.qualname, ())) - {path}
        p.deps.update(refs | definers)
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
        others, others_link = 0, ""
        target_link = ""
        if r.target:
            # The count changes only when some file's imports change; export finds those
            # pages from the changed file (export.related_files), so they are not deps here.
            others = len(set(graph.imported_by(r.target)) - {path})
            if r.target != path:
                resolved = graph.resolve_name(path, imp.bound_name) if imp.name not in (None, "*") else None
                if isinstance(resolved, SymbolRef):
                    target_link = p.to_page(
                        resolved.path, caps.symbol_fragment(renderer, resolved.path, resolved.qualname)
                    )
                elif isinstance(resolved, ModuleRef):
                    target_link = p.to_page(resolved.path)
                else:
                    target_link = p.to_page(r.target)
                others_link = p.to_page(r.target, "used-by") if others else ""
        groups[group].append(
            (
                pages.code(name),
                p.line_link(path, imp.line),
                p.link(docs_page, anchor_id),
                f"[page]({target_link})" if target_link else r.category,
                f"[{others}]({others_link})" if others_link else str(others),
            )
        )
    total = len(facts.symbols) + len(graph.imports_of(path))
    view = {
        "title": path,
        "docs_link": pages.link(p.page, docs_page),
        "folder_link": p.to_folder(posixpath.dirname(path), "index"),
        "groups": [
            View({"title": title, "rows": groups[key], "imports": key in ("modules", "names")})
            for key, title in KEYWORD_GROUPS
            if groups.get(key)
        ],
        "total": total,
        "more": caps.more(total, sum(len(v) for v in groups.values()), "keywords"),
    }
    text = renderer.template(TEMPLATE).render(**view)
    return Rendered(text, frozenset(p.deps))
