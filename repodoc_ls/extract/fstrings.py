"""PEP 701 f-strings (Python 3.12) rewritten for the grammar of 3.10 and 3.11.

Since 3.12 an f-string's expressions may reuse its quote, hold backslashes and comments,
and nest f-strings as deep as they like. Before, none of that parses. `lower_fstrings`
rewrites, character for character (every line and column stays), each string inside an
f-string's expressions that the old grammar rejects into a bytes literal of blanks in a
quote that does not clash, and each comment there into blanks. The expressions keep their
names; what the blanked strings held is lost, and no fact records it. PEP 750 template
strings (`t"..."`, 3.14) become f-strings, which parse the same way.
"""

from __future__ import annotations

import re

_PREFIX = frozenset("rRbBuUfFtT")
_QUOTES = "'\""
# where a scan must look: a comment or a string; in a string, what may end or enter it
_MODULE_STOP = re.compile(r"[#'\"]")
_STRING_STOP = re.compile(r"[\\'\"{\n]")


class _Unlowerable(Exception):
    """The text is not something this rewrite knows: leave the syntax error standing."""


def lower_fstrings(text: str, pep701: bool) -> str | None:
    """The text with template strings made f-strings and, with `pep701`, f-strings the old
    grammar parses; None when nothing needed a change or something could not be rewritten."""
    scanner = _Scanner(text, pep701)
    try:
        scanner.module()
    except (_Unlowerable, IndexError):
        return None
    return "".join(scanner.out) if scanner.changed else None


class _Scanner:
    def __init__(self, text: str, pep701: bool) -> None:
        self.text = text
        self.pep701 = pep701
        self.out = list(text)
        self.changed = False

    def set(self, i: int, ch: str) -> None:
        if self.out[i] != ch:
            self.out[i] = ch
            self.changed = True

    def prefix(self, i: int) -> str:
        """The string prefix ending just before the quote at i ("" when none)."""
        text, j = self.text, i
        while j > 0 and text[j - 1] in _PREFIX and i - j < 2:
            j -= 1
        if j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_" or ord(text[j - 1]) > 127):
            return ""  # the end of a name, not a prefix
        return text[j:i]

    def module(self) -> None:
        text, n, i = self.text, len(self.text), 0
        search = _MODULE_STOP.search
        while i < n:
            m = search(text, i)
            if m is None:
                return
            i = m.start()
            ch = text[i]
            if ch == "#":
                end = text.find("\n", i)
                i = n if end < 0 else end
            elif ch in _QUOTES:
                prefix = self.prefix(i)
                for k, p in enumerate(prefix.lower()):  # t-strings are f-strings here
                    if p == "t":
                        self.set(i - len(prefix) + k, "f" if prefix[k] == "t" else "F")
                i = self.string(i, prefix, (), False)
            else:
                i += 1

    def string(self, i: int, prefix: str, enclosing: tuple[str, ...], multiline: bool) -> int:
        """Scan the string whose quote starts at i; return the index after it."""
        text = self.text
        quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
        formatted = any(p in "fFtT" for p in prefix)
        j = i + len(quote)
        multiline = multiline or len(quote) == 3
        search = _STRING_STOP.search
        while True:
            m = search(text, j)
            if m is None:
                raise _Unlowerable
            j = m.start()
            ch = text[j]
            if ch == "\\":
                j += 2
            elif text.startswith(quote, j):
                return j + len(quote)
            elif ch == "\n" and len(quote) == 1:
                raise _Unlowerable
            elif formatted and ch == "{":
                if text.startswith("{{", j):
                    j += 2
                else:
                    j = self.replacement(j + 1, (*enclosing, quote), multiline)
            else:
                j += 1

    def replacement(self, j: int, enclosing: tuple[str, ...], multiline: bool) -> int:
        """Scan an f-string's `{...}` from just after the brace; return the index after `}`."""
        text, depth = self.text, 0
        while True:
            ch = text[j]
            if ch in _QUOTES:
                prefix = self.prefix(j)
                end = self.string(j, prefix, enclosing, multiline)
                clash = any(text.startswith(q, j) or q[0] == text[j] and len(q) == 1 for q in enclosing)
                if self.pep701 and (clash or "\\" in text[j:end]):
                    self.blank(j - len(prefix), j, end, enclosing)
                j = end
            elif ch == "#" and self.pep701:
                end = text.index("\n", j)
                for k in range(j, end):
                    self.set(k, " ")
                j = end
            elif self.pep701 and (ch == "\\" or (ch == "\n" and not multiline)):
                raise _Unlowerable
            elif ch in "([{":
                depth += 1
                j += 1
            elif ch in ")]":
                depth -= 1
                j += 1
            elif ch == "}":
                if depth == 0:
                    return j + 1
                depth -= 1
                j += 1
            elif depth == 0 and ch == "!" and text[j + 1] != "=":
                j += 2  # a conversion: `!r`
            elif depth == 0 and ch == ":":
                return self.format_spec(j + 1, enclosing, multiline)
            else:
                j += 1

    def format_spec(self, j: int, enclosing: tuple[str, ...], multiline: bool) -> int:
        text = self.text
        while True:
            ch = text[j]
            if ch == "{":
                j = self.replacement(j + 1, enclosing, multiline)
            elif ch == "}":
                return j + 1
            elif ch == "\n" and not multiline:
                raise _Unlowerable
            else:
                j += 1

    def blank(self, start: int, quote_at: int, end: int, enclosing: tuple[str, ...]) -> None:
        """The string from start (its prefix) to end becomes b'   ' in a quote no enclosing
        string uses."""
        text = self.text
        free = [q for q in _QUOTES if all(e[0] != q for e in enclosing)]
        if not free:
            raise _Unlowerable
        quote = text[quote_at] * 3 if text.startswith(text[quote_at] * 3, quote_at) else text[quote_at]
        new_quote = free[0] * len(quote)
        if len(quote) == 1 and "\n" in text[quote_at:end]:
            raise _Unlowerable
        for k in range(start, quote_at):  # the prefix: one letter stays, as `b`
            self.set(k, "b" if k == quote_at - 1 else " ")
        body_end = end - len(quote)
        for k, ch in enumerate(new_quote):
            self.set(quote_at + k, ch)
            self.set(body_end + k, ch)
        for k in range(quote_at + len(quote), body_end):
            if text[k] != "\n":
                self.set(k, " ")
