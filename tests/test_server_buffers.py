"""The server's own document texts (server/buffers.py) against pygls' TextDocument, which
joins the whole text again on every change: random incremental edits (fixed seeds) must
leave both with the same text, and the kept lines must be the text's lines as LSP counts
them."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from repodoc_ls.server.buffers import Buffers, Text, column
from repodoc_ls.server.folders import split_lines

PIECES = ["a", "bc", "def ", "x = 1", " ", "\t", "é", "€", "😀", "𝔘", "\n", "\n", "\r\n", "\r\n\r\n", "\n\n"]


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def random_position(rng: random.Random, lines: list[str]) -> tuple[int, int]:
    """A valid (line, UTF-16 column): never inside a surrogate pair; now and then the
    position just past the last line, as a client appending at the end may send."""
    if rng.random() < 0.05:
        return len(lines), 0
    line = rng.randrange(len(lines))
    index = rng.randint(0, len(lines[line]))
    return line, utf16(lines[line][:index])


def random_change(rng: random.Random, text: Text) -> types.TextDocumentContentChangeEvent:
    if rng.random() < 0.03:
        return types.TextDocumentContentChangeWholeDocument(text=random_text(rng, rng.randint(0, 30)))
    a = random_position(rng, text.lines)
    b = a if rng.random() < 0.3 else random_position(rng, text.lines)
    start, end = sorted([a, b])
    if rng.random() < 0.1:  # at the very end of the text
        start = end = (len(text.lines) - 1, utf16(text.lines[-1]))
    inserted = "" if rng.random() < 0.2 else random_text(rng, rng.randint(1, 12))
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=inserted
    )


@pytest.mark.parametrize("seed", range(12))
def test_random_edits_give_the_text_pygls_gives(seed):
    rng = random.Random(seed)
    original = random_text(rng, 200)
    doc = TextDocument("file:///tmp/buffer.py", original)
    buffers = Buffers()
    buffers.open("file:///tmp/buffer.py", original, 1)
    for version in range(2, 300):
        current = buffers.get("file:///tmp/buffer.py")
        assert current is not None
        change = random_change(rng, current)
        doc.apply_change(change)
        buffers.change("file:///tmp/buffer.py", version, [change])
        after = buffers.get("file:///tmp/buffer.py")
        assert after is not None
        assert after.text == doc.source, (seed, version, change)
        assert after.lines == split_lines(doc.source)
        assert after.length == len(doc.source)
        assert after.version == version


def test_several_changes_in_one_notification_apply_in_order():
    buffers = Buffers()
    buffers.open("file:///w/a.py", "one\r\ntwo\r\n", 1)
    changes = [
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(1, 0), types.Position(1, 3)), text="2😀"
        ),
        types.TextDocumentContentChangePartial(  # after the emoji: 3 UTF-16 units into the line
            range=types.Range(types.Position(1, 3), types.Position(1, 3)), text="!\nthree"
        ),
    ]
    buffers.change("file:///w/a.py", 2, changes)
    got = buffers.get("file:///w/a.py")
    assert got is not None and got.text == "one\r\n2😀!\nthree\r\n"
    assert got.lines == ["one", "2😀!", "three", ""]


def test_an_old_version_is_left_as_it_was():
    # A query thread may still read the version before a change.
    buffers = Buffers()
    buffers.open("file:///w/a.py", "a\nb\nc", 1)
    old = buffers.get("file:///w/a.py")
    assert old is not None
    lines = list(old.lines)
    buffers.change(
        "file:///w/a.py",
        2,
        [
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(1, 0), types.Position(2, 0)), text=""
            )
        ],
    )
    assert old.lines == lines and old.text == "a\nb\nc"
    assert buffers.get("file:///w/a.py").text == "a\nc"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "start", "end", "inserted", "expected"),
    [
        ("a\rb", (1, 0), (1, 0), "\n", "a\r\nb"),  # the new "\n" joins the "\r" before it
        ("a\rx\nb", (1, 0), (1, 1), "", "a\r\nb"),  # so does one brought next to it
        ("a\nb", (0, 1), (0, 1), "c\r", "ac\r\nb"),
        ("a\r\nb", (0, 1), (1, 0), "", "ab"),
    ],
)
def test_line_ends_that_meet(text, start, end, inserted, expected):
    buffers = Buffers()
    buffers.open("file:///w/a.py", text, 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=inserted
    )
    buffers.change("file:///w/a.py", 2, [change])
    got = buffers.get("file:///w/a.py")
    assert got is not None and got.text == expected
    assert got.lines == split_lines(expected) and got.length == len(expected)


def test_columns_in_each_encoding():
    line = "a😀é b"
    assert column(line, 3, types.PositionEncodingKind.Utf16) == 2  # after the emoji (2 units)
    assert column(line, 5, types.PositionEncodingKind.Utf8) == 2  # 1 + 4 bytes
    assert column(line, 7, types.PositionEncodingKind.Utf8) == 3  # é is 2 bytes
    assert column(line, 2, types.PositionEncodingKind.Utf32) == 2
    assert column(line, 99, types.PositionEncodingKind.Utf16) == len(line)  # past the end: the end
