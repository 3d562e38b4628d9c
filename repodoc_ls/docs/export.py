"""Write the doc set to disk, incrementally and safely; compare it with what is on disk.

The manifest (`.repodoc-manifest.json` in the output folder) records what an export wrote:
every page with its hash, size, mtime and the workspace files it depends on, the hash of
every source file, and a fingerprint of everything else pages depend on (version, templates,
settings). With it, an export renders only pages whose inputs changed, writes only pages
whose bytes changed, and removes only pages it wrote itself.

Crash safety: every file is written to a temporary name and renamed. Before the first page
is written, a manifest claiming the pages about to be written is saved, so an export killed
half way leaves whole pages that a re-run recognises as its own and completes.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing.pool
import os
import posixpath
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from repodoc_ls.docs.check import CheckResult, check
from repodoc_ls.docs.incremental import (
    file_estimates,
    file_kinds,
    fingerprint,
    import_targets,
    known_letters,
    letter_digests,
    pages_on_disk_as_recorded,
    source_hashes,
    units_of_pages,
    units_to_render,
    uses_digests,
    uses_recomputed,
)
from repodoc_ls.docs.kinds import Scope, kind_of, unit_of_page
from repodoc_ls.docs.linkrecord import record_line, save_records
from repodoc_ls.docs.manifest import ExportCancelled, ExportError, Manifest, PageRecord
from repodoc_ls.docs.outfolder import OutputFolders, check_output_folder, export_lock
from repodoc_ls.docs.pagefiles import TEMP_SUFFIX, atomic_write, on_disk_as_recorded, page_hash
from repodoc_ls.docs.quicklinks import quick_parse
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.units import Rendered, Unit
from repodoc_ls.docs.workers import (
    CHUNK,
    MIN_UNITS_FOR_POOL,
    can_fork,
    fork_pool,
    iter_rendered,
    render_all,
    render_units,
)
from repodoc_ls.index.indexer import Index
from repodoc_ls.safefs import read_regular
from repodoc_ls.scan import MANIFEST_NAME

__all__ = [
    "CheckResult",
    "ExportCancelled",
    "ExportError",
    "ExportResult",
    "check",
    "export",
    "render_all",
    "render_units",
    "iter_rendered",
    "unit_of_page",
]

Progress = Callable[[int, int, str], None]

#: (size, mtime_ns) of a page as written.
_Written = tuple[int, int]
#: What a rendering worker reports per page: (page, digest, rendered without its text, the
#: page as written or None when its bytes were on disk already, its line of link records).
_Stored = tuple[str, str, Rendered, "_Written | None", bytes]


@dataclass(frozen=True)
class ExportResult:
    output_dir: Path
    written: int
    unchanged: int
    removed: int
    seconds: float
    rendered: int = 0  # pages rendered (written + unchanged among those re-rendered)
    written_pages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # one line each: manifest entries ignored, pages kept


# ------------------------------------------------------------------ rendering

_MIN_UNITS_FOR_POOL = MIN_UNITS_FOR_POOL
_pool_renderer: Renderer | None = None  # set in the parent just before the workers fork
_pool_store: tuple[Path, dict[str, PageRecord]] | None = None  # export's (output, old pages)


def _store_page(
    output: Path, old_pages: dict[str, PageRecord], page: str, text: str
) -> tuple[str, _Written | None]:
    """Write one rendered page unless the same bytes are on disk: (digest, its size and
    mtime as written, or None when not written). The stat is the writer's, so that the
    parent does not stat every page one by one after the workers are done."""
    data = text.encode("utf-8")
    digest = page_hash(data)
    record = old_pages.get(page)
    if record is not None and record.hash == digest and on_disk_as_recorded(output / page, record):
        return digest, None
    if record is not None and record.hash is None and _same_bytes(output / page, data):
        return digest, None
    target = output / page
    atomic_write(target, data)
    st = os.stat(target)
    return digest, (st.st_size, st.st_mtime_ns)


def _render_and_store_chunk(units: list[Unit]) -> list[_Stored]:
    assert _pool_renderer is not None and _pool_store is not None
    output, old_pages = _pool_store
    out: list[_Stored] = []
    for unit in units:
        for page, result in _pool_renderer.render_unit(unit).items():
            digest, wrote = _store_page(output, old_pages, page, result.text)
            line = record_line(page, digest, quick_parse(result.text))
            out.append(
                (
                    page,
                    digest,
                    Rendered("", result.deps, result.counted, result.names, result.layout),
                    wrote,
                    line,
                )
            )
    return out


def _render_and_store(
    renderer: Renderer,
    units: list[Unit],
    output: Path,
    old_pages: dict[str, PageRecord],
    progress: Progress | None,
    cancel: Callable[[], bool] | None,
    meanwhile: Callable[[], None] = lambda: None,
) -> Iterator[_Stored]:
    """Render `units` and write each page whose bytes changed: in forked workers that write
    what they render when there are many units, else here with a few writing threads.
    Calls `meanwhile` once the work has started (the workers' time is this process's idle
    time). Yields (page, digest, rendered without its text, written)."""
    global _pool_renderer, _pool_store
    workers = min(renderer.settings.worker_count, os.cpu_count() or 1)
    pooled = len(units) >= _MIN_UNITS_FOR_POOL and workers > 1 and can_fork()
    if len(units) >= _MIN_UNITS_FOR_POOL and not pooled:
        renderer.prepare()
    if not pooled:
        # (forked workers leave it to `atomic_write`, which makes a missing folder: one
        # process making thousands of folders here would hold up every worker)
        for folder in sorted({posixpath.dirname(page) for unit in units for page in renderer.pages_of(unit)}):
            (output / folder).mkdir(parents=True, exist_ok=True)
    if pooled:
        # Folder pages need none of the indexes `prepare` builds: a worker forked first
        # renders them while this process builds those indexes for the file pages' workers.
        file_units = [u for u in units if kind_of(u).scope is Scope.FILE]
        folder_units = [u for u in units if kind_of(u).scope is not Scope.FILE]
        _pool_renderer, _pool_store = renderer, (output, old_pages)
        try:
            with contextlib.ExitStack() as pools:
                streams = []
                if folder_units:
                    alone = workers if not file_units else 1
                    streams.append(
                        _imap_chunks(
                            pools.enter_context(fork_pool(alone, renderer.index)), folder_units, alone
                        )
                    )
                renderer.prepare()
                if file_units:
                    streams.append(
                        _imap_chunks(
                            pools.enter_context(fork_pool(workers, renderer.index)), file_units, workers
                        )
                    )
                meanwhile()
                done = 0
                for stream in streams:
                    for count, results in stream:
                        yield from results
                        if cancel is not None and cancel():
                            raise ExportCancelled("export cancelled")  # the pools terminate on exit
                        done += count
                        if progress is not None:
                            progress(done, len(units), "rendering and writing")
        finally:
            _pool_renderer = _pool_store = None
        return
    meanwhile()
    with ThreadPoolExecutor(max_workers=4) as writers:
        pending = []
        for page, result in iter_rendered(renderer, units, progress, cancel):
            future = writers.submit(_store_page, output, old_pages, page, result.text)
            pending.append((page, result, future, quick_parse(result.text)))
        for n, (page, result, future, parsed) in enumerate(pending):
            if cancel is not None and cancel():
                for _, _, f, _ in pending:
                    f.cancel()
                raise ExportCancelled("export cancelled")
            digest, wrote = future.result()
            yield (
                page,
                digest,
                Rendered("", result.deps, result.counted, result.names, result.layout),
                wrote,
                record_line(page, digest, parsed),
            )
            if progress is not None and (n % 50 == 49 or n + 1 == len(pending)):
                progress(n + 1, len(pending), "writing")


def _imap_chunks(
    pool: multiprocessing.pool.Pool, units: list[Unit], workers: int
) -> Iterator[tuple[int, list[_Stored]]]:
    """(units in the chunk, its results) for each chunk of `units`, rendered and written in `pool`."""
    chunks = _spread([units[i : i + CHUNK] for i in range(0, len(units), CHUNK)], workers)
    return zip((len(c) for c in chunks), pool.imap(_render_and_store_chunk, chunks))


def _spread(chunks: list[list[Unit]], workers: int) -> list[list[Unit]]:
    """Reorder `chunks` (in folder order) so that workers taking them in turn work in
    different parts of the tree: creating files in one folder takes that folder's lock, and
    a worker waiting for it spins on a CPU the rendering needs."""
    size = -(-len(chunks) // workers)
    segments = [chunks[i : i + size] for i in range(0, len(chunks), size)]
    return [seg[i] for i in range(size) for seg in segments if i < len(seg)]


# ------------------------------------------------------------------ export


def export(
    index: Index,
    output_dir: Path | str | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    notify: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write the doc set. `notify` gets a message when the export waits for another export
    of the same folder (by default it goes to `progress`)."""
    renderer = Renderer(index, output_dir)
    check_output_folder(renderer.root, output_dir if output_dir is not None else renderer.output)
    renderer.output.mkdir(parents=True, exist_ok=True)  # for its lock file
    if notify is None:
        notify = (lambda message: progress(0, 0, message)) if progress is not None else (lambda message: None)
    # Rendering allocates millions of short-lived objects beside a large index: the cyclic
    # GC's passes over all of it cost more than they free (pages hold no cycles).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with export_lock(renderer.output, notify, cancel):
            return _export(index, renderer, force, progress, cancel)
    finally:
        index.flush_store()  # normally done while the workers render (meanwhile, below)
        if gc_was_enabled:
            gc.enable()


