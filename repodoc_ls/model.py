"""The facts extracted from one file, and their compact serialized form.

Facts are plain values: extraction is a pure function of (relative path, bytes), so a
record can be cached by content hash, sent between processes and stored as one blob.
`to_record` / `from_record` use tuples of primitives because `marshal` is by far the
fastest serializer for them and a warm start decodes every file's record.
"""

from __future__ import annotations

import marshal
import re
import struct
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Bumped whenever the shape or meaning of a record changes; the store rebuilds on mismatch.
FACTS_VERSION = 6

# The record forms, field for field as the dataclasses below declare them.
SymbolRecord = tuple[
    str,
    str,
    str,
    int,
    int,
    int,
    str | None,
    bool,
    bool,
    str | None,
    list[str],
    list[str],
    str | None,
    str | None,
]
ImportRecord = tuple[str, str | None, str | None, int, int, bool, bool]
TestItemRecord = tuple[str, int, str, bool, list[str], str, int]
NoteRecord = tuple[str, int, str, str]
OutlineEntryRecord = tuple[int, str, int]


class FileKind:
    PACKAGE_INIT = "package init"
    MODULE = "module"
    TEST_MODULE = "test module"
    SCRIPT = "script"
    STUB = "stub"
    MARKDOWN = "Markdown"
    JSON = "JSON"
    TOML = "TOML"
    YAML = "YAML"
    INI = "INI"
    TEXT = "text"
    BINARY = "binary"

    PYTHON = frozenset({PACKAGE_INIT, MODULE, TEST_MODULE, SCRIPT, STUB})
    DATA = frozenset({JSON, TOML, YAML, INI})


class SymbolKind:
    CLASS = "class"
    FUNCTION = "function"  # module level, or local to a function (then `local` is True)
    METHOD = "method"  # defined directly in a class body
    CONSTANT = "constant"  # module-level assignment to an UPPER_CASE or dunder name
    VARIABLE = "variable"  # any other module-level assignment: `codes = {...}`, `logger = ...`
    TYPE_ALIAS = "type alias"  # `X = Union[...]`, `X: TypeAlias = ...`, `type X = ...`
    ATTRIBUTE = "attribute"  # a class-body name, or `self.x = ...` in `__init__` (parent: the class)
    FIELD = "field"  # a dataclass, attrs, NamedTuple, TypedDict or Enum class's declared name

    #: the kinds that name a value rather than a `def` or `class`
    VALUES = frozenset({CONSTANT, VARIABLE, TYPE_ALIAS, ATTRIBUTE, FIELD})


@dataclass(slots=True)
class Symbol:
    name: str
    qualname: str  # dotted path inside the module: "TestPackage.test_basic_fn.fn"
    kind: str  # a SymbolKind value
    line: int  # 1-based line of the `def`/`class` keyword (not of the first decorator)
    end_line: int
    col: int  # 0-based column of the name itself, in characters (not UTF-16 units)
    parent: str | None = None  # qualname of the enclosing class or function
    local: bool = False  # defined inside a function body
    is_async: bool = False
    signature: str | None = (
        None  # "(self, a: int = 1, /, *args, key=None, **kw) -> str"; ": int" for an annotated value
    )
    decorators: list[str] = field(default_factory=list)  # as written, without "@"
    bases: list[str] = field(default_factory=list)  # as written: "unittest.TestCase"
    docstring: str | None = None
    value: str | None = None  # value kinds: source text of the value, shortened

    def to_record(self) -> SymbolRecord:
        return (
            self.name,
            self.qualname,
            self.kind,
            self.line,
            self.end_line,
            self.col,
            self.parent,
            self.local,
            self.is_async,
            self.signature,
            self.decorators,
            self.bases,
            self.docstring,
            self.value,
        )

    @classmethod
    def from_record(cls, r: SymbolRecord) -> Symbol:
        return cls(*r)

    @property
    def summary(self) -> str:
        return first_sentence(self.docstring)


@dataclass(slots=True)
class Import:
    """One imported item. `from x import (a, b as c)` gives two Imports."""

    module: str  # as written without leading dots: "a.b.c"; "" for `from . import x`
    name: str | None  # imported name for `from` imports ("*" for star), None for `import m`
    alias: str | None  # `as` name, None when absent
    level: int  # leading dots of a relative import; 0 for absolute
    line: int
    type_checking: bool = False  # inside `if TYPE_CHECKING:`
    in_try: bool = False  # inside a `try:` body or handler (optional dependency)

    def to_record(self) -> ImportRecord:
        return (self.module, self.name, self.alias, self.level, self.line, self.type_checking, self.in_try)

    @classmethod
    def from_record(cls, r: ImportRecord) -> Import:
        return cls(*r)

    @property
    def bound_name(self) -> str:
        """The name this import binds in the importing module."""
        if self.alias:
            return self.alias
        if self.name is not None:
            return self.name
        return self.module.split(".")[0]

    @property
    def written(self) -> str:
        """The import as a reader would write it, e.g. `from ..a import b as c`."""
        dots = "." * self.level
        if self.name is None:
            text = f"import {dots}{self.module}"
        else:
            text = f"from {dots}{self.module} import {self.name}"
        return f"{text} as {self.alias}" if self.alias else text


