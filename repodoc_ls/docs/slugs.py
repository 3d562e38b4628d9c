"""Heading anchors as GitHub makes them, for pages and for the Markdown sources they link.

One slugger for both sides: the pages link a Markdown source's heading by the anchor
`source_headings` gives, and `linkcheck` verifies it against the anchors `page_anchors`
finds in the same file. GitHub ignores `#L<n>` on a rendered Markdown file, so a link into
one names the heading of the section holding the line.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MARKDOWN_SUFFIXES = (".md", ".markdown")


@cache
def markdown(blocks_only: bool = False) -> MarkdownIt:
    """The CommonMark parser (tables on) pages and sources are read with; with
    `blocks_only`, block structure only. Imported when first needed: an export after an
    edit of Python files reads no Markdown."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    return parser.disable("inline") if blocks_only else parser


def is_markdown(path: str) -> bool:
    """Whether a forge renders the file as Markdown (and ignores `#L<n>` on it)."""
    return path.lower().endswith(MARKDOWN_SUFFIXES)


#: What heading_slug drops of an ASCII heading (lowercased): all but letters, digits, `-`,
#: `_` and spaces (ASCII has no marks, and `_` is its only connector punctuation).
_ASCII_DROPPED = re.compile(r"[^a-z0-9 _-]+")


def heading_slug(text: str) -> str:
    """GitHub's slug of a heading's text (before de-duplication): lowercase, punctuation
    removed except `-` and `_`, each space turned into `-`."""
    if text.isascii():  # the common heading: no Unicode categories to ask
        return _ASCII_DROPPED.sub("", text.lower()).replace(" ", "-")
    kept = []
    for ch in text.lower():
        if ch == " ":
            kept.append("-")
        elif ch == "-" or ch == "_" or ch.isalnum() or unicodedata.category(ch)[0] == "M":
            kept.append(ch)
        elif unicodedata.category(ch) == "Pc":
            kept.append(ch)
    return "".join(kept)


class Slugger:
    """De-duplicates slugs the way github-slugger does: `x`, `x-1`, `x-2`..."""

    def __init__(self) -> None:
        self.occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        original = slug = heading_slug(text)
        while slug in self.occurrences:
            self.occurrences[original] += 1
            slug = f"{original}-{self.occurrences[original]}"
        self.occurrences[slug] = 0
        return slug


def heading_text(children: Iterable[Token] | None) -> str:
    """The text content of a heading as GitHub renders it (HTML tags dropped)."""
    parts = []
    for tok in children or ():
        if tok.type in ("text", "text_special", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append(heading_text(tok.children))
    return "".join(parts)


_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def without_front_matter(text: str) -> str:
    """A Markdown source with its YAML front matter blanked (line count kept): GitHub shows
    it as a table, not as the headings CommonMark would read in it."""
    if not text.startswith("---"):
        return text
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].rstrip() != "---":
        return text
    end = _FRONT_MATTER_END.search(text, first_end + 1)
    if end is None:
        return text
    stop = text.find("\n", end.end())
    stop = len(text) if stop < 0 else stop
    return "\n" * text.count("\n", 0, stop) + text[stop:]


def source_headings(text: str) -> list[tuple[int, str]]:
    """(1-based line, anchor) of each heading of a Markdown source, in order: the anchors
    linkcheck finds (`markdown()`), parsing inline markup only inside headings (with the
    link reference definitions of the whole file, as a full parse has them; block
    structure alone for the rest: a source's paragraphs are most of its parsing and hold
    no heading)."""
    out = []
    slugger = Slugger()
    env: dict[str, object] = {}
    tokens = markdown(blocks_only=True).parse(without_front_matter(text), env)
    inline = markdown()
    for i, tok in enumerate(tokens):
        if tok.type == "inline" and i and tokens[i - 1].type == "heading_open":
            where = tokens[i - 1].map
            children = inline.parseInline(tok.content, env)[0].children
            out.append((where[0] + 1 if where else 1, slugger.slug(heading_text(children))))
    return out


def section_anchor(headings: list[tuple[int, str]], line: int) -> str | None:
    """The anchor of the heading whose section holds `line` (the heading itself, or the
    nearest one above it); None above the first heading."""
    at = bisect.bisect_right(headings, line, key=lambda heading: heading[0]) - 1
    return headings[at][1] if at >= 0 else None
