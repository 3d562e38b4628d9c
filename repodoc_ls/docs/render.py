"""One renderer for every face: `export`, `check`, `show` and the server's custom requests.

A `Renderer` wraps an `Index` and turns (kind, path) into page text with jinja2 templates.
View models are built in `filepage.py`, `keywordpage.py`, `folders.py` and `subpages.py`;
every path and link they hand to templates comes from `pages.py`. Each rendered page
carries the workspace files whose facts it shows (`deps`), so an export after an edit knows
which pages to redo.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from repodoc_ls import __version__
from repodoc_ls.docs import pages
from repodoc_ls.index.indexer import Index
from repodoc_ls.safefs import read_regular

#: Bumped when the meaning of rendered output changes without a template changing.
RENDER_VERSION = 1


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    deps: frozenset[str]  # workspace files whose facts this page shows


#: Unit kinds of a file's pages; the others are a folder's.
FILE_KINDS = ("docs", "kw")


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    """One rendering job: a file's docs or kw page, or a folder's index, doc or sub page(s)."""

    kind: str  # docs, kw, index, doc, sub, or sub-<letter> (a letter of a split sub page)
    path: str  # the file, or the folder ("" for the root)


def make_environment(override_dir: Path | None) -> jinja2.Environment:
    """One environment per template folder for the process: compiling the templates costs
    more than rendering a page (the server makes a renderer per request). Overriding
    templates edited on disk are reloaded (jinja2 checks their mtime)."""
    return _environment(str(override_dir) if override_dir is not None else None)


@functools.lru_cache(maxsize=8)
def _environment(override_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.PackageLoader("repodoc_ls.docs", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # Markdown, not HTML: escaping is done per value by `text`
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["text"] = pages.text
    env.filters["code"] = pages.code
    return env


def _read_from_disk(root: Path, limit: int) -> Callable[[str], bytes | None]:
    """A file's bytes; None when it cannot be read, is no regular file or is over `limit`."""
    def read(path: str) -> bytes | None:
        try:
            return read_regular(os.path.join(root, path), limit)
        except OSError:
            return None
    return read


class Renderer:
    def __init__(self, index: Index, output_dir: Path | str | None = None,
                 read_source: Callable[[str], bytes | None] | None = None):
        self.index = index
        self.graph = index.graph
        self.settings = index.settings
        self.root = Path(self.settings.root)
        self.output = Path(output_dir).resolve() if output_dir is not None else self.settings.output_path
        self.sources = pages.SourceLinks(str(self.root), str(self.output))
        self.read_source = read_source or _read_from_disk(self.root, self.settings.max_file_bytes)
        self.template_dir = self._template_dir()
        self.env = make_environment(self.template_dir)

    def _template_dir(self) -> Path | None:
        if not self.settings.templates:
            return None
        folder = Path(self.settings.templates)
        return folder if folder.is_absolute() else self.root / folder

    # -- what there is to render ---------------------------------------------

    def folders(self) -> list[str]:
        """Every folder holding an indexed file, with its ancestors; "" is the root."""
        found = {""}
        for path in self.index.paths():
            found.update(pages.folders_of(path))
        return sorted(found)

    def units(self, known_letters: dict[str, list[str]] | None = None) -> list[Unit]:
        """Every rendering unit. `known_letters` gives the symbols letters of folders whose
        subtree is known not to have changed since they were last laid out (export passes
        them from its manifest: laying out a large folder's symbols costs a sort)."""
        known_letters = known_letters or {}
        out = []
        for path in self.index.paths():
            out.append(Unit("docs", path))
            out.append(Unit("kw", path))
        from repodoc_ls.docs import subpages

        for folder in self.folders():
            for kind in pages.FOLDER_KINDS:
                out.append(Unit(kind, folder))
            letters = known_letters.get(folder)
            for letter in letters if letters is not None else subpages.sub_letters(self, folder):
                out.append(Unit(f"sub-{letter}", folder))
        return out

    def pages_of(self, unit: Unit) -> list[str]:
        """The pages `render_unit(unit)` gives, known without rendering."""
        if unit.kind in FILE_KINDS:
            return [pages.page_for(unit.path, unit.kind)]
        if unit.kind.startswith("sub-"):
            from repodoc_ls.docs import subpages

            return subpages.sub_letter_pages(self, unit.path, unit.kind[len("sub-"):])
        return [pages.folder_page(unit.path, unit.kind)]

    def fingerprint_parts(self) -> list[str]:
        """What, besides the sources, every page depends on (for the export manifest)."""
        parts = [f"repodoc {__version__}", f"render {RENDER_VERSION}",
                 f"output {self.output}", f"root {self.root}",
                 f"max_source_bytes {self.settings.max_source_bytes}"]
        names = sorted(self.env.list_templates(extensions=["j2"]))
        for name in names:
            source, filename, _ = self.env.loader.get_source(self.env, name)
            parts.append(f"template {name} {filename and os.path.basename(filename)} {hash_text(source)}")
        return parts

    # -- rendering -----------------------------------------------------------

    def prepare(self) -> None:
        """Build the graph's lazy indexes now: before rendering many pages (they are cheaper
        than per-page queries) and before forking workers (which would each build their own)."""
        self.graph.references("", "")
        self.graph.definitions("")
        self.graph.subclasses("", "")

    def render_unit(self, unit: Unit) -> dict[str, Rendered]:
        """Page path (relative to the output folder) -> rendered page."""
        with self.index.lock:
            if unit.kind in FILE_KINDS:
                from repodoc_ls.docs import filepage, keywordpage

                if unit.kind == "docs":
                    return {pages.file_page(unit.path): filepage.render_file_page(self, unit.path)}
                return {pages.keyword_page(unit.path): keywordpage.render_keyword_page(self, unit.path)}
            from repodoc_ls.docs import folders

            return folders.render_folder(self, unit.path, unit.kind)

    def render_page(self, path: str, kind: str) -> str:
        """One page's text: a file's docs/kw page or a folder's index/doc/sub page."""
        page = pages.page_for(path, kind)
        return self.render_unit(Unit(kind, path))[page].text

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)

    # -- helpers shared by the view builders -----------------------------------

    def is_folder(self, path: str) -> bool:
        return path == "" or (path not in self.index.facts and any(
            p.startswith(path + "/") for p in self.index.facts))


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
