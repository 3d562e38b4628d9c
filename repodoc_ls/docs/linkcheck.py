"""Check that every relative link and anchor of an exported doc set resolves.

`check_links` parses each Markdown page once with markdown-it-py, collects every link target
(Markdown links and images, raw HTML `<a href>` / `<img src>`) and every anchor of the page
(`id`/`name` attributes of HTML tags, GitHub-style heading slugs), then checks:

- `#frag` alone: the fragment is an anchor of the same page;
- a relative path inside the output folder: the page exists (in `pages` when given, else on
  disk); a fragment must be an anchor of that page;
- a relative path outside the output folder (a source file of the workspace): the file exists
  on disk and, symbolic links resolved, lies inside the workspace; `#L<n>` / `#L<n>-L<m>`
  must lie within its line count (unknown for a file too large to read: not checked); a
  fragment on a Markdown source file must be one of its anchors (front matter skipped), never
  a line reference, which forges ignore on rendered Markdown (see `slugs.py`). Files
  are read only when regular (never a FIFO) and under the size limit.

Absolute URLs (any `scheme:` such as `https://`, `mailto:`, `command:`, and `//host`) are
skipped. Link targets are percent-decoded (markdown-it percent-encodes every href it
produces) before they are resolved. Text inside code spans and code blocks is never a link.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import posixpath
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from repodoc_ls.docs.slugs import (
    Slugger,
    heading_slug,
    heading_text,
    is_markdown,
    markdown,
    without_front_matter,
)
from repodoc_ls.safefs import DEFAULT_MAX_FILE_BYTES, FileTooLarge, InsideFolder, read_regular

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "BrokenLink",
    "ParsedPage",
    "Slugger",
    "check_links",
    "heading_slug",
    "is_absolute_url",
    "markdown_files",
    "page_anchors",
    "parse_page",
    "read_page",
    "read_page_bytes",
    "scan_html",
]


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the page holding the link (posix, relative to the output folder)
    line: int  # 1-based line of the link in that page
    target: str  # the link target as written (after markdown-it normalization)
    reason: str


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LINE_FRAGMENT = re.compile(r"^L(\d+)(?:-L(\d+))?$")

# An HTML open tag (the pattern CommonMark uses), or a comment, which is skipped.
_ATTR_NAME = r"[A-Za-z_:][A-Za-z0-9:._-]*"
_ATTR_VALUE = r"(?:[^\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\")"
_OPEN_TAG = rf"<([A-Za-z][A-Za-z0-9\-]*)((?:\s+{_ATTR_NAME}(?:\s*=\s*{_ATTR_VALUE})?)*)\s*/?>"
_HTML_SCAN = re.compile(rf"<!--.*?-->|{_OPEN_TAG}", re.S)
_ATTR = re.compile(rf"({_ATTR_NAME})(?:\s*=\s*({_ATTR_VALUE}))?")
_HTML_LINK_ATTRS = {("a", "href"), ("img", "src")}

#: A page's links, each as (line, target), and its anchors.
ParsedPage = tuple[list[tuple[int, str]], frozenset[str]]


# ---------------------------------------------------------------- parsing pages


def scan_html(content: str, first_line: int, links: list[tuple[int, str]], anchors: set[str]) -> None:
    """Collect `<a href>`/`<img src>` targets and `id`/`name` anchors of raw HTML."""
    if "<" not in content:
        return
    for m in _HTML_SCAN.finditer(content):
        tag = m.group(1)
        if tag is None:  # a comment
            continue
        tag = tag.lower()
        for a in _ATTR.finditer(m.group(2) or ""):
            name, raw = a.group(1).lower(), a.group(2)
            if raw is None:
                continue
            value = html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw)
            if name in ("id", "name"):
                anchors.add(value)
            elif (tag, name) in _HTML_LINK_ATTRS:
                links.append((first_line + content.count("\n", 0, m.start()), value))


def _walk_inline(
    children: Iterable[Token], line: int, links: list[tuple[int, str]], anchors: set[str]
) -> int:
    """Collect links of inline tokens starting on `line`; returns the line after them."""
    for tok in children:
        t = tok.type
        if t == "link_open":
            href = tok.attrs.get("href")
            if href is not None:
                links.append((line, str(href)))
        elif t == "image":
            src = tok.attrs.get("src")
            if src is not None:
                links.append((line, str(src)))
            if tok.children:
                line = _walk_inline(tok.children, line, [], set())
        elif t in ("softbreak", "hardbreak"):
            line += 1
        elif t == "html_inline":
            scan_html(tok.content, line, links, anchors)
            line += tok.content.count("\n")
    return line


_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")


def _blank_fenced_code(text: str) -> str:
    """The page with the content of its top-level fenced code blocks blanked (line count
    kept). Code holds no links or anchors, and a page's source section is most of its bytes:
    markdown-it need not tokenize it. Fences inside containers are left to markdown-it."""
    if "```" not in text and "~~~" not in text:
        return text
    lines = text.split("\n")
    fence = None
    for i, line in enumerate(lines):
        if fence is None:
            m = _FENCE_OPEN.match(line)
            if m:
                fence = m.group(1)
        else:
            stripped = line.strip()
            if (
                line[:4].strip()
                and stripped.startswith(fence[0] * len(fence))
                and not stripped.strip(fence[0])
                and len(line) - len(line.lstrip(" ")) <= 3
            ):
                fence = None
            else:
                lines[i] = ""
    return "\n".join(lines)


def _parse(text: str) -> ParsedPage:
    """(links as (line, target), anchors) of one Markdown page."""
    links: list[tuple[int, str]] = []
    anchors: set[str] = set()
    slugger = Slugger()
    tokens = markdown().parse(_blank_fenced_code(text))
    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            start = tok.map[0] + 1 if tok.map else 1
            _walk_inline(tok.children or (), start, links, anchors)
            if i and tokens[i - 1].type == "heading_open":
                anchors.add(slugger.slug(heading_text(tok.children)))
        elif tok.type == "html_block":
            scan_html(tok.content, tok.map[0] + 1 if tok.map else 1, links, anchors)
    return links, frozenset(anchors)


parse_page = _parse


def is_absolute_url(target: str) -> bool:
    """A target the check never follows: `scheme:...` or `//host...`."""
    return bool(_SCHEME.match(target)) or target.startswith("//")


def page_anchors(text: str) -> frozenset[str]:
    """Every anchor of a Markdown page: HTML `id`/`name` attributes and heading slugs."""
    return _parse(text)[1]


# ---------------------------------------------------------------- checking


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


#: Where a link's path leads, the first of a `_Place`: an absolute URL (never followed), a
#: path that is wrong whatever the fragment (then the reason), a page of the doc set, a
#: folder, a source file (whose fragments name lines), a Markdown source file (headings).
_FINE, _BROKEN, _PAGE, _FOLDER, _SOURCE, _SOURCE_PAGE = "fine", "broken", "page", "folder", "source", "md"
#: (kind, what: the reason, page name, shown folder or full path, and the path as messages show it)
_Place = tuple[str, str, str]


class _Checker:
    def __init__(self, output_dir: Path, pages: dict[str, str] | None, source_root: Path | None):
        self.out_abs = os.path.abspath(output_dir)
        self.out_prefix = os.path.join(self.out_abs, "")
        self.in_memory = pages is not None
        if pages is None:
            pages = _read_pages(Path(output_dir))
        self.pages = pages
        self.names = {posixpath.normpath(name): name for name in pages}
        self.root_abs = os.path.abspath(source_root) if source_root is not None else None
        self.inside_root = InsideFolder(self.root_abs) if self.root_abs is not None else None
        self.parsed: dict[str, ParsedPage] = {}
        self.file_anchors: dict[str, frozenset[str] | None] = {}
        self.line_counts: dict[str, int | None] = {}
        self.inside: dict[str, bool] = {}  # abs path -> inside the workspace, links resolved
        self.kinds: dict[str, str | None] = {}  # abs path -> "file" / "dir" / None
        self.places: dict[tuple[str, str], _Place] = {}  # (page folder, path of a target) -> place
        self.outside: dict[str, tuple[str, str | None, str | None]] = {}  # see outside_path

    # -- caches

    def page(self, name: str) -> ParsedPage:
        got = self.parsed.get(name)
        if got is None:
            got = self.parsed[name] = _parse(self.pages[name])
        return got

    def kind(self, path: str) -> str | None:
        if path not in self.kinds:
            self.kinds[path] = "file" if os.path.isfile(path) else "dir" if os.path.isdir(path) else None
        return self.kinds[path]

    def anchors_of_file(self, path: str) -> frozenset[str]:
        if path not in self.file_anchors:
            try:
                text = read_regular(path, DEFAULT_MAX_FILE_BYTES).decode("utf-8", errors="replace")
            except OSError:  # also a FIFO (never blocks) and a file too large to read
                text = ""
            self.file_anchors[path] = _parse(without_front_matter(text))[1]
        return self.file_anchors[path] or frozenset()

    def lines_of(self, path: str) -> int | None:
        """The file's line count; None when it is too large to read (any line may exist)."""
        if path not in self.line_counts:
            try:
                self.line_counts[path] = _count_lines(read_regular(path, DEFAULT_MAX_FILE_BYTES))
            except FileTooLarge:
                self.line_counts[path] = None
            except OSError:
                self.line_counts[path] = 0
        return self.line_counts[path]

    # -- checks

    def check_page(self, name: str) -> list[BrokenLink]:
        links, own_anchors = self.page(name)
        here = posixpath.normpath(name)
        folder = posixpath.dirname(here)
        places = self.places
        broken = []
        for line, target in links:
            if target[:1] in ("#", "?", "") or not target.strip():
                reason = self.check(here, own_anchors, target)
            else:
                # Where a path leads depends on the page's folder only, and pages share
                # many paths, most with a different fragment each (a source file's lines).
                path, _, fragment = target.partition("#")
                key = (folder, path)
                place = places.get(key)
                if place is None:
                    place = places[key] = self.place(here, path)
                reason = self.at(place, unquote(fragment))
            if reason:
                broken.append(BrokenLink(name, line, target, reason))
        return broken

    def check(self, here: str, own_anchors: frozenset[str], target: str) -> str | None:
        if is_absolute_url(target):
            return None
        if not target.strip():
            return "empty link target"
        path, _, fragment = target.partition("#")
        fragment = unquote(fragment)
        if not path.partition("?")[0]:
            if not fragment or fragment in own_anchors:
                return None
            return f"no anchor '{fragment}' on page {here}"
        return self.at(self.place(here, path), fragment)

    def place(self, here: str, path: str) -> _Place:
        """Where `path` (a link target's part before any `#`, not empty) leads from page
        `here`, whatever the fragment; an absolute URL is fine wherever it leads (a
        scheme or `//` starts the path as it starts the target)."""
        if is_absolute_url(path):
            return (_FINE, "", "")
        path = unquote(path.partition("?")[0])
        if path.startswith("/"):
            return (_BROKEN, f"absolute path '{path}' (links must be relative)", "")
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(here), path))
        if rel != ".." and not rel.startswith("../"):
            return self.place_inside(rel, os.path.join(self.out_abs, rel))
        full = os.path.normpath(os.path.join(self.out_abs, rel))
        if full.startswith(self.out_prefix):  # left the output folder and came back into it
            rel = full[len(self.out_prefix) :].replace(os.sep, "/")
            return self.place_inside(rel, full)
        found = self.outside.get(full)
        if found is None:
            found = self.outside[full] = self.outside_path(full)
        shown, reason, kind = found
        if reason is not None:
            return (_BROKEN, reason, "")
        if kind == "dir":
            return (_FOLDER, shown, "")
        return (_SOURCE_PAGE if is_markdown(full) else _SOURCE, full, shown)

    def place_inside(self, rel: str, full: str) -> _Place:
        if is_markdown(rel) or self.in_memory and rel in self.names:
            name = self.names.get(rel)
            if name is None:
                return (_BROKEN, f"no such page '{rel}'", "")
            return (_PAGE, name, rel)
        kind = self.kind(full)
        if kind is None:
            return (_BROKEN, f"no such page '{rel}'", "")
        return (_FOLDER, rel, "") if kind == "dir" else (_SOURCE, full, rel)

    def at(self, place: _Place, fragment: str) -> str | None:
        """What is wrong with a link to `place` at `fragment` (percent-decoded; "" for none)."""
        kind, where, shown = place
        if kind is _BROKEN:
            return where
        if not fragment or kind is _FINE:
            return None
        if kind is _PAGE:
            return None if fragment in self.page(where)[1] else f"no anchor '{fragment}' on page {shown}"
        if kind is _FOLDER:
            return f"fragment '#{fragment}' on folder '{where}'"
        if kind is _SOURCE_PAGE:
            if fragment in self.anchors_of_file(where):
                return None
            if _LINE_FRAGMENT.match(fragment):
                return f"'#{fragment}' on Markdown file '{shown}': forges ignore line anchors there; link a heading"
            return f"no anchor '{fragment}' on page {shown}"
        return self.check_line_fragment(where, shown, fragment)

    def outside_path(self, full: str) -> tuple[str, str | None, str | None]:
        """(shown, what is wrong with the path or None, its kind) of a path outside the
        output folder, whatever the fragment."""
        shown = self.shown(full)
        if self.root_abs is not None and self.inside_root is not None:
            from_root = os.path.relpath(full, self.root_abs).replace(os.sep, "/")
            if from_root == ".." or from_root.startswith("../"):
                return shown, f"'{shown}' is outside the workspace", None
            if full not in self.inside:
                self.inside[full] = self.inside_root(full)
            if not self.inside[full]:
                return shown, f"'{shown}' leads outside the workspace through a symbolic link", None
        kind = self.kind(full)
        if kind is None:
            return shown, f"no such file '{shown}'", None
        return shown, None, kind

    def check_line_fragment(self, full: str, shown: str, fragment: str) -> str | None:
        m = _LINE_FRAGMENT.match(fragment)
        if not m:
            return f"fragment '#{fragment}' on '{shown}' is not a line reference (#L<n>)"
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        count = self.lines_of(full)
        for n in (first, last):
            if n < 1:
                return f"line {n} is not a line number (lines start at 1) in '{shown}'"
            if count is not None and n > count:
                return f"line {n} beyond the file's {count} lines ('{shown}')"
        if last < first:
            return f"line range L{first}-L{last} is reversed in '{shown}'"
        return None

    def shown(self, full: str) -> str:
        """A path for messages: relative to the workspace root when it is inside it, else
        relative to the output folder."""
        if self.root_abs is not None:
            rel = os.path.relpath(full, self.root_abs).replace(os.sep, "/")
            if rel != ".." and not rel.startswith("../"):
                return rel
        return os.path.relpath(full, self.out_abs).replace(os.sep, "/")


