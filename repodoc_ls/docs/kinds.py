"""The kinds of pages of the doc set, in one table: `KINDS`.

For each kind: its rendering unit (one per file, one per folder, or one per letter of a
folder's split symbols page), its page path (made and read back with `pages.py`), its view
builder, its templates, and which edits make it render again (`Redo`). The renderer,
incremental export, export, the manifest's pages, the CLI (`show --kind`) and the server
(`folderDoc`'s kinds, `repodoc/page`) all read this table: a new kind of page is an entry
here, with its view builder and its template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

from repodoc_ls.docs import filepage, folders, keywordpage, pages, subpages
from repodoc_ls.docs.units import Rendered, Unit

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer


class NoSuchPage(LookupError):
    """A page path the doc set does not have (the message is one line naming it)."""


class Scope(Enum):
    """What one unit of a kind documents."""

    FILE = "file"  # an indexed file
    FOLDER = "folder"  # a folder holding indexed files (or an ancestor of one); "" is the root
    LETTER = "letter"  # an initial letter of a folder's split symbols page


class Redo(Enum):
    """Which units of a kind an export after an edit renders again, besides those with a
    page that records a changed file among its deps or is not on disk as written."""

    #: Each changed file's units, and those of each file it relates to (see
    #: `incremental.related_files`).
    RELATED_FILES = "related files"
    #: The units of the folders above each changed file (the tree, the files' rows), each
    #: file whose kind changed (a base class in another file became a TestCase or stopped
    #: being one), each file whose imports resolve elsewhere and each module an import
    #: started or stopped resolving to (its importers' count): see
    #: `incremental.reshaped_files` and `incremental.plan_kinds`.
    FOLDERS_OF_RESHAPED = "folders of changed files, kinds and imports"
    #: The units of the folders above each changed file only: they list the subtree's own
    #: symbols.
    FOLDERS_OF_CHANGED = "folders of changed files"
    #: In the folders above each changed file, the units of the letters of its symbols (the
    #: letters it no longer has are found by their pages' deps).
    LETTERS_OF_CHANGED = "letters of changed files"


@dataclass(frozen=True)
class PageKind:
    name: str  # the unit's kind; for file and folder kinds, `show --kind` and folderDoc's kind
    templates: tuple[str, ...]  # the templates its builder renders
    redo: Redo
    scope: ClassVar[Scope]

    def page(self, unit: Unit, part: int = 1) -> str:
        """The path (relative to the output folder) of a unit's page, or of its `part`."""
        raise NotImplementedError

    def unit_of(self, page: str) -> Unit | None:
        """The unit of this kind that renders `page`, None when no unit of it does."""
        raise NotImplementedError

    def pages_of(self, renderer: Renderer, unit: Unit) -> list[str]:
        """The pages `render(unit)` gives, known without rendering."""
        return [self.page(unit)]

    def render(self, renderer: Renderer, unit: Unit) -> dict[str, Rendered]:
        raise NotImplementedError


@dataclass(frozen=True)
class FileKind(PageKind):
    """One page per indexed file, beside where the file is: its path and `suffix`."""

    suffix: str
    build: Callable[[Renderer, str], Rendered]
    scope: ClassVar[Scope] = Scope.FILE

    def page(self, unit: Unit, part: int = 1) -> str:
        return unit.path + self.suffix

    def unit_of(self, page: str) -> Unit | None:
        return Unit(self.name, page[: -len(self.suffix)]) if page.endswith(self.suffix) else None

    def render(self, renderer: Renderer, unit: Unit) -> dict[str, Rendered]:
        return {self.page(unit): self.build(renderer, unit.path)}


@dataclass(frozen=True)
class FolderKind(PageKind):
    """One page per folder, in the folder: `<name>.md`."""

    build: Callable[[Renderer, str], Rendered]
    scope: ClassVar[Scope] = Scope.FOLDER

    def page(self, unit: Unit, part: int = 1) -> str:
        return pages.folder_page(unit.path, self.name)

    def unit_of(self, page: str) -> Unit | None:
        folder, _, name = page.rpartition("/")
        return Unit(self.name, folder) if name == f"{self.name}.md" else None

    def render(self, renderer: Renderer, unit: Unit) -> dict[str, Rendered]:
        return {self.page(unit): self.build(renderer, unit.path)}


