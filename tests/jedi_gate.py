"""A gate on the jedi worker, for tests that must not depend on how busy the machine is.

A gated worker (tests/launch_server.py --jedi-gate DIR) runs each request only when the
test lets it through, and records what it receives and does; the test waits for those
records instead of on the clock. So "past its budget" means "the worker could not answer
yet", whatever the load, and "jedi answers" means waiting for the answer, however long.

DIR holds two files (plain files, polled: any platform, and a worker that replaces a dead
one sees the same state):
- `go`, lines the test appends: each `go` lets one request through, `open` all of them
  from then on;
- `events`, JSON lines the worker appends: `ready` (jedi imported, niceness applied, with
  the worker's `pid`); for a request (`id`, `op`, `line`, `col`) `start` when the worker
  takes it up, `passed` when the gate lets it through, `done` when it is answered; and the
  messages `cancel` (with `dropped`: the request had not started and never will), `warm`
  and `forget` as the worker receives them.

The test side is `JediGate`; the worker side is `install`, which the launcher calls in the
worker process before it runs `jedi_worker.main`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

# How long a wait for the worker may take before the test fails instead of hanging: a
# guard against a broken feature, far above anything a loaded machine needs, not a measure.
HANG_GUARD_SECONDS = 180.0
_POLL_SECONDS = 0.01


class JediGate:
    """The test's side: let requests through, read what the worker recorded."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "go").touch()
        (self.folder / "events").touch()

    @property
    def flags(self) -> list[str]:
        """The launcher's command-line flags that gate a worker on this gate."""
        return ["--jedi-gate", str(self.folder)]

    def release(self, count: int = 1) -> None:
        """Let `count` more requests through."""
        self._say("go\n" * count)

    def open(self) -> None:
        """Let every request through from now on."""
        self._say("open\n")

    def _say(self, lines: str) -> None:
        with open(self.folder / "go", "a", encoding="utf-8") as f:
            f.write(lines)

    def events(self, **match) -> list[dict]:
        """The recorded events whose fields equal `match`, oldest first."""
        return _read_events(self.folder / "events", match)

    async def wait_for(self, count: int = 1, **match) -> list[dict]:
        """The first `count` events matching `match`, once the worker has recorded them."""
        loop = asyncio.get_running_loop()
        guard = loop.time() + HANG_GUARD_SECONDS
        while len(found := self.events(**match)) < count:
            if loop.time() > guard:
                raise AssertionError(
                    f"the jedi worker never recorded {count} x {match}; it recorded {self.events()}"
                )
            await asyncio.sleep(_POLL_SECONDS)
        return found[:count]


async def guarded(awaitable):
    """`awaitable`'s result; a test failure instead of a hang if it never comes."""
    try:
        return await asyncio.wait_for(awaitable, HANG_GUARD_SECONDS)
    except asyncio.TimeoutError:
        raise AssertionError(f"no result after {HANG_GUARD_SECONDS} s: the feature hangs") from None


# -- the worker's side -------------------------------------------------------------


def _read_events(path: Path, match: dict) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    # A line the other side is still writing has no newline yet: it is read next time.
    lines = text.split("\n")[:-1]
    found = [json.loads(line) for line in lines if line]
    return [e for e in found if all(e.get(k) == v for k, v in match.items())]


class _Events:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    def write(self, **event) -> None:
        # One write per line on an O_APPEND file: lines of two threads never interleave.
        os.write(self.fd, (json.dumps(event) + "\n").encode("utf-8"))


class _Gate:
    """Requests pass one per `go` line, counted against the `passed` events of every
    worker so far (one worker runs at a time: a replacement does not reuse a token)."""

    def __init__(self, go: Path, events: _Events) -> None:
        self.go = go
        self.events = events

    def take(self, **where) -> None:
        while True:
            said = self.go.read_text(encoding="utf-8").split()
            if "open" in said or said.count("go") > len(_read_events(self.events.path, {"event": "passed"})):
                self.events.write(event="passed", **where)
                return
            time.sleep(_POLL_SECONDS)


def install(folder: Path) -> None:
    """Gate and record the jedi worker of this process (call before jedi_worker.main)."""
    from repodoc_ls.server import jedi_worker

    events = _Events(Path(folder) / "events")
    gate = _Gate(Path(folder) / "go", events)

    def gated_op(op: str, run):
        def gated(self, msg: dict):
            where = {"id": msg.get("id"), "op": op, "line": msg.get("line"), "col": msg.get("col")}
            events.write(event="start", **where)
            gate.take(**where)
            try:
                return run(self, msg)
            finally:
                events.write(event="done", **where)

        return gated

    for op in ("help", "goto"):
        setattr(jedi_worker.Worker, op, gated_op(op, getattr(jedi_worker.Worker, op)))

    put = jedi_worker.Inbox.put

    def recorded_put(self, msg: dict) -> None:
        op = msg.get("op")
        with self.cond:  # the lock put takes too (reentrant): "dropped" is what put did
            dropped = op == "cancel" and msg.get("id") in self.requests
            put(self, msg)
        if op == "cancel":
            events.write(event="cancel", id=msg.get("id"), dropped=dropped)
        elif op in ("warm", "forget"):
            events.write(event=op, path=msg.get("path"))

    jedi_worker.Inbox.put = recorded_put

    init = jedi_worker.Worker.__init__

    def recorded_init(self) -> None:
        init(self)
        events.write(event="ready", pid=os.getpid())

    jedi_worker.Worker.__init__ = recorded_init