#: A page larger than this is checked as if empty (a doc set's pages are far smaller).
_MAX_PAGE_BYTES = 64 * 1024 * 1024


def markdown_files(output: Path) -> Iterator[str]:
    """The `*.md` files below `output` (posix, relative), in folder order; no symbolic link
    to a folder is followed."""
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        rel = Path(os.path.relpath(dirpath, output)).as_posix()
        for name in sorted(filenames):
            if name.endswith(".md"):
                yield name if rel == "." else f"{rel}/{name}"


def read_page_bytes(output_dir: Path) -> dict[str, bytes]:
    """Every `*.md` regular file below `output_dir`, as the check reads it: a symbolic link
    or a page too large reads as empty, no FIFO is opened, an unreadable file is left out."""
    pages = {}
    for name in markdown_files(output_dir):
        data = read_page(output_dir, name)
        if data is not None:
            pages[name] = data
    return dict(sorted(pages.items()))


def read_page(output_dir: Path, name: str) -> bytes | None:
    """One page as `read_page_bytes` reads it (None: left out)."""
    path = output_dir / name
    try:
        return b"" if path.is_symlink() else read_regular(path, _MAX_PAGE_BYTES)
    except FileTooLarge:
        return b""
    except OSError:
        return None


def _read_pages(output_dir: Path) -> dict[str, str]:
    return {
        name: data.decode("utf-8", errors="replace") for name, data in read_page_bytes(output_dir).items()
    }


