"""Plain text files: kind, size, line count and encoding."""

from __future__ import annotations

from repodoc_ls.model import FileFacts, FileKind, Note, NoteKind


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of UTF-8 `data`, a BOM removed; raises UnicodeDecodeError."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    return data.decode("utf-8"), "utf-8"


def count_lines(text: str) -> int:
    """Lines as an editor numbers them: "a\\nb" and "a\\nb\\n" both have 2; "" has 0."""
    if not text:
        return 0
    if "\r" in text:  # Windows or old Mac line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    n = text.count("\n")
    return n if text.endswith("\n") else n + 1


def split_lines(text: str) -> list[str]:
    """The lines of `text` split at \n, \r\n or \r only (as editors and `ast` number them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def not_utf8(path: str, data: bytes, exc: UnicodeDecodeError) -> FileFacts:
    """A file that should be text but is not UTF-8: binary, with a note saying where."""
    line = data.count(b"\n", 0, exc.start) + 1
    return FileFacts(
        path=path,
        kind=FileKind.BINARY,
        size=len(data),
        encoding=None,
        notes=[
            Note(
                NoteKind.ENCODING,
                line,
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line})",
            )
        ],
    )


def extract_text(path: str, data: bytes) -> FileFacts:
    if b"\0" in data[:8192]:
        return FileFacts(path=path, kind=FileKind.BINARY, size=len(data))
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        return FileFacts(path=path, kind=FileKind.BINARY, size=len(data))
    return FileFacts(
        path=path, kind=FileKind.TEXT, size=len(data), lines=count_lines(text), encoding=encoding
    )
