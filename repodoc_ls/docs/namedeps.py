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

A file page does the same for the links that show no more of another file than where a name
leads or that the file is there: its imports' targets, its docstrings' roles (whose
resolutions may also try dotted module names: `MODULE` keys), the files it only imports
among its related files; and for whether the classes its classes' bases lead to are test
cases (`testcase_keys`), which its kind and Tests section rest on. Both pages show the
other files defining a name the file defines through a `DEFINES` key of each, and the
subclasses of its classes in other files through a `SUBCLASSES` key of each file. A file
page lists the files that import its file or use its symbols (with the lines) through a
`USERS` key of each: what the user imports and uses, lines included. An edit of a user
that leaves those as they were (a function appended, a body edited in place) leaves the
pages of what it uses alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps
from repodoc_ls.model import ModuleRef, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.graph import Graph

#: (file, name): a lookup of `name` at the top level of `file`; name "" stands for a link
#: to the file's page itself (which only needs the file to exist), a dotted name for a
#: member read from the file's symbol table (`Graph.member`: `Class.method`), a name
#: after `TESTCASE` for whether that class of the file is a test case, and one after
#: `MODULE` for the module a dotted name names as the file imports it (`resolve_module`:
#: the workspace's paths alone decide it, so it is asked again when a file was added or
#: removed; kept even for the page's own file).
Key = tuple[str, str]

#: Mark the keys asking `Graph.is_testcase` and `Graph.resolve_module` (a colon is in no
#: qualified name).
TESTCASE = "testcase:"
MODULE = "module:"
#: The name of a file's `USERS` key: the workspace files it imports and the symbols it uses
#: with their lines (`Graph.import_targets`, `Graph.uses_by_target`).
USERS = "users:"
#: The name of a file's `SUBCLASSES` key: its classes with a base naming a workspace class,
#: in source order, with what the base names and the class's anchor (`Graph.bases_in`).
SUBCLASSES = "subclasses:"
#: The keys asked again for the files whose uses were resolved anew (a base is a use).
_OF_USES = (USERS, SUBCLASSES)
#: Before a qualified name: whether the file defines a symbol of that name, and its anchor
#: (a page's "also defined in" links and counts: `Index.definers`).
DEFINES = "defines:"


def entry(renderer: Renderer, path: str, name: str) -> str:
    """A digest of what a page reads of the lookup (path, name) now; once per renderer (a
    renderer never outlives the index state it renders): every page listing a user or a
    definer asks for its key, and a name defined in hundreds of files is listed on each of
    their pages."""
    memo = renderer.name_entries
    found = memo.get((path, name))
    if found is None:
        found = memo[(path, name)] = _digest(_answer(renderer, path, name))
    return found


def _answer(renderer: Renderer, path: str, name: str) -> object:
    graph = renderer.graph
    if name == USERS:
        if path not in graph.facts:
            return None
        uses = sorted((target, tuple(lines)) for target, lines in graph.uses_by_target(path).items())
        return ("users", sorted(graph.import_targets(path)[0]), uses)
    if name == SUBCLASSES:
        return _subclasses(renderer, path)
    if not name:
        return ("file",) if path in graph.facts else None
    if name.startswith(MODULE):
        return ("module", graph.resolve_module(name[len(MODULE) :], path))
    if path not in graph.facts:
        return None
    if name.startswith(DEFINES):
        qualname = name[len(DEFINES) :]
        defined = qualname in graph.symbols_of(path)
        return ("defines", caps.symbol_fragment(renderer, path, qualname)) if defined else None
    if name.startswith(TESTCASE):
        return ("testcase", graph.is_testcase(path, name[len(TESTCASE) :]))
    if "." in name:
        symbol = graph.symbols_of(path).get(name)
        return ("member", name, caps.symbol_fragment(renderer, path, name)) if symbol is not None else None
    answer = graph.resolve_name(path, name)
    if isinstance(answer, SymbolRef):
        fragment = caps.symbol_fragment(renderer, answer.path, answer.qualname)
        return ("symbol", answer.path, answer.qualname, fragment)
    if isinstance(answer, ModuleRef):
        return ("module", answer.path)
    return None


def _digest(found: object) -> str:
    return hashlib.blake2b(repr(found).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def _subclasses(renderer: Renderer, path: str) -> list[tuple[str, tuple[str, str], str | None]] | None:
    graph = renderer.graph
    if path not in graph.facts:
        return None
    return [
        (sub.qualname, named, caps.symbol_fragment(renderer, path, sub.qualname))
        for sub, named in graph.bases_in(path)
    ]


def entries(renderer: Renderer, keys: Iterable[Key], own: set[str]) -> tuple[tuple[str, str, str], ...]:
    """(file, name, entry) for the `keys` in files not among `own` (the page's deps), and
    the `MODULE` keys."""
    return tuple(
        sorted(
            (path, name, entry(renderer, path, name))
            for path, name in keys
            if path not in own or name.startswith(MODULE)
        )
    )


def stale_keys(
    renderer: Renderer,
    old: Mapping[Key, str],
    changed: set[str],
    moved: bool,
    recomputed: Set[str] = frozenset(),
) -> set[Key]:
    """The recorded lookups whose answer is not the recorded one: those in changed files,
    or all of them when a file was added or removed (`moved`: the module map changed); but
    the `USERS` and `SUBCLASSES` keys only of the files whose uses were resolved anew
    (`recomputed`: a re-export rebound in a package moves its importers' uses, and what
    their bases name, without an edit of theirs; a module added, the uses of the files
    whose imports resolve elsewhere)."""
    return {
        key
        for key, was in old.items()
        if (
            key[0] in changed
            # (a file's own symbols decide its DEFINES keys; its uses, the others of _OF_USES)
            or (moved and key[1] not in _OF_USES and not key[1].startswith(DEFINES))
            or (key[1] in _OF_USES and key[0] in recomputed)
        )
        and entry(renderer, key[0], key[1]) != was
    }


def testcase_keys(graph: Graph, path: str) -> set[Key]:
    """What the kind of file `path` and its Tests section rest on in other files: which of
    its classes are test cases (`Graph.is_testcase`) follows each base class through other
    files, so every lookup that takes and whether each class met on the way is a test case.
    Asked again like any key, each class in the file that changed: an answer the same as
    before leaves every class below it in the chain as it was."""
    keys: set[Key] = set()
    facts = graph.facts[path]
    if not facts.is_python:
        return keys
    todo = [(path, s) for s in facts.symbols if s.kind == SymbolKind.CLASS and s.bases]
    seen = {(path, s.qualname) for _, s in todo}
    while todo:
        where, cls = todo.pop()
        for base in cls.bases:
            with graph.recording_lookups(keys):
                target = graph.resolve_base(where, cls, base)
            if not isinstance(target, SymbolRef) or (target.path, target.qualname) in seen:
                continue
            seen.add((target.path, target.qualname))
            keys.add((target.path, TESTCASE + target.qualname))
            symbol = graph.symbols_of(target.path).get(target.qualname)
            if symbol is not None and symbol.kind == SymbolKind.CLASS:
                todo.append((target.path, symbol))
    return keys
