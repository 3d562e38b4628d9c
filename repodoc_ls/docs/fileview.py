"""What a file's two pages share: the links out of a page (which record the files they
point at: the page's deps, or, for a link that shows no more of a file than that it is
there or that a name leads to an anchor on its page, the lookups it rests on: the page's
name deps, see namedeps.py), the symbols' and imports' anchors, and the `View` rows
templates read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from repodoc_ls.docs import namedeps, pages, slugs
from repodoc_ls.model import FileFacts

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer


class View(dict[str, Any]):
    """A dict that templates read by attribute without jinja's failed-`getattr` detour
    (tens of thousands of rows per corpus make that detour the renderer's main cost).
    Values are whatever a template shows: text, numbers, lists of rows, nested views."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class PageLinks:
    """What one page builder accumulates: its own path, the files it depends on and the
    (file, name) lookups it rests on in other files (`namedeps.Key`: name "" for a file
    only linked to)."""

    renderer: Renderer
    path: str  # the source file
    page: str  # the output page
    deps: set[str] = field(default_factory=set)
    counted: set[str] = field(default_factory=set)  # see units.Rendered.counted
    names: set[tuple[str, str]] = field(default_factory=set)  # see namedeps.py
    #: files listed only as importing the page's file or using its symbols: each is the
    #: name dep (file, namedeps.USERS) unless it is a dep (`user_link`)
    users: set[str] = field(default_factory=set)
    #: per source file: the link to it, and whether it is Markdown (linked at headings)
    _sources: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: `file_link`'s answers without a fragment: a page names the same files again and again
    _file_links: dict[str, str] = field(default_factory=dict)
    _links: pages.Linker | None = None

    def link(self, to_page: str, fragment: str | None = None) -> str:
        if self._links is None:
            self._links = pages.links_from(self.page)
        return self._links(to_page, fragment)

    def to_page(self, path: str, fragment: str | None = None) -> str:
        """A link to a file's page, for a page that shows more of the file: a dep."""
        self.deps.add(path)
        return self.link(pages.file_page(path), fragment)

    def to_named(self, path: str, fragment: str | None = None) -> str:
        """A link to a file's page (at a name's anchor) that records no dep: the caller
        records in `names` the lookups whose answers it rests on."""
        return self.link(pages.file_page(path), fragment)

    def to_kw(self, path: str) -> str:
        return pages.link(self.page, pages.keyword_page(path))

    def to_source(self, path: str, line: int | None = None) -> str:
        """A link to a source file, at a line: a Markdown file's at the heading of the
        section holding the line (forges ignore `#L<n>` on rendered Markdown)."""
        found = self._sources.get(path)
        if found is None:
            found = self._sources[path] = (
                self.renderer.sources.file(self.page, path),
                slugs.is_markdown(path),
            )
        base, markdown = found
        if not line:
            return base
        if markdown:
            self.deps.add(path)  # its headings are the anchors
            anchor = slugs.section_anchor(self.renderer.source_headings(path), line)
            return f"{base}#{pages.heading_fragment(anchor)}" if anchor else base
        fragment = self.renderer.sources.line_fragment(line)
        return f"{base}#{fragment}" if fragment else base

    def to_folder(self, folder: str, kind: str) -> str:
        return pages.link(self.page, pages.folder_page(folder, kind))

    def file_link(self, path: str, fragment: str | None = None) -> str:
        """A file's path linked to its page, for a page that shows more of the file than its
        path (why it is listed: what it uses, tests, subclasses...): a dep."""
        if fragment is not None:
            return f"[{pages.code(path)}]({self.to_page(path, fragment)})"
        self.deps.add(path)
        return self._plain_file_link(path)

    def definer_link(self, path: str, qualname: str, fragment: str | None) -> str:
        """A file's path linked to its page at the anchor of `qualname`, for a page that
        shows of the file only that it defines a symbol of that name: the name dep (path,
        `namedeps.DEFINES` + qualname)."""
        self.names.add((path, namedeps.DEFINES + qualname))
        return f"[{pages.code(path)}]({self.to_named(path, fragment)})"

    def user_link(self, path: str) -> str:
        """A file's path linked to its page, for a page that shows of the file only that it
        imports the page's file and where it uses which of its symbols: it rests on what the
        file imports and uses (`namedeps.USERS`), not on the rest of it."""
        self.users.add(path)
        return self._plain_file_link(path)

    def user_names(self) -> set[tuple[str, str]]:
        """The name deps with the `USERS` key of each user (`namedeps.entries` drops those
        of the files that are deps)."""
        return self.names | {(path, namedeps.USERS) for path in self.users}

    def subclasser_link(self, path: str) -> str:
        """A file's path linked to its page, for a page that shows of the file only its
        classes based on the page's own (names, anchors, what the bases name): the name
        dep (path, `namedeps.SUBCLASSES`)."""
        self.names.add((path, namedeps.SUBCLASSES))
        return self._plain_file_link(path)

    def existing_file_link(self, path: str) -> str:
        """A file's path linked to its page, for a page that shows nothing else of the file
        (why it is listed follows from the page's own file): it rests on the file being
        there, the name dep (path, "")."""
        self.names.add((path, ""))
        return self._plain_file_link(path)

    def _plain_file_link(self, path: str) -> str:
        found = self._file_links.get(path)
        if found is None:
            found = self._file_links[path] = f"[{pages.code(path)}]({self.link(pages.file_page(path))})"
        return found

    def line_link(self, path: str, line: int, label: str | None = None) -> str:
        return f"[{label or line}]({self.to_source(path, line)})"

    def line_list(self, path: str, lines: list[int], cap: int) -> str:
        """ "lines [3](…), [7–9](…) and 4 more lines": runs of consecutive lines as one
        range linked at its first line, at most `cap` of them."""
        runs = line_runs(lines)
        shown = ", ".join(
            self.line_link(path, first, str(first) if first == last else f"{first}–{last}")
            for first, last in runs[:cap]
        )
        hidden = sum(last - first + 1 for first, last in runs[cap:])
        more = f" and {hidden:,} more line{'s' if hidden != 1 else ''}" if hidden else ""
        return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def line_runs(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted distinct line numbers as (first, last) runs of consecutive lines."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


# ------------------------------------------------------------------ anchors


def symbol_anchors(facts: FileFacts) -> list[str]:
    """The anchor of each symbol, in order; a repeated qualname (a property setter, an
    overload) gets `-2`, `-3`, ... so that `pages.anchor(qualname)` names the first."""
    seen: dict[str, int] = {}
    out = []
    for s in facts.symbols:
        base = pages.anchor(s.qualname)
        n = seen.get(base, 0) + 1
        seen[base] = n
        out.append(base if n == 1 else f"{base}-{n}")
    return out


def import_anchors(facts: FileFacts) -> list[str]:
    """The anchor of each import, in order: one per imported module and statement kind on a
    line, so `from m import a, b, c` is one entry with one id (not three)."""
    per_line: dict[int, dict[tuple[int, str, bool], str]] = defaultdict(dict)
    out = []
    for imp in facts.imports:
        seen = per_line[imp.line]
        key = (imp.level, imp.module, imp.name is None)
        anchor = seen.get(key)
        if anchor is None:
            anchor = seen[key] = pages.import_anchor(imp.line, len(seen))
        out.append(anchor)
    return out
