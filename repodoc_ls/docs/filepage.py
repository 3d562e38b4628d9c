"""View models of a file's two pages: `X_docs.md` (documentation) and `X_kw.md` (keywords).

Everything a template shows is computed here from the index, with links made by `pages.py`.
Each builder also collects the workspace files it shows more of than their path or a
name's anchor: a page depends on exactly those (`deps`), and on the (file, name) lookups
its other links to files rest on (`names`, see namedeps.py): an import's target, a
docstring role's, a file this one only imports among its related files.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps, docstrings, namedeps, pages
from repodoc_ls.docs.excerpt import embedded_source
from repodoc_ls.docs.fileview import PageLinks, View, import_anchors, symbol_anchors
from repodoc_ls.docs.notesview import notes_view
from repodoc_ls.docs.testview import test_summary, tests_view
from repodoc_ls.docs.units import Rendered
from repodoc_ls.extract import is_unread
from repodoc_ls.model import Category, FileFacts, FileKind, Symbol, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

#: A row of the API section: (indent, anchor, label, line link, decorators, summary,
#: subclass links, more, documented parameters/returns/raises), a tuple the template unpacks
#: (a file can define thousands of symbols).
_ApiEntry = tuple[str, str, str, str, str, str, list[str], str, list[str]]

#: The template of the file page.
TEMPLATE = "file_docs.md.j2"

MAX_FILES_LISTED = 50  # importers, testers, ... beyond this, "and N more"
MAX_REF_FILES = 20  # files listed per referenced symbol
MAX_REF_LINES = 5  # line links (runs of lines) per file per referenced symbol
MAX_RELATED = 10
IMPORTED_HERE = "imported here"
IMPORTS_THIS = "imports this file"

_FENCE_LANGUAGE = {
    FileKind.JSON: "json",
    FileKind.TOML: "toml",
    FileKind.YAML: "yaml",
    FileKind.INI: "ini",
    FileKind.MARKDOWN: "markdown",
    FileKind.TEXT: "text",
}
_CATEGORY_ORDER = (Category.STDLIB, Category.THIRD_PARTY, Category.WORKSPACE)


# ------------------------------------------------------------------ summaries


def file_summary(renderer: Renderer, path: str) -> str:
    """The one-line summary: the docstring's first line, else a factual one."""
    facts = renderer.index.file(path)
    if facts is None:
        return ""
    if facts.summary:
        return facts.summary
    if is_unread(facts):
        return f"Not read: {facts.size:,} bytes, over the max-file-bytes limit"
    kind = renderer.graph.kind(path)
    if kind == FileKind.TEST_MODULE:
        return test_summary(renderer, path)
    if facts.kind == FileKind.MARKDOWN and facts.outline:
        return facts.outline[0].title
    if facts.is_python:
        classes = sum(1 for s in facts.symbols if s.kind == SymbolKind.CLASS and not s.parent)
        functions = sum(1 for s in facts.symbols if s.kind == SymbolKind.FUNCTION and not s.parent)
        parts = [
            p
            for p in (
                _count(classes, "class", "classes") if classes else "",
                _count(functions, "function") if functions else "",
            )
            if p
        ]
        label = {
            FileKind.PACKAGE_INIT: "Package init",
            FileKind.SCRIPT: "Script",
            FileKind.STUB: "Type stub",
        }.get(kind, "Module")
        return f"{label}: {', '.join(parts)}" if parts else f"{label} with {_count(facts.lines, 'line')}"
    if facts.kind in FileKind.DATA and facts.outline:
        return f"{facts.kind} file: {_count(len(facts.outline), 'top-level key')}"
    if facts.kind == FileKind.BINARY:
        return f"Binary file, {facts.size:,} bytes"
    return f"{facts.kind} file, {_count(facts.lines, 'line')}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _more(total: int, shown: int) -> str:
    return f"and {total - shown:,} more" if total > shown else ""


