"""The reference index: which workspace files use which symbol, and on which lines.

target (path, qualname) -> file -> sorted lines where the file uses it. Built once from
every file's contribution (what its uses resolve to), then kept current incrementally.

The rule: a file's contribution is a function of its own facts, the module map, and the
answers of the name lookups its resolution made in other files: `Graph.resolve_name(p, n)`
and member lookups `Class.attr` record (p, n) on the graph's dependency stack, and a cached
answer passes on every lookup it made, so re-exports, star imports and aliases followed
through several modules are all recorded. A lookup (p, n) gives the same answer as long as
p's interface for n is the same: the symbol `n` (and whether it is local), the import
binding `n`, and p's star imports. So after the graph's `update(changed)` the changed files
are recomputed, and of the other files only those that looked up a name whose interface
entry changed (all lookups in p when its star imports changed); an edit inside a function
body recomputes one file, adding a function recomputes the files that looked that name up
(e.g. through `from m import *` or `m.name`). A module added or removed changes the module
map (`moved`): the files whose imports resolve elsewhere are recomputed like changed ones,
and so are the users of the lookups whose answers read the module map without an import
binding changing (a package's attribute falling back to its submodule, the package an
`import a.b` binds, any lookup in a removed file). A package appearing or vanishing renames
the modules below it: they count as moved, and are recomputed.
Limits: an import cycle or a re-export chain past the graph's `_MAX_DEPTH` is cut where the
resolution first meets it, so there an answer can depend on which name was resolved first
(a full build has the same order dependence, in another order).

The per-file state (contribution, lookups, interface) can be saved by one process and
adopted by the next (the CLI's export after an edit): valid while the module map is the
same, with the files that changed since recomputed by the same rule as an edit in a running
server. The indexer provides the saved state as `seed`. An adopted file's uses, lookups
and interface stay encoded until read (lazyparts.py, lazyrefs.py), and so adopting costs
in proportion to what is read: a one-file export reads the lookups of the few files that
looked a name up in the changed file, found by the files each record says its lookups
were in (`dep_paths`), and of the uses, saved split by the path of the symbols used, those
of the paths it looks symbols up in; the index target -> file -> lines is built per target
path from those (lazyrefs.py). A cold build and `index()` read every file's;
`records(dirty_only=False)` passes what was not decoded on as it was adopted.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from repodoc_ls.index.lazyparts import DecodedOnUse
from repodoc_ls.index.lazyrefs import Target, UsesByTarget
from repodoc_ls.index.notes import NOT_ANALYSED
from repodoc_ls.index.typed import member_elsewhere, typed_target
from repodoc_ls.model import FileFacts, ModuleRef, Symbol, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.index.graph import Graph

T = TypeVar("T")
#: What lookups in a file can answer: its symbols (qualname -> (local?, and what typed
#: lookups read: a class's bases, a function's return annotation, decorators, whether
#: it only returns self, a variable's type)), its import bindings (name -> (module, name,
#: level, alias, target file, names a submodule?)), the target files of its star imports.
SymbolEntry: TypeAlias = tuple[
    bool, tuple[str, ...], str | None, tuple[str, ...], bool, tuple[str, str] | None
]
Interface: TypeAlias = tuple[
    dict[str, SymbolEntry],
    dict[str, tuple[str, str | None, int, str | None, str | None, bool]],
    tuple[str | None, ...],
]
Prepared: TypeAlias = tuple[FileFacts, dict[str, SymbolEntry], dict[str, SymbolEntry] | None, set[str] | None]
#: What separates the module map records were saved under from this one (see `moved`):
#: (the files removed since, the lookups whose answers read the module map).
Moved: TypeAlias = tuple[set[str], set[tuple[str, str]]]
#: Returns (records, changed files, Moved or None) saved by an earlier process, or None.
Seed: TypeAlias = Callable[[], tuple[dict[str, bytes], set[str], Moved | None] | None]


class ReferenceIndex:
    """Owned by one Graph (whose facts, name resolution and dependency stack it uses)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        #: returns (records, changed files) saved by an earlier process, or None; called
        #: once, when the index is first needed
        self.seed: Seed | None = None
        self._ready = False  # built, or adopted from the seed
        #: path -> (the facts it was computed from, their symbol entries, the entries they
        #: were compared with, the names that differ): see `prepare`
        self._prepared: dict[str, Prepared] = {}
        self._reset()

    def _reset(self) -> None:
        # Per file: what its uses resolve to (and the index of them: lazyrefs.py), which
        # (file, name) lookups that took, and the file's name interface (what lookups in it
        # can answer) when it was computed. A file whose saved uses, lookups or interface
        # turn out unreadable is recomputed (and until then, an unknown interface counts as
        # changed in every name).
        self.uses = UsesByTarget(self._recompute_later)
        self.contrib = self.uses.contrib
        self.deps: DecodedOnUse[set[tuple[str, str]]] = DecodedOnUse(_decode_lookups, self._recompute_later)
        self.iface: DecodedOnUse[Interface] = DecodedOnUse(_decode_interface, self._recompute_later)
        # per file: the files its lookups were in (which files to decode the lookups of)
        self.dep_paths: dict[str, frozenset[str]] = {}
        # file -> name -> files whose contribution looked that name up in that file; None
        # until needed after adopting saved records (inverting every file's lookups costs
        # more than a short-lived process's few changed files need: see `_users_of`)
        self._dependents: dict[str, dict[str, set[str]]] | None = {}
        self.pending: set[str] = set()  # changed files not yet recomputed
        # pending files whose users are current, only their own uses wait (`lookup_elsewhere`)
        self.deferred: set[str] = set()
        self.dirty: set[str] = set()  # files whose record changed since the last save

    def _recompute_later(self, path: str) -> None:
        self.pending.add(path)
        self.deferred.discard(path)

    @property
    def dependents(self) -> dict[str, dict[str, set[str]]]:
        if self._dependents is None:
            inverted: dict[str, dict[str, set[str]]] = {}
            for user, lookups in self.deps.items():
                for dep_path, name in lookups:
                    inverted.setdefault(dep_path, {}).setdefault(name, set()).add(user)
            self._dependents = inverted
        return self._dependents

    def _users_of(self, path: str, few: bool) -> dict[str, set[str]]:
        """name -> files that looked that name up in `path`. For a few changed files of
        adopted records, a scan of the lookups instead of inverting them all."""
        if self._dependents is not None or not few:
            return self.dependents.get(path, {})
        found: dict[str, set[str]] = {}
        for user, dep_paths in self.dep_paths.items():
            if path in dep_paths:
                for dep_path, name in self.deps.get(user) or ():
                    if dep_path == path:
                        found.setdefault(name, set()).add(user)
        return found

    # -- the interface Graph uses ---------------------------------------------------

    @property
    def built(self) -> bool:
        return self._ready

    def changed(self, paths: set[str]) -> None:
        """The facts of `paths` changed (the module map did not)."""
        if self._ready:
            self.pending |= paths
            self.deferred -= paths
        elif self.seed is not None:
            self.seed = _widened_seed(self.seed, frozenset(paths))

    def moved(self, removed: set[str], keys: set[tuple[str, str]]) -> None:
        """The module map changed (after `changed` for the files to recompute, or the
        adoption of records saved under the map before): `removed` files are gone, and the
        files that looked up one of `keys` (whose answers read the module map) or anything
        in a removed file are recomputed too."""
        assert self._ready  # (Graph.update starts a new index otherwise)
        paths = removed | {path for path, _ in keys}
        few = len(paths) <= 8  # (a module added or removed: not worth inverting every lookup)
        users_of = {path: self._users_of(path, few) for path in paths}
        affected: set[str] = set()
        for path in removed:
            for users in users_of[path].values():
                affected |= users
            self._forget(path)
        for path, name in keys:
            affected |= users_of[path].get(name, set())
        affected -= removed
        self.pending |= affected
        self.deferred -= affected

    def _forget(self, path: str) -> None:
        """Drop a removed file's uses and lookups."""
        dependents = self._dependents
        self.uses.remove(path)
        if dependents is not None:
            for dep_path, name in self.deps.pop(path, ()):
                users = dependents.get(dep_path, {}).get(name)
                if users is not None:
                    users.discard(path)
            dependents.pop(path, None)
        else:
            self.deps.discard(path)
        self.dep_paths.pop(path, None)
        self.iface.discard(path)
        self._prepared.pop(path, None)
        self.pending.discard(path)
        self.deferred.discard(path)
        self.dirty.discard(path)

    def prepare(self, path: str, facts: FileFacts, table: Mapping[str, Symbol]) -> None:
        """Before `facts` (whose first symbol per qualname is `table`) are applied to
        `path`, and off the index lock: their symbol entries and which names differ from the
        entries `path`'s users were last checked against. A generated module's 50,000
        symbols take about 0.1x `ast.parse` of it to compare, work the next update (in the
        first hover after the edit) then finds done. Safe without the lock: reads one
        dict entry, writes one; `_update` uses the result only if both are still current."""
        if not self._ready:
            return
        old = self.iface.get(path)
        entries = _symbol_entries(table, facts)
        changed = _changed_keys(old[0], entries) if old is not None else None
        self._prepared[path] = (facts, entries, old[0] if old is not None else None, changed)

    def lookup(self, path: str, qualname: str) -> dict[str, list[int]]:
        """file -> lines where the symbol `qualname` of `path` is used (its own file included)."""
        return self._read(lambda: self.uses.group(path).get((path, qualname), {}))

    def lookup_elsewhere(self, path: str, qualname: str) -> dict[str, list[int]]:
        """As `lookup`, without the uses in `path` itself. A changed `path` stays pending:
        resolving a generated module's 100,000 uses again after each edit costs about a
        parse of it, and this answer needs none of them."""
        found = self._read(lambda: self.uses.group(path).get((path, qualname), {}), defer=path)
        return {user: lines for user, lines in found.items() if user != path}

    def index(self) -> dict[Target, dict[str, list[int]]]:
        """The whole index (target -> file -> lines), brought up to date first."""
        return self._read(lambda: self.uses.whole())  # (`_current` may start a new `uses`)

    def _read(self, read: Callable[[], T], defer: str | None = None) -> T:
        """`read()` of the index brought up to date (but for the uses in `defer`, whose
        recomputation waits for the next call without it); again if it found a saved
        contribution damaged (its file is recomputed first)."""
        self._current(defer)
        found = read()
        while self.pending - self.deferred:
            self._current(defer)
            found = read()
        return found

    def _current(self, defer: str | None = None) -> None:
        if not self._ready and self.seed is not None:
            seed, self.seed = self.seed, None
            seeded = seed()
            if seeded is not None:
                records, changed, moved = seeded
                self._adopt(records, changed)
                if moved is not None:
                    self.moved(*moved)
        if not self._ready:
            self._reset()
            self._ready = True
            self._recompute(sorted(self.graph.facts))
        if self.pending:
            self._update(defer)
            while self.pending - self.deferred:  # saved parts found unreadable meanwhile
                self._update(defer)

    def records(self, dirty_only: bool = True) -> dict[str, bytes]:
        """path -> the file's reference record (marshal), for the files recomputed since
        the last call (all files with `dirty_only=False`): its contribution (target path ->
        qualname -> lines, marshal per target path), the paths of its lookups, its lookups
        and its interface (marshal). A part not decoded is saved as it was adopted."""
        self._current()
        uses, contrib = self.uses, self.contrib
        paths = self.dirty if dirty_only else set(contrib)
        deps, iface, dumps = self.deps, self.iface, marshal.dumps
        out = {
            p: dumps((uses.encoded(p), self.dep_paths[p], deps.encoded(p, dumps), iface.encoded(p, dumps)))
            for p in paths
            if p in contrib and p in deps and p in iface
        }
        self.dirty = set()
        return out

    def looked_up_in(self, paths: set[str]) -> set[str]:
        """Files whose uses looked a name up in one of `paths` (brought up to date first):
        those whose uses may resolve elsewhere after an edit of `paths`."""
        self._current()
        if self._dependents is not None:
            return {
                user for path in paths for users in self._dependents.get(path, {}).values() for user in users
            }
        return {user for user, dep_paths in self.dep_paths.items() if not paths.isdisjoint(dep_paths)}

    def used_targets(self, path: str) -> Iterable[Target]:
        """The symbols `path` uses (brought up to date first)."""
        return self.uses_by_target(path).keys()

    def recomputed(self) -> set[str]:
        """The files whose uses were resolved anew since the records were last saved
        (brought up to date first): after a module was added or removed, those whose
        imports resolve elsewhere and whose lookups read the module map among them."""
        return self._read(lambda: set(self.dirty))

    def uses_by_target(self, path: str) -> Mapping[Target, list[int]]:
        """The symbols `path` uses, each with the lines (brought up to date first)."""
        return self._read(lambda: self.contrib.get(path) or {})

    def uses_of(self, path: str) -> Iterator[tuple[Target, list[int]]]:
        """(target, lines) for each use in `path` that resolves to a workspace symbol."""
        graph = self.graph
        facts = graph.facts[path]
        for (root, steps, attr), lines in facts.typed_uses.items():
            found = typed_target(graph, path, root, steps, attr)
            if found is not None:
                yield (found.path, found.qualname), lines
        if any(note.kind in NOT_ANALYSED for note in facts.notes):
            # A file that did not parse has no uses, only the symbols recovered from it: its
            # classes' bases are its uses (`Graph.subclasses` finds subclasses among users).
            for s in facts.symbols:
                for base in s.bases if s.kind == SymbolKind.CLASS else ():
                    named = graph.resolve_base(path, s, base)
                    if isinstance(named, SymbolRef):
                        yield (named.path, named.qualname), [s.line]
        if not facts.uses:
            return
        roots: dict[str, SymbolRef | ModuleRef | None] = {}
        for key, lines in facts.uses.items():
            parts = key.split(".")
            root = parts[0]
            if root not in roots:
                roots[root] = graph.resolve_name(path, root)
            current = roots[root]
            if current is None:
                continue
            if isinstance(current, SymbolRef):
                yield (current.path, current.qualname), lines
            for part in parts[1:]:
                owner, current = current, graph.member(current, part)
                if current is None and isinstance(owner, SymbolRef):
                    current = member_elsewhere(graph, owner, part)
                if current is None:
                    break
                if isinstance(current, SymbolRef):
                    yield (current.path, current.qualname), lines

    # -- keeping current ------------------------------------------------------------

    def _update(self, defer: str | None = None) -> None:
        """Recompute the pending files and the files that looked up a name whose
        interface entry changed in one of them; `defer`'s own uses are left pending."""
        facts = self.graph.facts
        pending, self.pending = self.pending, set()
        affected = set(pending)
        few = len(pending) <= 8
        interfaces: dict[str, Interface] = {}
        deferred, self.deferred = self.deferred, set()
        for path in pending - deferred:  # a deferred file's users are current already
            users_by_name = self._users_of(path, few)
            if not users_by_name or path not in facts:
                continue
            old, new = self.iface.get(path), self._interface(path)
            interfaces[path] = new
            names: Iterable[str]
            if old is None or old[2] != new[2]:
                names = users_by_name.keys()
            else:
                names = self._changed_symbols(path, old[0], new[0]) | _changed_keys(old[1], new[1])
            for name in names:
                affected |= users_by_name.get(name, set())
        if defer in affected and defer in facts:
            affected.discard(defer)
            self.pending.add(defer)
            self.deferred.add(defer)
            # Its users were just recomputed against this interface: the next update
            # compares with it, not with the one of its last recomputation.
            self.iface[defer] = interfaces.get(defer) or self._interface(defer)
        self._recompute(sorted(p for p in affected if p in facts))

    def _changed_symbols(
        self, path: str, old: dict[str, SymbolEntry], new: dict[str, SymbolEntry]
    ) -> set[str]:
        ready = self._prepared.get(path)
        if ready is not None and ready[2] is old and ready[1] is new and ready[3] is not None:
            return ready[3]
        return _changed_keys(old, new)

    def _interface(self, path: str) -> Interface:
        """What lookups in `path` can answer: symbols, import bindings, star imports."""
        graph = self.graph
        facts = graph.facts[path]
        ready = self._prepared.get(path)
        if ready is not None and ready[0] is facts:
            symbols = ready[1]
        else:
            symbols = _symbol_entries(graph.symbols_of(path), facts)
        bindings, stars = graph.bindings_of(path)
        return (
            symbols,
            {
                name: (r.imp.module, r.imp.name, r.imp.level, r.imp.alias, r.target, r.names_submodule)
                for name, r in bindings.items()
            },
            tuple(r.target for r in stars),
        )

    def _recompute(self, paths: list[str]) -> None:
        uses, deps_of, dependents = self.uses, self.deps, self._dependents
        for path in paths:
            uses.remove(path)
            if dependents is not None:
                for dep_path, name in deps_of.pop(path, ()):
                    users = dependents.get(dep_path, {}).get(name)
                    if users is not None:
                        users.discard(path)
            else:
                deps_of.discard(path)
        in_order = not uses.refs  # (`paths` are sorted)
        for path in paths:
            found: dict[Target, list[int]] = {}
            deps: set[tuple[str, str]] = set()
            with self.graph.recording_lookups(deps):
                for target, lines in self.uses_of(path):
                    found.setdefault(target, []).extend(lines)
            for target, lines in found.items():
                found[target] = sorted(set(lines))
            uses.add(path, found, in_order)
            deps_of[path] = deps
            self.dep_paths[path] = frozenset(map(_lookup_path, deps))
            self.iface[path] = self._interface(path)
            self.dirty.add(path)
            if dependents is not None:
                for dep_path, name in deps:
                    dependents.setdefault(dep_path, {}).setdefault(name, set()).add(path)

    def _adopt(self, records: dict[str, bytes], changed: set[str]) -> None:
        """Take over the records an earlier process saved; the files that changed since
        (and those without a readable record) are pending."""
        facts = self.graph.facts
        self._reset()
        missing = set(facts)
        encoded_uses: dict[str, dict[str, bytes]] = {}
        encoded_deps: dict[str, bytes] = {}
        encoded_ifaces: dict[str, bytes] = {}
        loads = marshal.loads
        for path, record in records.items():
            if path not in facts:
                continue
            try:
                uses, dep_paths, deps, iface = loads(record)
            except (ValueError, EOFError, TypeError):
                continue  # an unreadable record: the file is recomputed
            if not (
                type(uses) is dict
                and type(dep_paths) is frozenset
                and type(deps) is type(iface) is bytes
                and all(type(part) is bytes for part in uses.values())
            ):
                continue
            missing.discard(path)
            encoded_uses[path] = uses
            self.dep_paths[path] = dep_paths
            encoded_deps[path] = deps
            encoded_ifaces[path] = iface
        self.uses.adopt(encoded_uses)
        self.deps.put_encoded(encoded_deps)
        self.iface.put_encoded(encoded_ifaces)
        self._dependents = None  # inverted when first needed
        self._ready = True
        self.pending = (set(changed) & set(facts)) | missing


