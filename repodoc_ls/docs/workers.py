"""Rendering many units at once: in forked worker processes that share this process's
index when there are many (and this process runs no other thread), else here.

`check` and `render_all` only render; `export.py` gives its own workers a chunk function
that also writes the pages they render.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import threading
from collections.abc import Callable, Iterator

from repodoc_ls.docs.manifest import ExportCancelled
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.units import Rendered, Unit
from repodoc_ls.index.indexer import Index

Progress = Callable[[int, int, str], None]

#: Fewer units than this render in this process: forking costs more than it saves.
MIN_UNITS_FOR_POOL = 400
#: Units a worker takes at a time.
CHUNK = 40

_pool_renderer: Renderer | None = None  # set in the parent just before the workers fork


def can_fork() -> bool:
    # Forking a process that runs other threads (the language server) can deadlock the
    # child on a lock held by a thread that does not exist there: only fork when alone.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def fork_pool(workers: int, index: Index) -> multiprocessing.pool.Pool:
    """A pool of forked workers sharing this process's memory. Everything alive now is
    frozen out of the cyclic GC first, and the workers run without it: a GC pass in a
    worker would walk (and so copy, page by page) the whole inherited index."""
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start, initargs=(index,))


def _worker_start(index: Index) -> None:
    gc.disable()
    index.drop_pending_store()  # the parent writes it meanwhile


def _render_chunk(units: list[Unit]) -> list[tuple[str, Rendered]]:
    assert _pool_renderer is not None
    return [item for unit in units for item in _pool_renderer.render_unit(unit).items()]


def iter_rendered(
    renderer: Renderer,
    units: list[Unit],
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[tuple[str, Rendered]]:
    """(page, rendered) for every page of `units`, in the order of `units`; in forked
    workers when there are many (they share the index)."""
    global _pool_renderer
    workers = min(renderer.settings.worker_count, os.cpu_count() or 1)
    if len(units) >= MIN_UNITS_FOR_POOL:
        renderer.prepare()
    if len(units) >= MIN_UNITS_FOR_POOL and workers > 1 and can_fork():
        chunks = [units[i : i + CHUNK] for i in range(0, len(units), CHUNK)]
        _pool_renderer = renderer
        try:
            with fork_pool(workers, renderer.index) as pool:
                done = 0
                for results in pool.imap(_render_chunk, chunks):
                    yield from results
                    done += 1
                    if cancel is not None and cancel():
                        pool.terminate()
                        raise ExportCancelled("export cancelled")
                    if progress is not None:
                        progress(min(done * CHUNK, len(units)), len(units), "rendering")
        finally:
            _pool_renderer = None
        return
    for n, unit in enumerate(units):
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")
        yield from renderer.render_unit(unit).items()
        if progress is not None:
            progress(n + 1, len(units), "rendering")


def render_units(
    renderer: Renderer,
    units: list[Unit],
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, Rendered]:
    return dict(iter_rendered(renderer, units, progress, cancel))


def render_all(renderer: Renderer, progress: Progress | None = None) -> dict[str, bytes]:
    """Every page of the doc set: page path -> its bytes."""
    return {
        page: result.text.encode("utf-8")
        for page, result in render_units(renderer, renderer.units(), progress).items()
    }
