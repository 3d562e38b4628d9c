"""Name deps: a page that only links to another file's page at a name's anchor depends on
that file through the names it looked up there, not on all of it.

A keyword page resolves each imported name (`Graph.resolve_name`), following re-exports
through packages' `__init__.py`, star imports and aliases; the graph records every (file,
name) lookup such a resolution takes, cached answers included. The page keeps, for each
lookup in a file other than its own, what the lookup answers (`entry`: the symbol or module
found, and the anchor the page links to). An answer can only change when the file looked
in changed (or one further down its chain, whose lookup is recorded too), or when a file
was added or removed (a package's submodule): so after an edit only the lookups in changed
files are asked again, all of them after an addition or removal. Appending a function to a
module leaves its importers' keyword pages alone; rebinding a re-export in a package renders
again the pages whose lookups passed through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps
from repodoc_ls.model import ModuleRef, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

#: (file, name): a lookup of `name` at the top level of `file`; name "" stands for a link
#: to the file's page itself (which only needs the file to exist).
Key = tuple[str, str]


def entry(renderer: Renderer, path: str, name: str) -> str:
    """A digest of what a page reads of the lookup (path, name) now."""
    graph = renderer.graph
    found: tuple[str | None, ...] | None
    if not name:
        found = ("file",) if path in graph.facts else None
    else:
        answer = graph.resolve_name(path, name)
        if isinstance(answer, SymbolRef):
            fragment = caps.symbol_fragment(renderer, answer.path, answer.qualname)
            found = ("symbol", answer.path, answer.qualname, fragment)
        elif isinstance(answer, ModuleRef):
            found = ("module", answer.path)
        else:
            found = None
    return hashlib.blake2b(repr(found).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def entries(renderer: Renderer, keys: Iterable[Key], own: set[str]) -> tuple[tuple[str, str, str], ...]:
    """(file, name, entry) for the `keys` in files not among `own` (the page's deps)."""
    return tuple(sorted((path, name, entry(renderer, path, name)) for path, name in keys if path not in own))


def stale_keys(renderer: Renderer, old: Mapping[Key, str], changed: set[str], moved: bool) -> set[Key]:
    """The recorded lookups whose answer is not the recorded one: those in changed files,
    or all of them when a file was added or removed (`moved`: the module map changed)."""
    return {
        key
        for key, was in old.items()
        if (moved or key[0] in changed) and entry(renderer, key[0], key[1]) != was
    }
