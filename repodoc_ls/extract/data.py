"""Data files: JSON, TOML, YAML and INI/CFG, with their top-level keys as an outline.

Each format is checked by its standard-library parser where there is one (`json`,
`tomllib`, `configparser`); a file the parser rejects gets a MALFORMED note with the line
the parser names, and still its outline as far as the line scanner can tell. The lines of
the keys come from a scanner over the text, since the parsers do not report positions.
YAML has no parser in the standard library: its outline is the unindented `key:` lines.
"""

from __future__ import annotations

import bisect
import configparser
import json
import posixpath
import re
import sys
from json.decoder import scanstring  # type: ignore[attr-defined]  # typeshed omits it

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from repodoc_ls.model import FileFacts, FileKind, Note, NoteKind, OutlineEntry

from .text import count_lines, decode, not_utf8, split_lines

KINDS = {
    ".json": FileKind.JSON,
    ".toml": FileKind.TOML,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".ini": FileKind.INI,
    ".cfg": FileKind.INI,
}

#: Outline entries kept per file; a generated JSON with 100k keys gets a note instead.
MAX_OUTLINE = 2000


def extract_data(path: str, data: bytes) -> FileFacts:
    ext = posixpath.splitext(path)[1].lower()
    kind = KINDS.get(ext, FileKind.TEXT)
    if b"\0" in data[:8192]:
        return FileFacts(path=path, kind=FileKind.BINARY, size=len(data))
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        return not_utf8(path, data, exc)
    facts = FileFacts(path=path, kind=kind, size=len(data), lines=count_lines(text), encoding=encoding)
    parser = _PARSERS.get(kind)
    if parser is not None:
        outline, notes = parser(text)
        if len(outline) > MAX_OUTLINE:
            notes.append(
                Note(
                    NoteKind.TOO_LARGE,
                    0,
                    f"{len(outline)} outline entries; only the first {MAX_OUTLINE} are listed",
                )
            )
            outline = outline[:MAX_OUTLINE]
        facts.outline = outline
        facts.notes.extend(notes)
    return facts


# --------------------------------------------------------------------------- JSON


_JSON_TOKEN = re.compile(r'["{}\[\]]')


def parse_json(text: str) -> tuple[list[OutlineEntry], list[Note]]:
    notes: list[Note] = []
    value = None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        notes.append(
            Note(
                NoteKind.MALFORMED,
                exc.lineno,
                f"JSON error: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            )
        )
    except (ValueError, RecursionError) as exc:
        notes.append(Note(NoteKind.MALFORMED, 0, f"JSON error: {exc}"))
    lines = _LineIndex(text)
    if isinstance(value, list):
        start = len(text) - len(text.lstrip())
        n = len(value)
        return [OutlineEntry(1, f"array of {n} item{'s' if n != 1 else ''}", lines.line(start))], notes
    if value is not None and not isinstance(value, dict):
        return [], notes
    return _json_keys(text, lines), notes


def _json_keys(text: str, lines: _LineIndex) -> list[OutlineEntry]:
    """Keys of the top-level object with their lines (best effort on malformed text)."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("{", start):
        return []
    out: list[OutlineEntry] = []
    seen: set[str] = set()
    depth = 0
    pos = start
    n = len(text)
    while pos < n:
        m = _JSON_TOKEN.search(text, pos)
        if m is None:
            break
        c = m.group()
        at = m.start()
        if c == '"':
            try:
                key, end = scanstring(text, at + 1, False)
            except (ValueError, json.JSONDecodeError):
                break
            if depth == 1:
                after = end
                while after < n and text[after] in " \t\r\n":
                    after += 1
                if after < n and text[after] == ":" and key not in seen:
                    seen.add(key)
                    out.append(OutlineEntry(1, key, lines.line(at)))
            pos = end
            continue
        if c in "{[":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                break
        pos = at + 1
    return out


# --------------------------------------------------------------------------- TOML


_TOML_LINE = re.compile(r"at line (\d+)")
_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*(.*?)\s*(\]\]?)\s*(?:#.*)?$")
_TOML_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
    r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*="""
)


def parse_toml(text: str) -> tuple[list[OutlineEntry], list[Note]]:
    notes: list[Note] = []
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_LINE.search(message)
        notes.append(Note(NoteKind.MALFORMED, int(m.group(1)) if m else 0, f"TOML error: {message}"))
    except (ValueError, RecursionError) as exc:
        notes.append(Note(NoteKind.MALFORMED, 0, f"TOML error: {exc}"))
    out: list[OutlineEntry] = []
    seen: set[str] = set()
    in_table = False
    multiline: str | None = None  # the quote that closes an open multi-line string
    depth = 0  # open brackets of a multi-line array or inline table value
    for number, line in enumerate(split_lines(text), 1):
        if multiline is not None:
            if _closes(line, multiline):
                multiline = None
            continue
        if depth > 0:
            depth += _bracket_delta(line)
            multiline = _opens_multiline(line)
            continue
        m = _TOML_HEADER.match(line)
        if m and (m.group(1) == "[") == (m.group(3) == "]"):
            parts = _split_dotted(m.group(2))
            title = ".".join(parts)
            if title and title not in seen:
                seen.add(title)
                out.append(OutlineEntry(1, title, number))
            in_table = True
            continue
        m = _TOML_KEY.match(line)
        if m:
            value = line[m.end() :]
            multiline = _opens_multiline(value)
            if multiline is None:
                depth = max(0, _bracket_delta(value))
            if not in_table:
                key = _split_dotted(m.group(1))[0]
                if key not in seen:
                    seen.add(key)
                    out.append(OutlineEntry(1, key, number))
    return out, notes