# ------------------------------------------------------------------ the file page


def render_file_page(renderer: Renderer, path: str) -> Rendered:
    facts = renderer.index.file(path)
    if facts is None:
        raise KeyError(f"{path} is not in the index")
    p = PageLinks(renderer, path, pages.file_page(path), {path})
    graph = renderer.graph
    view = {
        "title": path,
        "summary": docstrings.inline(file_summary(renderer, path), docstrings.role_resolver(p, None)),
        "metadata": _metadata(p, facts),
        # A one-line docstring is the summary already; the purpose section shows longer ones.
        "docstring": docstrings.prose(facts.docstring, docstrings.role_resolver(p, None))
        if facts.docstring and facts.docstring.strip() != facts.summary
        else "",
        "facts": _purpose_facts(p, facts),
        "api": _api(p, facts) if facts.is_python else None,
        "outline": [
            View(
                {
                    "indent": "  " * (max(o.level, 1) - 1),
                    "title": pages.text(o.title),
                    "line": p.line_link(path, o.line, f"line {o.line}"),
                }
            )
            for o in facts.outline[: caps.MAX_ROWS]
        ],
        "outline_more": caps.more(len(facts.outline), caps.MAX_ROWS, "entries"),
        "dependencies": _dependencies(p, facts) if facts.imports else [],
        "dependencies_more": caps.more(len(facts.imports), caps.MAX_ROWS, "imported names"),
        "used_by": _used_by(p, facts),
        "tests": tests_view(p, facts) if facts.is_python else None,
        **notes_view(p, facts),
        "related": _related(p, facts),
        "source": _source(p, facts),
        "nav": _navigation(p),
        "kind": graph.kind(path),
    }
    if facts.is_python:  # its kind and Tests section follow its classes' bases elsewhere
        p.names.update(namedeps.testcase_keys(graph, path))
    text = renderer.template(TEMPLATE).render(**view)
    # The users past a list's cap only count, and are ranked by the number of names they
    # use: they matter when what they use changes (`incremental.uses_digests`; what they
    # import: `incremental.related_files`). The listed ones are name deps (`user_link`).
    counted = frozenset(p.counted - p.deps - p.users)
    return Rendered(
        text, frozenset(p.deps), counted, names=namedeps.entries(renderer, p.user_names(), p.deps)
    )


def _metadata(p: PageLinks, facts: FileFacts) -> list[tuple[str, str]]:
    rows = [
        ("Source", f"[{pages.cell_code(facts.path)}]({p.to_source(facts.path)})"),
        ("Type", p.renderer.graph.kind(facts.path)),
    ]
    module = p.renderer.graph.module_name.get(facts.path) if facts.is_python else None
    if module:
        rows.append(("Module", pages.code(module)))
    rows.append(("Size", _count(facts.size, "byte")))
    if facts.encoding is not None:
        rows.append(("Lines", f"{facts.lines:,}"))
        if facts.encoding.lower().replace("_", "-") not in ("utf-8", "ascii"):
            rows.append(("Encoding", facts.encoding))
    return rows


def _purpose_facts(p: PageLinks, facts: FileFacts) -> list[str]:
    out = []
    path = facts.path
    if facts.shebang:
        out.append(f"Starts with the interpreter line {pages.code(facts.shebang)}.")
    if facts.main_guard:
        guard = pages.code('if __name__ == "__main__":')
        out.append(
            f"Runs as a script: {guard} at {p.line_link(path, facts.main_guard, f'line {facts.main_guard}')}."
        )
    for tool, line in facts.cli:
        out.append(
            f"Defines a command line with {pages.code(tool)} at {p.line_link(path, line, f'line {line}')}."
        )
    if facts.all_names is not None:
        out.append(
            f"Exports {_count(len(facts.all_names), 'name')} via {pages.code('__all__')} at "
            f"{p.line_link(path, facts.all_line, f'line {facts.all_line}')}."
        )
    return out


