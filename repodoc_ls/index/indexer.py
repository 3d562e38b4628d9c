"""The workspace index: facts of every file, kept in SQLite and in memory, plus the graph.

`Index.build` is the cold (or warm) start used by the CLI and the server; `update`,
`remove` and `refresh` keep it current one file at a time. Extraction runs in worker
processes for a cold build; a warm build only stats files and reads the store: each file's
facts are decoded when first used (lazyfacts.py), and the graph starts from the imports
resolved by the last run (resolved.py) when the files and the set of paths are the same.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from repodoc_ls.config import Settings
from repodoc_ls.extract import extract_file
from repodoc_ls.index import resolved
from repodoc_ls.index.extraction import (
    Extracted,
    Progress,
    content_hash,
    read_facts,
    run_extraction,
    still_current,
    unread_digest,
    unreadable_facts,
)
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.lazyfacts import LazyFacts
from repodoc_ls.index.modulemap import names_moved, package_dirs, renamed_below, top_level_names
from repodoc_ls.index.references import Moved
from repodoc_ls.index.store import Store, StoredFile, SymbolRow, WarmRows
from repodoc_ls.model import FileFacts, Symbol, SymbolRef
from repodoc_ls.scan import is_excluded, scan

log = logging.getLogger(__name__)

#: Bumped when the meaning of saved reference records changes (graph.py's rules) or their format.
REFERENCE_RECORD_VERSION = 4


@dataclass(frozen=True, slots=True)
class Keyword:
    name: str  # as shown: "Cart.add", "json", "DISCOUNT as discount_rate"
    kind: str  # class, method, function, constant, imported module, imported name
    qualname: str  # symbol qualname, or the imported module/name's full dotted name
    line: int
    col: int
    other_files: int  # other workspace files defining or using it


@dataclass(frozen=True, slots=True)
class BuildStats:
    files: int
    extracted: int
    reused: int
    removed: int


class Index:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        facts: dict[str, FileFacts] | LazyFacts,
        rows: dict[str, StoredFile] | None = None,
        saved: dict[str, resolved.Resolution] | None = None,
    ):
        """`saved`: the imports resolved by an earlier run, valid for these facts (Graph)."""
        self.settings = settings
        self.root = settings.root
        self.store = store
        self.facts = facts if isinstance(facts, LazyFacts) else LazyFacts(facts)
        self.facts.fallback = self._reextract
        self.graph = Graph(self.facts, saved)
        self.lock = threading.RLock()
        self.warnings: list[str] = list(store.warnings)
        #: Called with each warning the store gives after the build (the server shows them).
        self.on_warning: Callable[[str], None] | None = None
        # What the store's files table holds, kept in memory so that a store that had to be
        # replaced by an empty one (damage, a full disk) can be refilled: see Store.refill.
        self._rows: dict[str, StoredFile] = rows if rows is not None else {}
        store.on_warning = self._store_warning
        store.refill = self._refill_store
        self.stats = BuildStats(len(facts), 0, len(facts), 0)
        self._built_generation = store.generation  # the store the undecoded records came from
        self._pending_store: Callable[[], None] | None = None  # see build(defer_store=True)
        self._pending_hashes: dict[str, str] = {}
        # apply(defer_store_write=True): the newest row per path, written by write_applied()
        self._unwritten: dict[str, tuple[str, int, int, str, FileFacts, bytes | None]] = {}
        self._unwritten_lock = threading.Lock()
        self._store_behind = False  # a store write failed: its rows may not be the facts'

    def flush_store(self) -> None:
        """Write what a deferred build has not yet written to the store. The store is a
        cache: when it cannot be written (a full disk), the next run re-extracts, and this
        one goes on with a warning."""
        with self.lock:
            self._flush_build()
            self.write_applied()  # after the build's rows: they are newer

    def _flush_build(self) -> None:
        pending, self._pending_store = self._pending_store, None
        if pending is None:
            return
        try:
            pending()
        except (sqlite3.Error, OSError) as exc:
            self.warnings.append(f"could not write the index store ({exc}): the next run extracts again")
            self._store_behind = True
            return  # the hashes stay known from the pending writes
        self._pending_hashes = {}

    def drop_pending_store(self) -> None:
        """Forget a deferred build's store writes: in a forked process, whose parent writes
        them (a child never touches the SQLite connection it inherited)."""
        self._pending_store = None

    def _store_warning(self, message: str) -> None:
        self.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    def _refill_store(self) -> None:
        """Write everything the index knows into its store, just replaced by an empty one.
        Called under the store's lock by whichever thread found the damage, so it takes no
        index lock (a thread holding that one may be waiting for the store): it writes
        copies, and a change made meanwhile reaches the store by its own write after this."""
        facts, rows, edges = dict(self.facts), dict(self._rows), self.graph.edges()
        unknown = StoredFile(-1, -1, "")  # not expected; -1 makes the next start re-check the file
        entries = []
        for path, record in facts.items():
            row = rows.get(path, unknown)
            entries.append((path, row.size, row.mtime_ns, row.hash, record.to_bytes(), record))
        self.store.write_files(entries)
        self.store.replace_edges(edges)

    def _reextract(self, path: str) -> FileFacts:
        """The facts of a file whose stored record does not decode (found on first use):
        extracted again from the file, and stored by the next write."""
        try:
            data, facts = read_facts(os.path.join(self.root, path), path, self.settings.max_file_bytes)
        except OSError as exc:
            data, facts = None, unreadable_facts(path, exc)
        if facts is None:
            facts = unreadable_facts(path, OSError("not a regular file"))
        digest = (
            content_hash(data)
            if data is not None
            else unread_digest(facts.size, self.settings.max_file_bytes)
        )
        self._rows[path] = StoredFile(-1, -1, digest)  # -1: the next start re-checks the file
        with self._unwritten_lock:
            self._unwritten[path] = (path, -1, -1, digest, facts, None)
        return facts

    def content_hashes(self) -> dict[str, str]:
        """path -> hash of the content its facts were extracted from ("" if unknown)."""
        with self.lock:
            table = self.store.file_table()
            pending = self._pending_hashes
            return {
                path: pending.get(path) or (table[path].hash if path in table else "") for path in self.facts
            }

    # -- building ------------------------------------------------------------

    @classmethod
    def build(
        cls,
        settings: Settings,
        progress: Progress | None = None,
        persistent: bool = True,
        defer_store: bool = False,
        fresh_store: bool = False,
    ) -> Index:
        """Index the workspace, reusing the store's facts for unchanged files. With
        `defer_store`, what the build learnt is written to the store only when
        `flush_store` is called (or a store query needs it): an export does that while its
        workers render, instead of keeping a core idle first. With `fresh_store`, the
        store is started anew (a reindex asked for by the user): everything is extracted."""
        # A build creates millions of small objects that all stay alive: the cyclic GC
        # would rescan them again and again, costing more than the decoding itself.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._build(settings, progress, persistent, defer_store, fresh_store)
        finally:
            if gc_was_enabled:
                gc.enable()
                gc.freeze()  # the index lives as long as the process: keep it out of GC passes

    @classmethod
    def in_memory(cls, settings: Settings, facts: dict[str, FileFacts] | None = None) -> Index:
        """An index of the given facts alone, kept in memory, with no store on disk and no
        scan: the server's index of its open documents during a folder's first build."""
        return cls(settings, Store(None), dict(facts or {}))

    @classmethod
    def _build(
        cls,
        settings: Settings,
        progress: Progress | None,
        persistent: bool,
        defer_store: bool,
        fresh_store: bool,
    ) -> Index:
        store = Store(settings.cache_path if persistent else None, root=settings.root, fresh=fresh_store)
        generation = store.generation
        scanned = scan(settings)
        warm = store.load_warm()
        stored = warm.files
        by_path = {f.path: f for f in scanned.files}
        limit = settings.max_file_bytes
        reuse = [
            f.path
            for f in scanned.files
            if (s := stored.get(f.path)) is not None and still_current(s, f, limit)
        ]
        reuse_set = set(reuse)
        stale = [f for f in scanned.files if f.path not in reuse_set]
        removed = sorted(set(stored) - set(by_path))

        facts: dict[str, FileFacts] = {}  # decoded here: what was extracted
        # Decoded on first use; one that does not decode then is extracted again (_reextract).
        records = {path: warm.facts[path] for path in reuse}
        tasks = [(f.path, stored[f.path].hash if f.path in stored else None) for f in stale]
        results = run_extraction(
            str(settings.root),
            tasks,
            settings.worker_count,
            progress,
            already_done=len(records),
            total=len(by_path),
            limit=limit,
        )
        written, touched = [], []

        def take(results: list[Extracted]) -> None:
            for path, size, mtime_ns, digest, blob in results:
                if blob is None:
                    touched.append((path, size, mtime_ns, digest))
                else:
                    record = FileFacts.from_bytes(blob)
                    facts[path] = record
                    written.append((path, size, mtime_ns, digest, blob, record))

        take(results)
        # Same content under a new mtime (a checkout, a touch): the stored facts stand.
        records.update((t[0], warm.facts[t[0]]) for t in touched if t[0] in warm.facts)
        if lost := [(t[0], None) for t in touched if t[0] not in records]:
            touched = [t for t in touched if t[0] in records]
            take(
                run_extraction(
                    str(settings.root), lost, settings.worker_count, None, 0, len(lost), limit=limit
                )
            )
        rows = {path: stored[path] for path in reuse}
        rows.update((path, StoredFile(size, mtime_ns, digest)) for path, size, mtime_ns, digest in touched)
        rows.update((entry[0], StoredFile(*entry[1:4])) for entry in written)
        all_facts = LazyFacts(facts, records)
        paths_signature = resolved.paths_signature(all_facts)
        extracted = {entry[0] for entry in written}
        saved = _saved_resolutions(warm, paths_signature, rows, extracted, all_facts)
        across = (
            None if saved or set(stored) == by_path.keys() else _across_move(warm, stored, rows, extracted)
        )
        index = cls(settings, store, all_facts, rows, across.kept if across is not None else saved)

        def write_store() -> None:
            if store.generation != generation:  # healed during the build: its rows are gone
                index._refill_store()
                return
            if written:
                store.write_files(written)
            if touched:
                store.touch_files(t[:3] for t in touched)
            if removed:
                store.remove_files(removed)
            if not store.has_edges() or removed or len(stored) != len(by_path):
                store.replace_edges(index.graph.edges())
            elif written:  # the same set of paths: the others' edges in the store stand
                store.replace_edges(index.graph.edges(), [entry[0] for entry in written])
            index._save_resolutions(full=paths_signature != warm.resolved_signature)

        changed = set(extracted)
        signature = index.reference_signature()
        moved: Moved | None = None
        if across is not None:
            # Modules were added or removed since: the records saved under the map before
            # are taken over, and what the change of the map reaches is recomputed.
            graph = index.graph
            elsewhere = {p for p, found in across.before.items() if graph.resolutions.get(p) != found}
            roots, keys = graph.module_map_lookups(across.moved, across.maps)
            renamed = across.moved & by_path.keys()
            changed |= (
                elsewhere | roots | renamed | (set(all_facts) - across.kept.keys() - across.before.keys())
            )
            signature = reference_signature(sorted(stored))
            moved = (set(stored) - by_path.keys(), keys)
        index.graph.reference_seed = lambda: (
            None if (records := store.reference_records(signature)) is None else (records, changed, moved)
        )
        index.warnings.extend(scanned.warnings)
        count = len(all_facts)
        index.stats = BuildStats(count, len(written), count - len(written), len(removed))
        if defer_store:
            index._pending_store = write_store
            index._pending_hashes = {entry[0]: entry[3] for entry in written}
        else:
            write_store()
        if progress:
            progress(count, count, "indexed")
        return index

    def _save_resolutions(self, full: bool) -> None:
        """Save the imports the graph resolved in this process (all of them when `full`: the
        set of paths is not the one the store's were saved for)."""
        graph = self.graph
        if not graph.unsaved and not full:
            return
        paths = graph.resolutions if full else graph.unsaved
        unknown = StoredFile(-1, -1, "")
        records = [
            (path, self._rows.get(path, unknown).hash, resolved.encode(graph.resolutions[path]))
            for path in paths
            if path in graph.resolutions
        ]
        self.store.write_resolved(resolved.paths_signature(self.facts), records, full)
        graph.unsaved.clear()

    # -- keeping current -----------------------------------------------------

    def relpath(self, path: str | Path) -> str:
        p = Path(path)
        if p.is_absolute():
            p = p.relative_to(self.root)
        return p.as_posix()

    def update(self, path: str, content: str | bytes) -> FileFacts:
        """Re-extract one file from `content` (an editor buffer or the bytes on disk)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        return self.apply(path, data, extract_file(path, data))

    def apply(
        self,
        path: str,
        data: bytes | None,
        facts: FileFacts,
        defer_store_write: bool = False,
        record: bytes | None = None,
    ) -> FileFacts:
        """Put `facts`, extracted from `data` (the file's bytes or an editor buffer; None
        for a file too large to read), into the index: memory, store and graph. For callers
        that extract outside the lock (the server does, to keep queries flowing) and then
        apply under it. With `defer_store_write`, the file's row is written by the next
        `write_applied()` (which the caller runs outside the lock: a generated module's
        50,000 symbol rows take longer to write than to extract) or store query. `record`
        is `facts.to_bytes()` when the caller has it already (an extraction process's answer)."""
        with self.lock:
            # Not `flush_store`: the rows `write_applied` has yet to write stay unwritten (a
            # large buffer's wait for a pause in its edits), or are replaced by this one.
            self._flush_build()
            self.facts[path] = facts  # kept in path order (lazyfacts.py)
            # size/mtime -1: a buffer is not the file on disk, so the next start re-checks it.
            digest = (
                content_hash(data)
                if data is not None
                else unread_digest(facts.size, self.settings.max_file_bytes)
            )
            self._rows[path] = StoredFile(-1, -1, digest)
            # (Not under `_unwritten_lock`: a write_applied under way holds it for seconds.)
            if defer_store_write:
                self._unwritten[path] = (path, -1, -1, digest, facts, record)
            else:
                self._unwritten.pop(path, None)
                self.store.write_files([(path, -1, -1, digest, record or facts.to_bytes(), facts)])
            touched = self.graph.update([path])
            if len(touched) >= len(self.facts):
                self.store.replace_edges(self.graph.edges())
            else:  # only the touched files' edges: computing all of them costs ~3 ms a call
                self.store.replace_edges({p: _edges_of(self.graph, p) for p in touched}, touched)
        return facts

    _apply = apply  # the former private name

    def write_applied(self, paths: Iterable[str] | None = None) -> None:
        """Write the rows `apply(defer_store_write=True)` left (of `paths`, or all); safe
        outside the lock (rows are taken and written in order, the newest row of a path
        last; a row replaced before its write is never written)."""
        with self._unwritten_lock:
            if paths is None:
                rows, self._unwritten = self._unwritten, {}
            else:
                rows = {p: row for p in paths if (row := self._unwritten.pop(p, None)) is not None}
            if not rows:
                return
            try:
                self.store.write_files(
                    [
                        (p, size, mtime, h, blob or f.to_bytes(), f)
                        for p, size, mtime, h, f, blob in rows.values()
                    ]
                )
            except (sqlite3.Error, OSError) as exc:
                self.warnings.append(f"could not write the index store ({exc}): the next run extracts again")
                self._store_behind = True

    def remove(self, path: str) -> bool:
        with self.lock:
            self._flush_build()
            self._unwritten.pop(path, None)  # a row written after the removal would bring it back
            if path not in self.facts:
                return False
            del self.facts[path]
            self._rows.pop(path, None)
            self.store.remove_files([path])
            self.graph.update([], [path])
            self.store.replace_edges(self.graph.edges())
            return True

    def refresh(self, paths: Iterable[str]) -> set[str]:
        """Bring files changed on disk (created, modified, deleted) into the index."""
        changed: set[str] = set()
        for path in sorted(set(paths)):
            full = self.root / path
            facts = None
            if full.is_file() and not is_excluded(self.settings, path):
                try:
                    data, facts = read_facts(full, path, self.settings.max_file_bytes)
                except OSError:
                    continue
            if facts is not None:
                old = self.facts.get(path)
                if old is None or facts.to_bytes() != old.to_bytes():
                    self.apply(path, data, facts)
                    changed.add(path)
            elif self.remove(path):
                changed.add(path)
        return changed

    # -- queries -------------------------------------------------------------

    def file(self, path: str) -> FileFacts | None:
        return self.facts.get(path)

    def paths(self) -> list[str]:
        return list(self.facts)

    def symbol_count(self) -> int:
        """Symbols of every file: of the files whose facts were not decoded, counted in the
        store's rows written with those very facts (no decoding of every file for a count)."""
        with self.lock:
            pending = self.facts.pending()
            if pending and self.store.generation == self._built_generation:
                counts = self.store.symbol_counts()
                decoded = (self.facts[p] for p in self.facts if p not in pending)
                return sum(len(f.symbols) for f in decoded) + sum(counts.get(p, 0) for p in pending)
            return sum(len(f.symbols) for f in self.facts.values())

    def reference_signature(self) -> str:
        return reference_signature(self.facts)  # (the facts' paths are sorted)

    def save_references(self) -> None:
        """Persist the reference records computed since the last save, so that the next
        process (an export after an edit) updates them instead of building them anew."""
        with self.lock:
            if not self.graph.refs.built:
                return
            signature = self.reference_signature()
            full = not self.store.has_reference_records(signature)
            records = self.graph.reference_records(dirty_only=not full)
            if records or full:
                self.store.write_reference_records(signature, records, full)

    def definers(self, qualnames: Iterable[str]) -> dict[str, list[str]]:
        """qualname -> files defining a symbol of exactly that qualified name: from the
        graph's definitions index when it is built (a batch render builds it first), else
        from the store's indexed symbols table (no workspace-wide index to build after an
        edit)."""
        with self.lock:
            if not self.graph.definitions_indexed():  # one query beats building the whole index
                self.flush_store()
                return self.store.definers(qualnames)
            out = {}
            for q in set(qualnames):
                paths = sorted({d.path for d in self.graph.definitions(q) if d.qualname == q})
                if paths:
                    out[q] = paths
            return out

    def listed_symbols_named_in(
        self, ranges: list[tuple[str, str]] | None, listed_per_file: int
    ) -> list[tuple[str, SymbolRow]] | None:
        """(path, symbol) for each symbol named in one of `ranges` (`Store.symbols_named_in`)
        among the first `listed_per_file` of its file, in no order: from the store's name
        index, no file's facts decoded. None when the store may lag behind the facts (a
        write failed)."""
        with self.lock:
            self.flush_store()
            if self._store_behind:
                return None
            facts = self.facts
            # (a row of a path the index does not hold, in a store it did not write, is no symbol)
            found = [
                (row, row_id) for row, row_id in self.store.symbols_named_in(ranges) if row.path in facts
            ]
            firsts = {
                path: self.store.first_symbol_id(path)
                for path in {row.path for row, _ in found}
                if facts.header(path).symbol_count > listed_per_file
            }
            return [
                (row.path, row)
                for row, row_id in found
                if row.path not in firsts or row_id - (firsts[row.path] or 0) < listed_per_file
            ]

    def definitions(self, name: str) -> list[SymbolRef]:
        return self.graph.definitions(name)

    def references(self, path: str, qualname: str) -> dict[str, list[int]]:
        return self.graph.references(path, qualname)

    def subtree_symbols(self, folder: str) -> list[tuple[str, Symbol]]:
        """Every symbol defined under `folder` ("" for the root), sorted by name."""
        prefix = f"{folder}/" if folder else ""
        facts = self.facts  # (only the folder's files decoded)
        found = [(path, s) for path in facts if path.startswith(prefix) for s in facts[path].symbols]
        found.sort(key=lambda ps: (ps[1].name.lower(), ps[1].name, ps[0], ps[1].line))
        return found

    def keywords(
        self, path: str, max_symbols: int | None = None, max_imports: int | None = None
    ) -> list[Keyword]:
        """The names `path` defines (its first `max_symbols`) and imports (its first
        `max_imports`), in source order."""
        facts = self.facts.get(path)
        if facts is None:
            return []
        out = []
        for s in facts.symbols[:max_symbols]:
            users = set(self.graph.references(path, s.qualname)) - {path}
            definers = {d.path for d in self.graph.definitions(s.name)} - {path}
            out.append(Keyword(s.qualname, s.kind, s.qualname, s.line, s.col, len(users | definers)))
        for r in self.graph.imports_of(path)[:max_imports]:
            imp = r.imp
            if imp.name is None:
                name, kind, qual = imp.module, "imported module", imp.module
            else:
                dots = "." * imp.level
                name, kind = imp.name, "imported name"
                qual = f"{dots}{imp.module}.{imp.name}" if imp.module else f"{dots}{imp.name}"
            if imp.alias:
                name = f"{name} as {imp.alias}"
            others = set(self.graph.imported_by(r.target)) - {path} if r.target else set()
            out.append(Keyword(name, kind, qual, imp.line, 0, len(others)))
        return out

    def search(self, query: str, limit: int = 50) -> list[SymbolRef]:
        """Symbols matching `query`, best first: exact, prefix, substring, then fuzzy."""
        query = query.strip()
        if not query:
            return []
        lowered = query.lower()
        candidates: dict[tuple[str, str], SymbolRef] = {}
        self.flush_store()
        for row in self.store.search_symbols(query, limit * 20):
            candidates[(row.path, row.qualname)] = SymbolRef(row.path, row.qualname, row.line, row.kind)
        if len(candidates) < limit:
            pattern = re.compile(".*?".join(re.escape(c) for c in lowered))
            for path, f in self.facts.items():
                for s in f.symbols:
                    if pattern.search(s.name.lower()):
                        candidates.setdefault((path, s.qualname), SymbolRef.of(path, s))
                        if len(candidates) >= limit * 20:
                            break

        def rank(ref: SymbolRef) -> tuple[int, bool, int, str, str]:
            name = ref.qualname.rsplit(".", 1)[-1]
            low = name.lower()
            if name == query:
                tier = 0
            elif low == lowered:
                tier = 1
            elif low.startswith(lowered):
                tier = 2
            elif lowered in low:
                tier = 3
            elif lowered in ref.qualname.lower():
                tier = 4
            else:
                tier = 5
            return (tier, name.startswith("_"), len(ref.qualname), ref.qualname, ref.path)

        return sorted(candidates.values(), key=rank)[:limit]


def reference_signature(paths: Iterable[str]) -> str:
    """What saved reference records are valid for: the graph's rules and the module map
    (which is a function of the set of paths, given sorted)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"refs {REFERENCE_RECORD_VERSION}\n".encode())
    for path in paths:
        digest.update(path.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


class _Across(NamedTuple):
    """The resolutions saved under a module map that differs from this one by modules added,
    removed or renamed (below a package folder that appeared or vanished): `moved`."""

    moved: set[str]
    maps: tuple[set[str], set[str]]  # the package folders before and now
    #: still valid: their imports mention none of the names the change reaches
    kept: dict[str, resolved.Resolution]
    #: as they were, for the files whose imports mention such a name (resolved again)
    before: dict[str, resolved.Resolution]


def _across_move(
    warm: WarmRows, stored: dict[str, StoredFile], rows: dict[str, StoredFile], extracted: set[str]
) -> _Across | None:
    """The saved resolutions of the files whose content is unchanged, when they were saved
    under the set of paths in the store; None otherwise (every import is then resolved
    again)."""
    old_paths, new_paths = set(stored), rows.keys()
    if warm.resolved_signature != resolved.paths_signature(sorted(old_paths)):
        return None
    maps = (package_dirs(old_paths), package_dirs(new_paths))
    moved = (old_paths ^ new_paths) | renamed_below(new_paths, *maps)
    tops_changed = top_level_names(old_paths, maps[0]) ^ top_level_names(new_paths, maps[1])
    reach = names_moved(moved, maps, tops_changed)
    either = old_paths | new_paths
    kept: dict[str, resolved.Resolution] = {}
    before: dict[str, resolved.Resolution] = {}
    for path, (digest, blob) in warm.resolved.items():
        row = rows.get(path)
        if row is None or row.hash != digest or path in extracted:
            continue
        found = resolved.decode(blob, either)
        if found is None:
            continue
        valid_now = all(target is None or target in new_paths for _, target, _ in found[0])
        unmoved = valid_now and path not in moved and reach.isdisjoint(found[3])
        (kept if unmoved else before)[path] = found
    return _Across(moved, maps, kept, before)


def _saved_resolutions(
    warm: WarmRows, signature: str, rows: dict[str, StoredFile], extracted: set[str], paths: LazyFacts
) -> dict[str, resolved.Resolution]:
    """The resolutions saved by the last run that are still valid: saved for this set of
    paths, from the content each file has now (which the facts were extracted from)."""
    if warm.resolved_signature != signature:
        return {}
    out = {}
    for path, (digest, blob) in warm.resolved.items():
        row = rows.get(path)
        if row is None or row.hash != digest or path in extracted:
            continue
        found = resolved.decode(blob, paths)
        if found is not None:
            out[path] = found
    return out


def _edges_of(graph: Graph, path: str) -> set[str]:
    return {r.target for r in graph.imports_of(path) if r.target is not None and r.target != path}
