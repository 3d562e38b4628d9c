"""The `repodoc` command line: index, export, check, show, serve.

Conventions (ruff's and black's): without a ROOT, every command works on the project the
current folder belongs to (the nearest folder above holding a root marker); paths on the
command line are relative to the current folder, and so are the paths `check` reports.
Exit status: 0 fine, 1 `check` found something, 2 a usage, configuration or template
error, told in one line. `-q` leaves only errors and findings; `-v` adds detail.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import time
from collections.abc import Container, Iterator, Sequence
from pathlib import Path

from repodoc_ls import __version__, clireport
from repodoc_ls.config import Settings, SettingsError, load_settings
from repodoc_ls.docs import kinds
from repodoc_ls.docs.export import ExportError
from repodoc_ls.docs.outfolder import check_output_folder
from repodoc_ls.docs.render import TemplateError, template_notice
from repodoc_ls.docs.sourceurl import source_url
from repodoc_ls.safefs import is_inside
from repodoc_ls.scan import DEFAULT_EXCLUDE_DIRS, MANIFEST_NAME, SKIP_DIRS, is_excluded

#: What makes a folder a project's root, as for ruff and black.
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
PYTHON_SUFFIXES = (".py", ".pyi")


class CliError(Exception):
    """A failure explained in one line; printed without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own: usage lines, then the error
        self.exit(2, f"repodoc: error: {message} (see `{self.prog} --help`)\n")


class _Ui:
    """Where a command's messages go: findings and errors always; progress, warnings and the
    summary unless quiet; details only when verbose."""

    def __init__(self, args: argparse.Namespace):
        self.quiet = getattr(args, "quiet", False)
        self.verbose = getattr(args, "verbose", False)
        if self.quiet and self.verbose:
            raise CliError("-q/--quiet and -v/--verbose exclude each other")

    @property
    def progress(self):
        return None if self.quiet else _TerminalProgress()

    def warn(self, message: str) -> None:
        if not self.quiet:
            print(f"warning: {message}", file=sys.stderr, flush=True)

    def notify(self, message: str) -> None:
        if not self.quiet:
            print(f"repodoc: {message}", file=sys.stderr, flush=True)

    def summary(self, message: str, stream=None) -> None:
        if not self.quiet:
            print(message, file=stream or sys.stdout, flush=True)

    def detail(self, message: str) -> None:
        if self.verbose:
            print(f"repodoc: {message}", file=sys.stderr, flush=True)


