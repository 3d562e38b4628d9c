"""The links and anchors of a page, found without markdown-it, as an export renders it.

`quick_parse(text)` gives what `linkcheck.parse_page(text)` gives (every link as (line,
target), every anchor), or None when the page holds anything it does not read exactly the
way markdown-it does: then the page is parsed by markdown-it when it is checked. It reads
the shapes pages.py and the templates produce (headings, tables, `- ` lists, top-level
fences, `[text](target)` with a percent-encoded target, `<a id="...">`) and gives up on
everything else (indented code, other list markers, block quotes, setext headings, HTML
blocks, reference definitions, entities or emphasis in headings, constructs spanning lines,
targets markdown-it would re-encode); quickinline.py reads the inline content of a line.
tests/test_quicklinks.py holds it to markdown-it on generated and mutated pages.

Absolute URLs are left out of the links: the check never follows them.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import sub

from repodoc_ls.docs.linkcheck import ParsedPage, Slugger
from repodoc_ls.docs.quickinline import HEADING_SPECIAL, SPECIAL, GiveUp, InlineReader

__all__ = ["quick_parse"]


_FENCE_OPEN = re.compile(r"(`{3,}(?=[^`]*$)|~{3,})")
_HEADING = re.compile(r"(#{1,6})(?:[ ]+(.*?))?[ ]*")
_BREAK_OR_SETEXT = re.compile(r"[-*_= ]+")
_THEMATIC_BREAK = re.compile(r"(?:-[ ]*){3,}|(?:_[ ]*){3,}")
_DELIMITER_ROW = re.compile(r"[ ]*[|:\-][ |:\-]*")
_DELIMITER_STARTS = frozenset(" |:-")
_ORDERED = re.compile(r"\d{1,9}[.)](?: |$)")
_REFERENCE = re.compile(r"\[(?:[^\]\\]|\\.)*\]:")
#: Lines that `line` reads as `- ` items (outermost or in one), none the start of another
#: block or a line of dashes: a first character that is none of these, nor an ordered list
#: marker. Nor the white space `line` gives up on (tabs, an item of white space).
_ITEMS = re.compile(r"(?:(?:  )?- (?![\s\-*+#>`~|:_=]|\d{1,9}[.)][ \n])[^\t\n]*\n)+")
_ANCHOR_PAIR = re.compile(r'<a id="[^"<>&]*"></a>')


def quick_parse(text: str) -> ParsedPage | None:
    try:
        return _Scanner().page(text)
    except GiveUp:
        return None


def _ordered(content: str) -> bool:
    """An ordered list marker; `\\d` digits are `isdigit()` ones, a cheaper test first."""
    return content[0].isdigit() and _ORDERED.match(content) is not None


def _is_fence_close(line: str, fence: str) -> bool:
    """linkcheck's test for the end of a top-level fence, exactly."""
    stripped = line.strip()
    return bool(
        line[:4].strip()
        and stripped.startswith(fence[0] * len(fence))
        and not stripped.strip(fence[0])
        and len(line) - len(line.lstrip(" ")) <= 3
    )


