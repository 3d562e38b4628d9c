"""Cross-references between files, computed from their facts.

Eager (cheap, kept current file by file): the module map (which file answers to which
dotted name), each file's resolved imports, and the reverse edges ("imported by"). A warm
start gives the resolutions saved by an earlier run (resolved.py): the reverse edges come
from them, and a file's `ResolvedImport`s are made (its facts decoded) when first asked for.
Lazy (computed on first query, dropped when any file changes): name resolution through
re-exports and aliases, subclasses across files, unittest classes whose TestCase base
lives in another file. The reference index (which files use which symbol, and on which
lines) is references.py's, built on first query and then kept current file by file.
Everything here is a function of the facts: no file is read.
"""

from __future__ import annotations

import posixpath
import sys
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

from repodoc_ls.extract import pytests
from repodoc_ls.index.modulemap import module_names, module_parts, names_moved, package_dirs, renamed_below
from repodoc_ls.index.names import NamesIndex
from repodoc_ls.index.references import ReferenceIndex, Seed
from repodoc_ls.index.resolved import CATEGORIES, CATEGORY_INDEX, Resolution
from repodoc_ls.index.stdlib import STDLIB_MODULE_NAMES
from repodoc_ls.model import (
    Category,
    FileFacts,
    FileKind,
    Import,
    ModuleRef,
    Symbol,
    SymbolKind,
    SymbolRef,
    TestItem,
)

__all__ = ["Graph", "ResolvedImport", "modules_imported"]

TESTCASE_BASES = frozenset(
    {
        "TestCase",
        "unittest.TestCase",
        "unittest.case.TestCase",
        "IsolatedAsyncioTestCase",
        "unittest.IsolatedAsyncioTestCase",
        "SimpleTestCase",
        "TransactionTestCase",
        "django.test.TestCase",
        "django.test.SimpleTestCase",
        "django.test.TransactionTestCase",
    }
)
_MAX_DEPTH = 12  # re-export chains longer than this are treated as unresolved


@dataclass(frozen=True, slots=True)
class ResolvedImport:
    imp: Import
    category: str
    target: str | None  # the workspace file the imported module (or submodule) resolves to
    names_submodule: bool = False  # `from pkg import mod`: the imported name is the module itself

    @property
    def root_module(self) -> str:
        return self.imp.module.split(".")[0]


