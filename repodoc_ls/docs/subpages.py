"""The symbols pages of a folder: `sub.md`, and when that would be too large, one page
per initial letter (`sub-<letter>.md`, split again into parts when a letter is too large).

A folder's layout (split or not, which letters, which parts) is decided from its symbols
alone, before anything is rendered, so that each letter is a rendering unit of its own: an
edit re-renders the letters whose rows it touched, not a workspace-sized page.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from repodoc_ls.docs import caps, pages
from repodoc_ls.docs.folderview import FolderCache, folder_navigation, folder_title, under
from repodoc_ls.docs.lettersymbols import Listed, letter_symbols
from repodoc_ls.docs.units import Rendered
from repodoc_ls.model import FileFacts, Symbol

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

#: The template of a symbols page (or of one letter's page), and of the letter index a
#: split `sub.md` shows instead.
TEMPLATE = "folder_sub.md.j2"
LETTERS_TEMPLATE = "folder_sub_letters.md.j2"

#: A `sub.md` page larger than about this (UTF-8 bytes) is split into one page per letter.
SUB_SPLIT_BYTES = 500_000


class _Part(NamedTuple):
    page: str
    first: str  # the name its first symbol is sorted by, escaped
    indices: list[int]  # into the entries of the folder


def _escaped(cache: FolderCache, value: str) -> str:
    """`pages.text(value)`, memoized: a file shows on the sub page of each of its folders."""
    found = cache.escaped.get(value)
    if found is None:
        found = cache.escaped[value] = pages.text(value)
    return found


def _listed_symbols(renderer: Renderer, cache: FolderCache, folder: str) -> list[tuple[str, Symbol]]:
    """`index.subtree_symbols(folder)`, less the symbols past each file's first
    `caps.MAX_SYMBOLS` (which its page does not list either)."""
    found = renderer.index.subtree_symbols(folder)
    if cache.hidden is None:
        facts = renderer.index.facts  # (only files past the cap decoded)
        cache.hidden = {
            id(s)
            for path in facts
            if cache.header(renderer.index, path).symbol_count > caps.MAX_SYMBOLS
            for s in facts[path].symbols[caps.MAX_SYMBOLS :]
        }
    hidden = cache.hidden
    return [item for item in found if id(item[1]) not in hidden] if hidden else found


def _hidden_note(renderer: Renderer, cache: FolderCache, folder: str) -> str:
    hidden = sum(
        caps.hidden_symbols(cache.header(renderer.index, path).symbol_count)
        for path in cache.subtree.get(folder, ())
    )
    if not hidden:
        return ""
    return (
        f"… and {hidden:,} more symbols not listed here: those past the first {caps.MAX_SYMBOLS:,} "
        "of a file that defines more (its own pages list the same first ones)"
    )


def _subtree_symbols(renderer: Renderer, cache: FolderCache, folder: str) -> list[tuple[str, Symbol]]:
    """The symbols a folder's symbols pages list (`_listed_symbols`). The first few folders
    asked (an export after an edit asks for the edited file's folders) are filtered out of
    the workspace's sorted list; when more are asked (a full export), that list is shared
    out once to every folder."""
    if cache.symbols is not None:
        return cache.symbols.get(folder, [])
    cache.sub_renders += 1
    if cache.sub_renders <= _FEW_FOLDERS:
        if cache.all_symbols is None:
            if folder:  # maybe the only one (the server shows a page): sort only its symbols
                return _listed_symbols(renderer, cache, folder)
            cache.all_symbols = _listed_symbols(renderer, cache, "")
        if not folder:
            return cache.all_symbols
        prefix = f"{folder}/"
        return [item for item in cache.all_symbols if item[0].startswith(prefix)]
    by_folder: dict[str, list[tuple[str, Symbol]]] = defaultdict(list)
    ancestors: dict[str, list[str]] = {}
    for item in cache.all_symbols or _listed_symbols(renderer, cache, ""):
        path = item[0]
        above = ancestors.get(path)
        if above is None:
            above = ancestors[path] = pages.folders_of(path)
        for f in above:
            by_folder[f].append(item)
    cache.symbols = dict(by_folder)
    return cache.symbols.get(folder, [])


_FEW_FOLDERS = 4


#: A letter's line on a split `sub.md`: its symbol count and the name each of its parts
#: starts with (escaped): what the manifest keeps of a layout (`SubPlan.kept`).
Row = tuple[int, tuple[str, ...]]


class LetterLayout(NamedTuple):
    symbols: list[tuple[str, Listed]]  # the letter's, sorted as in `index.subtree_symbols`
    parts: list[list[int]]  # indices into symbols, one list per page

    def row(self) -> Row:
        return len(self.symbols), tuple(pages.name_text(self.symbols[p[0]][1].name) for p in self.parts)


class SubPlan(NamedTuple):
    """How a folder's symbols page is laid out, decided from the symbols alone (no
    rendering), so that each letter is a rendering unit of its own: an edit re-renders the
    letters whose symbols it touched, not a workspace-sized page."""

    split: bool
    letters: list[str]  # in page order (split pages only)
    layouts: dict[str, LetterLayout]  # the letters laid out
    #: letter -> its row, for the letters an export knows unchanged since the manifest's
    #: layout (`KeptRows`): laid out only when one of their pages is rendered
    kept: dict[str, Row]


#: What an export knows of a split folder's layout from its manifest: the rows of the
#: letters no changed file touched, and the letters the changed files touched.
class KeptRows(NamedTuple):
    rows: dict[str, Row]
    touched: set[str]


def sub_plan(renderer: Renderer, folder: str) -> SubPlan:
    cache = renderer.folder_cache
    found = cache.plans.get(folder)
    if found is not None:
        return found
    if _estimated_size(renderer, cache, folder) <= SUB_SPLIT_BYTES:
        # Most folders: one page, whose symbols are only gathered when it is rendered.
        plan = cache.plans[folder] = SubPlan(False, [], {}, {})
        return plan
    kept = cache.kept_rows.get(folder)
    if kept is not None:
        # A touched folder laid out before: only the touched letters are sorted (the
        # root's layout would sort every symbol of the workspace).
        layouts = _layouts(renderer, cache, folder, letter_symbols(renderer, cache, folder, kept.touched))
        letters = {letter for letter in kept.rows if letter not in kept.touched} | layouts.keys()
        plan = SubPlan(True, _in_page_order(letters), layouts, kept.rows)
    else:
        by_letter: dict[str, list[tuple[str, Symbol]]] = defaultdict(list)
        letter_of = pages.letter_of
        for item in _subtree_symbols(renderer, cache, folder):
            by_letter[letter_of(item[1].name)].append(item)
        layouts = _layouts(renderer, cache, folder, by_letter)
        plan = SubPlan(True, _in_page_order(layouts), layouts, {})
    cache.plans[folder] = plan
    return plan


def _in_page_order(letters: Iterable[str]) -> list[str]:
    return sorted(letters, key=lambda c: (c == "_", c))


def _layouts(
    renderer: Renderer, cache: FolderCache, folder: str, by_letter: Mapping[str, Sequence[tuple[str, Listed]]]
) -> dict[str, LetterLayout]:
    """Each letter's sorted symbols packed into pages. An upper bound of each row's bytes:
    the name escaped (underscores double) and in the anchor, the path in the page link
    (climbing out of the folder's depth) and in the location text. Percent-encoded
    non-ASCII names can exceed it."""
    depth = folder.count("/") + 1 if folder else 0
    per_path: dict[str, int] = {}
    out = {}
    for letter, symbols in by_letter.items():
        if not symbols:
            continue
        sizes = []
        for path, s in symbols:
            extra = per_path.get(path)
            if extra is None:
                extra = per_path[path] = 3 * len(path) + 3 * depth + 40
            sizes.append(3 * len(s.qualname) + extra)
        out[letter] = LetterLayout(list(symbols), _pack(range(len(symbols)), sizes, SUB_SPLIT_BYTES))
    return out


def letter_layout(renderer: Renderer, folder: str, letter: str) -> LetterLayout | None:
    """The layout of one letter of a split symbols page (None: no such letter)."""
    plan = sub_plan(renderer, folder)
    found = plan.layouts.get(letter)
    if found is None and letter in plan.kept and letter in plan.letters:
        found = _layouts(
            renderer,
            renderer.folder_cache,
            folder,
            letter_symbols(renderer, renderer.folder_cache, folder, {letter}),
        ).get(letter)
        if found is not None:
            plan.layouts[letter] = found
    return found


def _estimated_size(renderer: Renderer, cache: FolderCache, folder: str) -> int:
    """The sum of the row estimates (see `_layouts`) over the subtree's symbols, from
    per-file totals."""
    if cache.file_estimates is None:  # (an export after an edit hands them over: incremental.py)
        cache.file_estimates = {
            path: found for path, f in renderer.index.facts.items() if (found := file_estimate(path, f))
        }
    depth = folder.count("/") + 1 if folder else 0
    total = 0
    for path in cache.subtree.get(folder, ()):
        count, size = cache.file_estimates.get(path, (0, 0))
        total += size + 3 * depth * count
    return total


def file_estimate(path: str, facts: FileFacts) -> tuple[int, int] | None:
    """(symbols, row bytes) a file adds to the symbols pages above it (see `_layouts`;
    the folder's depth is added per symbol by `_estimated_size`), None when it adds none."""
    shown = caps.shown_symbols(facts)
    if not shown:
        return None
    return len(shown), 3 * sum([len(s.qualname) for s in shown]) + len(shown) * (3 * len(path) + 40)


def sub_letters(renderer: Renderer, folder: str) -> list[str]:
    """The letters of a split symbols page (each one a rendering unit `sub-<letter>`)."""
    return sub_plan(renderer, folder).letters


def letter_row(renderer: Renderer, folder: str, letter: str) -> Row | None:
    plan = sub_plan(renderer, folder)
    layout = plan.layouts.get(letter)
    if layout is not None:
        return layout.row()
    return plan.kept.get(letter) if letter in plan.letters else None


def _sub_entries(
    renderer: Renderer, cache: FolderCache, folder: str, page: str, items: Iterable[tuple[str, Listed]]
) -> list[tuple[str, str, str, str]]:
    # The name links to the definition on the file page (which links the source line); a
    # second, source link per row would double the bytes of every ancestor's symbols pages.
    link = pages.links_from(page)
    name_text, anchor, file_page = pages.name_text, pages.anchor, pages.file_page
    return [
        (
            name_text(s.qualname),
            link(file_page(path), anchor(s.qualname)),
            s.kind,
            f"{_escaped(cache, under(folder, path))}:{s.line}",
        )
        for path, s in items
    ]


def render_sub(renderer: Renderer, folder: str) -> Rendered:
    """sub.md: every symbol of the subtree in one table; when that would be larger than
    about SUB_SPLIT_BYTES, a letter index instead (the letters are units of their own)."""
    cache = renderer.folder_cache
    page = pages.folder_page(folder, "sub")
    plan = sub_plan(renderer, folder)
    deps = frozenset(cache.subtree.get(folder, ()))
    title = folder_title(renderer, folder)
    navigation = folder_navigation(renderer, folder, page, "sub")
    if not plan.split:
        text = renderer.template(TEMPLATE).render(
            title=title,
            letter=None,
            part=None,
            parts=1,
            navigation=navigation,
            entries=_sub_entries(renderer, cache, folder, page, _subtree_symbols(renderer, cache, folder)),
            hidden=_hidden_note(renderer, cache, folder),
        )
        return Rendered(text, deps)
    index_rows = []
    rows = []
    for letter in plan.letters:
        row = letter_row(renderer, folder, letter)
        assert row is not None
        rows.append((letter, row))
        count, firsts = row
        parts = [pages.sub_part_page(folder, letter, n) for n in range(1, len(firsts) + 1)]
        part_links = (
            [(first, pages.link(page, part)) for first, part in zip(firsts, parts)] if len(parts) > 1 else []
        )
        index_rows.append((letter, count, pages.link(page, parts[0]), part_links))
    text = renderer.template(LETTERS_TEMPLATE).render(
        title=title,
        navigation=navigation,
        total=sum(row[0] for _, row in rows),
        letters=index_rows,
        split_parts=any(row[3] for row in index_rows),
        hidden=_hidden_note(renderer, cache, folder),
    )
    return Rendered(text, deps, layout=tuple(rows))


def render_letter(renderer: Renderer, folder: str, letter: str) -> dict[str, Rendered]:
    """The page(s) of one letter of a split symbols page."""
    cache = renderer.folder_cache
    layout = letter_layout(renderer, folder, letter)
    if layout is None:
        raise KeyError(f"{folder or '/'} has no symbols page for the letter {letter!r}")
    index_page = pages.folder_page(folder, "sub")
    parts = [
        _Part(pages.sub_part_page(folder, letter, n), "", chunk) for n, chunk in enumerate(layout.parts, 1)
    ]
    template = renderer.template(TEMPLATE)
    title = folder_title(renderer, folder)
    out = {}
    for n, part in enumerate(parts, 1):
        items = [layout.symbols[i] for i in part.indices]
        text = template.render(
            title=title,
            letter=letter,
            part=n,
            parts=len(parts),
            navigation=_part_navigation(folder, index_page, parts, n),
            entries=_sub_entries(renderer, cache, folder, part.page, items),
            hidden="",
        )
        out[part.page] = Rendered(text, frozenset(path for path, _ in items))
    return out


def letter_parts(renderer: Renderer, folder: str, letter: str) -> int:
    """How many pages a letter of a folder's split symbols page has (0: no such letter)."""
    row = letter_row(renderer, folder, letter)
    return len(row[1]) if row is not None else 0


def file_letter_digests(facts: FileFacts) -> dict[str, str]:
    """letter -> a digest of the rows a file gives the symbols pages under that letter.
    When an edit leaves a file's digest for a letter as it was, the letter's pages (whose
    rows come from their files alone) cannot have changed because of it."""
    rows: dict[str, list[str]] = defaultdict(list)
    letter_of = pages.letter_of
    for s in caps.shown_symbols(facts):
        rows[letter_of(s.name)].append(f"{s.qualname}\t{s.kind}\t{s.line}")
    return {
        letter: hashlib.blake2b("\n".join(found).encode("utf-8"), digest_size=8).hexdigest()
        for letter, found in sorted(rows.items())
    }


def render_sub_pages(renderer: Renderer, folder: str) -> dict[str, Rendered]:
    """Every page of a folder's symbols: sub.md and, when split, each letter's pages."""
    out = {pages.folder_page(folder, "sub"): render_sub(renderer, folder)}
    for letter in sub_letters(renderer, folder):
        out.update(render_letter(renderer, folder, letter))
    return out


def _pack(indices: Iterable[int], sizes: list[int], limit: int) -> list[list[int]]:
    """Consecutive runs of `indices` whose estimated sizes fill at most ~90% of `limit`."""
    budget = max(1, int(limit * 0.9))
    chunks: list[list[int]] = [[]]
    used = 0
    for i in indices:
        if chunks[-1] and used + sizes[i] > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += sizes[i]
    return chunks


def _part_navigation(folder: str, index_page: str, parts: list[_Part], n: int) -> list[tuple[str, str]]:
    part_page = parts[n - 1].page
    out = [("all letters", pages.link(part_page, index_page))]
    if n > 1:
        out.append(("previous part", pages.link(part_page, parts[n - 2].page)))
    if n < len(parts):
        out.append(("next part", pages.link(part_page, parts[n].page)))
    for kind, label in (("index", "files"), ("doc", "overview")):
        out.append((label, pages.link(part_page, pages.folder_page(folder, kind))))
    return out
