"""Reading and extracting workspace files for the index, in worker processes for a cold build.

Every file is read through `safefs.read_regular`: one larger than `max-file-bytes` gets
metadata facts (`extract.unread_facts`) and a stored hash saying so, a FIFO swapped in after
the scan gets a note instead of blocking the build.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from repodoc_ls.extract import Reparser, extract_file, unread_facts
from repodoc_ls.index.store import StoredFile
from repodoc_ls.model import FileFacts, FileKind, Note, NoteKind
from repodoc_ls.safefs import FileTooLarge, NotRegularFile, read_regular
from repodoc_ls.scan import ScannedFile

log = logging.getLogger(__name__)

#: (done, total, message); called from the building thread.
Progress = Callable[[int, int, str], None]
#: (path, size, mtime_ns, hash, facts blob or None when the hash is known)
Extracted = tuple[str, int, int, str, bytes | None]
#: (path, the stored hash when there is a stored record)
Task = tuple[str, str | None]

_BATCH = 24  # files per worker task: large enough to amortise IPC, small enough to balance
_MIN_FILES_FOR_POOL = 48
_UNREAD = "unread:"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def unread_digest(size: int, limit: int) -> str:
    """The stored hash of a file too large to read: its facts depend on these alone."""
    return f"{_UNREAD}{size}:{limit}"


def unreadable_facts(path: str, exc: OSError) -> FileFacts:
    reason = "not a regular file" if isinstance(exc, NotRegularFile) else exc.strerror or exc
    return FileFacts(
        path=path,
        kind=FileKind.BINARY,
        size=0,
        notes=[Note(NoteKind.MALFORMED, 0, f"cannot read the file: {reason}")],
    )


def _extract_one(root: str, path: str, known_hash: str | None, limit: int) -> Extracted:
    full = os.path.join(root, path)
    try:
        # Stat before reading: a change during the read then shows as a new mtime next time.
        st = os.stat(full)
        data = read_regular(full, limit)
    except FileTooLarge as exc:
        digest = unread_digest(exc.size, limit)
        blob = None if digest == known_hash else unread_facts(path, exc.size, limit).to_bytes()
        return path, exc.size, st.st_mtime_ns, digest, blob
    except OSError as exc:
        return path, -1, -1, "", unreadable_facts(path, exc).to_bytes()
    digest = content_hash(data)
    if digest == known_hash:
        return path, st.st_size, st.st_mtime_ns, digest, None
    return path, st.st_size, st.st_mtime_ns, digest, extract_file(path, data).to_bytes()


def _extract_batch(root: str, tasks: list[Task], limit: int) -> list[Extracted]:
    with _no_cyclic_gc():
        return [_extract_one(root, path, known, limit) for path, known in tasks]


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic GC off for a burst of allocation that makes no garbage cycles worth a
    pass: parsing allocates an AST node at a time, and every few thousand the GC walks
    the young objects, and now and then everything alive (the tree parsed so far), to
    free nothing. On a 2 MB generated module, extraction took 3.4 s with the GC and
    2.1-2.5 s without; the few cycles the analysis leaves are freed once it is on again.
    Extraction runs so only in worker processes: in the server the GC is the query
    threads' too, and a thread's extraction may last long."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def still_current(stored: StoredFile, scanned: ScannedFile, limit: int) -> bool:
    """Whether a stored record stands for the file: same size and mtime, and read or not
    read as the size limit now says (the limit may have changed since)."""
    if stored.size != scanned.size or stored.mtime_ns != scanned.mtime_ns:
        return False
    if scanned.size > limit:
        return stored.hash == unread_digest(scanned.size, limit)
    return not stored.hash.startswith(_UNREAD)


def read_facts(full: str | os.PathLike[str], path: str, limit: int) -> tuple[bytes | None, FileFacts | None]:
    """(bytes, facts) of the workspace file `path` at `full`: (None, metadata facts) when it
    is larger than `limit`, (None, None) when it is no regular file (any more); raises
    OSError when it cannot be read."""
    try:
        data = read_regular(full, limit)
    except FileTooLarge as exc:
        return None, unread_facts(path, exc.size, limit)
    except NotRegularFile:
        return None, None
    return data, extract_file(path, data)


def run_extraction(
    root: str,
    tasks: Sequence[Task],
    workers: int,
    progress: Progress | None,
    already_done: int,
    total: int,
    limit: int,
) -> list[Extracted]:
    if not tasks:
        return []
    if progress:
        progress(already_done, total, "extracting")
    if workers <= 1 or len(tasks) < _MIN_FILES_FOR_POOL:
        in_process: list[Extracted] = []
        for i, task in enumerate(tasks, 1):
            in_process.append(_extract_one(root, *task, limit))
            if progress and i % _BATCH == 0:
                progress(already_done + i, total, "extracting")
        return in_process
    # Largest files first so that no worker is left with a big file at the end.
    sizes: dict[str, int] = {}
    for path, _ in tasks:
        try:
            sizes[path] = os.path.getsize(os.path.join(root, path))
        except OSError:
            sizes[path] = 0
    ordered = sorted(tasks, key=lambda t: -sizes[t[0]])
    batches = [ordered[i : i + _BATCH] for i in range(0, len(ordered), _BATCH)]
    results: list[Extracted] = []
    done_paths: set[str] = set()
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_extract_batch, root, batch, limit) for batch in batches]
            for future in as_completed(futures):
                batch_results = future.result()
                results.extend(batch_results)
                done_paths.update(r[0] for r in batch_results)
                if progress:
                    progress(already_done + len(results), total, "extracting")
    except (BrokenProcessPool, OSError) as exc:
        # Workers cannot start (e.g. the main module is not importable): finish in-process.
        log.warning("worker processes failed (%s); extracting in this process", exc)
        for path, known in ordered:
            if path not in done_paths:
                results.append(_extract_one(root, path, known, limit))
    results.sort()
    return results


#: In the extraction process: the buffers it extracted last, parsed again where they changed.
_REPARSER = Reparser()


def _extract_to_bytes(path: str, data: bytes) -> bytes:
    with _no_cyclic_gc():
        return extract_file(path, data, _REPARSER).to_bytes()


def _decoded(blob: bytes) -> FileFacts:
    """The facts of a record, decoded with the cyclic GC off: for a generated module's
    50,000 symbols its passes cost three times the decoding (measured 0.4 s against 0.1 s),
    all of it holding the GIL the server's query threads need."""
    with _no_cyclic_gc():
        return FileFacts.from_bytes(blob)


class ExtractionProcess:
    """Extraction of one buffer at a time in a worker process of its own: a generated
    module's extraction takes seconds of CPU, and in a thread it would hold the GIL that
    every query thread of the server needs. Started on first use; when the worker cannot
    run (it died, or cannot start), the buffer is extracted in the calling thread."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def extract(self, path: str, data: bytes) -> tuple[FileFacts, bytes]:
        """(facts, their marshal record) of `path` with content `data`."""
        try:
            blob = self._worker().submit(_extract_to_bytes, path, data).result()
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            log.warning("extraction process failed (%s); extracting in this process", exc)
            self.close()
            facts = extract_file(path, data)
            return facts, facts.to_bytes()
        return _decoded(blob), blob

    def _worker(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
