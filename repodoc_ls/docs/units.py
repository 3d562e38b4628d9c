"""What rendering works in: a `Unit` (one rendering job) and its pages, each `Rendered`.

At the bottom of the doc set's modules: the view builders, the page-kind registry
(`kinds.py`), the renderer and export all speak in these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Unit(NamedTuple):
    """One rendering job: the page(s) of one kind (see `kinds.py`) for one file or folder.
    (A tuple: planning an export hashes, compares and sorts every unit of the doc set, at C
    speed; a dataclass's generated `__hash__` and `__lt__` are Python functions.)"""

    kind: str  # a name in kinds.KINDS
    path: str  # the file, or the folder ("" for the root)
    letter: str = ""  # a letter of a split symbols page (kinds of Scope.LETTER only)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    deps: frozenset[str]  # workspace files whose facts this page shows
    #: Files the page shows only as counted among a symbol's users: their edits matter
    #: only when what they use changes (`incremental.uses_digests`).
    counted: frozenset[str] = frozenset()
    #: (file, name, entry): the names the page looked up in files it does not otherwise
    #: depend on, each with what the lookup answered then (`namedeps.entry`): the page is
    #: rendered again only when one of those answers changes.
    names: tuple[tuple[str, str, str], ...] = ()
    #: A split symbols index page's rows: (letter, (count, first name of each part)),
    #: kept in the manifest so that an edit lays out only the letters it touched.
    layout: tuple[tuple[str, tuple[int, tuple[str, ...]]], ...] = ()
