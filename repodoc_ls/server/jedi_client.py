"""The server's side of the jedi worker process (jedi_worker.py says why it is a process).

`call` sends a request and waits for at most its budget; past it the request is cancelled
(the worker drops it if it has not started) and the caller answers without jedi, so a
slow inference never holds a hover, nor, being in another process, anything else.
`ask` is `call` for a hover: past the budget the request goes on in the background and its
answer is kept per (document text, position) for the next `ask` there (late_answers.py).
`warm` and `forget` keep the worker preparing the open documents. The worker is started
on `initialized`, restarted if it dies (at most `MAX_RESTARTS` times), and stops when the
server closes its stdin. `WORKER_COMMAND` starts it; the tests' launcher
(tests/launch_server.py) replaces it with one that runs the worker under test hooks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from repodoc_ls.server.late_answers import LateAnswers

log = logging.getLogger(__name__)

MAX_RESTARTS = 3
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
# By path rather than `-m`: the worker must import from the same tree as the server even
# when that tree is not installed (a checkout run with PYTHONPATH or from its folder).
_BOOT = (
    f"import sys; sys.path.insert(0, {_PACKAGE_PARENT!r}); "
    "from repodoc_ls.server.jedi_worker import main; sys.exit(main())"
)
WORKER_COMMAND = [sys.executable, "-c", _BOOT]
STOP_GRACE_SECONDS = 2  # after closing its stdin, before the worker is killed


class JediClient:
    def __init__(self, command: list[str] | None = None) -> None:
        self.command = list(command or WORKER_COMMAND)
        self.proc: asyncio.subprocess.Process | None = None
        # Each request's future with the process it was sent to: a process that dies fails
        # its own requests, never those already sent to its replacement.
        self.pending: dict[int, tuple[asyncio.subprocess.Process, asyncio.Future]] = {}
        self.ids = itertools.count(1)
        self.starts = 0
        self._starting: asyncio.Task[bool] | None = None
        self._reader: asyncio.Task | None = None
        self._stopped = False
        self.late = LateAnswers()

    # -- process ------------------------------------------------------------------

    def start(self) -> asyncio.Task[bool]:
        """Start the worker in the background (it imports jedi and loads typeshed); the
        task tells whether it runs."""
        if self._starting is None or self._starting.done():
            self._starting = asyncio.get_running_loop().create_task(self._ensure())
        return self._starting

    async def _ensure(self) -> bool:
        if self.proc is not None and self.proc.returncode is None:
            return True
        if self._stopped or self.starts > MAX_RESTARTS:
            return False
        self.starts += 1
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 24
            )
        except OSError as exc:
            log.warning("cannot start the jedi worker: %s", exc)
            self.proc = None
            return False
        self._reader = asyncio.get_running_loop().create_task(self._read(self.proc))
        return True

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        try:
            stdout = proc.stdout
            assert stdout is not None, "the worker is started with stdout=PIPE"
            while True:
                line = await stdout.readline()
                if not line:
                    break
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                entry = self.pending.get(msg.get("id"))
                if entry is None:
                    continue
                sent_to, future = entry
                if sent_to is not proc or future.done():
                    continue
                del self.pending[msg["id"]]
                if "error" in msg:
                    future.set_exception(RuntimeError(msg["error"]))
                else:
                    future.set_result(msg.get("result"))
        finally:
            if self.proc is proc:
                self.proc = None  # it died: the next call starts a new one
            for ident, (sent_to, future) in list(self.pending.items()):
                if sent_to is proc:
                    del self.pending[ident]
                    if not future.done():
                        future.set_exception(RuntimeError("the jedi worker exited"))

    def _send(self, msg: dict) -> bool:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return False
        stdin = _stdin(proc)
        if stdin.is_closing():
            return False
        try:
            stdin.write(json.dumps(msg).encode("utf-8") + b"\n")
        except (OSError, RuntimeError):
            return False
        return True

    async def stop(self) -> None:
        self._stopped = True
        self.late.clear()
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        try:
            _stdin(proc).close()  # the worker exits at the end of its input
            await asyncio.wait_for(proc.wait(), STOP_GRACE_SECONDS)
        except (asyncio.TimeoutError, OSError, RuntimeError):
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            await proc.wait()  # reaped: no zombie, and the caller sees it gone

    # -- requests -----------------------------------------------------------------

    async def call(
        self, op: str, root: str, path: str, source: str, line: int, col: int, budget: float | None
    ):
        """The worker's answer, or None when it is unavailable, fails or takes longer than
        `budget` seconds (None: as long as it takes). `line` is 1-based, `col` in code
        points (jedi's convention)."""
        loop = asyncio.get_running_loop()
        deadline = None if budget is None else loop.time() + budget

        def left() -> float | None:
            return None if deadline is None else max(0.0, deadline - loop.time())

        if self.proc is None or self.proc.returncode is not None:
            starting = self.start()
            try:  # a worker still starting is waited for within the same budget
                if not await asyncio.wait_for(asyncio.shield(starting), left()):
                    return None
            except asyncio.TimeoutError:
                return None
        proc = self.proc
        if proc is None:  # it died as soon as it started
            return None
        ident = next(self.ids)
        future = loop.create_future()
        self.pending[ident] = (proc, future)
        if not self._send(
            {"id": ident, "op": op, "root": root, "path": path, "source": source, "line": line, "col": col}
        ):
            self.pending.pop(ident, None)
            return None
        try:
            return await asyncio.wait_for(future, left())
        except asyncio.TimeoutError:
            assert budget is not None, "without a budget nothing times out"
            self._send({"op": "cancel", "id": ident})
            log.info("jedi %s over budget (%d ms) at %s:%s", op, budget * 1000, path, line)
            return None
        except asyncio.CancelledError:
            self._send({"op": "cancel", "id": ident})  # nobody waits for it: not started, never run
            raise
        except RuntimeError as exc:
            log.info("jedi %s failed at %s:%s: %s", op, path, line, exc)
            return None
        finally:
            self.pending.pop(ident, None)

    async def ask(
        self,
        op: str,
        root: str,
        path: str,
        source: str,
        line: int,
        col: int,
        budget: float,
        place: Hashable = None,
    ) -> tuple[bool, Any]:
        """(answered, answer): jedi's answer within `budget` seconds, or the one it gave
        after an earlier `ask` at the same `place` (default: the position) of the same text
        stopped waiting; (False, None) while jedi is still at it (its answer is then kept
        for the next `ask` there)."""
        what = (op, (line, col) if place is None else place)
        return await self.late.ask(
            path, source, what, lambda: self.call(op, root, path, source, line, col, None), budget
        )

    def warm(self, root: str, path: str, source: str) -> None:
        """Have the worker prepare a document (parse it, infer its top-level names)."""
        msg = {"op": "warm", "root": root, "path": path, "source": source}
        if self.proc is None:  # starting (or to be restarted): send it once the worker runs
            self.start().add_done_callback(
                lambda t: t.cancelled() or t.exception() is not None or not t.result() or self._send(msg)
            )
            return
        self._send(msg)

    def forget(self, path: str) -> None:
        self._send({"op": "forget", "path": path})
        self.late.forget(path)  # a closed document: its late answers would never be asked for


def _stdin(proc: asyncio.subprocess.Process) -> asyncio.StreamWriter:
    assert proc.stdin is not None, "the worker is started with stdin=PIPE"
    return proc.stdin