def _export(
    index: Index,
    renderer: Renderer,
    force: bool,
    progress: Progress | None,
    cancel: Callable[[], bool] | None,
) -> ExportResult:
    start = time.perf_counter()
    output = renderer.output
    folders = OutputFolders(output)
    warnings: list[str] = []
    old = folders.load_manifest(force, warnings)
    new_sources = source_hashes(index)
    fp = fingerprint(renderer)
    if (
        old is not None
        and not warnings
        and old.fingerprint == fp
        and old.sources == new_sources
        and all(map(pages_on_disk_as_recorded(output), old.pages.keys(), old.pages.values()))
    ):
        # Nothing changed, on either side: the doc set on disk is what a render would give.
        return ExportResult(output, 0, len(old.pages), 0, time.perf_counter() - start)
    same_fingerprint = old is not None and old.fingerprint == fp
    old_units = units_of_pages(old) if old is not None else {}
    all_units = renderer.units(
        known_letters(renderer, old, new_sources, old_units) if old is not None and same_fingerprint else None
    )
    units = units_to_render(
        renderer, all_units, old, new_sources, same_fingerprint, output, old_units=old_units
    )
    old_pages = old.pages if old is not None else {}

    # Every page about to be rendered is known before rendering: refuse, before writing
    # anything, to overwrite a file this tool did not write.
    planned = {page for unit in units for page in renderer.pages_of(unit)}
    folders.require({posixpath.dirname(page) for page in planned})
    conflicts = sorted(page for page in planned if page not in old_pages and os.path.lexists(output / page))
    if os.path.lexists(output / MANIFEST_NAME) and old is None:
        conflicts.insert(0, MANIFEST_NAME)
    if conflicts and not force:
        shown = "\n  ".join(conflicts[:20]) + (
            f"\n  ... and {len(conflicts) - 20} more" if len(conflicts) > 20 else ""
        )
        raise ExportError(
            f"{len(conflicts)} file(s) in {output} were not written by repodoc and would be "
            f"overwritten (use --force to overwrite them):\n  {shown}"
        )
    if planned - old_pages.keys():
        # Claim the new pages first, so a kill half way leaves nothing a re-run would refuse.
        claim = Manifest(
            old.fingerprint if old else "",
            old.sources if old else {},
            dict(old_pages),
            old.imports if old else {},
            old.letters if old else {},
            old.uses if old else {},
            old.links_base if old else 0,
            old.entries if old else {},
            old.layouts if old else {},
            old.estimates if old else {},
            old.kinds if old else {},
            old.kind_reads if old else {},
        )
        claim.table = old.table if old else None
        claim.dropped = []  # (every record of the old manifest, and new ones)
        for page in planned - old_pages.keys():
            claim.pages[page] = PageRecord(None)
        claim.save(output)

    # Pages are written as they are rendered, by the workers that render them when there
    # are workers: the file system's time overlaps the rendering.
    records: dict[str, tuple[str, Rendered]] = {}
    link_lines: dict[str, bytes] = {}
    written: dict[str, _Written] = {}
    changed = (
        {p for p in new_sources.keys() | old.sources.keys() if new_sources.get(p) != old.sources.get(p)}
        if old is not None and same_fingerprint
        else None
    )
    derived: _Derived = {}

    def meanwhile() -> None:
        index.flush_store()  # a build for this export left its store writes to now
        derived["imports"] = import_targets(index)
        derived["letters"] = letter_digests(index, old, changed)
        known = renderer.folder_cache.file_estimates  # (made while the units were listed)
        derived["estimates"] = known if known is not None else file_estimates(index, old, changed)
        derived["uses"] = uses_digests(
            index, old, uses_recomputed(index, changed) if changed is not None else None
        )
        cache = renderer.folder_cache
        if cache.kind_reads is not None:  # (planned: `incremental.plan_kinds`)
            derived["kinds"] = (dict(cache.kinds), cache.kind_reads)
        else:  # every file's, as the folder pages' worker computes them too
            derived["kinds"] = file_kinds(index, None, None)
        index.save_references()  # the next export after an edit starts from these

    for page, digest, result, wrote, line in _render_and_store(
        renderer, units, output, old_pages, progress, cancel, meanwhile
    ):
        records[page] = (digest, result)
        link_lines[page] = line
        if wrote is not None:
            written[page] = wrote

    rendered_units = set(units)
    existing_units = set(all_units)
    keep = {
        page: rec
        for page, rec in old_pages.items()
        if rec.hash is not None
        and old_units[page] not in rendered_units
        and old_units[page] in existing_units
    }
    stale = sorted(page for page in old_pages if page not in records and page not in keep)
    if not derived:  # nothing was rendered
        meanwhile()
    manifest = Manifest(fp, new_sources, dict(keep), derived["imports"], derived["letters"], derived["uses"])
    manifest.estimates = derived["estimates"]
    manifest.table = old.table if old is not None and same_fingerprint else None  # (`keep`'s numbering)
    manifest.dropped = [record for page, record in old_pages.items() if page not in keep]
    manifest.kinds, manifest.kind_reads = derived["kinds"]
    entries = manifest.entries = dict(old.entries) if old is not None and same_fingerprint else {}
    layouts = manifest.layouts = dict(old.layouts) if old is not None and same_fingerprint else {}
    for page, (digest, result) in records.items():
        deps = tuple(sorted(result.deps))
        counted = tuple(sorted(result.counted))
        names = tuple((path, name) for path, name, _ in result.names)
        entries.update(((path, name), found) for path, name, found in result.names)
        if result.layout:
            layouts[page] = result.layout
        else:
            layouts.pop(page, None)
        rec = old_pages.get(page)
        if page in written:
            manifest.pages[page] = PageRecord(digest, *written[page], deps, counted, names)
        elif rec is None or rec.hash is None:
            st = (output / page).stat()
            manifest.pages[page] = PageRecord(digest, st.st_size, st.st_mtime_ns, deps, counted, names)
        else:
            manifest.pages[page] = PageRecord(rec.hash, rec.size, rec.mtime_ns, deps, counted, names)
    if any(rec.hash is None for rec in old_pages.values()):
        _remove_leftover_temp_files(output)  # an earlier export was killed mid-write
    removed = folders.remove_pages({page: old_pages[page] for page in stale}, warnings)
    manifest.links_base = save_records(output, link_lines, keep, old.links_base if old is not None else 0)
    manifest.save(output)
    return ExportResult(
        output,
        len(written),
        len(manifest.pages) - len(written),
        removed,
        time.perf_counter() - start,
        len(records),
        tuple(sorted(written)),
        tuple(warnings),
    )


class _Derived(TypedDict, total=False):
    """What an export computes from the index while its workers render (`meanwhile`)."""

    imports: dict[str, tuple[str, ...]]
    letters: dict[str, dict[str, str]]
    uses: dict[str, str]
    estimates: dict[str, tuple[int, int]]
    kinds: tuple[dict[str, str], dict[str, tuple[str, ...]]]


def _remove_leftover_temp_files(output: Path) -> None:
    for dirpath, _dirs, filenames in os.walk(output):
        for name in filenames:
            if name.endswith(TEMP_SUFFIX):
                try:
                    os.unlink(os.path.join(dirpath, name))
                except OSError:
                    pass


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        return not os.path.islink(target) and read_regular(target, len(data)) == data
    except OSError:
        return False
