"""The `repodoc` command line: index, export, check, show, serve."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from repodoc_ls import __version__
from repodoc_ls.config import Settings, SettingsError, load_settings
from repodoc_ls.docs import kinds
from repodoc_ls.docs.export import ExportError
from repodoc_ls.docs.render import TemplateError, template_notice


class CliError(Exception):
    """A failure explained in one line; printed without a traceback."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "output", None):
        overrides["output_dir"] = args.output
    if getattr(args, "jobs", None) is not None:
        overrides["jobs"] = args.jobs
    if getattr(args, "trust_templates", False):
        overrides["trust_templates"] = True
    return load_settings(args.root, overrides)


def _page_settings(args: argparse.Namespace) -> Settings:
    """Settings for a command that renders pages; says (once) when the workspace's
    templates are left aside."""
    settings = _settings(args)
    notice = template_notice(settings)
    if notice:
        print(f"warning: {notice}", file=sys.stderr)
    return settings


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


def _index(settings: Settings, quiet: bool = False, defer_store: bool = False):
    from repodoc_ls.index.indexer import Index

    index = Index.build(settings, progress=None if quiet else _TerminalProgress(), defer_store=defer_store)
    for warning in index.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return index


def _check_root(args: argparse.Namespace) -> None:
    root = Path(args.root)
    if not root.exists():
        raise CliError(f"the workspace root {root} does not exist")
    if not root.is_dir():
        raise CliError(f"the workspace root {root} is not a folder")


def cmd_export(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.export import export

    _check_root(args)
    settings = _page_settings(args)
    start = time.perf_counter()
    index = _index(settings, defer_store=True)  # export writes the store while its workers render
    shown = len(index.warnings)
    result = export(index, settings.output_path, force=args.force, progress=_TerminalProgress(),
                    notify=lambda message: print(f"repodoc: {message}", file=sys.stderr, flush=True))
    for warning in [*index.warnings[shown:], *result.warnings]:
        print(f"warning: {warning}", file=sys.stderr)
    elapsed = time.perf_counter() - start
    print(f"exported {result.output_dir}: {result.written} written, {result.unchanged} unchanged, "
          f"{result.removed} removed in {elapsed:.2f}s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.export import check

    _check_root(args)
    settings = _page_settings(args)
    index = _index(settings, quiet=True)
    result = check(index, settings.output_path)
    if result.ok:
        print(f"{settings.output_path}: the doc set is up to date and every link resolves")
        return 0
    stray = set(result.stray)
    ours = [page for page in result.extra if page not in stray]
    for title, items in (("stale", result.stale), ("missing", result.missing), ("extra", ours)):
        for page in items:
            print(f"{title}: {page}")
    for page in result.stray:
        print(f"not written by repodoc: {page}: remove it or add it to `exclude`")
    for b in result.broken:
        print(f"broken link: {b.page}:{b.line}: {b.target} ({b.reason})")
    if result.manifest_error:
        print(f"manifest: {result.manifest_error}")
    # Suggest only what can fix it: an export rewrites and removes its own pages, never the others.
    advice = []
    if result.manifest_error:
        advice.append("run `repodoc export --force` to start over")
    elif result.stale or result.missing or ours or any(b.page not in stray for b in result.broken):
        advice.append("run `repodoc export` to update")
    if stray:
        advice.append("remove the files repodoc did not write or add them to `exclude`")
    print(f"{settings.output_path}: {len(result.stale)} stale, {len(result.missing)} missing, "
          f"{len(ours)} extra pages, {len(stray)} not written by repodoc, {len(result.broken)} broken links; "
          f"{'; '.join(advice)}", file=sys.stderr)
    return 1


def cmd_show(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.render import Renderer

    target = Path(args.path)
    root = Path(args.root) if args.root else _find_root(target)
    args.root = str(root)
    _check_root(args)
    settings = _page_settings(args)
    try:
        rel = target.resolve().relative_to(settings.root).as_posix()
    except ValueError:
        raise CliError(f"{target} is not inside the workspace {settings.root}") from None
    rel = "" if rel == "." else rel
    index = _index(settings, quiet=True)
    is_folder = rel == "" or target.is_dir()
    kind = args.kind or (kinds.DEFAULT_FOLDER_KIND if is_folder else kinds.DEFAULT_FILE_KIND)
    if is_folder != (kind in kinds.FOLDER_KINDS):
        raise CliError(f"--kind {kind} does not apply to {'a folder' if is_folder else 'a file'}")
    if not is_folder and index.file(rel) is None:
        raise CliError(f"{rel} is not documented (excluded, ignored or missing)")
    sys.stdout.write(Renderer(index).render_page(rel, kind))
    return 0


def _find_root(target: Path) -> Path:
    """The nearest folder above `target` holding pyproject.toml, setup.py or .git."""
    start = target.resolve()
    for folder in [start, *start.parents]:
        if folder.is_dir() and any((folder / m).exists() for m in ("pyproject.toml", "setup.py", ".git")):
            return folder
    return Path.cwd()


def cmd_serve(args: argparse.Namespace) -> int:
    from repodoc_ls.server.app import run

    tcp = None
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            raise CliError(f"--tcp wants HOST:PORT, got {args.tcp!r}")
        tcp = (host, int(port))
    run(tcp=tcp)
    return 0


def _trust_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-templates", action="store_true",
                        help="render with the templates folder the workspace's pyproject.toml names "
                             "(sandboxed; without this flag a repository's templates are not used)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repodoc", description="Document a Python workspace.")
    parser.add_argument("--version", action="version", version=f"repodoc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the workspace index and print its size")
    p.add_argument("root", nargs="?", default=".")
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("export", help="write the doc set (only pages whose content changed)")
    p.add_argument("root", nargs="?", default=".")
    p.add_argument("-o", "--output", help="output folder (default: docs/repodoc under the root)")
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.add_argument("--force", action="store_true", help="overwrite files repodoc did not write")
    _trust_flag(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("check", help="exit 1 when the doc set on disk is stale or has broken links")
    p.add_argument("root", nargs="?", default=".")
    p.add_argument("-o", "--output", help="output folder (default: docs/repodoc under the root)")
    _trust_flag(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("show", help="print one page")
    p.add_argument("path", help="a file or folder of the workspace")
    p.add_argument("--kind", choices=kinds.FILE_KINDS + kinds.FOLDER_KINDS,
                   help=f"page kind (default: {kinds.DEFAULT_FILE_KIND} for a file, "
                        f"{kinds.DEFAULT_FOLDER_KIND} for a folder)")
    p.add_argument("--root", help="workspace root (default: nearest folder with pyproject.toml, setup.py or .git)")
    _trust_flag(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("serve", help="run the language server")
    p.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP port instead")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CliError, SettingsError, ExportError, TemplateError) as exc:
        print(f"repodoc: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"repodoc: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("repodoc: interrupted", file=sys.stderr)
        return 130
