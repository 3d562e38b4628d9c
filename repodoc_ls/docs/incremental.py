"""Which pages an export must render: the planning half of `export.py`.

A page is re-rendered when a file it shows changed (its recorded deps), when it is missing
or not as recorded on disk, and as its kind's `Redo` rule says (`kinds.py`): the pages of a
file a changed file now relates to (imports, uses, subclasses, same-named definitions, and,
for an import added or dropped, the module's other importers); the index and overview
pages of the folders above a changed file, a file whose kind changed (`plan_kinds`: kinds
are kept in the manifest with what computing them read) or whose imports resolve
elsewhere, and a module an import started or stopped resolving to... Symbols letter pages
are rendered only when a changed file's rows for that letter changed (per-file letter
digests).
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from repodoc_ls.docs import namedeps, pages, subpages
from repodoc_ls.docs.kinds import KINDS, Redo, Scope, kind_of, page_path, unit_of_page
from repodoc_ls.docs.manifest import Manifest, PageRecord
from repodoc_ls.docs.pagefiles import on_disk_as_recorded
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.units import Unit
from repodoc_ls.index.graph import Graph, modules_imported
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import Category, FileFacts, SymbolRef

_V = TypeVar("_V")

#: (page, its record) -> whether the page on disk is the one recorded.
AsRecorded = Callable[[str, PageRecord], bool]


def pages_on_disk_as_recorded(output: Path) -> AsRecorded:
    """An export's AsRecorded: size and mtime as recorded (one `lstat`, on a plain string:
    a doc set has tens of thousands of pages)."""
    prefix = f"{output}{os.sep}"
    return lambda page, record: on_disk_as_recorded(prefix + page, record)


def fingerprint(renderer: Renderer) -> str:
    return hashlib.blake2b(
        "\n".join(renderer.fingerprint_parts()).encode("utf-8"), digest_size=16
    ).hexdigest()


def source_hashes(index: Index) -> dict[str, str]:
    return index.content_hashes()


#: Marks an outside module among a file's import targets (a workspace path never starts
#: with "/"): keyword pages count the importers of outside modules too.
OUTSIDE = "//"


def import_targets(index: Index) -> dict[str, tuple[str, ...]]:
    """path -> the workspace files it imports, and the outside modules (`OUTSIDE` + name)."""
    out = {}
    for path in index.paths():
        found = _targets_of(index.graph, path)
        if found:
            out[path] = found
    return out


def _targets_of(graph: Graph, path: str) -> tuple[str, ...]:
    """What `import_targets` records of `path` (reads no file's facts)."""
    files, outside = graph.import_targets(path)
    return tuple(sorted(files | {OUTSIDE + name for name in outside}))


def related_files(
    renderer: Renderer,
    path: str,
    old_targets: tuple[str, ...] = (),
    listed: ListedOnPages | None = None,
) -> set[str]:
    """Files whose pages may mention `path` because of what `path` contains now: the modules
    it imports, the files defining what it uses or subclasses, files defining the same names,
    and, for a module it started or stopped importing, that module's other importers (their
    keyword pages count the importers). Left out are those whose pages, as `listed` tells,
    already show what relates them to `path` through name deps, which render them again
    when that changes: the modules it imports and the files defining what it uses that list
    it among their users, the files defining the same names that list it among their
    definers, and those defining its bases that list it among their subclasses."""
    graph = renderer.graph
    facts = renderer.index.file(path)
    targets = {r.target for r in graph.imports_of(path) if r.target} if facts is not None else set()
    used = set(targets)
    outside = {
        OUTSIDE + modules_imported(r.imp)[-1]
        for r in graph.imports_of(path)
        if r.target is None and r.category != Category.WORKSPACE
    }
    out: set[str] = set()
    for target in (targets | outside).symmetric_difference(old_targets):
        if target.startswith(OUTSIDE):
            parts = target[len(OUTSIDE) :].split(".")
            for i in range(len(parts)):
                out.update(graph.importers_of_external(".".join(parts[: i + 1])))
            continue
        out.add(target)
        out.update(graph.imported_by(target))
    if facts is not None:
        for (target, _qualname), _lines in graph.refs.uses_of(path):
            used.add(target)
    out.update(target for target in used if listed is None or not listed.user(target, path))
    if facts is None:
        out.discard(path)
        return out
    for s in facts.symbols:
        for base in s.bases:
            ref = graph.resolve_base(path, s, base)
            if isinstance(ref, SymbolRef) and (listed is None or not listed.subclasser(ref.path, path)):
                out.add(ref.path)
    for qualname, paths in renderer.index.definers(s.qualname for s in facts.symbols if not s.local).items():
        out.update(p for p in paths if listed is None or not listed.definer(p, path, qualname))
    out.discard(path)
    return out


class ListedOnPages:
    """What the pages of the last export (`old`) show of other files through name deps
    alone (`namedeps.USERS`, `DEFINES`, `SUBCLASSES`) or through deps: an edit of such a
    file that changes what they show renders them again (the key's entry is stale, or the
    page is touched); `related_files` need not name them."""

    def __init__(self, old: Manifest):
        self.old = old

    def _record(self, kind: str, path: str) -> PageRecord | None:
        return self.old.pages.get(page_path(kind, path))

    def user(self, path: str, user: str) -> bool:
        """Whether `path`'s docs page lists `user` among its users by its `USERS` key,
        counts it (its uses digest; what it imports: `related_files`) or depends on it."""
        record = self._record("docs", path)
        if record is None:
            return False
        return user in record.deps or user in record.counted or (user, namedeps.USERS) in record.names

    def definer(self, path: str, definer: str, qualname: str) -> bool:
        """Whether `path`'s keyword page counts `definer` among the files defining
        `qualname` (it counts every definer of every name the file's pages show, and its
        docs page lists the first ones by the same keys: `_definers_counted`)."""
        record = self._record("kw", path)
        return record is not None and (
            definer in record.deps or (definer, namedeps.DEFINES + qualname) in record.names
        )

    def subclasser(self, path: str, sub: str) -> bool:
        """Whether `path`'s docs page shows the classes of `sub` based on its own."""
        record = self._record("docs", path)
        return record is not None and (sub in record.deps or (sub, namedeps.SUBCLASSES) in record.names)


def _definers_counted(
    old: Manifest, old_units: dict[str, Unit | None], stale: set[namedeps.Key]
) -> set[Unit]:
    """The docs units of the files whose keyword page counts a definer whose `DEFINES` key is
    stale: past its list of definers, a docs page shows only their number, and records no
    key of those (a name defined in hundreds of files would cost each page hundreds)."""
    defines = {key for key in stale if key[1].startswith(namedeps.DEFINES)}
    if not defines:
        return set()
    out = set()
    for page in old.pages_touched(set(), set(), defines):
        unit = old_units.get(page)
        if unit is not None and unit.kind == "kw":
            out.add(Unit("docs", unit.path))
    return out


def new_user_counts(renderer: Renderer, old: Manifest, changed: set[str], users: set[str]) -> set[Unit]:
    """Keyword pages whose "other files using it" count one of `users` (the files whose uses
    digest changed) now joins: a page records the users it counted among its deps (so a
    user that leaves or changes redoes it), but a file that starts using a name is in no
    such record yet. A file whose uses are as they were joins no count: the pages that do
    not record it do not count it."""
    refs = renderer.graph.refs
    out: set[Unit] = set()
    for path in users:
        if path not in renderer.index.facts:
            continue
        for (target, qualname), _lines in refs.uses_of(path):
            for user in refs.lookup(target, qualname):
                if user == path or user in changed:
                    continue
                record = old.pages.get(page_path("kw", user))
                if record is not None and path not in record.deps and path not in record.counted:
                    out.add(Unit("kw", user))
    return out


def units_of_pages(manifest: Manifest) -> dict[str, Unit | None]:
    """page -> the unit that renders it (None: no page of the doc set), for every page the
    manifest lists: what planning asks of each page, asked once."""
    return {page: unit_of_page(page) for page in manifest.pages}


def moved_imports(renderer: Renderer, old: Manifest, changed: set[str], moved: bool) -> dict[str, set[str]]:
    """path -> the import targets it gained or lost (`import_targets`: workspace files,
    and outside modules as `OUTSIDE` + name), for each file whose imports resolve
    otherwise than the manifest records: changed files, and, after a file was added or
    removed (`moved`), any file (`from . import pricing` falls back to the package when
    pricing.py goes; `import requests.x` is no outside module once a `requests` package
    is in the workspace, though it resolves to no file)."""
    graph = renderer.graph
    facts = renderer.index.facts
    out = {}
    for path in (changed | facts.keys()) if moved else changed:
        now = _targets_of(graph, path) if path in facts else ()
        before = old.imports.get(path, ())
        if now != before:
            out[path] = set(now).symmetric_difference(before)
    return out


def retargeted_files(renderer: Renderer, changed: set[str], moves: dict[str, set[str]]) -> set[str]:
    """Unchanged files whose imports resolve elsewhere now that a file was added or removed
    (`moves`: `moved_imports`), and, for each target gained or lost, that module and its
    importers (their keyword pages count them)."""
    graph = renderer.graph
    out: set[str] = set()
    for path, targets in moves.items():
        if path in changed or path not in renderer.index.facts:
            continue  # (`related_files`)
        out.add(path)
        for target in targets:
            if target.startswith(OUTSIDE):
                parts = target[len(OUTSIDE) :].split(".")
                for i in range(len(parts)):
                    out.update(graph.importers_of_external(".".join(parts[: i + 1])))
            else:
                out.add(target)
                out.update(graph.imported_by(target))
    return out


def retyped_files(
    renderer: Renderer, old: Manifest, old_units: dict[str, Unit | None], stale: set[namedeps.Key]
) -> set[str]:
    """Unchanged files that may have become test modules or stopped being ones, and the files
    they relate to: a file's page records whether each class its classes' bases lead to in
    other files is a test case (`namedeps.testcase_keys`); when such an answer changed, so
    may the file's kind, which the pages of the files it imports or uses (their testers) and
    its folders' pages show. Those count as affected, as if the file had changed."""
    retested = {key for key in stale if key[1].startswith(namedeps.TESTCASE)}
    if not retested:
        return set()
    facts = renderer.index.facts
    out: set[str] = set()
    for page, record in old.pages.items():
        unit = old_units.get(page)
        if unit is None or kind_of(unit).scope is not Scope.FILE or retested.isdisjoint(record.names):
            continue
        if unit.path in facts:
            out.add(unit.path)
            out.update(related_files(renderer, unit.path, old.imports.get(unit.path, ())))
    return out


def units_to_render(
    renderer: Renderer,
    all_units: list[Unit],
    old: Manifest | None,
    new_sources: dict[str, str],
    same_fingerprint: bool,
    output: Path,
    as_recorded: AsRecorded | None = None,
    old_units: dict[str, Unit | None] | None = None,
) -> list[Unit]:
    """The units to render; `as_recorded` tells whether a page on disk is the one the
    manifest records (an export trusts size and mtime, `check` the bytes' hash)."""
    if old is None or not same_fingerprint:
        return all_units
    if as_recorded is None:
        as_recorded = pages_on_disk_as_recorded(output)
    changed = {p for p in new_sources.keys() | old.sources.keys() if new_sources.get(p) != old.sources.get(p)}
    moved = any((p in new_sources) != (p in old.sources) for p in changed)
    kinds_changed = plan_kinds(renderer, old, changed, moved)
    affected_files = set(changed)
    listed = ListedOnPages(old)
    for path in changed | kinds_changed:
        # (a file of another kind: its own pages say so, and so may the "tested by" of
        # the pages of what it imports and uses)
        if path in kinds_changed:
            affected_files.update(related_files(renderer, path, old.imports.get(path, ())))
        else:
            affected_files.update(related_files(renderer, path, old.imports.get(path, ()), listed))
    affected_files.update(kinds_changed)
    moves = moved_imports(renderer, old, changed, moved)
    affected_files.update(retargeted_files(renderer, changed, moves))
    if old_units is None:
        old_units = units_of_pages(old)
    recomputed = uses_recomputed(renderer.index, changed)
    stale = namedeps.stale_keys(renderer, old.entries, changed, moved, recomputed)
    affected_files.update(retyped_files(renderer, old, old_units, stale))
    reshaped = reshaped_files(changed, moves) | kinds_changed
    wanted = units_after_edit(renderer.index, changed, affected_files, reshaped)
    old_by_unit: dict[Unit, set[str]] = defaultdict(set)
    new_uses = uses_digests(renderer.index, old, recomputed)
    uses_changed = {p for p in recomputed if new_uses.get(p) != old.uses.get(p)}
    wanted.update(new_user_counts(renderer, old, changed, uses_changed))
    touched = old.pages_touched(changed, uses_changed, stale)
    wanted.update(_definers_counted(old, old_units, stale))
    for page, record in old.pages.items():
        unit = old_units[page]
        if unit is None:
            continue  # not a page of the doc set: export removes it (when provably its own)
        old_by_unit[unit].add(page)
        if page in touched or not as_recorded(page, record):
            wanted.add(unit)
    wanted.update(u for u in all_units if u not in old_by_unit)
    existing = set(all_units)
    new_letters = letter_digests(renderer.index, old, changed)
    return sorted(
        u
        for u in wanted
        if u in existing
        and not _unchanged_letter(u, old, old_by_unit[u], changed, new_letters, output, as_recorded)
    )


def units_after_edit(
    index: Index, changed: set[str], affected: set[str], reshaped: set[str] | None = None
) -> set[Unit]:
    """The units each kind's `Redo` rule names, for the files that `changed` (added and
    removed ones too), those `affected` (changed or related to a changed file) and those
    `reshaped` (`reshaped_files`, and those of another kind now; default: `changed`)."""
    folders_of = pages.folders_of
    if reshaped is None:
        reshaped = changed
    out: set[Unit] = set()
    for kind in KINDS:
        if kind.redo is Redo.RELATED_FILES:
            out.update(Unit(kind.name, path) for path in affected if path in index.facts)
        elif kind.redo is Redo.FOLDERS_OF_RESHAPED:
            out.update(Unit(kind.name, folder) for path in reshaped for folder in folders_of(path))
        elif kind.redo is Redo.FOLDERS_OF_CHANGED:
            out.update(Unit(kind.name, folder) for path in changed for folder in folders_of(path))
        elif kind.redo is Redo.LETTERS_OF_CHANGED:
            for path in changed:
                facts = index.file(path)
                letters = {pages.letter_of(s.name) for s in facts.symbols} if facts else set()
                out.update(
                    Unit(kind.name, folder, letter) for folder in folders_of(path) for letter in letters
                )
    return out


def reshaped_files(changed: set[str], moves: dict[str, set[str]]) -> set[str]:
    """Files whose folders' index and overview pages may show something new that is in no
    file they depend on: the changed files (added and removed ones too: the tree), those
    whose imports resolve elsewhere (the folder's import graph and outside dependencies:
    `moves`, from `moved_imports`), and the modules an import started or stopped resolving to (their
    importer counts). Files of another kind are not known here (`plan_kinds`)."""
    out = set(changed)
    for path, targets in moves.items():
        out.add(path)
        out.update(t for t in targets if not t.startswith(OUTSIDE))
    return out


def plan_kinds(renderer: Renderer, old: Manifest, changed: set[str], moved: bool) -> set[str]:
    """The files whose kind (`Graph.kind`) is not the one the manifest records, found by
    computing anew only the kinds that may have changed (`kinds_recomputed`). Hands the
    renderer every file's kind (`FolderCache.kinds`: a folder page then decodes no
    unchanged file's facts for them) and what each kind read (`FolderCache.kind_reads`)."""
    index = renderer.index
    recompute = kinds_recomputed(index, old, changed, moved)
    kinds, reads = file_kinds(index, old, recompute)
    cache = renderer.folder_cache
    cache.kinds.update(kinds)
    cache.kind_reads = reads
    # ... and the graph the kinds carried over (a file page's testers are the test modules
    # among its importers and users: asking the graph would decode each one's facts)
    index.graph.adopt_kinds({path: (kinds[path], reads.get(path, ())) for path in kinds.keys() - recompute})
    return {path for path in recompute if kinds.get(path) != old.kinds.get(path)}


def kinds_recomputed(index: Index, old: Manifest, changed: set[str], moved: bool) -> set[str]:
    """The files whose kind an export after `changed` computes anew: the changed ones,
    those without a recorded kind, and those whose kind read a changed file
    (`Graph.kind_and_reads`: a base class in another file, or one a re-export names, may
    have become a TestCase or stopped being one, down a chain of bases); after a file was
    added or removed (`moved`: any import may resolve elsewhere), every file whose kind
    read any file."""
    facts = index.facts
    out = {path for path in changed if path in facts}
    out.update(facts.keys() - old.kinds.keys())
    for path, reads in old.kind_reads.items():
        if path in facts and (moved or not changed.isdisjoint(reads)):
            out.add(path)
    return out


def file_kinds(
    index: Index, old: Manifest | None, recompute: set[str] | None
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(path -> its kind, path -> the files computing it read: `Graph.kind_and_reads`),
    computed for the files in `recompute` (all when either is None) and carried over from
    the manifest for the others."""
    graph = index.graph
    kinds: dict[str, str] = {}
    reads: dict[str, tuple[str, ...]] = {}
    for path in index.facts:
        if recompute is None or old is None or path in recompute:
            kind, found = graph.kind_and_reads(path)
            kinds[path] = kind
            if found:
                reads[path] = tuple(sorted(found))
        else:
            kinds[path] = old.kinds[path]
            was = old.kind_reads.get(path)
            if was:
                reads[path] = was
    return kinds, reads


def letter_digests(index: Index, old: Manifest | None, changed: set[str] | None) -> dict[str, dict[str, str]]:
    """path -> subpages.file_letter_digests, computed for changed files (all when `changed`
    is None) and carried over from the manifest for the others."""
    return _carried_over(
        index, old.letters if old is not None else None, changed, subpages.file_letter_digests
    )


def file_estimates(
    index: Index, old: Manifest | None, changed: set[str] | None
) -> dict[str, tuple[int, int]]:
    """path -> subpages.file_estimate, computed for changed files (all when `changed` is
    None) and carried over from the manifest for the others: whether a folder's symbols
    page is split then reads no unchanged file's facts."""
    return _carried_over(
        index,
        old.estimates if old is not None else None,
        changed,
        lambda facts: subpages.file_estimate(facts.path, facts),
    )


def _carried_over(
    index: Index,
    old_values: Mapping[str, _V] | None,
    changed: set[str] | None,
    compute: Callable[[FileFacts], _V | None],
) -> dict[str, _V]:
    """path -> `compute(facts)` for the changed files (all when either is None), else the
    manifest's value; empty values left out. Only the changed files' facts are read: the
    others' are decoded on first use, and an export after an edit reads few."""
    out = {}
    facts = index.facts
    for path in facts:
        if changed is None or old_values is None or path in changed:
            found = compute(facts[path])
        else:
            found = old_values.get(path)
        if found:
            out[path] = found
    return out


def uses_recomputed(index: Index, changed: set[str]) -> set[str]:
    """The files whose uses digest an export after `changed` computes anew: those changed,
    and those whose uses looked a name up in a changed file (a re-export rebound in a
    package's `__init__.py` moves its importers' uses elsewhere)."""
    if not changed:  # (the reference index is not even loaded then)
        return set()
    refs = index.graph.refs
    return changed | refs.looked_up_in(changed) | refs.recomputed()


def uses_digests(index: Index, old: Manifest | None, changed: set[str] | None) -> dict[str, str]:
    """path -> a digest of the symbols it uses (the reference index's targets, lines left
    out), computed for `changed` files (`uses_recomputed`; all when None) and carried over
    from the manifest for the others. When a changed file's digest is as it was, it is still counted
    among the users of the same symbols: the pages that only count it stay as they are."""
    refs = index.graph.refs
    out = {}
    for path in index.facts:
        if changed is None or old is None or path in changed:
            targets = sorted(f"{target}\t{qualname}" for target, qualname in refs.used_targets(path))
            found = hashlib.blake2b("\n".join(targets).encode("utf-8"), digest_size=8).hexdigest()
        else:
            found = old.uses.get(path, "")
        if found:
            out[path] = found
    return out


def known_letters(
    renderer: Renderer,
    old: Manifest,
    new_sources: dict[str, str],
    old_units: dict[str, Unit | None] | None = None,
) -> dict[str, list[str]]:
    """folder -> letters of its split symbols page, from the manifest, for every folder
    without a changed, added or removed file below it (their layout cannot have changed).
    For the folders above a changed file, hands the renderer the rows of the letters no
    changed file touched (`subpages.KeptRows`): only the touched letters are laid out."""
    changed = {p for p in new_sources.keys() | old.sources.keys() if new_sources.get(p) != old.sources.get(p)}
    touched = {folder for path in changed for folder in pages.folders_of(path)}
    _keep_rows(renderer, old, changed)
    folders = pages.all_folders(new_sources)
    letters: dict[str, set[str]] = {folder: set() for folder in folders - touched}
    if old_units is None:
        old_units = units_of_pages(old)
    for unit in old_units.values():
        if unit is not None and kind_of(unit).scope is Scope.LETTER and unit.path in letters:
            letters[unit.path].add(unit.letter)
    return {folder: sorted(found, key=lambda c: (c == "_", c)) for folder, found in letters.items()}


def _keep_rows(renderer: Renderer, old: Manifest, changed: set[str]) -> None:
    new_letters = letter_digests(renderer.index, old, changed)
    by_folder: dict[str, set[str]] = defaultdict(set)
    for path in changed:
        was, now = old.letters.get(path, {}), new_letters.get(path, {})
        letters = {letter for letter in was.keys() | now.keys() if was.get(letter) != now.get(letter)}
        for folder in pages.folders_of(path):
            by_folder[folder].update(letters)
    cache = renderer.folder_cache
    cache.file_letters = new_letters
    cache.file_estimates = file_estimates(renderer.index, old, changed)
    for folder, letters in by_folder.items():
        rows = old.layouts.get(pages.folder_page(folder, "sub"))
        if rows:
            cache.kept_rows[folder] = subpages.KeptRows(dict(rows), letters)


def _unchanged_letter(
    unit: Unit,
    old: Manifest,
    old_pages: set[str],
    changed: set[str],
    new_letters: dict[str, dict[str, str]],
    output: Path,
    as_recorded: AsRecorded,
) -> bool:
    """A symbols letter unit whose pages would show what they show on disk: every changed
    file below its folder gives that letter the same rows as before."""
    if kind_of(unit).scope is not Scope.LETTER or not old_pages:
        return False
    letter = unit.letter
    prefix = f"{unit.path}/" if unit.path else ""
    for path in changed:
        if path.startswith(prefix) and (
            old.letters.get(path, {}).get(letter) != new_letters.get(path, {}).get(letter)
        ):
            return False
    return all(as_recorded(page, old.pages[page]) for page in old_pages)