def _split_dotted(text: str) -> list[str]:
    parts = []
    for m in re.finditer(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^.\s"']+)\s*(?:\.|$)""", text):
        part = m.group(1)
        if part[:1] in "\"'" and len(part) >= 2:
            part = part[1:-1]
        parts.append(part)
    return parts


def _strip_strings(text: str) -> str:
    """`text` without its one-line strings and its comment."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"' r"|'[^']*'", '""', text)
    return text.split("#", 1)[0]


def _opens_multiline(value: str) -> str | None:
    for quote in ('"""', "'''"):
        i = value.find(quote)
        if i >= 0 and value.count(quote) % 2 == 1:
            # Opened and not closed on this line (ignoring a quote in a one-line string
            # before it, which a TOML key's value cannot hold next to a multi-line one).
            if all(value.find(q) < 0 or value.find(q) > i for q in ('"""', "'''") if q != quote):
                return quote
    return None


def _closes(line: str, quote: str) -> bool:
    return quote in line


def _bracket_delta(value: str) -> int:
    clean = _strip_strings(value)
    return clean.count("[") + clean.count("{") - clean.count("]") - clean.count("}")


# --------------------------------------------------------------------------- YAML


_YAML_KEY = re.compile(
    r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'"""
    r"""|[^\s#&*!|>'"%@`\-?:\[\]{},][^#]*?|-[^\s#][^#]*?)\s*:(?:\s|$)"""
)


def parse_yaml(text: str) -> tuple[list[OutlineEntry], list[Note]]:
    out: list[OutlineEntry] = []
    seen: set[str] = set()
    for number, line in enumerate(split_lines(text), 1):
        if not line or line[0] in " \t#":
            continue
        if line.startswith(("---", "...")) and (len(line) == 3 or line[3] in " \t"):
            continue  # document markers
        m = _YAML_KEY.match(line)
        if not m:
            continue
        key = m.group(1).strip()
        if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
            key = key[1:-1]
        if key and key not in seen:
            seen.add(key)
            out.append(OutlineEntry(1, key, number))
    return out, []


# --------------------------------------------------------------------------- INI


def parse_ini(text: str) -> tuple[list[OutlineEntry], list[Note]]:
    notes: list[Note] = []
    parser = configparser.ConfigParser(interpolation=None, allow_no_value=True, strict=True)
    try:
        parser.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        notes.append(
            Note(
                NoteKind.MALFORMED,
                exc.lineno,
                f"INI error: line {exc.lineno} comes before any [section] header: {exc.line.strip()!r}",
            )
        )
    except configparser.ParsingError as exc:
        errors = getattr(exc, "errors", [])
        if errors:
            lineno, bad = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            notes.append(
                Note(
                    NoteKind.MALFORMED,
                    lineno,
                    f"INI error: cannot parse line {lineno}: {bad.strip()!r}{more}",
                )
            )
        else:
            notes.append(Note(NoteKind.MALFORMED, 0, f"INI error: {_one_line(str(exc))}"))
    except configparser.Error as exc:  # duplicate sections or options
        message = _READING.sub("", _one_line(str(exc)))
        notes.append(Note(NoteKind.MALFORMED, getattr(exc, "lineno", None) or 0, f"INI error: {message}"))
    except (ValueError, RecursionError) as exc:
        notes.append(Note(NoteKind.MALFORMED, 0, f"INI error: {_one_line(str(exc))}"))
    return _ini_outline(text), notes


def _ini_outline(text: str) -> list[OutlineEntry]:
    out: list[OutlineEntry] = []
    section: str | None = None
    seen: set[tuple[str | None, str]] = set()
    in_value = False
    for number, line in enumerate(split_lines(text), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in "#;":
            continue
        if line[0] in " \t" and in_value:
            continue  # a continuation line of the previous value
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1 : stripped.index("]")].strip()
            if (None, section) not in seen:
                seen.add((None, section))
                out.append(OutlineEntry(1, section, number))
            in_value = False
            continue
        cut = min((i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1)
        key = (stripped[:cut] if cut >= 0 else stripped).strip()
        in_value = True
        if key and (section, key) not in seen:
            seen.add((section, key))
            out.append(OutlineEntry(2 if section is not None else 1, key, number))
    return out


_READING = re.compile(r"^While reading from .*?\[line\s*\d+\]: ")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- helpers


class _LineIndex:
    """1-based line of a character offset, by bisecting the offsets of the newlines."""

    def __init__(self, text: str) -> None:
        self._starts = [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) + 1


_PARSERS = {
    FileKind.JSON: parse_json,
    FileKind.TOML: parse_toml,
    FileKind.YAML: parse_yaml,
    FileKind.INI: parse_ini,
}
