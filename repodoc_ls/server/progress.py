"""Server-initiated work-done progress ($/progress), safe to report from worker threads.

pygls writes each message synchronously to the transport; two threads writing at once
could interleave their bytes. So reports from the build or export thread are handed to the
event loop (`call_soon_threadsafe`) and sent from there, and they are throttled: a cold
build calls back per batch of files, far more often than a client can usefully redraw.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from repodoc_ls.server.server import RepodocServer

log = logging.getLogger(__name__)

_MIN_INTERVAL = 0.25  # seconds between two reports: at most four a second
_tokens = itertools.count(1)


class WorkProgress:
    def __init__(self, ls: RepodocServer, title: str):
        self.ls = ls
        self.title = title
        self.token: str | None = None
        self.loop = asyncio.get_running_loop()
        self._last = 0.0
        self._last_percent = -1

    async def begin(self, message: str = "") -> WorkProgress:
        caps = self.ls.client_capabilities
        window = caps.window if caps is not None else None
        if window is None or not window.work_done_progress:
            return self
        token = f"repodoc-{next(_tokens)}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception as exc:  # the client refused: go on without a progress bar
            log.info("work done progress refused: %s", exc)
            return self
        self.token = token
        self.ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=self.title, message=message or None, percentage=0, cancellable=False
            ),
        )
        return self

    def report(self, done: int, total: int, message: str = "") -> None:
        """Callable from any thread, as often as wanted."""
        if self.token is None:
            return
        percent = min(100, 100 * done // total) if total else 0
        now = time.monotonic()
        if percent == self._last_percent or (now - self._last < _MIN_INTERVAL and done < total):
            return
        self._last, self._last_percent = now, percent
        text = f"{message} {done}/{total}".strip() if total else message
        value = types.WorkDoneProgressReport(message=text or None, percentage=percent)
        # The token travels with the report: one queued before `end` still goes out, in order.
        self.loop.call_soon_threadsafe(self.ls.work_done_progress.report, self.token, value)

    def end(self, message: str = "") -> None:
        """Call on the event loop; reports still queued from threads go out first."""
        if self.token is None:
            return
        token, self.token = self.token, None

        def send_end() -> None:
            self.ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message or None))
            self.ls.work_done_progress.tokens.pop(token, None)

        self.loop.call_soon(send_end)
