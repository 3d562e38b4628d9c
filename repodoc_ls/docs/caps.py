"""How much of one enormous file the doc set shows.

A generated module can define 200,000 functions; listed whole, its keyword page alone would
weigh 20 MB. Its pages list the file's first `MAX_SYMBOLS` symbols (in source order, so
each listed symbol's enclosing class or function is listed too) and say how many more there
are. Every page that links to a symbol's anchor asks `symbol_fragment` first, so a link
never points at an anchor the file's page does not have: `repodoc check` stays clean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from repodoc_ls.docs import pages
from repodoc_ls.model import FileFacts, Symbol

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

#: A file's symbols listed on its pages and its folders' symbols pages (a large hand-written
#: module defines a few hundred; a type stub of a big C extension, a few thousand).
MAX_SYMBOLS = 5000
#: Rows of every other list on a file's page: imports, tests, notes, outline entries.
MAX_ROWS = 2000


def shown_symbols(facts: FileFacts) -> list[Symbol]:
    return facts.symbols if len(facts.symbols) <= MAX_SYMBOLS else facts.symbols[:MAX_SYMBOLS]


def hidden_symbols(symbol_count: int) -> int:
    """The symbols of a file with `symbol_count` of them that its pages do not list."""
    return max(symbol_count - MAX_SYMBOLS, 0)


def more(total: int, shown: int, what: str) -> str:
    """ "… and 198,000 more functions not listed here", or "" when nothing was left out."""
    return f"… and {total - shown:,} more {what} not listed here" if total > shown else ""


_NOT_ASKED: set[str] = set()  # (a marker: no file has been looked at as this one)


def symbol_fragment(renderer: Renderer, path: str, qualname: str) -> str | None:
    """The anchor of `qualname` on the page of `path`, or None when that page does not list
    it (it lies past the file's first MAX_SYMBOLS symbols): link to the page itself then."""
    memo = renderer.shown_qualnames
    shown = memo.get(path, _NOT_ASKED)
    if shown is _NOT_ASKED:
        facts = renderer.index.facts
        if path not in facts:
            return pages.anchor(qualname)
        # (an undecoded file's count is in its record's header: a file linked to, such as
        # a definer of a name listed after an edit, is not decoded for it)
        count = len(facts[path].symbols) if facts.decoded(path) else facts.header(path).symbol_count
        shown = memo[path] = (
            None if count <= MAX_SYMBOLS else {s.qualname for s in facts[path].symbols[:MAX_SYMBOLS]}
        )
    return pages.anchor(qualname) if shown is None or qualname in shown else None
