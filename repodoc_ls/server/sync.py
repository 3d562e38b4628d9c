"""Keeping the index in step with editor buffers (didOpen / didChange / didSave / didClose).

An edit is applied after a short pause (debounce), off the event loop, in the update pool.
Each document has a generation counter bumped on every edit; a job re-checks it after
extracting and again under the index lock before applying, so an older edit still in flight
never overwrites a newer one, and a superseded job costs at most one extraction.
Requests that depend on the buffers call `settle()` first: pending edits are applied at once
rather than after their pause, so an answer never lags the text the user sees.
A buffer over LARGE_BUFFER_BYTES is extracted in a worker process (`ExtractionProcess`),
and what the next queries would compute from its facts is prepared before the lock is
taken (`Graph.prepare`): a generated module's edit then costs the server's threads the
decoding of its facts record, not its extraction. A hover does not wait for such an edit
(it answers from the facts it has and says so, see `settle`), only until its job has handed
the text to the extraction process or ended: before that, whether the edit changes anything
is not known yet. Its store write (50,000 rows for a generated module: about half a parse of
it, holding the GIL the query threads need) waits until the document's edits pause for
STORE_IDLE_S; a newer edit's row replaces the waiting one, and `write_stores` writes what
waits before the process ends or anything reads the store (an export, a rebuild).
Closing a document re-reads the file only if its buffer's facts were ever applied (and
extracts outside the lock): re-extracting every closed file under the lock held up the
next request by the extraction's time (10-30 ms on large files).
During a folder's first build, buffers go into a provisional index of the open documents
(Folder.provisional). Open Python documents are also handed to the jedi worker to prepare
(`warm`), at once on open and after a pause in the edits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from repodoc_ls.extract import extract_file, unread_facts
from repodoc_ls.index.extraction import read_facts
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileFacts
from repodoc_ls.safefs import read_regular
from repodoc_ls.scan import is_excluded
from repodoc_ls.server.folders import Folder

if TYPE_CHECKING:
    from repodoc_ls.server.buffers import Text
    from repodoc_ls.server.server import RepodocServer

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.05
WARM_DELAY_S = 0.5  # after the last edit, before jedi re-prepares the document
#: A buffer this large takes long enough to extract (a generated module: seconds) that a
#: hover does not wait for it: it answers from the facts it has (see `settle`).
LARGE_BUFFER_BYTES = 256 * 1024
#: A large buffer's facts are written to the store once its edits pause this long.
STORE_IDLE_S = 1.0


Key = tuple[str, str]  # (folder uri, relative path) of an open document


class DocSync:
    def __init__(self, ls: RepodocServer):
        self.ls = ls
        self.open: dict[Key, str] = {}  # (folder uri, relpath) -> document uri
        self.generation: dict[Key, int] = defaultdict(int)
        # key -> (timer, arguments of _start), so `settle` can start the job at once
        self.timers: dict[Key, tuple[asyncio.TimerHandle, tuple[Folder, str, Key, bool]]] = {}
        self.running: dict[Key, asyncio.Future[Any]] = {}
        self.refreshing: dict[Key, asyncio.Future[Any]] = {}  # closed documents read from the disk again
        self.large: set[Key] = set()  # documents whose running job reads a large buffer
        # key -> set once the running job of a large buffer handed it to the extraction process
        self.handed: dict[Key, asyncio.Future[None]] = {}
        self.store_timers: dict[Key, tuple[asyncio.TimerHandle, tuple[Index, str, Key]]] = {}
        self.closing = False  # shutting down: nothing is deferred any more
        self.warm_timers: dict[Key, asyncio.TimerHandle] = {}
        self.applied: set[Key] = set()  # open documents whose buffer facts are indexed

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self.ls.loop
        assert loop is not None, "documents before initialize"
        return loop

    # -- notifications ---------------------------------------------------------

    def opened(self, uri: str) -> None:
        located = self._locate(uri)
        if located is not None:
            folder, rel = located
            self.open[(folder.uri, rel)] = uri
            self.schedule(folder, rel, 0, only_if_changed=True)
            self.warm(folder, rel, 0)

    def changed(self, uri: str) -> None:
        located = self._locate(uri)
        if located is not None:
            self.schedule(*located, DEBOUNCE_S)
            self.warm(*located, WARM_DELAY_S)
            waiting = self.store_timers.get((located[0].uri, located[1]))
            if waiting is not None:
                self._store_later(*waiting[1])  # the edits go on: the pause starts again

    def saved(self, uri: str) -> None:
        located = self._locate(uri)
        if located is not None:
            self.schedule(*located, 0, only_if_changed=True)

    def closed(self, uri: str) -> None:
        located = self._locate(uri)
        if located is None:
            return
        folder, rel = located
        key = (folder.uri, rel)
        self.open.pop(key, None)
        self.generation[key] += 1  # any job in flight for the buffer is now stale
        pending = self.timers.pop(key, None)
        if pending is not None:
            pending[0].cancel()
        warm = self.warm_timers.pop(key, None)
        if warm is not None:
            warm.cancel()
        if _is_python(rel):
            self.ls.jedi.forget(str(folder.root / rel))
        if folder.index is None and folder.provisional is not None:
            folder.provisional.remove(rel)  # answers for open documents only
        store = self.store_timers.pop(key, None)
        if store is not None:
            store[0].cancel()
        # Unsaved edits are gone with the buffer: the file on disk is the truth again. A
        # buffer that never differed from the disk left the index as it was: nothing to do.
        if folder.index is not None and key in self.applied:
            self.applied.discard(key)
            job = self.loop.run_in_executor(self.ls.update_pool, self._refresh, folder, rel, key)
            self.refreshing[key] = job
            job.add_done_callback(partial(self._done, key, table=self.refreshing))
        elif store is not None:
            self.loop.run_in_executor(self.ls.update_pool, store[1][0].write_applied, [rel])

    def _locate(self, uri: str) -> tuple[Folder, str] | None:
        try:
            return self.ls.folders.locate(uri)
        except Exception as exc:  # a document outside the workspace is simply not indexed
            log.debug("not tracking %s: %s", uri, exc)
            return None

    def warm(self, folder: Folder, rel: str, delay: float) -> None:
        """Have jedi prepare the document (jedi_worker.py), so that a hover that needs jedi
        finds its imports parsed. After edits, once they pause: the newest text counts."""
        if not _is_python(rel):
            return
        key = (folder.uri, rel)
        pending = self.warm_timers.pop(key, None)
        if pending is not None:
            pending.cancel()

        def send() -> None:
            self.warm_timers.pop(key, None)
            text = self.ls.buffer_text(folder, rel)
            if text is not None:
                self.ls.jedi.warm(str(folder.root), str(folder.root / rel), text)

        self.warm_timers[key] = self.loop.call_later(delay, send)

    # -- jobs -------------------------------------------------------------------

    def schedule(self, folder: Folder, rel: str, delay: float, only_if_changed: bool = False) -> None:
        key = (folder.uri, rel)
        self.generation[key] += 1
        pending = self.timers.pop(key, None)
        if pending is not None:
            pending[0].cancel()
            only_if_changed = False  # an edit was still waiting: apply whatever the buffer holds
        args = (folder, rel, key, only_if_changed)
        self.timers[key] = (self.loop.call_later(delay, self._start, *args), args)

    def _start(self, folder: Folder, rel: str, key: Key, only_if_changed: bool) -> None:
        self.timers.pop(key, None)
        buffer = self.ls.buffer(folder, rel)
        if buffer is None:
            return
        index = folder.index
        if index is None and folder.building is not None:  # the first build: see Folder.provisional
            if folder.provisional is None:
                folder.provisional = Index.in_memory(folder.settings)
            index = folder.provisional
        if index is None:
            return
        generation = self.generation[key]
        handed = self.loop.create_future()
        if buffer.length > LARGE_BUFFER_BYTES:  # (characters: the bytes are at least as many)
            self.large.add(key)
            self.handed[key] = handed
        else:
            self.large.discard(key)
            self.handed.pop(key, None)
        future = self.loop.run_in_executor(
            self.ls.update_pool,
            self._apply,
            folder,
            index,
            rel,
            key,
            generation,
            buffer,
            only_if_changed,
            handed,
        )
        self.running[key] = future
        future.add_done_callback(partial(self._done, key))

    def _done(self, key: Key, future: asyncio.Future[Any], table: dict[Key, Any] | None = None) -> None:
        table = self.running if table is None else table
        if table.get(key) is future:
            del table[key]
        if not future.cancelled() and future.exception() is not None:
            self.ls.log_error(f"updating {key[1]} failed", future.exception())

    def _on_loop(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Run `fn(*args)` on the event loop from an update thread; False once the loop is closed."""
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            return False
        return True

    def _apply(
        self,
        folder: Folder,
        index: Index,
        rel: str,
        key: Key,
        generation: int,
        buffer: Text,
        only_if_changed: bool,
        handed: asyncio.Future[None],
    ) -> bool:
        """Runs in the update pool."""
        if generation != self.generation[key] or is_excluded(index.settings, rel):
            return False
        data = buffer.text.encode("utf-8")
        limit = index.settings.max_file_bytes
        if only_if_changed and rel in index.facts:
            try:
                if read_regular(folder.root / rel, limit) == data:
                    return False  # opened or saved as it is on disk: the index already has it
            except OSError:
                pass
        if len(data) > LARGE_BUFFER_BYTES:
            self._on_loop(_settle_future, handed)  # hovers go on from the facts they have
        # A buffer over the limit is documented as the file on disk would be: by its size.
        facts, record = (
            self.extract(rel, data) if len(data) <= limit else (unread_facts(rel, len(data), limit), None)
        )
        index.graph.prepare(rel, facts)  # outside the lock, what the next hover would do under it
        with index.lock:
            if generation != self.generation[key] or (folder.index or folder.provisional) is not index:
                return False  # a newer edit (or a rebuild) superseded this one
            # Index.update would extract again; we extracted outside the lock to keep
            # queries flowing, so only the apply step runs under it.
            index.apply(rel, data, facts, defer_store_write=True, record=record)
            if index is folder.index:
                self.applied.add(key)  # the index now holds the buffer, not the disk
        # Outside the lock: queries go on meanwhile. A large buffer's rows wait for a pause.
        if (
            len(data) <= LARGE_BUFFER_BYTES
            or self.closing
            or not self._on_loop(self._store_later, index, rel, key)
        ):
            index.write_applied([rel])
        if index is folder.index:
            self.ls.rewarm(index)
        self.ls.forget_lines(folder, rel)
        return True

    def extract(self, rel: str, data: bytes) -> tuple[FileFacts, bytes | None]:
        """(facts, their record if made). A large buffer goes to the extraction process:
        its seconds of CPU in this process would hold the GIL every query thread needs."""
        if len(data) > LARGE_BUFFER_BYTES:
            return self.ls.extraction.extract(rel, data)
        return extract_file(rel, data), None

    def _refresh(self, folder: Folder, rel: str, key: Key) -> None:
        """Runs in the update pool: the file's facts from the disk again (what
        Index.refresh does, but extracting outside the lock, as `_apply` does)."""
        index = folder.index
        if index is None:
            return
        index.write_applied([rel])  # the buffer's row, if it waited: the disk's comes after it
        path = folder.root / rel
        try:
            data, facts = (
                read_facts(path, rel, index.settings.max_file_bytes)
                if path.is_file() and not is_excluded(index.settings, rel)
                else (None, None)
            )
        except OSError:
            data, facts = None, None
        with index.lock:
            if key in self.open or folder.index is not index:
                return  # reopened meanwhile (the buffer wins), or rebuilt from the disk
            old = index.file(rel)
            if facts is None:
                index.remove(rel)
            elif old is None or facts.to_bytes() != old.to_bytes():
                index.apply(rel, data, facts)
        self.ls.rewarm(index)
        self.ls.forget_lines(folder, rel)

    async def settle(self, patience: float | None = None) -> set[Key]:
        """Apply every pending edit now and wait for the jobs in flight. With `patience`,
        a job reading a large buffer is awaited that long at most: the documents whose
        edits are still being read are returned (their facts are from an earlier text)."""
        for timer, args in list(self.timers.values()):
            timer.cancel()
            self._start(*args)
        if not self.running and not self.refreshing:
            return set()
        if patience is None:
            await asyncio.gather(*self.running.values(), *self.refreshing.values(), return_exceptions=True)
            return set()
        slow = {key: job for key, job in self.running.items() if key in self.large}
        quick = [job for key, job in self.running.items() if key not in slow]
        quick += self.refreshing.values()
        if quick:
            await asyncio.gather(*quick, return_exceptions=True)
        for key, job in slow.items():
            # Until the job hands the text over, it may still end at once (no change from
            # the disk, a newer edit): an answer before that would call the facts stale.
            handed = self.handed.get(key)
            if handed is not None:
                await asyncio.wait([job, handed], return_when=asyncio.FIRST_COMPLETED)
        if patience > 0 and slow:
            await asyncio.wait(list(slow.values()), timeout=patience)
        return {key for key, job in slow.items() if not job.done()}

    # -- the store writes of large buffers ---------------------------------------

    def _store_later(self, index: Index, rel: str, key: Key) -> None:
        """(Re)start the wait for a pause in the document's edits before its row is written."""
        pending = self.store_timers.pop(key, None)
        if pending is not None:
            pending[0].cancel()
        if self.closing:  # applied just before the shutdown: nothing waits any more
            index.write_applied([rel])
            return
        args = (index, rel, key)
        self.store_timers[key] = (self.loop.call_later(STORE_IDLE_S, self._store_now, *args), args)

    def _store_now(self, index: Index, rel: str, key: Key) -> None:
        if key in self.timers or key in self.running:
            self._store_later(index, rel, key)  # a newer edit is on its way: its row will count
            return
        self.store_timers.pop(key, None)
        self.loop.run_in_executor(self.ls.update_pool, index.write_applied, [rel])

    async def write_stores(self, folder: Folder | None = None) -> None:
        """Write every row still waiting for a pause (of `folder`'s documents, or all):
        before the process ends, or anything reads the store."""
        indexes = [f.index for f in self.ls.folders if folder in (None, f) and f.index is not None]
        for key, (timer, (index, _, _)) in list(self.store_timers.items()):
            if folder is None or key[0] == folder.uri:
                timer.cancel()
                del self.store_timers[key]
                indexes.append(index)
        for index in dict.fromkeys(indexes):
            await self.loop.run_in_executor(self.ls.update_pool, index.write_applied)

    async def reapply(self, folder: Folder) -> None:
        """After a (re)build: put the open buffers of `folder` back over the disk facts."""
        for folder_uri, rel in list(self.open):
            if folder_uri == folder.uri:
                self.schedule(folder, rel, 0, only_if_changed=True)
        await self.settle()

    def is_open(self, folder: Folder, rel: str) -> bool:
        return (folder.uri, rel) in self.open


def _is_python(rel: str) -> bool:
    return rel.endswith((".py", ".pyi"))


def _settle_future(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