@dataclass(slots=True)
class TestItem:
    __test__ = False  # not a pytest test class, despite its name

    qualname: str  # "TestX.test_y" or "test_z"
    line: int
    style: str  # "unittest" or "pytest"
    parametrized: bool = False
    guards: list[str] = field(default_factory=list)  # "only if sys.platform == 'win32'", "skipped if ..."
    renamed_by: str = ""  # the function that renames it at import ("instantiate_parametrized_tests")
    redefined_at: int = 0  # line of the later definition that replaces it (not collected)

    def to_record(self) -> TestItemRecord:
        return (
            self.qualname,
            self.line,
            self.style,
            self.parametrized,
            self.guards,
            self.renamed_by,
            self.redefined_at,
        )

    @classmethod
    def from_record(cls, r: TestItemRecord) -> TestItem:
        return cls(*r)


class NoteKind:
    SYNTAX_ERROR = "syntax error"
    ENCODING = "encoding"
    TOO_LARGE = "too large"
    MALFORMED = "malformed"
    SHELL = "runs a command through a shell"  # the severe form of COMMAND
    COMMAND = "runs a command"
    EVAL = "eval/exec"
    DESERIALIZE = "pickle/marshal load"
    NETWORK = "network I/O"
    FILE_IO = "file I/O"
    CONCURRENCY = "threads/processes/asyncio"
    CACHE = "caching decorator"
    TODO = "TODO/FIXME"
    DEPRECATION = "deprecation"


@dataclass(slots=True)
class Note:
    kind: str  # a NoteKind value
    line: int  # the line the note rests on (0 when it concerns the whole file)
    detail: str  # the evidence, e.g. "subprocess.run(..., shell=True)" or "TODO: fix"
    #: The outside API the note rests on, resolved through the file's imports
    #: ("subprocess.run", "pathlib.Path.write_text"); "" when it rests on no import. The
    #: graph drops the note when the root module is the workspace's own (index/notes.py).
    target: str = ""

    def to_record(self) -> NoteRecord:
        return (self.kind, self.line, self.detail, self.target)

    @classmethod
    def from_record(cls, r: NoteRecord) -> Note:
        return cls(*r)


@dataclass(slots=True)
class OutlineEntry:
    """A Markdown heading or a data file's top-level key."""

    level: int
    title: str
    line: int

    def to_record(self) -> OutlineEntryRecord:
        return (self.level, self.title, self.line)

    @classmethod
    def from_record(cls, r: OutlineEntryRecord) -> OutlineEntry:
        return cls(*r)


_HEADER_LENGTH = struct.Struct("<I")


def _header_record(data: bytes) -> tuple[Any, ...]:
    try:
        (length,) = _HEADER_LENGTH.unpack_from(data)
        header = marshal.loads(memoryview(data)[_HEADER_LENGTH.size : _HEADER_LENGTH.size + length])
    except (struct.error, EOFError, TypeError) as exc:
        raise ValueError(f"not a facts record: {exc}") from None
    if not isinstance(header, tuple) or len(header) != 9 or header[0] != FACTS_VERSION:
        raise ValueError(f"not a facts record of version {FACTS_VERSION}")
    return header


class FactsHeader(NamedTuple):
    """What folder pages read of each file below them (`FileFacts.header`), stored ahead of
    the rest of its facts."""

    path: str
    kind: str
    size: int
    lines: int
    encoding: str | None
    docstring: str | None
    symbol_count: int
    #: the classes with a base: those whose bases `Graph.subclasses` looks at
    based_classes: int

    @property
    def is_python(self) -> bool:
        return self.kind in FileKind.PYTHON

    @property
    def summary(self) -> str:
        return first_sentence(self.docstring)


