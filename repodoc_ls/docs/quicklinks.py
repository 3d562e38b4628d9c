"""The links and anchors of a page, found without markdown-it, as an export renders it.

`quick_parse(text)` gives what `linkcheck.parse_page(text)` gives (every link as (line,
target), every anchor), or None when the page holds anything it does not read exactly the
way markdown-it does: then the page is parsed by markdown-it when it is checked. It reads
the shapes pages.py and the templates produce (headings, tables, `- ` lists, top-level
fences, `[text](target)` with a percent-encoded target, `<a id="...">`) and gives up on
everything else (indented code, other list markers, block quotes, setext headings, HTML
blocks, reference definitions, entities or emphasis in headings, constructs spanning lines,
targets markdown-it would re-encode). tests/test_quicklinks.py holds it to markdown-it on
generated and mutated pages.

Absolute URLs are left out of the links: the check never follows them.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import sub

from repodoc_ls.docs.linkcheck import ParsedPage, Slugger, is_absolute_url, scan_html

__all__ = ["quick_parse"]


class _GiveUp(Exception):
    pass


_FENCE_OPEN = re.compile(r"(`{3,}(?=[^`]*$)|~{3,})")
_HEADING = re.compile(r"(#{1,6})(?:[ ]+(.*?))?[ ]*")
_BREAK_OR_SETEXT = re.compile(r"[-*_= ]+")
_THEMATIC_BREAK = re.compile(r"(?:-[ ]*){3,}|(?:_[ ]*){3,}")
_DELIMITER_ROW = re.compile(r"[ ]*[|:\-][ |:\-]*")
_DELIMITER_STARTS = frozenset(" |:-")
_ORDERED = re.compile(r"\d{1,9}[.)](?: |$)")
_REFERENCE = re.compile(r"\[(?:[^\]\\]|\\.)*\]:")
_ANCHOR_PAIR = re.compile(r'<a id="[^"<>&]*"></a>')
_SPECIAL = re.compile(r"[\\`<\[]")
_HEADING_SPECIAL = re.compile(r"[\\`<\[&*_]")
_ATTR_NAME = r"[A-Za-z_:][A-Za-z0-9:._-]*"
_ATTR_VALUE = r"(?:[^\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\")"
_OPEN_TAG = re.compile(rf"<[A-Za-z][A-Za-z0-9\-]*(?:[ ]+{_ATTR_NAME}(?:[ ]*=[ ]*{_ATTR_VALUE})?)*[ ]*/?>")
_CLOSE_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9\-]*[ ]*>")
#: A relative target markdown-it keeps as it is (its normalizeLink changes nothing).
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9/_.~#\-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9/_.~#\-]*)*")  # (unrolled)
_URL_TARGET = re.compile(r"[^\s<>()\\`\"'&]*")
_ESCAPE = r"\\[!-/:-@\[-`{-~]"
_TEXT_CHAR = r"[^\\\[<`\n]"
_CODE_SPAN = r"`[^`|\n]+`(?!`)"  # of one backtick: its text is no link
#: Text with no link in it: plain characters, escapes and code spans (unrolled, so that a
#: failing match backtracks in linear time).
_TEXT_RUN = (
    rf"(?:{_TEXT_CHAR}|{_ESCAPE}|{_CODE_SPAN}){_TEXT_CHAR}*(?:(?:{_ESCAPE}|{_CODE_SPAN}){_TEXT_CHAR}*)*"
)
# The repetitions of these below are unrolled (`a*(?:b a*)*` for `(?:a|b)*`, the two never
# starting with the same character, so the matches are the same): a single character class
# repeats in one step of the regex engine, an alternation takes several per character.
_PLAIN_LABEL_CHAR = r"[^\[\]\\`<|\n]"
_LABEL_CHAR = r"[^\[\]\\`<\n]"
_TARGET_CHAR = r"[A-Za-z0-9/_.~#\-]"
#: A line's tokens, each after the text before it: the common link (a label of text and
#: code spans without `|`, a relative target markdown-it keeps as it is), any other link, an
#: anchor, any other special character, a line break or the end. Targets and anchors keep
#: their delimiters, so that an empty one still tells its kind. An image's `!` is text:
#: `![alt](t)` links to t as `[alt](t)` does. Nothing but a line break spans lines, so that
#: the rows of a table are read in one pass, counting the line breaks.
_TOKENS = re.compile(
    rf"(?:{_TEXT_RUN})?(?:"
    r"(?P<newline>\n)"
    rf"|\[{_PLAIN_LABEL_CHAR}*(?:(?:\\[!-/:-@\[-`{{}}~]|{_CODE_SPAN}){_PLAIN_LABEL_CHAR}*)*\]"
    rf"(?P<plain>\((?!//){_TARGET_CHAR}*(?:%[0-9A-Fa-f]{{2}}{_TARGET_CHAR}*)*\))"
    rf"|\[(?P<label>{_LABEL_CHAR}*(?:{_ESCAPE}{_LABEL_CHAR}*)*)\](?P<target>\([^()\s<>\\`]*\))"
    r'|<a id=(?P<anchor>"[^"<>&|\n]*")></a>'
    r"|(?P<other>[\[`<\\])"
    r"|\Z)"
)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def quick_parse(text: str) -> ParsedPage | None:
    try:
        return _Scanner().page(text)
    except _GiveUp:
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


class _Scanner:
    def __init__(self) -> None:
        self.links: list[tuple[int, str]] = []
        self.anchors: set[str] = set()
        self.slugger = Slugger()
        self.in_table = False  # after a table's delimiter row, until a blank line
        self.columns = 0  # the table's cells per row
        self.pipes_split = False  # this line may be a table row: a `|` may end a cell

    def page(self, text: str) -> ParsedPage:
        if "\r" in text or "\x00" in text:
            raise _GiveUp  # markdown-it normalizes line ends and NULs
        pos = 0
        number = 1
        end = len(text)
        list_columns: list[int] = []  # content columns of the open list items
        previous = "blank"  # blank, para (paragraph, table, list item) or block
        rows_read = -1  # the end of the table rows last tried in one pass
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
                    raise _GiveUp
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
                    raise _GiveUp
                escaped = stripped.count("\\|") if "\\" in stripped else 0
                if stripped.count("|") - escaped - 1 != self.columns:
                    raise _GiveUp
                # (the row ends with `|`: no hard break to look for)
                if _SPECIAL.search(content) and not self.simple_line(content, number):
                    self.inline_slowly(content, number, None)
            else:
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

    def table_row(self, content: str, header: bool) -> None:
        """A line of a table (or its header): markdown-it drops the cells past the header's
        count, so every row must have the header's count, between a leading and a final `|`."""
        stripped = content.rstrip(" ")
        if not (stripped.startswith("|") and stripped.endswith("|")) or stripped.endswith("\\|"):
            raise _GiveUp
        cells = stripped.count("|") - stripped.count("\\|") - 1  # the unescaped `|`s
        if header:
            self.columns = cells
        elif cells != self.columns:
            raise _GiveUp

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
                        raise _GiveUp  # linkcheck ends the fence, markdown-it does not
                    return stop + 1, number + 1 + text.count("\n", newline, stop)
            k = stop + 1
        return len(text) + 1, number  # an unclosed fence runs to the end

    def line(self, content: str, indent: int, number: int, list_columns: list[int], previous: str) -> str:
        if "\t" in content or content.isspace():
            # markdown-it expands tabs (in code, they do not matter), and a paragraph's
            # content is str.strip()ped: a first line of other white space disappears
            raise _GiveUp
        item = content.startswith("- ")
        while list_columns and indent < list_columns[-1]:
            if previous == "para" and not item:
                raise _GiveUp  # a lazy continuation line
            list_columns.pop()
        base = list_columns[-1] if list_columns else 0
        if indent - base >= 4:
            raise _GiveUp  # indented code (or a list marker too far in)
        if item:
            if content.startswith("-  "):
                raise _GiveUp
            list_columns.append(indent + 2)
            content = content[2:]
            if not content.strip() or content[0] in "-*+#>`~" or _ordered(content):
                raise _GiveUp
        elif content[0] in "*+>=" or _ordered(content):
            raise _GiveUp
        elif content[0] in "-_*= " and _BREAK_OR_SETEXT.fullmatch(content):
            if previous == "para" or not _THEMATIC_BREAK.fullmatch(content):
                raise _GiveUp  # a setext heading's underline, or a paragraph of dashes
            return "block"
        elif content[0] == "#":
            heading = _HEADING.fullmatch(content)
            if heading is not None:
                if list_columns or (heading.group(2) or "").endswith("#"):
                    raise _GiveUp
                self.heading((heading.group(2) or "").strip(), number)
                return "block"
        if content[0] == "<" and not _ANCHOR_PAIR.match(content):
            raise _GiveUp  # an HTML block, perhaps
        if content[0] == "[" and _REFERENCE.match(content):
            raise _GiveUp
        if _SPECIAL.search(content):
            self.inline(content, number, None)
        return "para"

    def heading(self, content: str, number: int) -> None:
        parts: list[str] = []
        if "![" in content:
            raise _GiveUp  # an image's text is its alt text
        if _HEADING_SPECIAL.search(content):
            self.inline(content, number, parts)
        else:
            parts.append(content)
        self.anchors.add(self.slugger.slug("".join(parts)))

    def inline(self, s: str, number: int, text: list[str] | None) -> None:
        """Collect the links and anchors of one line of inline content; with `text`, also the
        text markdown-it gives a heading (a heading's content)."""
        if text is None and s[-1] != "\\" and self.simple_line(s, number):
            return
        self.inline_slowly(s, number, text)

    def inline_slowly(self, s: str, number: int, text: list[str] | None) -> None:
        """`inline` past its one-pass `simple_line`."""
        special = _SPECIAL if text is None else _HEADING_SPECIAL
        i, end = 0, len(s)
        while i < end:
            m = special.search(s, i)
            if m is None:
                if text is not None:
                    text.append(s[i:])
                return
            j = m.start()
            if text is not None:
                text.append(s[i:j])
            c = s[j]
            if c == "\\":
                if j + 1 < end and s[j + 1] in _ASCII_PUNCT:
                    if text is not None:
                        text.append(s[j + 1])
                    i = j + 2
                    continue
                if j + 1 == end and text is None:
                    raise _GiveUp  # a hard break: the paragraph goes on
                if text is not None:
                    text.append("\\")
                i = j + 1
            elif c == "`":
                i = self.code_span(s, j, text)
            elif c == "<":
                i = self.tag(s, j, number)
            elif c == "[":
                i = self.bracket(s, j, number, text)
            else:  # & * _ in a heading: entities and emphasis
                raise _GiveUp
        return

    def simple_line(self, s: str, number: int) -> bool:
        """The common line, in one pass: escapes, `[label](target)` with a plain label and
        `<a id="..."></a>`, nothing else special. False (nothing recorded) for any other."""
        return self.tokens(s, 0, len(s), number) >= 0

    def tokens(self, s: str, pos: int, end: int, number: int) -> int:
        """`simple_line` for the lines of s[pos:end], the first numbered `number`: the number
        of the last of them, or -1 (nothing recorded) when one is not a common line."""
        links: list[tuple[int, str]] = []
        anchors = []
        for newline, plain, label, target, anchor, other in _TOKENS.findall(s, pos, end):
            if newline:
                number += 1
            elif plain:
                links.append((number, plain[1:-1]))
            elif target:
                target = target[1:-1]
                if self.pipes_split and "|" in label:
                    return -1
                if ":" not in target and target[:2] != "//":  # not is_absolute_url, cheaply
                    if _PLAIN_TARGET.fullmatch(target):
                        links.append((number, target))
                    else:
                        return -1
                elif is_absolute_url(target):
                    if not _URL_TARGET.fullmatch(target):
                        return -1
                elif _PLAIN_TARGET.fullmatch(target):
                    links.append((number, target))
                else:
                    return -1
            elif anchor:
                anchors.append(anchor[1:-1])
            elif other:
                return -1
        self.links.extend(links)
        self.anchors.update(anchors)
        return number

    def code_span(self, s: str, j: int, text: list[str] | None) -> int:
        run = j
        while run < len(s) and s[run] == "`":
            run += 1
        ticks = s[j:run]
        k = run
        while True:
            k = s.find(ticks, k)
            if k < 0:
                raise _GiveUp  # may close on a later line, or stay literal
            after = k + len(ticks)
            if after < len(s) and s[after] == "`":
                while after < len(s) and s[after] == "`":
                    after += 1
                k = after
                continue
            break
        body = s[run:k]
        if self.pipes_split and "|" in body:
            raise _GiveUp  # a table cell boundary, perhaps
        if text is not None:
            if len(body) > 1 and body[0] == " " and body[-1] == " " and body.strip(" "):
                body = body[1:-1]
            text.append(body)
        return k + len(ticks)

    def tag(self, s: str, j: int, number: int) -> int:
        m = _OPEN_TAG.match(s, j) or _CLOSE_TAG.match(s, j)
        if m is None:
            raise _GiveUp  # an autolink, a comment, a literal `<`...
        if self.pipes_split and "|" in m.group(0):
            raise _GiveUp  # a table cell boundary, perhaps
        if s[j + 1] != "/":
            found: list[tuple[int, str]] = []
            scan_html(m.group(0), number, found, self.anchors)
            self.links.extend(link for link in found if not is_absolute_url(link[1]))
        return m.end()

    def bracket(self, s: str, j: int, number: int, text: list[str] | None) -> int:
        k = j + 1
        end = len(s)
        while k < end:
            c = s[k]
            if c == "\\":
                k += 2
            elif c == "`":
                k = self.code_span(s, k, None)
            elif c in "[<":
                raise _GiveUp
            elif c == "]":
                break
            else:
                k += 1
        if k >= end:
            raise _GiveUp  # may close on a later line
        label = s[j + 1 : k]
        if k + 1 < end and s[k + 1] == "(":
            close = s.find(")", k + 2)
            if close < 0 or self.pipes_split and "|" in label:
                raise _GiveUp
            target = s[k + 2 : close]
            if is_absolute_url(target):
                if text is not None or not _URL_TARGET.fullmatch(target):
                    raise _GiveUp
            elif not _PLAIN_TARGET.fullmatch(target):
                raise _GiveUp
            else:
                self.links.append((number, target))
            if text is not None:
                self.inline(label, number, text)
            return close + 1
        if text is not None:
            text.append("[")
        return j + 1