# -- API


def _api(p: PageLinks, facts: FileFacts) -> View | None:
    if not facts.symbols and facts.all_names is None:
        return None
    anchors = symbol_anchors(facts)
    # Each symbol hangs under the latest symbol of its parent's name before it: a class
    # defined twice (an `if`/`else`) keeps its own methods.
    children: dict[int | None, list[int]] = defaultdict(list)
    latest: dict[str, int] = {}
    for i, s in enumerate(caps.shown_symbols(facts)):
        children[latest.get(s.parent) if s.parent else None].append(i)
        latest[s.qualname] = i

    def entry(i: int, depth: int) -> _ApiEntry:
        s = facts.symbols[i]
        subs: list[SymbolRef] = []
        if s.kind == SymbolKind.CLASS and not s.local:
            subs = p.renderer.graph.subclasses(facts.path, s.qualname)
            # (past the list, a count that rests on the same keys as the links)
            p.names.update((ref.path, namedeps.SUBCLASSES) for ref in subs if ref.path != facts.path)
        summary, details = docstrings.summary_and_details(p, s)
        return (
            "  " * depth,
            anchors[i],
            _symbol_label(s),
            p.line_link(facts.path, s.line, f"line {s.line}"),
            ", ".join(pages.code("@" + d) for d in s.decorators),
            summary,
            [_symbol_link(p, ref) for ref in subs[:MAX_FILES_LISTED]],
            _more(len(subs), MAX_FILES_LISTED),
            details,
        )

    def tree(i: int) -> list[_ApiEntry]:
        """The symbol and everything nested in it, flattened in source order (templates
        loop once instead of recursing)."""
        out: list[_ApiEntry] = []
        stack = [(i, 0)]
        while stack:
            j, depth = stack.pop()
            out.append(entry(j, depth))
            stack.extend((c, depth + 1) for c in reversed(children.get(j, ())))
        return out

    top = children.get(None, [])
    return View(
        {
            kind: [e for i in top if facts.symbols[i].kind == symbol_kind for e in tree(i)]
            for kind, symbol_kind in (
                ("classes", SymbolKind.CLASS),
                ("functions", SymbolKind.FUNCTION),
                ("type_aliases", SymbolKind.TYPE_ALIAS),
                ("constants", SymbolKind.CONSTANT),
                ("variables", SymbolKind.VARIABLE),
            )
        }
        | {
            "all_names": ", ".join(pages.code(n) for n in facts.all_names) if facts.all_names else "",
            "more": caps.more(len(facts.symbols), caps.MAX_SYMBOLS, "symbols"),
        }
    )


def _symbol_label(s: Symbol) -> str:
    if s.kind == SymbolKind.CLASS:
        bases = f"({', '.join(s.bases)})" if s.bases else ""
        return pages.code(f"class {s.name}{bases}")
    if s.kind in SymbolKind.VALUES:
        value = "" if s.value is None else f" = {s.value}"
        return pages.code(f"{s.name}{s.signature or ''}{value}") + (f" ({s.kind})" if s.parent else "")
    prefix = "async def" if s.is_async else "def"
    return pages.code(f"{prefix} {s.name}{s.signature or '()'}")


def _symbol_link(p: PageLinks, ref: SymbolRef) -> str:
    label = pages.code(ref.qualname)
    fragment = caps.symbol_fragment(p.renderer, ref.path, ref.qualname)
    if ref.path == p.path:
        return f"[{label}]({pages.link(p.page, p.page, fragment)})"
    return f"[{label}]({p.to_named(ref.path, fragment)}) in {p.subclasser_link(ref.path)}"


# -- dependencies


