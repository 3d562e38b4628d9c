"""The symbols of a few letters of a folder's split symbols page (subpages.py), for an export
after an edit: read from the store's name index, not from every file's facts. A letter of
the root holds most files of a workspace (Django's `a`: 5,488 of 6,912), and decoding their
facts cost more than the rest of such an export; the index answers in a few range scans.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from repodoc_ls.docs import caps, pages
from repodoc_ls.docs.folderview import FolderCache

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer


class Listed(Protocol):
    """What a symbols page shows of a symbol: a `Symbol`, or a row of the store's name index."""

    @property
    def name(self) -> str: ...
    @property
    def qualname(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def line(self) -> int: ...


def letter_symbols(
    renderer: Renderer, cache: FolderCache, folder: str, letters: set[str]
) -> dict[str, list[tuple[str, Listed]]]:
    """The listed symbols of the subtree whose letter is one of `letters`, per letter,
    sorted as `index.subtree_symbols` sorts them: from the store's name index (a letter of
    the root holds most files: decoding their facts cost more than the rest of an export
    after an edit), else from the files that have such a letter (`FolderCache.file_letters`)."""
    wanted = letters - cache.by_letter.keys()
    if wanted:
        ranges = None if "_" in wanted else sorted({r for letter in wanted for r in _name_ranges(letter)})
        rows = renderer.index.listed_symbols_named_in(ranges, caps.MAX_SYMBOLS)
        if rows is None:
            return letter_symbols_from_facts(renderer, cache, folder, letters)
        letter_of = pages.letter_of
        fresh: dict[str, list[tuple[str, Listed]]] = {letter: [] for letter in wanted}
        for path, row in rows:
            found = fresh.get(letter_of(row.name))
            if found is not None:
                found.append((path, row))
        cache.by_letter.update(fresh)
        for letter in wanted:
            cache.by_letter[letter].sort(key=_sort_key)
    inside = set(cache.subtree.get(folder, ()))
    return {letter: [item for item in cache.by_letter[letter] if item[0] in inside] for letter in letters}


#: A name's leading underscores that `_name_ranges` looks past (more take one range).
_UNDERSCORES = ("", "_", "__", "___", "____")


def _name_ranges(letter: str) -> list[tuple[str, str]]:
    """Half-open ranges of names (by code point) that hold every name of letter `letter`
    (a-z; see `pages.letter_of`), and a few others: after up to four underscores, the
    letter in either case or any character past ASCII (some lower to ASCII); and every name
    with five underscores or more. The ranges of two letters are the same or disjoint."""
    out = []
    for prefix in _UNDERSCORES:
        for first in (letter, letter.upper()):
            out.append((prefix + first, prefix + chr(ord(first) + 1)))
        out.append((prefix + "\x80", prefix + "\U0010ffff"))
    out.append(("_____", "____`"))  # ("`" follows "_")
    return out


def _sort_key(item: tuple[str, Listed]) -> tuple[str, str, str, int]:
    path, s = item
    return (s.name.lower(), s.name, path, s.line)


def letter_symbols_from_facts(
    renderer: Renderer, cache: FolderCache, folder: str, letters: set[str]
) -> dict[str, list[tuple[str, Listed]]]:
    facts = renderer.index.facts
    file_letters = cache.file_letters
    letter_of = pages.letter_of
    out: dict[str, list[tuple[str, Listed]]] = {letter: [] for letter in letters}
    for path in cache.subtree.get(folder, ()):
        has = file_letters.get(path)
        if has is not None and letters.isdisjoint(has):
            continue
        for s in caps.shown_symbols(facts[path]):
            found = out.get(letter_of(s.name))
            if found is not None:
                found.append((path, s))
    for found in out.values():
        found.sort(key=_sort_key)
    return out
