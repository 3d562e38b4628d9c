"""jedi answers that come after their hover stopped waiting, kept for the next hover there.

A hover waits for jedi only within its budget. Past it, the request is not cancelled: it
runs on in the worker, and its answer is kept under (document, text digest, request,
position), so a second hover at the same place in the same text shows it at once (an
editor re-asks when the pointer rests or moves back). An edit changes the digest: requests
for the old text are cancelled (the worker drops those not started) and their kept answers
dropped; closing the document drops them all. Both lists are bounded: at most
`MAX_RUNNING` requests run on in the background (the oldest is cancelled for a newer one:
the pointer has moved on), at most `MAX_KEPT` answers are kept (least recently asked out).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

MAX_RUNNING = 4
MAX_KEPT = 256

#: (document path, digest of its text, what is asked (op, position))
Key = tuple[str, bytes, Hashable]


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class LateAnswers:
    def __init__(self) -> None:
        self.kept: OrderedDict[Key, Any] = OrderedDict()
        self.running: OrderedDict[Key, asyncio.Task[Any]] = OrderedDict()

    async def ask(
        self, path: str, text: str, what: Hashable, start: Callable[[], Awaitable[Any]], budget: float
    ) -> tuple[bool, Any]:
        """(True, answer) when the answer came within `budget` seconds or was kept from an
        earlier ask; (False, None) while the request runs on. `start` makes the request
        (without a budget of its own)."""
        key: Key = (path, digest(text), what)
        if key in self.kept:
            self.kept.move_to_end(key)
            return True, self.kept[key]
        self._drop_other_texts(key)
        task = self.running.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(_awaited(start))
            self.running[key] = task
            task.add_done_callback(lambda done: self._done(key, done))
            while len(self.running) > MAX_RUNNING:
                _, oldest = self.running.popitem(last=False)
                oldest.cancel()
        try:
            return True, await asyncio.wait_for(asyncio.shield(task), max(0.0, budget))
        except asyncio.TimeoutError:
            return False, None
        except asyncio.CancelledError:
            if task.cancelled():  # the request was cancelled for a newer one, not this hover
                return False, None
            raise

    def _done(self, key: Key, task: asyncio.Task[Any]) -> None:
        if self.running.get(key) is task:
            del self.running[key]
        if task.cancelled() or task.exception() is not None:
            return
        self.kept[key] = task.result()
        self.kept.move_to_end(key)
        while len(self.kept) > MAX_KEPT:
            self.kept.popitem(last=False)

    def _drop_other_texts(self, key: Key) -> None:
        path, text, _ = key
        self._drop(lambda k: k[0] == path and k[1] != text)

    def forget(self, path: str) -> None:
        """Drop what was asked in document `path` (closed)."""
        self._drop(lambda k: k[0] == path)

    def clear(self) -> None:
        self._drop(lambda k: True)

    def _drop(self, stale: Callable[[Key], bool]) -> None:
        for key in [k for k in self.running if stale(k)]:
            self.running.pop(key).cancel()
        for key in [k for k in self.kept if stale(k)]:
            del self.kept[key]


async def _awaited(start: Callable[[], Awaitable[Any]]) -> Any:
    return await start()
