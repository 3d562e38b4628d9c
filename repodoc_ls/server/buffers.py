"""The text of the open documents, kept as lines and changed in place of the lines an
edit touches.

pygls' own documents apply an incremental change by splitting the whole text into lines
and joining it again (27 ms per keystroke on a 2 MB generated module, on the event loop),
and every request then split the new text into lines once more (23 ms). Here each version
is a `Text`: its lines (without their ends, as `folders.split_lines` cuts them), their
ends, and the text itself joined only when asked for. A change makes a new `Text` sharing
nothing mutable with the old one, so a query thread still reading the old version's lines
is never disturbed. Positions are in the client's units (UTF-16 unless the client chose
otherwise), as LSP says; a change without a range replaces the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
from urllib.parse import unquote

from lsprotocol import types

_LINE_END = re.compile(r"\r\n|\r|\n")  # only these end a line, for LSP as for `ast`


class Text:
    """One version of a document. Never changed once made (the text is cached on first use)."""

    __slots__ = ("_text", "ends", "length", "lines", "version")

    def __init__(self, lines: list[str], ends: list[str], length: int, version: int | None) -> None:
        self.lines = lines  # a line's text without its end
        self.ends = ends  # "\n", "\r\n" or "\r"; "" after the last line
        self.length = length  # len(text), known without joining it
        self.version = version
        self._text: str | None = None

    @classmethod
    def of(cls, text: str, version: int | None = None) -> Text:
        lines, ends = _split(text)
        made = cls(lines, ends, len(text), version)
        made._text = text
        return made

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(chain.from_iterable(zip(self.lines, self.ends)))
        return self._text

    def changed(
        self, change: types.TextDocumentContentChangeEvent, encoding: str, version: int | None
    ) -> Text:
        """This text with `change` applied."""
        if not isinstance(change, types.TextDocumentContentChangePartial):
            return Text.of(change.text, version)
        lines, ends = self.lines, self.ends
        first, start = self._place(change.range.start, encoding)
        last, end = self._place(change.range.end, encoding)
        if (last, end) < (first, start):
            last, end = first, start
        # A "\n" right after a line ending in "\r" joins it: that line is read again too.
        piece = lines[first][:start] + change.text + lines[last][end:] + ends[last]
        if first > 0 and ends[first - 1] == "\r" and piece[:1] == "\n":
            first -= 1
            piece = lines[first] + ends[first] + piece
        old = sum(len(line) + len(e) for line, e in zip(lines[first : last + 1], ends[first : last + 1]))
        new_lines, new_ends = _split(piece)
        if ends[last]:  # the piece ended with a line end: `_split` made an empty line after it
            new_lines.pop()
            new_ends.pop()
        return Text(
            lines[:first] + new_lines + lines[last + 1 :],
            ends[:first] + new_ends + ends[last + 1 :],
            self.length - old + len(piece),
            version,
        )

    def _place(self, position: types.Position, encoding: str) -> tuple[int, int]:
        """(line, index in the line's str) of an LSP position; past the end, the end."""
        if position.line >= len(self.lines):
            return len(self.lines) - 1, len(self.lines[-1])
        line = self.lines[position.line]
        return position.line, column(line, position.character, encoding)


def column(line: str, units: int, encoding: str) -> int:
    """The index in `line` of the position `units` code units from its start (a position
    past the end of the line is its end, as LSP says)."""
    if line.isascii() or encoding == types.PositionEncodingKind.Utf32:
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        code = ord(char)
        if encoding == types.PositionEncodingKind.Utf8:
            counted += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            counted += 2 if code > 0xFFFF else 1
    return len(line)


def _split(text: str) -> tuple[list[str], list[str]]:
    parts = _LINE_END.split(text)
    ends = _LINE_END.findall(text)
    ends.append("")
    return parts, ends


class Buffers:
    """The open documents' texts by URI (as pygls keys them: unquoted). Changed on the event
    loop only; any thread may read a `Text` it got."""

    def __init__(self) -> None:
        self._texts: dict[str, Text] = {}

    def open(self, uri: str, text: str, version: int | None) -> None:
        self._texts[unquote(uri)] = Text.of(text, version)

    def change(
        self,
        uri: str,
        version: int | None,
        changes: Iterable[types.TextDocumentContentChangeEvent],
        encoding: str = types.PositionEncodingKind.Utf16,
    ) -> None:
        key = unquote(uri)
        current = self._texts.get(key)
        if current is None:
            return  # a change of a document never opened: nothing to apply it to
        for change in changes:
            current = current.changed(change, encoding, version)
        self._texts[key] = current

    def close(self, uri: str) -> None:
        self._texts.pop(unquote(uri), None)

    def get(self, uri: str) -> Text | None:
        return self._texts.get(unquote(uri))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._texts))
