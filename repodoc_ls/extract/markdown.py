"""Markdown files: the heading outline and the first paragraph of prose.

A line scanner following CommonMark's block rules closely enough for an outline: ATX
headings (`# Title`, up to three spaces of indent, optional closing `#`s), setext headings
(a paragraph underlined with `===` or `---`), fenced code blocks (``` and ~~~, closed by a
fence of the same character at least as long) and indented code, whose `#` lines are not
headings, HTML comments, and YAML front matter at the top of the file.
"""

from __future__ import annotations

import re

from repodoc_ls.model import FileFacts, FileKind, OutlineEntry

from .text import count_lines, decode, not_utf8, split_lines

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)|\[\s*\]\[[^\]]*\]")
_TAG = re.compile(r"<[^>]*>")

#: The summary paragraph is cut to this many characters.
MAX_SUMMARY = 1000


def extract_markdown(path: str, data: bytes) -> FileFacts:
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        return not_utf8(path, data, exc)
    outline, summary = parse_markdown(text)
    return FileFacts(
        path=path,
        kind=FileKind.MARKDOWN,
        size=len(data),
        lines=count_lines(text),
        encoding=encoding,
        docstring=summary,
        outline=outline,
    )


def parse_markdown(text: str) -> tuple[list[OutlineEntry], str | None]:
    """(heading outline, first prose paragraph or None) of Markdown `text`."""
    lines = split_lines(text)
    outline: list[OutlineEntry] = []
    summary: str | None = None
    para: list[tuple[int, str]] = []  # (1-based line, stripped text) of the open paragraph

    def close_paragraph() -> None:
        nonlocal summary
        if para and summary is None:
            joined = " ".join(t for _, t in para)
            if _is_prose(joined):
                summary = joined if len(joined) <= MAX_SUMMARY else joined[:MAX_SUMMARY] + "…"
        para.clear()

    start = _front_matter_end(lines)
    fence: tuple[str, int] | None = None  # (character, length) of the open fence
    in_comment = False
    for index in range(start, len(lines)):
        number = index + 1
        line = lines[index].expandtabs(4)
        if fence is not None:
            m = _FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not m.group(3).strip():
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        stripped = line.strip()
        if not stripped:
            close_paragraph()
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent >= 4:
            if para:
                para.append((number, stripped))  # a lazy continuation line
            continue  # otherwise indented code
        m = _FENCE.match(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            close_paragraph()
            fence = (m.group(2)[0], len(m.group(2)))
            continue
        m = _ATX.match(line)
        if m:
            close_paragraph()
            title = _clean_title(_ATX_CLOSE.sub("", m.group(2) or ""))
            if title:  # an empty heading (`#` alone) has nothing to list
                outline.append(OutlineEntry(len(m.group(1)), title, number))
            continue
        if para:
            m = _SETEXT.match(line)
            if m:
                title = " ".join(t for _, t in para)
                outline.append(
                    OutlineEntry(1 if m.group(1)[0] == "=" else 2, _clean_title(title), para[0][0])
                )
                para.clear()
                continue
        if _BREAK.match(line):
            close_paragraph()
            continue
        if stripped.startswith("<!--"):
            close_paragraph()
            in_comment = "-->" not in stripped[4:]
            continue
        para.append((number, stripped))
    close_paragraph()
    return outline, summary


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after YAML front matter (`---` ... `---`), else 0."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return i + 1
    return 0


def _clean_title(title: str) -> str:
    return " ".join(title.split())


def _is_prose(text: str) -> bool:
    """Text, not only badges, images, HTML tags or a table."""
    if text.startswith("|"):
        return False
    rest = _TAG.sub(" ", _EMPTY_LINK.sub(" ", _IMAGE.sub(" ", text)))
    return any(c.isalpha() for c in rest)
