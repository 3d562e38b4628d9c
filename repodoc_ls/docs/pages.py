"""Every output path, anchor and link of the doc set, in one place.

Pages live under the output folder and mirror the source tree: `a/b/c.py` has
`a/b/c.py_docs.md` and `a/b/c.py_kw.md`; each folder `a/b` has `a/b/index.md`, `doc.md` and
`sub.md` (split into `sub-<letter>.md` pages when large). Which kinds of pages there are is
the registry's (`kinds.py`); their paths are made (and read back) here. Templates never build
a path: they receive links made here, already relative and percent-encoded.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from repodoc_ls.docs.sourceurl import SourceUrl

DOCS_SUFFIX = "_docs.md"
KEYWORDS_SUFFIX = "_kw.md"


def file_page(path: str) -> str:
    return path + DOCS_SUFFIX


def keyword_page(path: str) -> str:
    return path + KEYWORDS_SUFFIX


def folder_page(folder: str, name: str) -> str:
    """The page `name`.md of a folder (index, doc, sub); `folder` is "" for the root."""
    return f"{folder}/{name}.md" if folder else f"{name}.md"


def sub_letter_page(folder: str, letter: str) -> str:
    name = f"sub-{letter}.md"
    return f"{folder}/{name}" if folder else name


def letter_of(name: str) -> str:
    """The split key of a symbol name on split sub pages: a-z, or "_" for everything else."""
    first = name.lstrip("_")[:1].lower()[:1]  # ("İ" lowers to two characters, "i" first)
    return first if "a" <= first <= "z" else "_"


def all_folders(paths: Iterable[str]) -> set[str]:
    """Every folder above any of `paths`, the root "" included: from their distinct parent
    folders (a workspace has tens of thousands of files in a few hundred folders)."""
    found = {""}
    for folder in {path.rpartition("/")[0] for path in paths}:
        while folder and folder not in found:
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def folders_of(path: str) -> list[str]:
    """The folders above `path`, nearest first, ending with the root ""."""
    out = []
    folder = posixpath.dirname(path)
    while folder:
        out.append(folder)
        folder = posixpath.dirname(folder)
    out.append("")
    return out


_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def anchor(qualname: str) -> str:
    """A stable HTML id for a symbol: its qualified name (identifiers are already safe)."""
    return _ANCHOR_UNSAFE.sub("-", qualname)


def import_anchor(line: int, index: int = 0) -> str:
    """The id of the `index`-th imported module of a line (0 for all but `import a, b`)."""
    return f"import-L{line}" if index == 0 else f"import-L{line}-{index + 1}"


_NOTHING_TO_QUOTE = re.compile(r"[A-Za-z0-9/_.~\-]*")


def _quote(relpath: str) -> str:
    # Most paths need no quoting: the test is a tenth of `quote`'s cost.
    return relpath if _NOTHING_TO_QUOTE.fullmatch(relpath) else quote(relpath, safe="/-_.~")


def relative_path(target: str, start: str) -> str:
    """`posixpath.relpath(target, start)` for two normalized relative posix paths ("" is
    the root), without the two `abspath` calls (and so `getcwd`) relpath makes each time."""
    start_parts = start.split("/") if start else []
    target_parts = target.split("/") if target else []
    common = 0
    for a, b in zip(start_parts, target_parts):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start_parts) - common) + target_parts[common:]) or "."


@lru_cache(maxsize=65536)
def _relative_dir(start: str, target_dir: str) -> str:
    return relative_path(target_dir, start)


def relative(from_page: str, to_page: str) -> str:
    """The relative path from one output page to another (both relative to the output root)."""
    target_dir, _, name = to_page.rpartition("/")
    up = _relative_dir(from_page.rpartition("/")[0], target_dir)
    return name if up == "." else f"{up}/{name}"


def link(from_page: str, to_page: str, fragment: str | None = None) -> str:
    """A Markdown link target from one page to another page (optionally to an anchor)."""
    target = "" if to_page == from_page else _quote(relative(from_page, to_page))
    return f"{target}#{fragment}" if fragment else (target or "#")


class SourceLinks:
    """Links from pages to source files, which live in the workspace, not the output folder:
    relative to the page, or to a forge when the settings give a `source-url`."""

    def __init__(self, root: str, output: str, forge: SourceUrl | None = None):
        self.root = os.path.abspath(root)
        self.output = os.path.abspath(output)
        self.forge = forge
        self._dirs: dict[tuple[str, str], str] = {}

    def _dir_link(self, page_dir: str, source_dir: str) -> str:
        key = (page_dir, source_dir)
        found = self._dirs.get(key)
        if found is None:
            rel = os.path.relpath(
                os.path.join(self.root, source_dir), os.path.join(self.output, page_dir)
            ).replace(os.sep, "/")
            found = self._dirs[key] = _quote(rel)
        return found

    def file(self, from_page: str, path: str) -> str:
        """The link to a source file from a page."""
        if self.forge is not None:
            return self.forge.base(path)
        source_dir, name = posixpath.split(path)
        return f"{self._dir_link(posixpath.dirname(from_page), source_dir)}/{_quote(name)}"

    def line_fragment(self, line: int) -> str | None:
        """The fragment naming a line of a (non-Markdown) source file; None when the forge's
        links name no lines."""
        return self.forge.line_fragment(line) if self.forge is not None else f"L{line}"

    def source(self, from_page: str, path: str, line: int | None = None) -> str:
        base = self.file(from_page, path)
        fragment = self.line_fragment(line) if line else None
        return f"{base}#{fragment}" if fragment else base


def heading_fragment(anchor: str) -> str:
    """A Markdown source's heading anchor as a link fragment (slugs keep any letter)."""
    return quote(anchor, safe="-_.~")


