"""The `repodoc` command line: index, export, check, show, serve."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from repodoc_ls import __version__
from repodoc_ls.config import Settings, SettingsError, load_settings


class CliError(Exception):
    """A failure explained in one line; printed without a traceback."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "output", None):
        overrides["output_dir"] = args.output
    if getattr(args, "jobs", None) is not None:
        overrides["jobs"] = args.jobs
    return load_settings(args.root, overrides)


class _TerminalProgress:
    """A one-line progress bar on a terminal; a few plain lines otherwise."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int, message: str) -> None:
        percent = 100 * done // total if total else 100
        if self.tty:
            filled = percent // 4
            self.stream.write(f"\r{message:<12} [{'#' * filled}{'.' * (25 - filled)}] {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif percent // 25 != self.last // 25 or done >= total:
            self.stream.write(f"{message}: {done}/{total} files ({percent}%)\n")
        self.last = percent


def cmd_index(args: argparse.Namespace) -> int:
    from repodoc_ls.index.indexer import Index

    settings = _settings(args)
    start = time.perf_counter()
    index = Index.build(settings, progress=_TerminalProgress())
    elapsed = time.perf_counter() - start
    for warning in index.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    s = index.stats
    print(f"indexed {s.files} files ({s.extracted} extracted, {s.reused} reused, {s.removed} removed), "
          f"{index.symbol_count()} symbols in {elapsed:.2f}s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repodoc", description="Document a Python workspace.")
    parser.add_argument("--version", action="version", version=f"repodoc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the workspace index and print its size")
    p.add_argument("root", nargs="?", default=".")
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.set_defaults(func=cmd_index)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CliError, SettingsError) as exc:
        print(f"repodoc: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("repodoc: interrupted", file=sys.stderr)
        return 130