_MIN_PAGES_FOR_WORKERS = 300
_workers_pages: dict[str, str] = {}  # the pages, set just before the workers fork


def _parse_named(names: list[str]) -> list[tuple[str, ParsedPage]]:
    return [(name, _parse(_workers_pages[name])) for name in names]


def _parse_in_workers(checker: _Checker) -> None:
    """Parse a large doc set in forked workers (markdown-it is pure Python: parsing is nearly
    all of the time). Only when this process has no other thread, which a fork could strand."""
    global _workers_pages
    names = [name for name in checker.pages if name not in checker.parsed]
    workers = min(os.cpu_count() or 1, 8)
    if (
        len(names) < _MIN_PAGES_FOR_WORKERS
        or workers < 2
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return
    chunks = [names[i : i + 50] for i in range(0, len(names), 50)]
    _workers_pages = checker.pages
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for results in pool.imap_unordered(_parse_named, chunks):
                checker.parsed.update(results)
    finally:
        _workers_pages = {}


def check_links(
    output_dir: Path,
    pages: dict[str, str] | None = None,
    source_root: Path | None = None,
    parsed: dict[str, ParsedPage] | None = None,
) -> list[BrokenLink]:
    """Every broken relative link or anchor of the doc set in `output_dir`.

    `pages` maps page paths (posix, relative to `output_dir`) to Markdown text; when None,
    every `*.md` file under `output_dir` is read. A link that leaves `output_dir` must name an
    existing file on disk (and, when `source_root` is given, one inside `source_root`).
    `parsed` gives the links and anchors of pages already known (their text is not read).
    The result is sorted by (page, line, target).
    """
    checker = _Checker(Path(output_dir), pages, source_root)
    checker.parsed.update(parsed or {})
    _parse_in_workers(checker)
    broken: list[BrokenLink] = []
    for name in checker.pages:
        broken.extend(checker.check_page(name))
    broken.sort(key=lambda b: (b.page, b.line, b.target))
    return broken
