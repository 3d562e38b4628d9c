"""Every output path, anchor and link of the doc set, in one place.

Pages live under the output folder and mirror the source tree: `a/b/c.py` has
`a/b/c.py_docs.md` and `a/b/c.py_kw.md`; each folder `a/b` has `a/b/index.md`, `doc.md` and
`sub.md` (split into `sub-<letter>.md` pages when large). Templates never build a path: they
receive links made here, already relative and percent-encoded.
"""

from __future__ import annotations

import os
import posixpath
import re
from urllib.parse import quote

FOLDER_KINDS = ("index", "doc", "sub")
PAGE_KINDS = ("docs", "kw") + FOLDER_KINDS


def file_page(path: str) -> str:
    return f"{path}_docs.md"


def keyword_page(path: str) -> str:
    return f"{path}_kw.md"


def folder_page(folder: str, kind: str) -> str:
    """`kind` is index, doc or sub; `folder` is "" for the root."""
    if kind not in FOLDER_KINDS:
        raise ValueError(f"unknown folder page kind {kind!r}")
    return f"{folder}/{kind}.md" if folder else f"{kind}.md"


def sub_letter_page(folder: str, letter: str) -> str:
    name = f"sub-{letter}.md"
    return f"{folder}/{name}" if folder else name


def page_for(path: str, kind: str) -> str:
    """The page of a file (kind docs/kw) or of a folder (kind index/doc/sub)."""
    if kind == "docs":
        return file_page(path)
    if kind == "kw":
        return keyword_page(path)
    return folder_page(path, kind)


def letter_of(name: str) -> str:
    """The split key of a symbol name on split sub pages: a-z, or "_" for everything else."""
    first = name.lstrip("_")[:1].lower()
    return first if "a" <= first <= "z" else "_"


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


def import_anchor(line: int, index: int) -> str:
    return f"import-L{line}-{index}"


def line_anchor(line: int) -> str:
    return f"L{line}"


def _quote(relpath: str) -> str:
    return quote(relpath, safe="/-_.~")


def relative(from_page: str, to_page: str) -> str:
    """The relative path from one output page to another (both relative to the output root)."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to_page, start)


def link(from_page: str, to_page: str, fragment: str | None = None) -> str:
    """A Markdown link target from one page to another page (optionally to an anchor)."""
    target = "" if to_page == from_page else _quote(relative(from_page, to_page))
    return f"{target}#{fragment}" if fragment else (target or "#")


class SourceLinks:
    """Links from pages to source files, which live in the workspace, not the output folder."""

    def __init__(self, root: str, output: str):
        self.root = os.path.abspath(root)
        self.output = os.path.abspath(output)

    def source(self, from_page: str, path: str, line: int | None = None) -> str:
        page_dir = os.path.dirname(os.path.join(self.output, from_page))
        rel = os.path.relpath(os.path.join(self.root, path), page_dir).replace(os.sep, "/")
        return _quote(rel) + (f"#L{line}" if line else "")


_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def text(value: str) -> str:
    """Escape text for inline Markdown (link text, table cells, headings)."""
    return _MD_ESCAPE.sub(r"\\\1", value).replace("\n", " ")


def code(value: str) -> str:
    """Inline code that survives backticks inside the value."""
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fence_for(content: str) -> str:
    """A code fence longer than any backtick run in `content` (at least three)."""
    longest = max((len(m) for m in re.findall(r"`{3,}", content)), default=0)
    return "`" * max(3, longest + 1)