def _dependencies(p: PageLinks, facts: FileFacts) -> list[View]:
    anchors = import_anchors(facts)
    groups: dict[str, list[View]] = defaultdict(list)
    statements: dict[tuple[int, int, str, bool, str], View] = {}
    for r, anchor_id in zip(p.renderer.graph.imports_of(facts.path)[: caps.MAX_ROWS], anchors):
        imp = r.imp
        key = (imp.line, imp.level, imp.module, imp.name is None, r.category)
        row = statements.get(key)
        if row is None:
            row = statements[key] = View(
                {
                    "anchors": [],
                    "names": [],
                    "imp": imp,
                    "targets": [],
                    "line": p.line_link(facts.path, imp.line, f"line {imp.line}"),
                    "flags": [],
                }
            )
            groups[r.category].append(row)
        if anchor_id not in row["anchors"]:
            row["anchors"].append(anchor_id)
        if imp.name is not None:
            row["names"].append(f"{imp.name} as {imp.alias}" if imp.alias else imp.name)
        elif imp.alias:
            row["names"].append(f"as {imp.alias}")
        if r.target and r.target != facts.path and r.target not in row["targets"]:
            row["targets"].append(r.target)
        if imp.type_checking and "only while type checking" not in row["flags"]:
            row["flags"].append("only while type checking")
        if imp.in_try and "optional: inside try" not in row["flags"]:
            row["flags"].append("optional: inside try")
    out = []
    for category in _CATEGORY_ORDER:
        rows = groups.get(category)
        if not rows:
            continue
        # The source's import block says which names come from where; the page adds what
        # it does not say: where each module is (its category, its page), or that it is not found.
        for row in rows:
            imp = row["imp"]
            dots = "." * imp.level
            # `from . import a, b` imports modules a and b of the package
            modules = [dots + imp.module] if imp.module else [dots + n.split(" ")[0] for n in row["names"]]
            row["module"] = ", ".join(pages.code(m) for m in modules)
            # (where an import leads follows from this file and the workspace's paths)
            row["links"] = ", ".join(p.existing_file_link(t) for t in row["targets"])
            row["unresolved"] = category == Category.WORKSPACE and not row["targets"]
        out.append(View({"category": category, "rows": rows, "listed": category == Category.WORKSPACE}))
    return out


# -- used by


def _used_by(p: PageLinks, facts: FileFacts) -> View | None:
    graph = p.renderer.graph
    importers = [f for f in graph.imported_by(facts.path) if f != facts.path]
    p.counted.update(importers)  # (past the list, a count: see `render_file_page`)
    references = []
    shown = caps.shown_symbols(facts)
    definers_of = p.renderer.index.definers(s.qualname for s in shown if not s.local)
    for s, anchor_id in zip(shown, symbol_anchors(facts)):
        if s.local or anchor_id != pages.anchor(s.qualname):
            continue
        refs = {f: lines for f, lines in graph.references(facts.path, s.qualname).items() if f != facts.path}
        definers = [d for d in definers_of.get(s.qualname, ()) if d != facts.path]
        if not refs and not definers:
            continue
        p.counted.update(refs)
        files = []
        for f in sorted(refs)[:MAX_REF_FILES]:
            files.append(f"{p.user_link(f)} ({p.line_list(f, refs[f], MAX_REF_LINES)})")
        references.append(
            View(
                {
                    "anchor": f"refs-{anchor_id}",
                    "name": pages.code(s.qualname),
                    "definition": pages.link(p.page, p.page, anchor_id),
                    "count": len(refs),
                    "files": files,
                    "more": _more(len(refs), MAX_REF_FILES),
                    "definers": [
                        p.definer_link(d, s.qualname, caps.symbol_fragment(p.renderer, d, s.qualname))
                        for d in definers[:MAX_FILES_LISTED]
                    ],
                    "more_definers": _more(len(definers), MAX_FILES_LISTED),
                }
            )
        )
    if not importers and not references:
        return None
    return View(
        {
            "importers": [p.user_link(f) for f in importers[:MAX_FILES_LISTED]],
            "importer_count": len(importers),
            "more_importers": _more(len(importers), MAX_FILES_LISTED),
            "references": references,
        }
    )