def find_root(start: Path) -> tuple[Path, str | None]:
    """The nearest folder at or above `start` holding a root marker, and that marker;
    the current folder and None when there is none."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if not folder.is_dir():
            continue
        for marker in ROOT_MARKERS:
            if os.path.lexists(folder / marker):
                return folder, marker
    return Path.cwd(), None


def _resolve_root(args: argparse.Namespace, ui: _Ui, start: Path | None = None) -> None:
    """Set `args.root`: an explicit ROOT as given, else the project found upward."""
    if args.root is not None:
        ui.detail(f"workspace root {clireport.shown(args.root)} (given)")
        return
    root, marker = find_root(start if start is not None else Path.cwd())
    args.root = str(root)
    ui.detail(
        f"workspace root {root} ({f'it holds {marker}' if marker else 'no root marker above: the current folder'})"
    )


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "output", None):
        # A path on the command line is the user's: relative to the current folder.
        overrides["output_dir"] = os.path.abspath(os.path.expanduser(args.output))
    if getattr(args, "jobs", None) is not None:
        overrides["jobs"] = args.jobs
    if getattr(args, "trust_templates", False):
        overrides["trust_templates"] = True
    for name in ("source_url", "source_rev"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name) or None  # "" turns off the workspace's
    return load_settings(args.root, overrides)


def _page_settings(args: argparse.Namespace, ui: _Ui) -> Settings:
    """Settings for a command that renders pages; says (once) when the workspace's
    templates are left aside."""
    settings = _settings(args)
    source_url(settings)  # a `{rev}` no one gave and .git does not name: exit 2 now
    notice = template_notice(settings)
    if notice:
        ui.warn(notice)
    return settings


def _refuse_output_with_sources(settings: Settings) -> None:
    """Refuse an output folder holding the workspace root or Python sources of the
    workspace: the doc set would be written among them, and they would no longer be
    documented (the output folder is never scanned, nor any folder with a manifest)."""
    output = settings.output_path
    check_output_folder(settings.root, output)
    if not is_inside(output, settings.root) or not output.is_dir():
        return
    own_manifest = (output / MANIFEST_NAME).exists()
    elsewhere = dataclasses.replace(settings, output_dir=settings.cache_dir)
    # Without a manifest, `is_excluded` judges each file (an `include` may walk a folder
    # skipped by name); folders never scanned are not walked here either.
    never = SKIP_DIRS | DEFAULT_EXCLUDE_DIRS if own_manifest else SKIP_DIRS
    for folder, name in _python_files_below(str(output), never):
        rel = os.path.relpath(os.path.join(folder, name), settings.root)
        # Where an earlier export left its manifest, the manifest alone hides them.
        if own_manifest or not is_excluded(elsewhere, rel):
            raise CliError(
                f"refusing to write the doc set to {clireport.shown(output)}: it holds sources of "
                f"the workspace ({rel}); name another folder with -o or output-dir"
            )


def _python_files_below(top: str, never: Container[str]) -> Iterator[tuple[str, str]]:
    """(folder, name) of each Python source below `top` that a scan would see, as `os.walk`
    finds them (no symbolic link to a folder followed), without the folders a scan skips:
    named in `never`, or holding a manifest or a virtual environment (below `top`). One
    listing a folder: a doc set has tens of thousands of pages in thousands of folders."""
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        if folder != top and any(entry.name in (MANIFEST_NAME, "pyvenv.cfg") for entry in entries):
            continue
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if entry.name not in never and not entry.is_symlink():
                    folders.append(entry.path)
            elif entry.name.endswith(PYTHON_SUFFIXES):
                yield folder, entry.name


def _warn_if_nothing_to_document(index, settings: Settings, ui: _Ui) -> None:
    paths = index.paths()
    if not paths:
        ui.warn(
            f"no files to document in {settings.root}: is it the right folder? "
            f"(everything there may be excluded, ignored or skipped)"
        )
    elif not any(path.endswith(PYTHON_SUFFIXES) for path in paths):
        others = f"{len(paths)} other file{'s' if len(paths) > 1 else ''}"
        ui.warn(f"no Python files in {settings.root} ({others}): is it the right folder?")


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


def _index(settings: Settings, ui: _Ui, progress: bool = True, defer_store: bool = False):
    from repodoc_ls.index.indexer import Index

    start = time.perf_counter()
    index = Index.build(settings, progress=ui.progress if progress else None, defer_store=defer_store)
    for warning in index.warnings:
        ui.warn(warning)
    s = index.stats
    ui.detail(
        f"indexed {s.files} files ({s.extracted} extracted, {s.reused} reused, {s.removed} removed) "
        f"in {time.perf_counter() - start:.2f}s"
    )
    return index


def _check_root(args: argparse.Namespace) -> None:
    root = Path(args.root)
    if not root.exists():
        raise CliError(f"the workspace root {root} does not exist")
    if not root.is_dir():
        raise CliError(f"the workspace root {root} is not a folder")


def cmd_index(args: argparse.Namespace) -> int:
    ui = _Ui(args)
    _resolve_root(args, ui)
    _check_root(args)
    settings = _settings(args)
    start = time.perf_counter()
    index = _index(settings, ui)
    _warn_if_nothing_to_document(index, settings, ui)
    s = index.stats
    ui.summary(
        f"indexed {s.files} files ({s.extracted} extracted, {s.reused} reused, {s.removed} removed), "
        f"{index.symbol_count()} symbols in {time.perf_counter() - start:.2f}s"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.export import export

    ui = _Ui(args)
    _resolve_root(args, ui)
    _check_root(args)
    settings = _page_settings(args, ui)
    _refuse_output_with_sources(settings)
    ui.detail(f"output folder {clireport.shown(settings.output_path)}")
    start = time.perf_counter()
    index = _index(settings, ui, defer_store=True)  # export writes the store while its workers render
    _warn_if_nothing_to_document(index, settings, ui)
    shown = len(index.warnings)
    result = export(index, settings.output_path, force=args.force, progress=ui.progress, notify=ui.notify)
    for warning in [*index.warnings[shown:], *result.warnings]:
        ui.warn(warning)
    for page in result.written_pages:
        ui.detail(f"wrote {clireport.shown(result.output_dir / page)}")
    ui.detail(f"rendered {result.rendered} pages, wrote {result.written} in {result.seconds:.2f}s")
    elapsed = time.perf_counter() - start
    ui.summary(
        f"exported {clireport.shown(result.output_dir)}: {result.written} written, {result.unchanged} "
        f"unchanged, {result.removed} removed in {elapsed:.2f}s"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.export import check

    ui = _Ui(args)
    _resolve_root(args, ui)
    _check_root(args)
    settings = _page_settings(args, ui)
    _refuse_output_with_sources(settings)
    output = settings.output_path
    ui.detail(f"output folder {clireport.shown(output)}")
    index = _index(settings, ui, progress=False)
    _warn_if_nothing_to_document(index, settings, ui)
    start = time.perf_counter()
    result = check(index, output, deep=args.deep)
    ui.detail(f"compared the doc set and checked its links in {time.perf_counter() - start:.2f}s")
    sys.stdout.write(clireport.render(result, output, args.format))
    if result.ok:
        # stdout holds only the JSON or the annotations in those formats
        ui.summary(
            f"{clireport.shown(output)}: the doc set is up to date and every link resolves",
            stream=sys.stdout if args.format == "text" else sys.stderr,
        )
        return 0
    ui.summary(clireport.summary(result, output), stream=sys.stderr)
    return 1


def cmd_show(args: argparse.Namespace) -> int:
    from repodoc_ls.docs.render import Renderer

    ui = _Ui(args)
    target = Path(args.path)
    _resolve_root(args, ui, start=target if target.is_dir() else target.parent)
    _check_root(args)
    settings = _page_settings(args, ui)
    try:
        rel = target.resolve().relative_to(settings.root).as_posix()
    except ValueError:
        raise CliError(f"{target} is not inside the workspace {settings.root}") from None
    rel = "" if rel == "." else rel
    index = _index(settings, ui, progress=False)
    is_folder = rel == "" or target.is_dir()
    kind = args.kind or (kinds.DEFAULT_FOLDER_KIND if is_folder else kinds.DEFAULT_FILE_KIND)
    if is_folder != (kind in kinds.FOLDER_KINDS):
        raise CliError(f"--kind {kind} does not apply to {'a folder' if is_folder else 'a file'}")
    if not is_folder and index.file(rel) is None:
        raise CliError(f"{rel} is not documented (excluded, ignored or missing)")
    sys.stdout.write(Renderer(index).render_page(rel, kind))
    return 0


def tcp_address(value: str) -> tuple[str, int]:
    """`PORT`, `HOST:PORT` or `:PORT` (host 127.0.0.1); `[::1]:PORT` for an IPv6 host."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "", value
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise argparse.ArgumentTypeError(f"want PORT, HOST:PORT or :PORT, not {value!r}")
    return host.removeprefix("[").removesuffix("]") or "127.0.0.1", int(port)