class Graph:
    def __init__(self, facts: Mapping[str, FileFacts], saved: Mapping[str, Resolution] | None = None):
        """`saved`: path -> its resolution saved by an earlier run, for files whose facts
        and the workspace's set of paths are those it was computed with (the indexer checks)."""
        self.facts = facts
        self.names = NamesIndex(lambda: self.facts)  # symbols by name: kept current per file, not dropped
        self._rebuild_module_map()
        self.imports: dict[str, list[ResolvedImport]] = {}  # made from `resolutions` on first use
        #: path -> where its imports lead, for every file (what the store saves)
        self.resolutions: dict[str, Resolution] = {}
        #: files whose resolution was computed here, not saved yet (the indexer saves them)
        self.unsaved: set[str] = set()
        self.imported_by_map: dict[str, set[str]] = defaultdict(set)
        #: an outside module's dotted name (and each parent package's) -> files importing it
        self.external_importers: dict[str, set[str]] = defaultdict(set)
        for path in facts:
            found = saved.get(path) if saved else None
            if found is None:
                self._add_edges(path)
            else:
                self.resolutions[path] = found
                self._link(path, found)
        self._invalidate()

    # -- module map ----------------------------------------------------------

    def _rebuild_module_map(self) -> None:
        self.paths = set(self.facts)
        self._package_dirs = package_dirs(self.paths)
        self.dirs: set[str] = set()
        dirs = self.dirs
        for path in self.paths:
            d = path.rpartition("/")[0]
            while d and d not in dirs:
                dirs.add(d)
                d = d.rpartition("/")[0]
        self.by_module: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.module_name: dict[str, str] = {}
        for path in sorted(p for p in self.paths if p.endswith((".py", ".pyi"))):
            names = self._module_names(path)
            if not names:
                continue
            self.module_name[path] = names[0]
            stub_penalty = 1 if path.endswith(".pyi") else 0
            for rank, name in enumerate(names):
                self.by_module[name].append((rank * 2 + stub_penalty, path))
        for candidates in self.by_module.values():
            candidates.sort()
        self.top_level_names = {name.split(".")[0] for name in self.by_module}

    def _module_names(self, path: str) -> list[str]:
        return module_names(path, self._package_dirs)

    def resolve_module(self, name: str, importer: str | None = None) -> str | None:
        candidates = self.by_module.get(name)
        if not candidates:
            return None
        if len(candidates) == 1 or importer is None:
            return candidates[0][1]
        best_rank = candidates[0][0]
        best = [p for r, p in candidates if r == best_rank] or [candidates[0][1]]
        return min(best, key=lambda p: (-_common_prefix(p, importer), p))

    def _module_in_dir(self, folder: str, name_parts: list[str]) -> str | None:
        base = "/".join(([folder] if folder else []) + name_parts)
        for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}.pyi", f"{base}/__init__.pyi"):
            if candidate in self.paths:
                return candidate
        return None

    # -- imports -------------------------------------------------------------

    def _resolve_import(self, path: str, imp: Import) -> ResolvedImport:
        # Saved between runs (resolved.py): bump RESOLVED_VERSION when these rules change.
        if imp.level:
            folder = posixpath.dirname(path)
            for _ in range(imp.level - 1):
                if not folder:
                    return ResolvedImport(imp, Category.WORKSPACE, None)
                folder = posixpath.dirname(folder)
            mod_parts = imp.module.split(".") if imp.module else []
            if imp.name and imp.name != "*":
                sub = self._module_in_dir(folder, mod_parts + [imp.name])
                if sub is not None:
                    return ResolvedImport(imp, Category.WORKSPACE, sub, names_submodule=True)
            target = self._module_in_dir(folder, mod_parts) if mod_parts else self._package_init(folder)
            return ResolvedImport(imp, Category.WORKSPACE, target)
        if imp.name and imp.name != "*":
            sub = self.resolve_module(f"{imp.module}.{imp.name}", path)
            if sub is not None:
                return ResolvedImport(imp, Category.WORKSPACE, sub, names_submodule=True)
        target = self.resolve_module(imp.module, path)
        root = imp.module.split(".")[0]
        if target is not None or root in self.top_level_names:
            return ResolvedImport(imp, Category.WORKSPACE, target)
        return ResolvedImport(imp, _outside_category(root), target)

    def _package_init(self, folder: str) -> str | None:
        prefix = f"{folder}/" if folder else ""
        for name in ("__init__.py", "__init__.pyi"):
            if prefix + name in self.paths:
                return prefix + name
        return None

    def _add_edges(self, path: str) -> None:
        facts = self.facts[path]
        resolved = [self._resolve_import(path, imp) for imp in facts.imports] if facts.imports else []
        self.imports[path] = resolved
        outside = [
            modules_imported(r.imp) for r in resolved if r.target is None and r.category != Category.WORKSPACE
        ]
        mentioned = {part for imp in facts.imports for part in imp.module.split(".") if part}
        mentioned.update(imp.name for imp in facts.imports if imp.name and imp.name != "*")
        found = self.resolutions[path] = (
            tuple((CATEGORY_INDEX[r.category], r.target, r.names_submodule) for r in resolved),
            tuple(sorted({name for names in outside for name in names})),
            tuple(sorted({names[-1] for names in outside})),
            tuple(sorted(mentioned)),
        )
        self.unsaved.add(path)
        self._link(path, found)

    def _link(self, path: str, resolution: Resolution) -> None:
        for _, target, _ in resolution[0]:
            if target is not None and target != path:
                self.imported_by_map[target].add(path)
        for name in resolution[1]:
            self.external_importers[name].add(path)

    def _drop_edges(self, path: str) -> None:
        self.imports.pop(path, None)
        self.unsaved.discard(path)
        resolution = self.resolutions.pop(path, None)
        if resolution is None:
            return
        for _, target, _ in resolution[0]:
            if target is not None:
                importers = self.imported_by_map.get(target)
                if importers is not None:
                    importers.discard(path)
                    if not importers:
                        del self.imported_by_map[target]
        for name in resolution[1]:
            importers = self.external_importers.get(name)
            if importers is not None:
                importers.discard(path)
                if not importers:
                    del self.external_importers[name]

    def module_map_lookups(
        self, moved: set[str], maps: Iterable[Container[str]]
    ) -> tuple[set[str], set[tuple[str, str]]]:
        """For modules added, removed or renamed (`moved`, under the module maps whose
        package folders are `maps`), what the reference index must recompute besides the
        files whose imports now resolve elsewhere: the files whose `import a.b` binds a
        top-level module `a` that moved (that name is resolved when used, `_binding_target`),
        and the (file, name) lookups whose answer reads the module map: the binding of those
        files, and `sub` in the `__init__` of the package of a module `sub` (the submodule a
        package's attribute falls back to)."""
        tops: set[str] = set()
        keys: set[tuple[str, str]] = set()
        maps = list(maps)
        for path in moved:
            for packages in maps:
                tops.update(name for name in module_names(path, packages) if "." not in name)
            parts = module_parts(path)
            if parts:
                folder = posixpath.dirname(path)
                if posixpath.basename(path).startswith("__init__."):
                    folder = posixpath.dirname(folder)  # a package: a submodule of the one above
                for init in ("__init__.py", "__init__.pyi"):
                    keys.add((f"{folder}/{init}" if folder else init, parts[-1]))
        roots: set[str] = set()
        for path, found in self.resolutions.items():
            if tops.isdisjoint(found[3]):
                continue
            for r in self.imports_of(path):
                imp = r.imp
                if imp.name is None and not imp.alias and not imp.level and imp.module.split(".")[0] in tops:
                    roots.add(path)
                    keys.add((path, imp.bound_name))
        return roots, keys

    def edges(self) -> dict[str, set[str]]:
        """importer -> workspace files it imports."""
        return {
            p: {t for _, t, _ in found[0] if t is not None and t != p}
            for p, found in self.resolutions.items()
        }

    # -- updates -------------------------------------------------------------

    def update(self, changed: Iterable[str], removed: Iterable[str] = ()) -> set[str]:
        """Refresh after `self.facts` changed; returns the files whose edges were recomputed."""
        changed, removed = set(changed), set(removed)
        self.names.changed(changed | removed)
        added = changed - self.paths
        if added or removed:
            packages_before, tops_before = self._package_dirs, self.top_level_names
            self._rebuild_module_map()
            # A package appearing or vanishing renames every module below it.
            renamed = renamed_below(self.paths, packages_before, self._package_dirs)
            moved = added | removed | renamed
            maps = (packages_before, self._package_dirs)
            reach = names_moved(moved, maps, self.top_level_names ^ tops_before)
            before = {p: found for p, found in self.resolutions.items() if not reach.isdisjoint(found[3])}
            for path in removed:
                self._drop_edges(path)
            redo = (changed | renamed | before.keys()) - removed
            for path in redo:
                self._drop_edges(path)
                self._add_edges(path)
            if not self.refs.built:
                self._invalidate()  # (a saved seed was for another module map: dropped)
                return redo
            resolved_elsewhere = {p for p, found in before.items() if self.resolutions.get(p) != found}
            roots, keys = self.module_map_lookups(moved, maps)
            self._invalidate(changed | renamed | resolved_elsewhere | roots)
            self.refs.moved(removed, keys)
            return redo
        for path in changed:
            self._drop_edges(path)
            self._add_edges(path)
        self._invalidate(changed)
        return changed

    def _invalidate(self, changed: set[str] | None = None) -> None:
        """Drop what was derived from the facts. With `changed` (files whose facts changed,
        the module map being the same), the reference index is kept and only marked for an
        incremental update (references.py); without, everything goes."""
        self._names: dict[tuple[str, str], SymbolRef | ModuleRef | None] = {}
        # (file, name) lookups each answer made: the names it read in which files
        self._name_deps: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self._dep_stack: list[set[tuple[str, str]]] = []
        # the names being resolved (-> their place on `_dep_stack`), and the lowest place an
        # import cycle reached back to: an answer made inside a cycle is not kept
        self._resolving: dict[tuple[str, str], int] = {}
        self._cycle_floor = sys.maxsize
        self._bindings: dict[str, tuple[dict[str, ResolvedImport], list[ResolvedImport]]] = {}
        self._symbols_by_file: dict[str, dict[str, Symbol]] = {}
        if not hasattr(self, "_prepared_tables"):  # tables made by `prepare`, per path
            self._prepared_tables: dict[str, tuple[FileFacts, dict[str, Symbol]]] = {}
        self._subclasses: dict[tuple[str, str], list[SymbolRef]] | None = None  # all at once
        self._subclasses_of: dict[tuple[str, str], list[SymbolRef]] = {}  # one class at a time
        self._base_classes: dict[str, list[tuple[SymbolRef, tuple[str, str]]]] = {}
        self._testcase: dict[tuple[str, str], bool] = {}
        # the (file, name) lookups each kept answer took (replayed into a recording)
        self._testcase_deps: dict[tuple[str, str], set[tuple[str, str]]] = {}
        # the classes being checked (-> their depth), and the lowest depth a cycle of
        # bases reached back to: an answer made inside a cycle is not kept
        self._testing: dict[tuple[str, str], int] = {}
        self._testing_floor = sys.maxsize
        self._kinds: dict[str, tuple[str, frozenset[str]]] = {}
        self._defs_by_name: dict[str, list[SymbolRef]] | None = None
        if changed is None or not hasattr(self, "refs"):
            self.refs = ReferenceIndex(self)  # a saved seed was for another module map: dropped
        else:
            self.refs.changed(changed)

    # -- name resolution -----------------------------------------------------

    def symbols_of(self, path: str) -> dict[str, Symbol]:
        table = self._symbols_by_file.get(path)
        if table is None:
            facts = self.facts[path]
            ready = self._prepared_tables.get(path)
            table = ready[1] if ready is not None and ready[0] is facts else symbol_table(facts)
            self._symbols_by_file[path] = table
        return table

    def prepare(self, path: str, facts: FileFacts) -> None:
        """Off the index lock, before `facts` are applied to `path`: what the first
        queries after the edit would otherwise compute under the lock, from these facts
        alone (its symbol table, the reference index's comparison of its interface). Used
        only while `path`'s facts are these very ones."""
        table = symbol_table(facts)
        self._prepared_tables[path] = (facts, table)
        self.refs.prepare(path, facts, table)

    @contextmanager
    def recording_lookups(self, into: set[tuple[str, str]]) -> Iterator[None]:
        """Record in `into` every (file, name) lookup the resolutions made inside the block
        take, including those a cached answer took when it was first computed."""
        self._dep_stack.append(into)
        try:
            yield
        finally:
            self._dep_stack.pop()

    def note_lookup(self, path: str, qualname: str) -> None:
        """Record that an answer read the symbol `qualname` of `path` (its interface entry)."""
        if self._dep_stack:
            self._dep_stack[-1].add((path, qualname))

    def definitions_indexed(self) -> bool:
        """Whether `definitions` has built its index (one query is cheaper without it)."""
        return self._defs_by_name is not None

    def resolve_name(self, path: str, name: str, depth: int = 0) -> SymbolRef | ModuleRef | None:
        """What `name` means at the top level of module `path` (following re-exports)."""
        key = (path, name)
        stack = self._dep_stack
        if key in self._names:
            if stack:  # the caller's answer depends on whatever this one depended on
                stack[-1].update(self._name_deps.get(key, (key,)))
            return self._names[key]
        if key in self._resolving:  # an import cycle: nothing here, for the name asked
            self._cycle_floor = min(self._cycle_floor, self._resolving[key])
            return None
        place = self._resolving[key] = len(stack)
        stack.append({key})
        try:
            result = self._resolve_name_uncached(path, name, depth)
        finally:
            deps = stack.pop()
            del self._resolving[key]
        # An answer that met a name still being resolved below it depends on where the
        # query started (that name counted as nothing): keeping it would make the next
        # answers depend on the order of queries, so only the cycle's first name keeps its own.
        if self._cycle_floor >= place:
            self._cycle_floor = sys.maxsize
            self._names[key] = result
            self._name_deps[key] = deps
        if stack:
            stack[-1].update(deps)
        return result

    def _resolve_name_uncached(self, path: str, name: str, depth: int) -> SymbolRef | ModuleRef | None:
        if depth > _MAX_DEPTH or path not in self.facts:
            return None
        symbol = self.symbols_of(path).get(name)
        if symbol is not None and not symbol.local:
            return SymbolRef.of(path, symbol)
        bindings, stars = self.bindings_of(path)
        bound = bindings.get(name)
        if bound is not None:
            return self._binding_target(path, bound, depth)
        starred = None
        for r in stars:
            assert r.target is not None  # `bindings_of` keeps the resolved star imports only
            found = self.resolve_name(r.target, name, depth + 1)
            if found is None or found == starred:
                continue
            if starred is not None:
                # Two star imports give the name different meanings: the branches of a
                # platform test (asyncio's `from .windows_events import *` and
                # `from .unix_events import *`), or a later import overriding an earlier
                # one. Which binds is not known here, and unknown beats a guess.
                return None
            starred = found
        if starred is not None:
            return starred
        if posixpath.basename(path).startswith("__init__."):
            sub = self._module_in_dir(posixpath.dirname(path), [name])
            if sub is not None:
                return ModuleRef(sub)
        return None

    def bindings_of(self, path: str) -> tuple[dict[str, ResolvedImport], list[ResolvedImport]]:
        """The names a module's imports bind (the last import of a name wins), and its
        resolved star imports."""
        found = self._bindings.get(path)
        if found is None:
            names: dict[str, ResolvedImport] = {}
            stars = []
            for r in self.imports_of(path):
                if r.imp.name == "*":
                    if r.target is not None:
                        stars.append(r)
                else:
                    names[r.imp.bound_name] = r
            found = self._bindings[path] = (names, stars)
        return found

    def _binding_target(self, path: str, r: ResolvedImport, depth: int) -> SymbolRef | ModuleRef | None:
        imp = r.imp
        if r.target is None:
            return None
        if imp.name is None:
            if imp.alias:  # import a.b.c as d -> d is a.b.c
                return ModuleRef(r.target)
            root = self.resolve_module(imp.module.split(".")[0], path) if not imp.level else None
            return ModuleRef(root) if root else None
        if r.names_submodule:
            return ModuleRef(r.target)
        return self.resolve_name(r.target, imp.name, depth + 1)

    def resolve_import(self, path: str, line: int, name: str) -> SymbolRef | ModuleRef | None:
        """What the name an import on `line` of `path` binds means (a function's own import,
        which the module's top-level bindings may not be)."""
        for r in self.imports_of(path):
            if r.imp.line == line and r.imp.name != "*" and r.imp.bound_name == name:
                return self._binding_target(path, r, 0)
        return None

    def resolve_expr(self, path: str, dotted: str) -> SymbolRef | ModuleRef | None:
        """What a dotted expression such as `helpers.SpecialCart` means in file `path`."""
        text = dotted.split("[", 1)[0].split("(", 1)[0].strip()
        parts = text.split(".")
        if not parts or not all(p.isidentifier() for p in parts):
            return None
        current = self.resolve_name(path, parts[0])
        for part in parts[1:]:
            current = self.member(current, part)
            if current is None:
                return None
        return current

    def member(self, current: SymbolRef | ModuleRef | None, part: str) -> SymbolRef | ModuleRef | None:
        """The attribute `part` of a module or a class, as this workspace defines it."""
        if isinstance(current, ModuleRef):
            return self.resolve_name(current.path, part)
        if isinstance(current, SymbolRef):
            qualname = f"{current.qualname}.{part}"
            if self._dep_stack:
                self._dep_stack[-1].add((current.path, qualname))
            symbol = self.symbols_of(current.path).get(qualname)
            return SymbolRef.of(current.path, symbol) if symbol is not None else None
        return None

    # -- lazy indexes --------------------------------------------------------

    def definitions(self, name: str) -> list[SymbolRef]:
        """Symbols named `name`, or whose qualified name is `name`, across the workspace."""
        if self._defs_by_name is None:
            index: dict[str, list[SymbolRef]] = defaultdict(list)
            for path in sorted(self.facts):
                for s in self.facts[path].symbols:
                    ref = SymbolRef.of(path, s)
                    index[s.name].append(ref)
                    if s.qualname != s.name:
                        index[s.qualname].append(ref)
            self._defs_by_name = dict(index)
        return self._defs_by_name.get(name, [])

    def subclasses(self, path: str, qualname: str) -> list[SymbolRef]:
        """The classes with a base that names the class `qualname` of `path`, in path and
        source order. A base is a use of what it names (the reference index holds it; a
        file that did not parse counts its bases as uses), so only the files that use the
        class, and its own, are looked at: a page asks about a few classes, and resolving
        every base of the workspace would cost more than the page."""
        key = (path, qualname)
        if self._subclasses is not None:
            return self._subclasses.get(key, [])
        found = self._subclasses_of.get(key)
        if found is None:
            users = self.references(path, qualname).keys() | {path}
            found = self._subclasses_of[key] = [
                sub
                for p in sorted(users)
                if p in self.facts
                for sub, named in self._bases_in(p)
                if named == key
            ]
        return found

    def index_subclasses(self) -> None:
        """Every class's subclasses at once, by the same rule (for a batch render)."""
        if self._subclasses is None:
            index: dict[tuple[str, str], list[SymbolRef]] = defaultdict(list)
            for p in sorted(self.facts):
                for sub, named in self._bases_in(p):
                    if p == named[0] or p in self.references(*named):
                        index[named].append(sub)
            self._subclasses = dict(index)

    def bases_in(self, path: str) -> list[tuple[SymbolRef, tuple[str, str]]]:
        """(class, the workspace class a base of it names) for each such base in `path`, in
        source order."""
        return self._bases_in(path)

    def _bases_in(self, path: str) -> list[tuple[SymbolRef, tuple[str, str]]]:
        """(class, the workspace class a base of it names) for each such base in `path`."""
        found = self._base_classes.get(path)
        if found is None:
            found = self._base_classes[path] = []
            header = getattr(self.facts, "header", None)  # (LazyFacts: without decoding the facts)
            if header is not None and not header(path).based_classes:
                return found
            for s in self.facts[path].symbols:
                if s.kind != SymbolKind.CLASS or not s.bases:
                    continue
                for base in s.bases:
                    target = self.resolve_base(path, s, base)
                    if isinstance(target, SymbolRef) and target.kind == SymbolKind.CLASS:
                        found.append((SymbolRef.of(path, s), (target.path, target.qualname)))
        return found

    def resolve_base(self, path: str, cls: Symbol, base: str) -> SymbolRef | ModuleRef | None:
        """What the base expression `base` of class `cls` (in `path`) names."""
        if "=" in base:  # metaclass=..., total=False
            return None
        if cls.parent:  # a nested class names what its enclosing scopes bind (see _enclosing_base)
            found = self._enclosing_base(path, cls.parent, base)
            if found is not None:
                return found
        return self.resolve_expr(path, base)

    def _enclosing_base(self, path: str, parent: str, base: str) -> SymbolRef | None:
        """A base naming a class of an enclosing scope: the class body it is written in, then
        the enclosing functions (a class body further out is not visible, as in Python)."""
        head, _, rest = base.partition("[")[0].partition(".")
        symbols = self.symbols_of(path)
        scope: str | None = parent
        first = True
        while scope:
            owner = symbols.get(scope)
            if owner is None:
                return None
            if first or owner.kind != SymbolKind.CLASS:
                self.note_lookup(path, f"{scope}.{head}")
                sibling = symbols.get(f"{scope}.{head}")
                if sibling is not None:
                    for part in rest.split(".") if rest else ():
                        sibling = symbols.get(f"{sibling.qualname}.{part}")
                        if sibling is None:
                            return None
                    return SymbolRef.of(path, sibling)
            first = False
            scope = owner.parent
        return None

    def is_testcase(self, path: str, qualname: str) -> bool:
        """Whether the class `qualname` of `path` derives from a unittest TestCase, through
        bases in any file. Inside `recording_lookups`, records the (file, name) lookups the
        answer took, the class's own among them, cached answers included: an answer is a
        function of the facts of the files those lookups name (and of the module map)."""
        key = (path, qualname)
        stack = self._dep_stack
        found = self._testcase.get(key)
        if found is not None:
            if stack:
                stack[-1].update(self._testcase_deps[key])
            return found
        if key in self._testing:  # a cycle of bases: no TestCase that way
            self._testing_floor = min(self._testing_floor, self._testing[key])
            if stack:
                stack[-1].add(key)
            return False
        place = self._testing[key] = len(self._testing)
        stack.append({key})
        try:
            result = self._is_testcase_uncached(path, qualname)
        finally:
            deps = stack.pop()
            del self._testing[key]
        # Reachability, as from a fresh start: an answer that met a class still being
        # checked below it (counted as no TestCase) depends on where the query started.
        if self._testing_floor >= place:
            self._testing_floor = sys.maxsize
            self._testcase[key] = result
            self._testcase_deps[key] = deps
        if stack:
            stack[-1].update(deps)
        return result

    def _is_testcase_uncached(self, path: str, qualname: str) -> bool:
        symbol = self.symbols_of(path).get(qualname) if path in self.facts else None
        if symbol is None or symbol.kind != SymbolKind.CLASS:
            return False
        for base in symbol.bases:
            if base in TESTCASE_BASES or base.endswith(".TestCase"):
                return True
            target = self.resolve_base(path, symbol, base)
            if isinstance(target, SymbolRef) and self.is_testcase(target.path, target.qualname):
                return True
        return False

    def tests(self, path: str) -> list[TestItem]:
        """The file's tests: those found locally plus unittest classes with imported bases."""
        facts = self.facts[path]
        if not facts.is_python:
            return []
        items = []
        restyled: dict[str, bool] = {}
        for t in facts.tests:
            cls = t.qualname.split(".")[0] if "." in t.qualname else None
            if cls is not None and t.style == "pytest":
                if cls not in restyled:
                    restyled[cls] = self.is_testcase(path, cls)
                if restyled[cls]:
                    t = replace(t, style="unittest")
            items.append(t)
        known_classes = {t.qualname.split(".")[0] for t in items if "." in t.qualname}
        for s in facts.symbols:
            if s.kind != SymbolKind.CLASS or s.parent or s.local or s.qualname in known_classes:
                continue
            if not s.bases or not self.is_testcase(path, s.qualname):
                continue
            items += pytests.cross_file_class_items(s, self._test_methods(path, s))
        items.sort(key=lambda t: t.line)
        return items

    def _test_methods(self, path: str, cls: Symbol) -> dict[str, Symbol]:
        """test* methods of a class, with those inherited from classes of the same file
        (the mixin pattern); methods from other files are left to their own pages."""
        found: dict[str, Symbol] = {}
        order, seen = [cls], {cls.qualname}
        for current in order:
            for m in self.facts[path].symbols:
                if m.kind == SymbolKind.METHOD and m.parent == current.qualname and m.name.startswith("test"):
                    found.setdefault(m.name, m)
            for base in current.bases:
                target = self.resolve_base(path, current, base)
                if isinstance(target, SymbolRef) and target.path == path and target.qualname not in seen:
                    seen.add(target.qualname)
                    order.append(self.symbols_of(path)[target.qualname])
        return found

    def kind(self, path: str) -> str:
        """The file's kind, upgraded to test module when tests were found through other files."""
        return self.kind_and_reads(path)[0]

    def kind_and_reads(self, path: str) -> tuple[str, frozenset[str]]:
        """`kind(path)`, and the files whose facts computing it read (`path` among them):
        none when its own facts decide (not a module, tests of its own, no class with a
        base to look up). With the same facts in those files and the same module map, the
        kind is the same (`incremental.file_kinds` relies on it)."""
        found = self._kinds.get(path)
        if found is None:
            facts = self.facts[path]
            if facts.kind != FileKind.MODULE:
                found = (facts.kind, frozenset())
            elif facts.tests:  # (`tests` keeps every one of its own)
                found = (FileKind.TEST_MODULE, frozenset())
            else:
                lookups: set[tuple[str, str]] = set()
                with self.recording_lookups(lookups):
                    tested = bool(self.tests(path))
                reads = frozenset(file for file, _ in lookups)
                found = (FileKind.TEST_MODULE if tested else FileKind.MODULE, reads)
            self._kinds[path] = found
        return found

    def adopt_kinds(self, known: Mapping[str, tuple[str, Iterable[str]]]) -> None:
        """Take over `kind_and_reads` answers known to be current (an export's manifest
        records them with the files they read, none of which changed since): asking them
        then decodes no file's facts."""
        for path, (kind, reads) in known.items():
            if path in self.facts and path not in self._kinds:
                self._kinds[path] = (kind, frozenset(reads))

    # -- references ----------------------------------------------------------
    # The reference index lives in references.py; these are the graph's face of it.

    def references(self, path: str, qualname: str) -> dict[str, list[int]]:
        """file -> lines where the symbol `qualname` of `path` is used (its own file included)."""
        return self.refs.lookup(path, qualname)

    def uses_by_target(self, path: str) -> Mapping[tuple[str, str], list[int]]:
        """(file, qualname) -> lines, for each workspace symbol `path` uses."""
        return self.refs.uses_by_target(path)

    def reference_records(self, dirty_only: bool = True) -> dict[str, bytes]:
        """path -> the file's saved form of its reference state (see references.py)."""
        return self.refs.records(dirty_only)

    @property
    def reference_seed(self) -> Seed | None:
        """Set by the indexer: returns (records, changed files) saved by an earlier
        process, or None; called once, when the reference index is first needed."""
        return self.refs.seed

    @reference_seed.setter
    def reference_seed(self, seed: Seed | None) -> None:
        self.refs.seed = seed

    # -- queries -------------------------------------------------------------

    def imported_by(self, path: str) -> list[str]:
        return sorted(self.imported_by_map.get(path, ()))

    def importers_of_external(self, module: str) -> list[str]:
        """Files importing the outside module `module` or one of its submodules (which
        imports it too), e.g. `import os.path` or `from os import path` for `os`."""
        return sorted(self.external_importers.get(module, ()))

    def import_targets(self, path: str) -> tuple[set[str], set[str]]:
        """(the other workspace files `path` imports, the outside modules its imports name:
        `b.c` for `import b.c` and `from b.c import d`), from its resolution alone: no
        file's facts are read."""
        resolution = self.resolutions.get(path)
        if resolution is None:
            return set(), set()
        files = {target for _, target, _ in resolution[0] if target is not None and target != path}
        return files, set(resolution[2])

    def outside_roots(self, path: str) -> set[tuple[str, str]]:
        """(category, top-level module) of each outside module `path` imports, from its
        resolution alone: no file's facts are read."""
        resolution = self.resolutions.get(path)
        if resolution is None:
            return set()
        return {(_outside_category(name), name) for name in resolution[1] if "." not in name}

    def imports_of(self, path: str) -> list[ResolvedImport]:
        found = self.imports.get(path)
        if found is not None:
            return found
        resolution = self.resolutions.get(path)
        if resolution is None:
            return []
        imports = self.facts[path].imports
        if len(imports) != len(resolution[0]):  # a saved record that does not fit: made anew
            self._drop_edges(path)
            self._add_edges(path)
            return self.imports[path]
        found = self.imports[path] = [
            ResolvedImport(imp, CATEGORIES[category], target, submodule)
            for imp, (category, target, submodule) in zip(imports, resolution[0], strict=True)
        ]
        return found

    def tested_by(self, path: str) -> list[str]:
        """Test modules that import this module (directly, or a name it defines)."""
        testers = set()
        for importer in self.imported_by(path):
            if self.kind(importer) == FileKind.TEST_MODULE:
                testers.add(importer)
        for symbol in self.facts[path].symbols if path in self.facts else ():
            if symbol.local or symbol.parent:
                continue
            for user in self.references(path, symbol.qualname):
                if user != path and self.kind(user) == FileKind.TEST_MODULE:
                    testers.add(user)
        return sorted(testers)

    def exercises(self, test_path: str) -> list[str]:
        """Workspace modules a test module imports."""
        return sorted(
            {r.target for r in self.imports_of(test_path) if r.target is not None and r.target != test_path}
        )


def _outside_category(root: str) -> str:
    """The category of an import of the top-level module `root`, not the workspace's."""
    return Category.STDLIB if root in STDLIB_MODULE_NAMES else Category.THIRD_PARTY


def modules_imported(imp: Import) -> list[str]:
    """The modules an import may load: ["a", "a.b", "a.b.c"] for `import a.b.c`, and for
    `from a.b import c` "a.b.c" too, which is a submodule when it is a module at all (no
    `import` can name the other kind, so counting it is harmless)."""
    parts = imp.module.split(".")
    if imp.name is not None and imp.name != "*":
        parts.append(imp.name)
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        n += 1
    return n


def symbol_table(facts: FileFacts) -> dict[str, Symbol]:
    """qualname -> the file's first symbol of that qualified name."""
    table: dict[str, Symbol] = {}
    for s in facts.symbols:
        table.setdefault(s.qualname, s)
    return table
