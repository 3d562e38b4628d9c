"""Which pages an export must render: the planning half of `export.py`.

A page is re-rendered when a file it shows changed (its recorded deps), when a changed file
now relates to the file it documents (imports, uses, subclasses, same-named definitions,
and, for an import added or dropped, the module's other importers), for the folders above
those files, and when it is missing or not as recorded on disk. Symbols letter pages are
rendered only when a changed file's rows for that letter changed (per-file letter digests).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from repodoc_ls.docs import pages
from repodoc_ls.docs.manifest import Manifest, on_disk_as_recorded, unit_of_page
from repodoc_ls.docs.render import Renderer, Unit
from repodoc_ls.model import SymbolRef
from repodoc_ls.index.indexer import Index


def fingerprint(renderer: Renderer) -> str:
    return hashlib.blake2b("\n".join(renderer.fingerprint_parts()).encode("utf-8"),
                           digest_size=16).hexdigest()


def source_hashes(index: Index) -> dict[str, str]:
    return index.content_hashes()


def import_targets(index: Index) -> dict[str, tuple[str, ...]]:
    graph = index.graph
    out = {}
    for path in index.paths():
        targets = sorted({r.target for r in graph.imports_of(path) if r.target and r.target != path})
        if targets:
            out[path] = tuple(targets)
    return out


def related_files(renderer: Renderer, path: str, old_targets: tuple[str, ...] = ()) -> set[str]:
    """Files whose pages may mention `path` because of what `path` contains now: the modules
    it imports, the files defining what it uses or subclasses, files defining the same names,
    and, for a module it started or stopped importing, that module's other importers (their
    keyword pages count the importers)."""
    graph = renderer.graph
    facts = renderer.index.file(path)
    targets = {r.target for r in graph.imports_of(path) if r.target} if facts is not None else set()
    out = set(targets)
    for target in targets.symmetric_difference(old_targets):
        out.add(target)
        out.update(graph.imported_by(target))
    if facts is None:
        out.discard(path)
        return out
    for (target, _qualname), _lines in graph.refs.uses_of(path):
        out.add(target)
    for s in facts.symbols:
        for base in s.bases:
            ref = graph.resolve_base(path, s, base)
            if isinstance(ref, SymbolRef):
                out.add(ref.path)
    for paths in renderer.index.definers(s.qualname for s in facts.symbols if not s.local).values():
        out.update(paths)
    out.discard(path)
    return out


def units_to_render(renderer: Renderer, all_units: list[Unit], old: Manifest | None,
                     new_sources: dict[str, str], same_fingerprint: bool, output: Path) -> list[Unit]:
    if old is None or not same_fingerprint:
        return all_units
    changed = {p for p in new_sources.keys() | old.sources.keys()
               if new_sources.get(p) != old.sources.get(p)}
    wanted: set[Unit] = set()
    affected_files = set(changed)
    for path in changed:
        affected_files.update(related_files(renderer, path, old.imports.get(path, ())))
    for path in affected_files:
        if path in new_sources:
            wanted.add(Unit("docs", path))
            wanted.add(Unit("kw", path))
        for folder in pages.folders_of(path):
            # A file's kind or its folder's fan-in may follow from another file's change...
            wanted.add(Unit("index", folder))
            wanted.add(Unit("doc", folder))
    for path in changed:
        # ...but the symbols pages list the subtree's own symbols: only a changed file's
        # folders can change there (the letters it no longer has are found by their deps).
        facts = renderer.index.file(path)
        letters = {f"sub-{pages.letter_of(s.name)}" for s in facts.symbols} if facts else set()
        for folder in pages.folders_of(path):
            wanted.add(Unit("sub", folder))
            wanted.update(Unit(kind, folder) for kind in letters)
    for page, record in old.pages.items():
        if changed.intersection(record.deps) or not on_disk_as_recorded(output / page, record):
            wanted.add(unit_of_page(page))
    old_units = {unit_of_page(page) for page in old.pages}
    wanted.update(u for u in all_units if u not in old_units)
    existing = set(all_units)
    old_by_unit: dict[Unit, set[str]] = defaultdict(set)
    for page in old.pages:
        old_by_unit[unit_of_page(page)].add(page)
    new_letters = letter_digests(renderer.index, old, changed)
    return sorted(u for u in wanted if u in existing
                  and not _unchanged_letter(u, old, old_by_unit[u], changed, new_letters, output))


def letter_digests(index: Index, old: Manifest | None, changed: set[str] | None) -> dict[str, dict[str, str]]:
    """path -> subpages.file_letter_digests, computed for changed files (all when `changed`
    is None) and carried over from the manifest for the others."""
    from repodoc_ls.docs import subpages

    out = {}
    for path, facts in index.facts.items():
        if changed is None or old is None or path in changed:
            found = subpages.file_letter_digests(facts)
        else:
            found = old.letters.get(path, {})
        if found:
            out[path] = found
    return out


def unchanged_folder_letters(old: Manifest, new_sources: dict[str, str]) -> dict[str, list[str]]:
    """folder -> letters of its split symbols page, from the manifest, for every folder
    without a changed, added or removed file below it (their layout cannot have changed)."""
    changed = {p for p in new_sources.keys() | old.sources.keys()
               if new_sources.get(p) != old.sources.get(p)}
    touched = {folder for path in changed for folder in pages.folders_of(path)}
    folders = {folder for path in new_sources for folder in pages.folders_of(path)}
    letters: dict[str, set[str]] = {folder: set() for folder in folders - touched}
    for page in old.pages:
        unit = unit_of_page(page)
        if unit.kind.startswith("sub-") and unit.path in letters:
            letters[unit.path].add(unit.kind[len("sub-"):])
    return {folder: sorted(found, key=lambda c: (c == "_", c)) for folder, found in letters.items()}


def _unchanged_letter(unit: Unit, old: Manifest, old_pages: set[str], changed: set[str],
                      new_letters: dict[str, dict[str, str]], output: Path) -> bool:
    """A symbols letter unit whose pages would show what they show on disk: every changed
    file below its folder gives that letter the same rows as before."""
    if not unit.kind.startswith("sub-") or not old_pages:
        return False
    letter = unit.kind[len("sub-"):]
    prefix = f"{unit.path}/" if unit.path else ""
    for path in changed:
        if path.startswith(prefix) and (old.letters.get(path, {}).get(letter)
                                        != new_letters.get(path, {}).get(letter)):
            return False
    return all(on_disk_as_recorded(output / page, old.pages[page]) for page in old_pages)