# -- related files


def _related(p: PageLinks, facts: FileFacts) -> list[View]:
    graph = p.renderer.graph
    path = facts.path
    reasons: dict[str, list[str]] = defaultdict(list)
    scores: dict[str, int] = defaultdict(int)
    shows_more: set[str] = set()  # related by more than what they import, use and subclass

    def add(other: str, score: int, reason: str) -> None:
        if other != path:
            scores[other] += score
            reasons[other].append(reason)

    for target in {r.target for r in graph.imports_of(path) if r.target}:
        add(target, 3, IMPORTED_HERE)
    for importer in graph.imported_by(path):
        add(importer, 3, IMPORTS_THIS)
    if facts.is_python:
        for tester in graph.tested_by(path):
            add(tester, 3, "tests this file")
            shows_more.add(tester)
        used_here: dict[str, int] = defaultdict(int)
        for s in facts.symbols:
            if s.local:
                continue
            for user in graph.references(path, s.qualname):
                used_here[user] += 1
        p.counted.update(used_here)
        for user, n in used_here.items():
            add(user, min(n, 5), f"uses {_count(n, 'name')} defined here")
        for s in facts.symbols:
            if s.kind == SymbolKind.CLASS and not s.local:
                for sub in {r.path for r in graph.subclasses(path, s.qualname)}:
                    add(sub, 2, f"subclasses {s.qualname}")
                    p.names.add((sub, namedeps.SUBCLASSES))
    ranked = sorted(scores, key=lambda f: (-scores[f], f))[:MAX_RELATED]

    # A file only imported here is listed for what this file says; every other reason is
    # something the other file does (a reason it gains makes it related to this one:
    # incremental.related_files renders this page then). Importing this file and using its
    # symbols are what the other file imports and uses (`PageLinks.user_link`), subclassing
    # is its `SUBCLASSES` key; testing shows more of it.
    def link(f: str) -> str:
        if reasons[f] == [IMPORTED_HERE]:
            return p.existing_file_link(f)
        return p.file_link(f) if f in shows_more else p.user_link(f)

    return [View({"link": link(f), "reasons": "; ".join(dict.fromkeys(reasons[f]))}) for f in ranked]


# -- source


def _source(p: PageLinks, facts: FileFacts) -> View | None:
    if facts.encoding is None:
        return None
    data = p.renderer.read_source(facts.path)
    if data is None:
        return None
    budget = p.renderer.settings.max_source_bytes
    source = embedded_source(data, facts.encoding, budget)
    language = "python" if facts.is_python else _FENCE_LANGUAGE.get(facts.kind, "text")
    return View(
        {
            "fence": pages.fence_for(source.body),
            "language": language,
            "body": source.body,
            "excerpt": source.excerpt,
            "shown": _shown_lines(source.lines, source.cut),
            "more": _count(source.more_bytes, "more byte"),
            "limit": _count(budget, "byte"),
            "link": f"[{pages.code(facts.path)}]({p.to_source(facts.path)})",
        }
    )


def _shown_lines(n: int, cut: bool) -> str:
    if n == 1:
        return "line follows, cut short" if cut else "line follows"
    return f"{n:,} lines follow" + (", the last one cut short" if cut else "")


def _navigation(p: PageLinks) -> list[str]:
    folder = posixpath.dirname(p.path)
    out = [
        f"[keywords]({p.to_kw(p.path)})",
        f"[folder index]({p.to_folder(folder, 'index')})",
        f"[folder overview]({p.to_folder(folder, 'doc')})",
        f"[folder symbols]({p.to_folder(folder, 'sub')})",
    ]
    if folder:
        parent = posixpath.dirname(folder)
        out.append(f"[parent folder]({p.to_folder(parent, 'index')})")
        if parent:
            out.append(f"[root]({p.to_folder('', 'index')})")
    return out