@dataclass(slots=True)
class FileFacts:
    path: str  # posix path relative to the workspace root
    kind: str  # a FileKind value
    size: int
    lines: int = 0
    encoding: str | None = None  # None for binary files
    docstring: str | None = None
    symbols: list[Symbol] = field(default_factory=list)  # in source order, nested ones included
    imports: list[Import] = field(default_factory=list)
    uses: dict[str, list[int]] = field(default_factory=dict)  # name or dotted chain -> lines
    tests: list[TestItem] = field(default_factory=list)  # found without looking at other files
    notes: list[Note] = field(default_factory=list)
    all_names: list[str] | None = None  # `__all__`, when it is a literal list/tuple
    all_line: int = 0
    main_guard: int = 0  # line of `if __name__ == "__main__":`, 0 when absent
    cli: list[tuple[str, int]] = field(default_factory=list)  # ("argparse"|"click"|..., line)
    outline: list[OutlineEntry] = field(default_factory=list)
    shebang: str | None = None
    #: (type root, steps, attribute) -> lines: attribute reads on a receiver of known type,
    #: for the index to resolve across files (repodoc_ls/analysis, index/typed.py)
    typed_uses: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    self_returning: list[str] = field(default_factory=list)  # methods that only `return self`
    #: qualname -> (type root, steps): what a module variable or a class's data attribute
    #: holds, when the analysis knows (a `codes = LookupDict()` read from another file)
    value_types: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        # A header of what folder pages read of every file below them (FactsHeader), apart
        # from the rest: a page of a large tree reads it without decoding the rest.
        header = marshal.dumps((FACTS_VERSION, *self.header))
        rest = marshal.dumps(
            (
                [s.to_record() for s in self.symbols],
                [i.to_record() for i in self.imports],
                self.uses,
                [t.to_record() for t in self.tests],
                [n.to_record() for n in self.notes],
                self.all_names,
                self.all_line,
                self.main_guard,
                self.cli,
                [o.to_record() for o in self.outline],
                self.shebang,
                self.typed_uses,
                self.self_returning,
                self.value_types,
            )
        )
        return _HEADER_LENGTH.pack(len(header)) + header + rest

    @staticmethod
    def header_from_bytes(data: bytes) -> FactsHeader:
        """The header of a `to_bytes` record; ValueError for a record of another version or
        none at all."""
        return FactsHeader(*_header_record(data)[1:])

    @classmethod
    def from_bytes(cls, data: bytes) -> FileFacts:
        h = _header_record(data)
        r = marshal.loads(memoryview(data)[_HEADER_LENGTH.size + _HEADER_LENGTH.unpack_from(data)[0] :])
        return cls(
            path=h[1],
            kind=h[2],
            size=h[3],
            lines=h[4],
            encoding=h[5],
            docstring=h[6],
            symbols=[Symbol(*s) for s in r[0]],
            imports=[Import(*i) for i in r[1]],
            uses=r[2],
            tests=[TestItem(*t) for t in r[3]],
            notes=[Note(*n) for n in r[4]],
            all_names=r[5],
            all_line=r[6],
            main_guard=r[7],
            cli=[tuple(c) for c in r[8]],
            outline=[OutlineEntry(*o) for o in r[9]],
            shebang=r[10],
            typed_uses=r[11],
            self_returning=r[12],
            value_types=r[13],
        )

    @property
    def header(self) -> FactsHeader:
        return FactsHeader(
            self.path,
            self.kind,
            self.size,
            self.lines,
            self.encoding,
            self.docstring,
            len(self.symbols),
            self.based_classes,
        )

    @property
    def based_classes(self) -> int:
        return sum(1 for s in self.symbols if s.bases and s.kind == SymbolKind.CLASS)

    @property
    def is_python(self) -> bool:
        return self.kind in FileKind.PYTHON

    @property
    def summary(self) -> str:
        return first_sentence(self.docstring)

    def symbol(self, qualname: str) -> Symbol | None:
        for s in self.symbols:
            if s.qualname == qualname:
                return s
        return None


#: Where a docstring's opening paragraph ends before a blank line does: a field list
#: (`:param x:`), a directive, a doctest, or a Google/NumPy section header.
_SECTION_START = re.compile(
    r"(:[A-Za-z]\w*( [^:`]*)?:(\s|$)|\.\. \w|>>>|[-=~^]{3,}$"
    r"|(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|Returns?"
    r"|Yields?|Raises|Exceptions?|Warns|Warnings?|Examples?|Notes?|See Also|References|Attributes"
    r"|Methods|Todo)\s*:?$)"
)
#: The end of a sentence: a stop followed by the end, or by a space and anything but a
#: lower-case letter ("U.S. standard", "e.g. this" go on); never "e.g." and the like.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\.\.)[.!?](?=\s+[^a-z\s]|\s*$)")
MAX_SUMMARY = 300  # characters; a longer opening sentence is cut at a word, with "…"


def first_sentence(text: str | None) -> str:
    """The first sentence of a docstring's opening paragraph, on one line; "" when there
    is none. A paragraph with no sentence end is taken whole (up to `MAX_SUMMARY`)."""
    if not text:
        return ""
    paragraph: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            if paragraph:
                break
            continue
        if len(paragraph) == 1 and set(line) <= set("-=~^") and len(line) >= 3:
            paragraph.clear()  # a title over the docstring (reST): the text below says more
            continue
        if _SECTION_START.match(line):
            break
        paragraph.append(line)
    joined = " ".join(paragraph)
    end = _SENTENCE_END.search(joined)
    if end is not None:
        joined = joined[: end.end()]
    if len(joined) > MAX_SUMMARY:
        joined = joined[:MAX_SUMMARY].rsplit(" ", 1)[0] + " …"
    return joined


@dataclass(frozen=True, slots=True)
class SymbolRef:
    """A symbol of the workspace, as name resolution answers it."""

    path: str
    qualname: str
    line: int
    kind: str

    @classmethod
    def of(cls, path: str, symbol: Symbol) -> SymbolRef:
        return cls(path, symbol.qualname, symbol.line, symbol.kind)


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """A module of the workspace: its file (a package's `__init__.py`)."""

    path: str


class Category:
    """Where an imported module comes from."""

    STDLIB = "standard library"
    THIRD_PARTY = "third party"
    WORKSPACE = "this workspace"