_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~&])")


def text(value: str) -> str:
    """Escape text for inline Markdown (link text, table cells, headings): the characters
    that start emphasis, code, links, HTML, entities, strikethrough or end a table cell."""
    if "\n" in value:
        value = value.replace("\n", " ")
    return _MD_ESCAPE.sub(r"\\\1", value) if _MD_ESCAPE.search(value) else value


def code(value: str) -> str:
    """Inline code that survives backticks inside the value. A line break (which a code span
    shows as a space anyway) becomes a space, so the span cannot end a heading or a row."""
    if "\n" in value or "\r" in value:
        value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    if "`" not in value and value.strip():
        return f"`{value}`"
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def cell_code(value: str) -> str:
    """`code(value)` for a table cell: a `|` would end the cell, so it is escaped (inside a
    table, GFM and markdown-it read `\\|` in a code span as `|`; elsewhere they would not)."""
    spanned = code(value)
    return spanned.replace("|", "\\|") if "|" in spanned else spanned


def fence_for(content: str) -> str:
    """A code fence longer than any backtick run in `content` (at least three)."""
    if "```" not in content:
        return "```"
    longest = max((len(m) for m in re.findall(r"`{3,}", content)), default=0)
    return "`" * max(3, longest + 1)


# -- folder pages


class Linker(Protocol):
    """`link(from_page, to_page, fragment)` with `from_page` fixed (see `links_from`)."""

    def __call__(self, to_page: str, fragment: str | None = None) -> str: ...


def links_from(from_page: str) -> Linker:
    """`link(from_page, to_page, fragment)` for many links out of one page: each target
    page's relative path is computed once (a symbols page links thousands of symbols)."""
    targets: dict[str, str] = {}

    def make(to_page: str, fragment: str | None = None) -> str:
        target = targets.get(to_page)
        if target is None:
            target = targets[to_page] = "" if to_page == from_page else link(from_page, to_page)
        return f"{target}#{fragment}" if fragment else (target or "#")

    return make


def sub_part_page(folder: str, letter: str, part: int) -> str:
    """Part `part` (1-based) of a letter page too large for one page: part 1 is the letter
    page itself (`sub-t.md`), then `sub-t-2.md`, `sub-t-3.md`..."""
    if part <= 1:
        return sub_letter_page(folder, letter)
    name = f"sub-{letter}-{part}.md"
    return f"{folder}/{name}" if folder else name


#: The name of a letter page of a split symbols page: `sub-t.md`, or part 2 on, `sub-t-2.md`.
_SUB_PART_NAME = re.compile(r"sub-([a-z_])(?:-([2-9]|[1-9][0-9]+))?\.md")


def sub_part_of(name: str) -> tuple[str, int] | None:
    """(letter, part) of a letter page's file name (`sub_part_page`'s), else None."""
    match = _SUB_PART_NAME.fullmatch(name)
    return (match[1], int(match[2] or 1)) if match else None


def name_text(name: str) -> str:
    """`text(name)` for a (dotted) Python name, fast: of the characters `text` escapes, an
    identifier can only hold `_`. Anything else goes through `text`."""
    if name.replace(".", "").isidentifier():
        return name.replace("_", "\\_")
    return text(name)
