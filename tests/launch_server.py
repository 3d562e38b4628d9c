"""Run the language server (or its jedi worker) with test hooks, chosen by flags.

    python tests/launch_server.py [HOOK FLAGS] [server flags, e.g. --stdio]
    python tests/launch_server.py --role jedi-worker [HOOK FLAGS]

Test-only behaviour lives here, not in the server: this script imports the server, patches
what the hooks given on its command line ask for, and runs it. The server it runs starts
its jedi worker through this script too, with the same hook flags, so a hook can act in
either process. A test passes `server_command(...)` to pytest-lsp (or `worker_command(...)`
to a JediClient).

Hooks (add one by adding a `Hook` to `HOOKS`):
  --jedi-gate DIR   the jedi worker runs a request only when the test lets it through,
                    and records what it does (tests/jedi_gate.py)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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


def _jedi_gate(role: str, folder: str) -> None:
    if role == "jedi-worker":
        import jedi_gate

        jedi_gate.install(Path(folder))


HOOKS = [
    Hook("--jedi-gate", "DIR", "gate and record the jedi worker's requests (tests/jedi_gate.py)", _jedi_gate),
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
