"""What the folder pages (`folders.py`) and the symbols pages (`subpages.py`) share: the
facts about folders computed once per renderer, titles, paths under a folder and the
navigation line."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from repodoc_ls.docs import pages

if TYPE_CHECKING:
    from repodoc_ls.docs.lettersymbols import Listed
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.docs.subpages import KeptRows, SubPlan
    from repodoc_ls.index.indexer import Index
    from repodoc_ls.model import FactsHeader, Symbol


@dataclass
class FolderCache:
    """Facts about folders, computed once per renderer (`Renderer.folder_cache`; a renderer
    never outlives its index). The symbols pages fill the lazy fields as they need them."""

    files: dict[str, list[str]] = field(default_factory=dict)  # folder -> direct files
    subfolders: dict[str, list[str]] = field(default_factory=dict)  # folder -> direct subfolders
    subtree: dict[str, list[str]] = field(default_factory=dict)  # folder -> every file below it
    kinds: dict[str, str] = field(default_factory=dict)  # path -> graph.kind(path)
    #: path -> its facts' header: every `doc.md` above a file reads it, and an undecoded
    #: record's header is decoded anew on each read (`LazyFacts.header`)
    headers: dict[str, FactsHeader] = field(default_factory=dict)
    #: path -> the files computing its kind read (`Graph.kind_and_reads`), once an export
    #: has planned its kinds (`incremental.plan_kinds`)
    kind_reads: dict[str, tuple[str, ...]] | None = None
    escaped: dict[str, str] = field(default_factory=dict)  # value -> pages.text(value)
    symbols: dict[str, list[tuple[str, Symbol]]] | None = (
        None  # folder -> subtree symbols, once several are asked
    )
    all_symbols: list[tuple[str, Symbol]] | None = None  # the workspace's (path, symbol), sorted
    plans: dict[str, SubPlan] = field(default_factory=dict)  # folder -> layout of its sub pages
    file_estimates: dict[str, tuple[int, int]] | None = None  # path -> (symbols, row bytes)
    hidden: set[int] | None = None  # ids of the symbols past their file's caps.MAX_SYMBOLS
    #: folder -> what an export knows of its split layout (see `subpages.KeptRows`)
    kept_rows: dict[str, KeptRows] = field(default_factory=dict)
    #: path -> the letters of its symbols (when known: `lettersymbols.letter_symbols`)
    file_letters: Mapping[str, Iterable[str]] = field(default_factory=dict)
    #: letter -> the workspace's listed symbols of that letter, read from the store's name
    #: index (`lettersymbols.letter_symbols`)
    by_letter: dict[str, list[tuple[str, Listed]]] = field(default_factory=dict)
    sub_renders: int = 0

    def header(self, index: Index, path: str) -> FactsHeader:
        found = self.headers.get(path)
        if found is None:
            found = self.headers[path] = index.facts.header(path)
        return found

    @classmethod
    def of(cls, index: Index) -> FolderCache:
        files: dict[str, list[str]] = defaultdict(list)
        subfolders: dict[str, set[str]] = defaultdict(set)
        subtree: dict[str, list[str]] = defaultdict(list)
        # Walked up once per folder, not once per file: every export plans with this.
        ancestors_in: dict[str, list[str]] = {}  # the head of a path -> its folders
        for path in index.paths():  # sorted
            head = path.rpartition("/")[0]
            ancestors = ancestors_in.get(head)
            if ancestors is None:
                ancestors = ancestors_in[head] = pages.folders_of(path)  # nearest first, "" last
                for child, parent in zip(ancestors, ancestors[1:]):
                    subfolders[parent].add(child)
            files[ancestors[0]].append(path)
            for folder in ancestors:
                subtree[folder].append(path)
        return cls(
            files=dict(files), subfolders={f: sorted(s) for f, s in subfolders.items()}, subtree=dict(subtree)
        )


def folder_title(renderer: Renderer, folder: str) -> str:
    return f"{folder}/" if folder else Path(renderer.root).name


def under(folder: str, path: str) -> str:
    """`path` relative to `folder`."""
    return path[len(folder) + 1 :] if folder else path


def folder_navigation(renderer: Renderer, folder: str, page: str, here: str) -> list[tuple[str, str]]:
    """(label, link) of the folder's other pages, its parent and the root."""
    out = []
    for kind, label in (("index", "files"), ("doc", "overview"), ("sub", "symbols")):
        if kind != here:
            out.append((label, pages.link(page, pages.folder_page(folder, kind))))
    if folder:
        parent = posixpath.dirname(folder)
        if parent:
            out.append((f"up: {parent}/", pages.link(page, pages.folder_page(parent, "index"))))
        out.append((f"root: {folder_title(renderer, '')}", pages.link(page, pages.folder_page("", "index"))))
    return out