class _Scanner(InlineReader):
    def __init__(self) -> None:
        super().__init__()
        self.slugger = Slugger()
        self.in_table = False  # after a table's delimiter row, until a blank line
        self.columns = 0  # the table's cells per row

    def page(self, text: str) -> ParsedPage:
        if "\r" in text or "\x00" in text:
            raise GiveUp  # markdown-it normalizes line ends and NULs
        pos = 0
        number = 1
        end = len(text)
        list_columns: list[int] = []  # content columns of the open list items
        previous = "blank"  # blank, para (paragraph, table, list item) or block
        rows_read = -1  # the end of the table rows last tried in one pass
        items_read = -1  # the end of the list items last tried in one pass
        while pos <= end:
            newline = text.find("\n", pos)
            if newline < 0:
                newline = end
            line = text[pos:newline]
            content = line.lstrip(" ")
            indent = len(line) - len(content)
            if not content:
                previous = "blank"
                self.in_table = False
            elif content[0] in "`~" and _FENCE_OPEN.match(content):
                if indent or previous == "para":
                    raise GiveUp
                fence = _FENCE_OPEN.match(content).group(1)  # type: ignore[union-attr]
                pos, number = self.skip_fence(text, newline, number, fence)
                list_columns.clear()
                previous = "block"
                continue
            elif (
                self.in_table
                and not indent
                and content[0] == "|"
                and not list_columns
                and "\t" not in content
            ):
                # A row of an open table, the commonest line of a page: what `line` would
                # find in it, without its tests for the starts of other blocks, and what
                # `table_row` and `inline` would find, without their calls. First the rows
                # from here on that this branch would read, all in one pass; then, if one
                # of them is not a common line, each of them again, one by one.
                if pos > rows_read:
                    rows_read, read = self.rows(text, pos, number)
                    if read:
                        number += text.count("\n", pos, rows_read)
                        pos = rows_read
                        continue
                stripped = content.rstrip(" ")
                if stripped[-1] != "|" or stripped.endswith("\\|"):
                    raise GiveUp
                escaped = stripped.count("\\|") if "\\" in stripped else 0
                if stripped.count("|") - escaped - 1 != self.columns:
                    raise GiveUp
                # (the row ends with `|`: no hard break to look for)
                if SPECIAL.search(content) and not self.simple_line(content, number):
                    self.inline_slowly(content, number, None)
            else:
                if content[0] == "-" and indent in (0, 2) and not self.in_table and pos > items_read:
                    items_read, read = self.items(text, pos, number, list_columns)
                    if read:
                        number += text.count("\n", pos, items_read)
                        pos = items_read
                        previous = "para"
                        continue
                # inside a table, the next line is a row whatever it holds
                delimiter = (
                    not self.in_table
                    and text[newline + 1 : newline + 2] in _DELIMITER_STARTS
                    and bool(
                        _DELIMITER_ROW.fullmatch(text[newline + 1 : text.find("\n", newline + 1) % (end + 1)])
                    )
                )
                self.pipes_split = self.in_table or content[0] == "|" or delimiter
                if self.in_table or delimiter:
                    self.table_row(content, header=delimiter and not self.in_table)
                previous = self.line(content, indent, number, list_columns, previous)
                self.in_table = (self.in_table or delimiter) and previous == "para"
            pos = newline + 1
            number += 1
        return self.links, frozenset(self.anchors)

    def rows(self, text: str, pos: int, number: int) -> tuple[int, bool]:
        """The rest of an open table, from its row at `pos` to the blank line or the end of
        the page, read in one pass when the row branch of `page` would read each line of it
        without giving up and each is a common line: (the position after it, whether read).
        The per-line checks of that branch are made with string methods, in C."""
        stop = text.find("\n\n", pos)
        if stop < 0:
            stop = len(text) - 1 if text.endswith("\n") else len(text)
        rows = text[pos:stop]
        lines = rows.split("\n")
        if (
            rows.count("\n|") != len(lines) - 1  # each line begins with `|`
            or rows.count("|\n") != len(lines) - 1  # and ends with it (no space after)
            or rows[-1] != "|"
            or "\\|\n" in rows
            or rows.endswith("\\|")
            or "\t" in rows
        ):
            return stop + 1, False
        pipes = set(map(str.count, lines, repeat("|")))
        if "\\|" in rows:  # (an escaped `|` is no cell boundary)
            pipes = set(map(sub, map(str.count, lines, repeat("|")), map(str.count, lines, repeat("\\|"))))
        read = pipes == {self.columns + 1} and self.tokens(text, pos, stop, number) >= 0
        return stop + 1, read

    def items(self, text: str, pos: int, number: int, list_columns: list[int]) -> tuple[int, bool]:
        """The `- ` items from `pos` on, at the first two levels of a list, read in one pass
        when `line` would read each as an item whose text is a common line: (the position
        after them, whether read), `list_columns` then as `line` leaves it."""
        items = _ITEMS.match(text, pos)
        if items is None:
            return pos + 1, False
        stop = items.end()
        after = text[stop : text.find("\n", stop) % (len(text) + 1)]
        if after[:1] in _DELIMITER_STARTS and _DELIMITER_ROW.fullmatch(after):
            return stop, False  # the last item would be a table's header
        self.pipes_split = False  # (no item starts a table row)
        if self.tokens(text, pos, stop, number) < 0:
            return stop, False
        # the columns `line` leaves open: each item closes those past its indent and opens
        # its own, so after an outermost item, 2 (and 4 if a nested one is last); else the
        # outer ones up to 2, and 4
        last = text.rfind("\n", pos, stop - 1)
        nested = text.startswith("  ", pos if last < 0 else last + 1)
        if text.startswith("- ", pos) or text.find("\n- ", pos, stop) >= 0:
            list_columns[:] = [2, 4] if nested else [2]
        else:
            list_columns[:] = [*(column for column in list_columns if column <= 2), 4]
        return stop, True

    def table_row(self, content: str, header: bool) -> None:
        """A line of a table (or its header): markdown-it drops the cells past the header's
        count, so every row must have the header's count, between a leading and a final `|`."""
        stripped = content.rstrip(" ")
        if not (stripped.startswith("|") and stripped.endswith("|")) or stripped.endswith("\\|"):
            raise GiveUp
        cells = stripped.count("|") - stripped.count("\\|") - 1  # the unescaped `|`s
        if header:
            self.columns = cells
        elif cells != self.columns:
            raise GiveUp

    def skip_fence(self, text: str, newline: int, number: int, fence: str) -> tuple[int, int]:
        """(position, number) of the line after the fence that opened just before `newline`."""
        # A line that closes it begins with white space and three of the fence's characters:
        # str.find goes from one such three to the next in C, past the lines of code.
        marks = fence[0] * 3
        k = newline + 1
        while (k := text.find(marks, k)) >= 0:
            start = text.rfind("\n", 0, k) + 1
            stop = text.find("\n", k)
            stop = len(text) if stop < 0 else stop
            if start == k or text[start:k].isspace():
                line = text[start:stop]
                if _is_fence_close(line, fence):
                    if not re.fullmatch(rf"[ ]{{0,3}}{re.escape(fence[0])}+[ ]*", line):
                        raise GiveUp  # linkcheck ends the fence, markdown-it does not
                    return stop + 1, number + 1 + text.count("\n", newline, stop)
            k = stop + 1
        return len(text) + 1, number  # an unclosed fence runs to the end

    def line(self, content: str, indent: int, number: int, list_columns: list[int], previous: str) -> str:
        if "\t" in content or content.isspace():
            # markdown-it expands tabs (in code, they do not matter), and a paragraph's
            # content is str.strip()ped: a first line of other white space disappears
            raise GiveUp
        item = content.startswith("- ")
        while list_columns and indent < list_columns[-1]:
            if previous == "para" and not item:
                raise GiveUp  # a lazy continuation line
            list_columns.pop()
        base = list_columns[-1] if list_columns else 0
        if indent - base >= 4:
            raise GiveUp  # indented code (or a list marker too far in)
        if item:
            if content.startswith("-  "):
                raise GiveUp
            list_columns.append(indent + 2)
            content = content[2:]
            if not content.strip() or content[0] in "-*+#>`~" or _ordered(content):
                raise GiveUp
        elif content[0] in "*+>=" or _ordered(content):
            raise GiveUp
        elif content[0] in "-_*= " and _BREAK_OR_SETEXT.fullmatch(content):
            if previous == "para" or not _THEMATIC_BREAK.fullmatch(content):
                raise GiveUp  # a setext heading's underline, or a paragraph of dashes
            return "block"
        elif content[0] == "#":
            heading = _HEADING.fullmatch(content)
            if heading is not None:
                if list_columns or (heading.group(2) or "").endswith("#"):
                    raise GiveUp
                self.heading((heading.group(2) or "").strip(), number)
                return "block"
        if content[0] == "<" and not _ANCHOR_PAIR.match(content):
            raise GiveUp  # an HTML block, perhaps
        if content[0] == "[" and _REFERENCE.match(content):
            raise GiveUp
        if SPECIAL.search(content):
            self.inline(content, number, None)
        return "para"

    def heading(self, content: str, number: int) -> None:
        parts: list[str] = []
        if "![" in content:
            raise GiveUp  # an image's text is its alt text
        if HEADING_SPECIAL.search(content):
            self.inline(content, number, parts)
        else:
            parts.append(content)
        self.anchors.add(self.slugger.slug("".join(parts)))
