"""Run the language server (or its jedi worker) with test hooks, chosen by flags.

    python tests/launch_server.py [HOOK FLAGS] [server flags, e.g. --stdio]
    python tests/launch_server.py --role jedi-worker [HOOK FLAGS]

Test-only behaviour lives here, not in the server: this script imports the server, patches
what the hooks given on its command line ask for, and runs it. The server it runs starts
its jedi worker through this script too, with the same hook flags, so a hook can act in
either process. A test passes `server_command(...)` to pytest-lsp (or `worker_command(...)`
to a JediClient).

Hooks (add one by adding a `Hook` to `HOOKS`):
  --jedi-gate DIR    the jedi worker runs a request only when the test lets it through,
                     and records what it does (tests/jedi_gate.py)
  --hold-build DIR   every index build waits, before it starts, until the test releases
                     the `Hold` in DIR: answers during a first build, however fast the
                     machine is
  --hold-export DIR  an export waits after rendering its first unit until the test
                     releases the `Hold` in DIR: an export that is surely under way
  --hold-extract DIR the extraction of an edited buffer named `big.py` waits until the
                     test releases the `Hold` in DIR: an edit surely still being read
  --hold-references DIR
                     the reference index's build after an index build (server.py's
                     `_warm_references`) holds the index lock until the test releases it
  --store-idle S     a large buffer's store write waits for S seconds without an edit
                     (sync.STORE_IDLE_S): 0 writes at once, a day waits for the shutdown
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# How long a test waits for the server to reach a hold before it fails instead of hanging:
# a guard against a broken feature, far above what a loaded machine needs, not a measure.
HANG_GUARD_SECONDS = 180.0
_POLL_SECONDS = 0.01

_TESTS = Path(__file__).resolve().parent
_CHECKOUT = _TESTS.parent
LAUNCHER = str(Path(__file__).resolve())


@dataclass(frozen=True)
class Hook:
    flag: str
    metavar: str
    help: str
    #: install(role, value), called in the launched process before the server or worker
    #: runs; role is "server" or "jedi-worker".
    install: Callable[[str, str], None]


class Hold:
    """A point where the server waits until the test releases it. Events are plain files
    in a folder, polled (server and test are different processes): `reached`, which the
    server marks on getting there, `released`, which the test marks (and which stays), and
    whatever else a hook marks (`ended`: the held export returned or raised)."""

    def __init__(self, folder: Path, flag: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.flag = flag

    # -- the test's side

    @property
    def flags(self) -> list[str]:
        """The launcher's command-line flags that put this hold in the server."""
        return [self.flag, str(self.folder)]

    def release(self) -> None:
        self.mark("released")

    open = release  # what the shared fixture calls on every hook when the server stops

    async def reached(self) -> None:
        """Return once the server waits at the hold (or has passed it)."""
        await self.marked("reached")

    async def marked(self, event: str) -> None:
        """Return once `event` is marked."""
        loop = asyncio.get_running_loop()
        guard = loop.time() + HANG_GUARD_SECONDS
        while not self.has(event):
            if loop.time() > guard:
                raise AssertionError(f"the server never marked {event!r} in {self.folder}")
            await asyncio.sleep(_POLL_SECONDS)

    # -- both sides

    def mark(self, event: str) -> None:
        (self.folder / event).touch()

    def has(self, event: str) -> bool:
        return (self.folder / event).exists()

    # -- the server's side

    def wait(self) -> None:
        """Mark the hold reached, and wait until the test releases it."""
        self.mark("reached")
        while not self.has("released"):
            time.sleep(_POLL_SECONDS)


def _jedi_gate(role: str, folder: str) -> None:
    if role == "jedi-worker":
        import jedi_gate

        jedi_gate.install(Path(folder))


def _hold_build(role: str, folder: str) -> None:
    if role != "server":
        return
    from repodoc_ls.index.indexer import Index

    hold = Hold(Path(folder), "--hold-build")
    build = Index.build.__func__

    def held_build(cls: type[Index], *args: Any, **kwargs: Any) -> Index:
        hold.wait()
        return build(cls, *args, **kwargs)

    Index.build = classmethod(held_build)


