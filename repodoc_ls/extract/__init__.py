"""Extraction: the facts of one file, as a pure function of (relative path, bytes).

`extract_file` picks the extractor by the file's name (and, for extensionless files, a
Python shebang) and never raises: whatever the content, the result is a `FileFacts`,
with a note saying what could not be read.
"""

from __future__ import annotations

import codecs
import posixpath

from repodoc_ls.model import FileFacts, FileKind, Note, NoteKind

from .reparse import Reparser

#: Files larger than this (other than Python) get metadata only.
MAX_NON_PYTHON_BYTES = 8 * 1024 * 1024
#: How much of a file is looked at for NUL bytes when deciding it is binary.
BINARY_SNIFF_BYTES = 8192

PYTHON_EXTENSIONS = frozenset({".py", ".pyi", ".pyw"})
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown"})
DATA_EXTENSIONS = frozenset({".json", ".toml", ".yaml", ".yml", ".ini", ".cfg"})


def extract_file(path: str, data: bytes, reparser: Reparser | None = None) -> FileFacts:
    """The facts of the file at `path` (posix, relative to the root) holding `data`. With a
    `reparser`, a Python file it parsed last is parsed again only where it changed (the
    facts are the same)."""
    try:
        return _dispatch(path, data, reparser)
    except Exception as exc:  # noqa: BLE001 - a page with a note beats a crash
        return FileFacts(
            path=path,
            kind=_fallback_kind(path, data),
            size=len(data),
            notes=[Note(NoteKind.MALFORMED, 0, f"extractor failed: {type(exc).__name__}: {exc}")],
        )


#: How the note of a file that was not read begins (see `unread_facts`).
UNREAD_NOTE = "not read: "


def unread_facts(path: str, size: int, limit: int) -> FileFacts:
    """The facts of a file too large to read (`size` bytes, over `limit`): its kind from its
    name alone, its size, and a note saying why nothing else is known."""
    kind = file_type(path)
    if kind == "python":
        from .python import _kind

        kind = _kind(posixpath.basename(path), None, False)
    elif kind == "markdown":
        kind = FileKind.MARKDOWN
    elif kind == "data":
        kind = _DATA_KINDS.get(_extension(path), FileKind.TEXT)
    else:
        kind = FileKind.BINARY  # text or not, nobody looked
    return FileFacts(
        path=path,
        kind=kind,
        size=size,
        encoding=None,
        notes=[Note(NoteKind.TOO_LARGE, 0, f"{UNREAD_NOTE}{size:,} bytes, over max-file-bytes = {limit:,}")],
    )


def is_unread(facts: FileFacts) -> bool:
    """Whether `facts` come from `unread_facts`: the file's bytes were never read."""
    return facts.encoding is None and any(
        n.kind == NoteKind.TOO_LARGE and n.detail.startswith(UNREAD_NOTE) for n in facts.notes
    )


def file_type(path: str, data: bytes | None = None) -> str:
    """Which extractor handles `path`: "python", "markdown", "data" or "other"."""
    ext = _extension(path)
    if ext in PYTHON_EXTENSIONS:
        return "python"
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    if ext in DATA_EXTENSIONS:
        return "data"
    if not ext and data is not None and is_python_shebang(data):
        return "python"
    return "other"


def is_python_shebang(data: bytes) -> bool:
    """Whether the first line is a `#!` line that runs Python."""
    if not data.startswith(b"#!"):
        return False
    first = data[:256].split(b"\n", 1)[0].strip()
    parts = first[2:].split()
    if not parts:
        return False
    program = parts[0].rsplit(b"/", 1)[-1]
    if program == b"env":
        rest = [p for p in parts[1:] if not p.startswith(b"-")]
        if not rest:
            return False
        program = rest[0].rsplit(b"/", 1)[-1]
    return program.startswith(b"python") or program.startswith(b"pypy")


def is_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KB, or content that is not UTF-8."""
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def binary_facts(path: str, data: bytes, notes: list[Note] | None = None) -> FileFacts:
    return FileFacts(path=path, kind=FileKind.BINARY, size=len(data), encoding=None, notes=list(notes or []))


def _decodes_as_utf8_prefix(head: bytes) -> bool:
    """Whether `head`, the start of a longer file, is UTF-8 (a cut last character is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _extension(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[1].lower()


def _fallback_kind(path: str, data: bytes) -> str:
    try:
        kind = file_type(path, data)
        if kind == "python":
            return FileKind.MODULE
        if kind == "markdown":
            return FileKind.MARKDOWN
        if kind == "data":
            return _DATA_KINDS.get(_extension(path), FileKind.TEXT)
        return FileKind.BINARY if is_binary(data) else FileKind.TEXT
    except Exception:
        return FileKind.BINARY


_DATA_KINDS = {
    ".json": FileKind.JSON,
    ".toml": FileKind.TOML,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".ini": FileKind.INI,
    ".cfg": FileKind.INI,
}


def _dispatch(path: str, data: bytes, reparser: Reparser | None = None) -> FileFacts:
    kind = file_type(path, data)
    if kind == "python":
        from .python import extract_python

        return extract_python(path, data, reparser)
    if len(data) > MAX_NON_PYTHON_BYTES:
        head = data[:BINARY_SNIFF_BYTES]
        text = b"\0" not in head and _decodes_as_utf8_prefix(head)
        kind = _fallback_kind(path, b"") if text else FileKind.BINARY
        facts = FileFacts(path=path, kind=kind, size=len(data), encoding="utf-8" if text else None)
        facts.notes.append(
            Note(
                NoteKind.TOO_LARGE,
                0,
                f"{len(data)} bytes: over the {MAX_NON_PYTHON_BYTES} byte limit "
                "for non-Python files, so only metadata is recorded",
            )
        )
        return facts
    if kind == "markdown":
        from .markdown import extract_markdown

        return extract_markdown(path, data)
    if kind == "data":
        from .data import extract_data

        return extract_data(path, data)
    if is_binary(data):
        return binary_facts(path, data)
    from .text import extract_text

    return extract_text(path, data)


__all__ = [
    "Reparser",
    "extract_file",
    "file_type",
    "is_binary",
    "is_python_shebang",
    "is_unread",
    "unread_facts",
    "MAX_NON_PYTHON_BYTES",
]
