"""Keeping the index in step with editor buffers (didOpen / didChange / didSave / didClose).

An edit is applied after a short pause (debounce), off the event loop, in the update pool.
Each document has a generation counter bumped on every edit; a job re-checks it after
extracting and again under the index lock before applying, so an older edit still in flight
never overwrites a newer one, and a superseded job costs at most one extraction.
Requests that depend on the buffers call `settle()` first: pending edits are applied at once
rather than after their pause, so an answer never lags the text the user sees.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from repodoc_ls.extract import extract_file
from repodoc_ls.scan import is_excluded

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.05
WARM_DELAY_S = 0.5  # after the last edit, before jedi re-prepares the document


class DocSync:
    def __init__(self, ls):
        self.ls = ls
        self.open: dict[tuple[str, str], str] = {}  # (folder uri, relpath) -> document uri
        self.generation: dict[tuple[str, str], int] = defaultdict(int)
        # key -> (timer, arguments of _start), so `settle` can start the job at once
        self.timers: dict[tuple[str, str], tuple[asyncio.TimerHandle, tuple]] = {}
        self.running: dict[tuple[str, str], asyncio.Future] = {}
        self.warm_timers: dict[tuple[str, str], asyncio.TimerHandle] = {}

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
        # Unsaved edits are gone with the buffer: the file on disk is the truth again.
        if folder.index is not None:
            self.running[key] = self.ls.loop.run_in_executor(
                self.ls.update_pool, self._refresh, folder, rel, key)
            self.running[key].add_done_callback(lambda f, k=key: self._done(k, f))

    def _locate(self, uri: str):
        try:
            return self.ls.folders.locate(uri)
        except Exception as exc:  # a document outside the workspace is simply not indexed
            log.debug("not tracking %s: %s", uri, exc)
            return None

    def warm(self, folder, rel: str, delay: float) -> None:
        """Have jedi prepare the document (jedi_worker.py), so that a hover that needs jedi
        finds its imports parsed. After edits, once they pause: the newest text counts."""
        if not _is_python(rel):
            return
        key = (folder.uri, rel)
        pending = self.warm_timers.pop(key, None)
        if pending is not None:
            pending.cancel()

        def send():
            self.warm_timers.pop(key, None)
            text = self.ls.buffer_text(folder, rel)
            if text is not None:
                self.ls.jedi.warm(str(folder.root), str(folder.root / rel), text)

        self.warm_timers[key] = self.ls.loop.call_later(delay, send)

    # -- jobs -------------------------------------------------------------------

    def schedule(self, folder, rel: str, delay: float, only_if_changed: bool = False) -> None:
        key = (folder.uri, rel)
        self.generation[key] += 1
        pending = self.timers.pop(key, None)
        if pending is not None:
            pending[0].cancel()
            only_if_changed = False  # an edit was still waiting: apply whatever the buffer holds
        args = (folder, rel, key, only_if_changed)
        self.timers[key] = (self.ls.loop.call_later(delay, self._start, *args), args)

    def _start(self, folder, rel: str, key, only_if_changed: bool) -> None:
        self.timers.pop(key, None)
        text = self.ls.buffer_text(folder, rel)
        if text is None or folder.index is None:
            return
        generation = self.generation[key]
        future = self.ls.loop.run_in_executor(
            self.ls.update_pool, self._apply, folder, rel, key, generation, text, only_if_changed)
        self.running[key] = future
        future.add_done_callback(lambda f: self._done(key, f))

    def _done(self, key, future: asyncio.Future) -> None:
        if self.running.get(key) is future:
            del self.running[key]
        if not future.cancelled() and future.exception() is not None:
            self.ls.log_error(f"updating {key[1]} failed", future.exception())

    def _apply(self, folder, rel: str, key, generation: int, text: str, only_if_changed: bool) -> bool:
        """Runs in the update pool."""
        index = folder.index
        if index is None or generation != self.generation[key] or is_excluded(index.settings, rel):
            return False
        data = text.encode("utf-8")
        if only_if_changed and rel in index.facts:
            try:
                if (folder.root / rel).read_bytes() == data:
                    return False  # opened or saved as it is on disk: the index already has it
            except OSError:
                pass
        facts = extract_file(rel, data)
        with index.lock:
            if generation != self.generation[key] or folder.index is not index:
                return False  # a newer edit (or a rebuild) superseded this one
            # Index.update would extract again; we extracted outside the lock to keep
            # queries flowing, so only the apply step runs under it.
            index.apply(rel, data, facts)
        self.ls.forget_lines(folder, rel)
        return True

    def _refresh(self, folder, rel: str, key) -> None:
        index = folder.index
        if index is None:
            return
        with index.lock:
            if key in self.open:
                return  # reopened meanwhile: the buffer wins
            index.refresh([rel])
        self.ls.forget_lines(folder, rel)

    async def settle(self) -> None:
        """Apply every pending edit now and wait for the jobs in flight."""
        for timer, args in list(self.timers.values()):
            timer.cancel()
            self._start(*args)
        if self.running:
            await asyncio.gather(*list(self.running.values()), return_exceptions=True)

    async def reapply(self, folder) -> None:
        """After a (re)build: put the open buffers of `folder` back over the disk facts."""
        for (folder_uri, rel) in list(self.open):
            if folder_uri == folder.uri:
                self.schedule(folder, rel, 0, only_if_changed=True)
        await self.settle()

    def is_open(self, folder, rel: str) -> bool:
        return (folder.uri, rel) in self.open


def _is_python(rel: str) -> bool:
    return rel.endswith((".py", ".pyi"))
