"""The hover for a name neither the index nor jedi (within the budget) could tell.

For a name or an attribute in the code only. Not a guess: it says the type is unknown, and
lists what the index does know, the definitions of that name in the workspace (methods of
classes and module-level names, each a link) and the builtin types that define it, as
candidates, never as the answer. The candidates come from the graph's index of symbols by
name (index/names.py), which an edit updates for the edited files alone. The caller holds
`index.lock`."""

from __future__ import annotations

import ast
import builtins
from functools import lru_cache

from repodoc_ls.analysis.regions import node_at, region_at
from repodoc_ls.model import SymbolKind
from repodoc_ls.server.hover_format import HoverContext
from repodoc_ls.server.target import Word

CANDIDATES_SHOWN = 5
PENDING_JEDI = "jedi is still inferring it: hover here again for its answer."


def unknown_hover(ctx: HoverContext, rel: str, lines: list[str], word: Word) -> str | None:
    """The hover's text; None where the word is no name in the code (a comment, a string,
    a line that does not parse), or not one this hover speaks of (an import, a keyword
    argument)."""
    index = ctx.folder.index
    assert index is not None
    facts = index.file(rel)
    if facts is None or not facts.is_python:
        return None
    reg = region_at(rel, facts.symbols, lines, word.line + 1)
    node = node_at(reg, lines, word.line + 1, word.start)[0] if reg is not None else None
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return None
    fmt = ctx.fmt
    name = word.text
    shown = f"`{name}`" if fmt.markdown else name
    attribute = isinstance(node, ast.Attribute)
    workspace = [
        fmt.link(label, ctx.file_link(path, line))
        for label, path, line in _workspace_candidates(ctx, rel, name, attribute)
    ]
    builtin = [f"`{t}.{name}`" if fmt.markdown else f"{t}.{name}" for t in _builtin_types_defining(name)]
    if not attribute:
        head = f"{shown}: a name the index does not resolve here."
    else:
        head = f"{shown}: attribute of a value of unknown type."
    if not workspace and not (attribute and builtin):
        if not attribute and name in vars(builtins):
            return fmt.join([head, f"The running interpreter has a builtin named {shown}."])
        where = " or on a builtin type" if attribute else ""
        scope = "the files indexed so far" if ctx.folder.partial else "this workspace"
        return fmt.join([head, f"Nothing named {shown} is defined in {scope}{where}."])
    head += " Candidates, by name only:"
    return fmt.join(
        [
            head,
            f"Defined in this workspace as {_capped(workspace)}." if workspace else "",
            f"On builtin types: {_capped(builtin)}." if attribute and builtin else "",
        ]
    )


def _capped(items: list[str]) -> str:
    more = len(items) - CANDIDATES_SHOWN
    return ", ".join(items[:CANDIDATES_SHOWN]) + (f", and {more} more" if more > 0 else "")


def _workspace_candidates(
    ctx: HoverContext, rel: str, name: str, attribute: bool
) -> list[tuple[str, str, int]]:
    """(label, path, line) of the workspace's definitions named `name`: members of classes
    (for an attribute) and module-level names; the current file's first."""
    index = ctx.folder.index
    assert index is not None
    graph = index.graph
    out: list[tuple[bool, str, int, str]] = []
    for ref in graph.names.named(name):
        parent = ref.qualname.rpartition(".")[0]
        if parent:
            if not attribute or not _is_class(graph.symbols_of(ref.path).get(parent)):
                continue
            label = ref.qualname
        else:
            module = graph.module_name.get(ref.path)
            label = f"{module}.{name}" if module else ref.qualname
        out.append((ref.path != rel, ref.path, ref.line, label))
    out.sort()
    return [(label, path, line) for _, path, line, label in out]


def _is_class(symbol: object) -> bool:
    return getattr(symbol, "kind", None) == SymbolKind.CLASS


@lru_cache(maxsize=1024)
def _builtin_types_defining(name: str) -> list[str]:
    """The builtin types (exceptions aside) whose own namespace defines `name`."""
    found = []
    for type_name, value in sorted(vars(builtins).items()):
        if type_name.startswith("_") or not isinstance(value, type) or issubclass(value, BaseException):
            continue
        if name in vars(value):
            found.append(type_name)
    return found