def cmd_serve(args: argparse.Namespace) -> int:
    from repodoc_ls.server.app import run

    run(tcp=args.tcp)
    return 0


def _trust_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust-templates",
        action="store_true",
        help="render with the templates folder the workspace's pyproject.toml names "
        "(sandboxed; without this flag a repository's templates are not used)",
    )


def _source_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-url",
        metavar="TEMPLATE",
        help="link sources to a forge, e.g. https://github.com/OWNER/REPO/blob/{rev}/{path}#L{line} "
        '(default: source-url; "" for links relative to the output folder)',
    )
    parser.add_argument(
        "--source-rev", metavar="REV", help="the {rev} of --source-url (default: the commit .git/HEAD names)"
    )


def _verbosity_flags(parser: argparse.ArgumentParser, default) -> None:
    # Given before or after the command; after it, argparse's SUPPRESS keeps the subcommand
    # from resetting what was given before.
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="print only errors and findings (no progress, warnings or summary)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="say more: the root found, each page written, timings",
    )


def _root_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "root",
        nargs="?",
        default=None,
        help=f"workspace root (default: the nearest folder at or above the current one "
        f"holding {', '.join(ROOT_MARKERS)}; else the current folder)",
    )


_OUTPUT_HELP = (
    "output folder, relative to the current folder (default: output-dir, else docs/repodoc under the root)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="repodoc", description="Document a Python workspace.")
    parser.add_argument("--version", action="version", version=f"repodoc {__version__}")
    _verbosity_flags(parser, False)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or refresh the workspace index and print its size")
    _root_arg(p)
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    _verbosity_flags(p, argparse.SUPPRESS)
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("export", help="write the doc set (only pages whose content changed)")
    _root_arg(p)
    p.add_argument("-o", "--output", help=_OUTPUT_HELP)
    p.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    p.add_argument("--force", action="store_true", help="overwrite files repodoc did not write")
    _trust_flag(p)
    _source_flags(p)
    _verbosity_flags(p, argparse.SUPPRESS)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("check", help="exit 1 when the doc set on disk is stale or has broken links")
    _root_arg(p)
    p.add_argument("-o", "--output", help=_OUTPUT_HELP)
    p.add_argument(
        "--format",
        choices=clireport.FORMATS,
        default="text",
        help="text (default), json, or github (workflow annotations)",
    )
    p.add_argument(
        "--deep",
        action="store_true",
        help="render and parse every page, believing nothing the last export recorded (slower)",
    )
    _trust_flag(p)
    _source_flags(p)
    _verbosity_flags(p, argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("show", help="print one page")
    p.add_argument("path", help="a file or folder of the workspace")
    p.add_argument(
        "--kind",
        choices=kinds.FILE_KINDS + kinds.FOLDER_KINDS,
        help=f"page kind (default: {kinds.DEFAULT_FILE_KIND} for a file, "
        f"{kinds.DEFAULT_FOLDER_KIND} for a folder)",
    )
    p.add_argument(
        "--root",
        help=f"workspace root (default: the nearest folder at or above PATH holding "
        f"{', '.join(ROOT_MARKERS)})",
    )
    _trust_flag(p)
    _source_flags(p)
    _verbosity_flags(p, argparse.SUPPRESS)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("serve", help="run the language server")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    mode.add_argument(
        "--tcp",
        type=tcp_address,
        metavar="[HOST:]PORT",
        help="listen on a TCP port instead (PORT, HOST:PORT or :PORT; host 127.0.0.1 by default)",
    )
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None, *, process_ends: bool = False) -> int:
    """Run one command. `process_ends`: the process exits right after it (`run`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if process_ends and args.func is not cmd_serve:
        # Everything a command that ends builds stays alive until its exit, and holds few
        # cycles: the cyclic GC would only rescan it. Export and check pause it while they
        # work, and its first pass after them scanned every object they had made (0.17 s
        # after an export of Django for one changed file).
        gc.disable()
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


def run() -> None:
    """The `repodoc` command: `main`, then, for a command that ends (not `serve`), an exit
    that leaves the index to the operating system. Python's own exit frees every object one
    by one: after an export that read many files' facts, 0.5-1 s of a run that took one or
    two (the stdlib, one file changed), for memory the process gives back anyway. Output
    is flushed first; the store's transactions are committed as each write ends."""
    argv = sys.argv[1:]
    code = main(argv, process_ends=True)
    if getattr(build_parser().parse_known_args(argv)[0], "func", None) is cmd_serve:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)