@dataclass(frozen=True)
class LetterKind(PageKind):
    """One unit per initial letter of a folder's symbols page when that page (the folder
    kind `splits`) is split; a letter too large for one page has several parts."""

    splits: str
    letters: Callable[[Renderer, str], list[str]]  # (folder) -> its letters, none unless split
    parts: Callable[[Renderer, str, str], int]  # (folder, letter) -> its pages
    build: Callable[[Renderer, str, str], dict[str, Rendered]]
    scope: ClassVar[Scope] = Scope.LETTER

    def page(self, unit: Unit, part: int = 1) -> str:
        return pages.sub_part_page(unit.path, unit.letter, part)

    def unit_of(self, page: str) -> Unit | None:
        folder, _, name = page.rpartition("/")
        found = pages.sub_part_of(name)
        return Unit(self.name, folder, found[0]) if found is not None else None

    def pages_of(self, renderer: Renderer, unit: Unit) -> list[str]:
        return [self.page(unit, n) for n in range(1, self.parts(renderer, unit.path, unit.letter) + 1)]

    def render(self, renderer: Renderer, unit: Unit) -> dict[str, Rendered]:
        return self.build(renderer, unit.path, unit.letter)


KINDS: tuple[PageKind, ...] = (
    FileKind(
        "docs",
        (filepage.TEMPLATE,),
        Redo.RELATED_FILES,
        suffix=pages.DOCS_SUFFIX,
        build=filepage.render_file_page,
    ),
    FileKind(
        "kw",
        (keywordpage.TEMPLATE,),
        Redo.RELATED_FILES,
        suffix=pages.KEYWORDS_SUFFIX,
        build=keywordpage.render_keyword_page,
    ),
    FolderKind("index", (folders.INDEX_TEMPLATE,), Redo.FOLDERS_OF_RESHAPED, build=folders.render_index),
    FolderKind("doc", (folders.DOC_TEMPLATE,), Redo.FOLDERS_OF_RESHAPED, build=folders.render_doc),
    FolderKind(
        "sub",
        (subpages.TEMPLATE, subpages.LETTERS_TEMPLATE),
        Redo.FOLDERS_OF_CHANGED,
        build=subpages.render_sub,
    ),
    LetterKind(
        "sub-letter",
        (subpages.TEMPLATE,),
        Redo.LETTERS_OF_CHANGED,
        splits="sub",
        letters=subpages.sub_letters,
        parts=subpages.letter_parts,
        build=subpages.render_letter,
    ),
)

_BY_NAME = {kind.name: kind for kind in KINDS}

#: The kinds of a file's pages and of a folder's (not counting letters): what `repodoc show
#: --kind` and `repodoc/folderDoc`'s `kind` name.
FILE_KINDS = tuple(kind.name for kind in KINDS if kind.scope is Scope.FILE)
FOLDER_KINDS = tuple(kind.name for kind in KINDS if kind.scope is Scope.FOLDER)
DEFAULT_FILE_KIND = FILE_KINDS[0]
DEFAULT_FOLDER_KIND = FOLDER_KINDS[0]


def kind_of(unit: Unit | str) -> PageKind:
    """The kind of a unit (or the kind of that name); ValueError for an unknown one."""
    name = unit if isinstance(unit, str) else unit.kind
    found = _BY_NAME.get(name)
    if found is None:
        raise ValueError(f"unknown page kind {name!r}")
    return found


def page_path(kind: str, path: str, letter: str = "", part: int = 1) -> str:
    """The page (relative to the output folder) of kind `kind` of a file or folder."""
    return kind_of(kind).page(Unit(kind, path, letter), part)


def unit_of_page(page: str) -> Unit | None:
    """The unit that renders `page` (inverse of `page_path`), None for no page of the doc set."""
    for kind in KINDS:
        unit = kind.unit_of(page)
        if unit is not None:
            return unit
    return None


def split_page(folder: str, kind: str, letter: str) -> str | None:
    """The page that `letter` names among those a split page of `kind` becomes, as in the
    page's file name (`t` for `sub-t.md`, `t-2` for `sub-t-2.md`); None if it names none."""
    page = pages.folder_page(folder, f"{kind}-{letter}")
    unit = unit_of_page(page)
    if unit is None:
        return None
    split = kind_of(unit)
    return page if isinstance(split, LetterKind) and split.splits == kind and unit.path == folder else None


def units(renderer: Renderer, known_letters: dict[str, list[str]] | None = None) -> list[Unit]:
    """Every rendering unit of the renderer's index: each file's, then each folder's with
    its letters (from `known_letters` where given: laying out a folder's symbols costs a sort)."""
    known_letters = known_letters or {}
    by_scope = {scope: [kind for kind in KINDS if kind.scope is scope] for scope in Scope}
    out: list[Unit] = []
    for path in renderer.index.paths():
        out.extend(Unit(kind.name, path) for kind in by_scope[Scope.FILE])
    for folder in renderer.folders():
        out.extend(Unit(kind.name, folder) for kind in by_scope[Scope.FOLDER])
        for kind in by_scope[Scope.LETTER]:
            assert isinstance(kind, LetterKind)
            letters = known_letters.get(folder)
            out.extend(
                Unit(kind.name, folder, letter)
                for letter in (letters if letters is not None else kind.letters(renderer, folder))
            )
    return out