def _decode_lookups(raw: bytes) -> set[tuple[str, str]]:
    lookups = marshal.loads(raw)
    if type(lookups) is not set or not all(type(key) is tuple and len(key) == 2 for key in lookups):
        raise ValueError("not a set of (path, name) lookups")
    return lookups


def _decode_interface(raw: bytes) -> Interface:
    iface = marshal.loads(raw)
    if not (type(iface) is tuple and len(iface) == 3 and type(iface[0]) is type(iface[1]) is dict):
        raise ValueError("not an interface")
    return iface


def _widened_seed(seed: Seed, more_changed: frozenset[str]) -> Seed:
    """A seed whose files changed again before it was used."""

    def widened() -> tuple[dict[str, bytes], set[str], Moved | None] | None:
        got = seed()
        return None if got is None else (got[0], set(got[1]) | more_changed, got[2])

    return widened


def _symbol_entries(table: Mapping[str, Symbol], facts: FileFacts) -> dict[str, SymbolEntry]:
    returning_self = set(facts.self_returning)
    value_types = facts.value_types
    return {
        q: (
            s.local,
            tuple(s.bases),
            _return_annotation(s.signature) if s.kind != SymbolKind.CLASS else None,
            tuple(s.decorators),
            q in returning_self,
            value_types.get(q),
        )
        for q, s in table.items()
    }


def _return_annotation(signature: str | None) -> str | None:
    """What typed lookups read of a signature (index/typed.py): its return annotation."""
    if not signature:
        return None
    arrow = signature.rfind(") -> ")
    return signature[arrow + 5 :] if arrow >= 0 else None


def _changed_keys(old: Mapping[str, object], new: Mapping[str, object]) -> set[str]:
    return {k for k in old.keys() | new.keys() if old.get(k, _MISSING) != new.get(k, _MISSING)}


_MISSING = object()
_lookup_path = itemgetter(0)  # of a (path, name) lookup
