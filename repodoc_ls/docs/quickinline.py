"""The inline content of a line, as quicklinks reads it: the links, anchors and heading
text markdown-it finds in it, or `GiveUp` on anything it does not read exactly the way
markdown-it does (see quicklinks.py). `InlineReader.tokens` reads the common lines, one or
many (the rows of a table), in one findall; the rest is read character by character.
"""

from __future__ import annotations

import re
import sys

from repodoc_ls.docs.linkcheck import is_absolute_url, scan_html

__all__ = ["HEADING_SPECIAL", "SPECIAL", "GiveUp", "InlineReader"]


class GiveUp(Exception):
    pass


SPECIAL = re.compile(r"[\\`<\[]")
HEADING_SPECIAL = re.compile(r"[\\`<\[&*_]")
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
#: Possessive (3.11 on): what a text run takes is never given back, as the token after it
#: always matches where it ends (a line break, `[`, `<`, `` ` ``, `\` or the end: at least
#: `other` or `\Z`); the regex engine then keeps nothing to backtrack to, a quarter faster.
_ONCE = "+" if sys.version_info >= (3, 11) else ""
#: Text with no link in it: plain characters, escapes and code spans (unrolled, so that a
#: failing match backtracks in linear time).
_TEXT_RUN = (
    rf"(?:{_TEXT_CHAR}|{_ESCAPE}|{_CODE_SPAN}){_TEXT_CHAR}*{_ONCE}"
    rf"(?:(?:{_ESCAPE}|{_CODE_SPAN}){_TEXT_CHAR}*{_ONCE})*{_ONCE}"
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


class InlineReader:
    def __init__(self) -> None:
        self.links: list[tuple[int, str]] = []
        self.anchors: set[str] = set()
        self.pipes_split = False  # this line may be a table row: a `|` may end a cell

    def inline(self, s: str, number: int, text: list[str] | None) -> None:
        """Collect the links and anchors of one line of inline content; with `text`, also the
        text markdown-it gives a heading (a heading's content)."""
        if text is None and s[-1] != "\\" and self.simple_line(s, number):
            return
        self.inline_slowly(s, number, text)

    def inline_slowly(self, s: str, number: int, text: list[str] | None) -> None:
        """`inline` past its one-pass `simple_line`."""
        special = SPECIAL if text is None else HEADING_SPECIAL
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
                    raise GiveUp  # a hard break: the paragraph goes on
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
                raise GiveUp
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
                raise GiveUp  # may close on a later line, or stay literal
            after = k + len(ticks)
            if after < len(s) and s[after] == "`":
                while after < len(s) and s[after] == "`":
                    after += 1
                k = after
                continue
            break
        body = s[run:k]
        if self.pipes_split and "|" in body:
            raise GiveUp  # a table cell boundary, perhaps
        if text is not None:
            if len(body) > 1 and body[0] == " " and body[-1] == " " and body.strip(" "):
                body = body[1:-1]
            text.append(body)
        return k + len(ticks)

    def tag(self, s: str, j: int, number: int) -> int:
        m = _OPEN_TAG.match(s, j) or _CLOSE_TAG.match(s, j)
        if m is None:
            raise GiveUp  # an autolink, a comment, a literal `<`...
        if self.pipes_split and "|" in m.group(0):
            raise GiveUp  # a table cell boundary, perhaps
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
                raise GiveUp
            elif c == "]":
                break
            else:
                k += 1
        if k >= end:
            raise GiveUp  # may close on a later line
        label = s[j + 1 : k]
        if k + 1 < end and s[k + 1] == "(":
            close = s.find(")", k + 2)
            if close < 0 or self.pipes_split and "|" in label:
                raise GiveUp
            target = s[k + 2 : close]
            if is_absolute_url(target):
                if text is not None or not _URL_TARGET.fullmatch(target):
                    raise GiveUp
            elif not _PLAIN_TARGET.fullmatch(target):
                raise GiveUp
            else:
                self.links.append((number, target))
            if text is not None:
                self.inline(label, number, text)
            return close + 1
        if text is not None:
            text.append("[")
        return j + 1