def _hold_export(role: str, folder: str) -> None:
    if role != "server":
        return
    from repodoc_ls.docs import export as export_module

    hold = Hold(Path(folder), "--hold-export")
    export = export_module.export

    def held_export(*args: Any, progress: Callable[..., None] | None = None, **kwargs: Any) -> Any:
        def report(done: int, total: int, message: str = "") -> None:
            if progress is not None:
                progress(done, total, message)
            if done > 0 and message.startswith("rendering"):
                hold.wait()

        try:
            return export(*args, progress=report, **kwargs)
        finally:
            hold.mark("ended")

    export_module.export = held_export


def _hold_extract(role: str, folder: str) -> None:
    if role != "server":
        return
    from repodoc_ls.server import sync

    hold = Hold(Path(folder), "--hold-extract")
    extract = sync.DocSync.extract

    def held_extract(self: Any, rel: str, data: bytes) -> Any:
        if rel.rsplit("/", 1)[-1] == "big.py":
            hold.wait()
        return extract(self, rel, data)

    sync.DocSync.extract = held_extract  # type: ignore[method-assign]


def _hold_references(role: str, folder: str) -> None:
    if role != "server":
        return
    from repodoc_ls.server import server as server_module

    hold = Hold(Path(folder), "--hold-references")
    warm = server_module._warm_references

    def held_warm(index: Any, **kwargs: Any) -> None:
        with index.lock:  # as the reference index's build holds it, for as long as the test says
            hold.wait()
            warm(index, **kwargs)

    server_module._warm_references = held_warm


def _store_idle(role: str, seconds: str) -> None:
    if role == "server":
        from repodoc_ls.server import sync

        sync.STORE_IDLE_S = float(seconds)


@dataclass(frozen=True)
class StoreIdle:
    """The `--store-idle` hook as a test holds it (nothing to open when the server stops)."""

    seconds: float

    @property
    def flags(self) -> list[str]:
        return ["--store-idle", str(self.seconds)]

    def open(self) -> None:
        pass


HOOKS = [
    Hook("--jedi-gate", "DIR", "gate and record the jedi worker's requests (tests/jedi_gate.py)", _jedi_gate),
    Hook("--hold-build", "DIR", "hold every index build until the test releases it", _hold_build),
    Hook(
        "--hold-export",
        "DIR",
        "hold an export after its first rendered unit until the test releases it",
        _hold_export,
    ),
    Hook("--hold-extract", "DIR", "hold the extraction of an edited big.py until released", _hold_extract),
    Hook(
        "--hold-references",
        "DIR",
        "the reference index's build after an index build holds the index lock until released",
        _hold_references,
    ),
    Hook(
        "--store-idle", "S", "a large buffer's store write waits for S seconds without an edit", _store_idle
    ),
]


def server_command(*hook_flags: str) -> list[str]:
    """The command that runs the server over stdio with these hooks."""
    return [sys.executable, LAUNCHER, *hook_flags, "--stdio"]


def worker_command(*hook_flags: str) -> list[str]:
    """The command that runs the jedi worker with these hooks."""
    return [sys.executable, LAUNCHER, "--role", "jedi-worker", *hook_flags]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", choices=("server", "jedi-worker"), default="server")
    for hook in HOOKS:
        parser.add_argument(hook.flag, metavar=hook.metavar, help=hook.help)
    return parser


def main(argv: list[str]) -> int:
    # This checkout first, as the worker's own boot line does: the launched server and
    # worker must run the code under test.
    for folder in (str(_TESTS), str(_CHECKOUT)):
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    args, rest = _parser().parse_known_args(argv)
    given = [(hook, getattr(args, hook.flag.lstrip("-").replace("-", "_"))) for hook in HOOKS]
    given = [(hook, value) for hook, value in given if value is not None]
    for hook, value in given:
        hook.install(args.role, value)
    if args.role == "jedi-worker":
        from repodoc_ls.server import jedi_worker

        return jedi_worker.main()
    from repodoc_ls.server import jedi_client
    from repodoc_ls.server.__main__ import main as server_main

    flags = [part for hook, value in given for part in (hook.flag, value)]
    jedi_client.WORKER_COMMAND = worker_command(*flags)
    return server_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
