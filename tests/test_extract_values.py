"""Names that hold values become symbols: module variables, type aliases, class fields and
attributes, and the instance attributes `__init__` sets (issue 12, item 4)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from repodoc_ls.extract.python import extract_python
from repodoc_ls.model import SymbolKind

SOURCE = b'''"""Values of every kind."""
from typing import Union, TypeAlias, NamedTuple, TypedDict, ClassVar
import logging
from dataclasses import dataclass, field
import enum
import attr
try:
    import simplejson as json
except ImportError:
    json = None
logger = logging.getLogger(__name__)
codes = {"ok": 200}
CellType = Union[int, str]
MaybeInt = int | None
Flags = READ | WRITE
Later: TypeAlias = "list[int]"
MAX_SIZE = 3
_cache: dict = {}
def helper(): ...
helper = None


@dataclass
class Point:
    x: int
    y: int = 0
    tags: list = field(default_factory=list)
    instances: ClassVar[int] = 0
    ORIGIN = None


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Pair(NamedTuple):
    left: int
    right: int


class Movie(TypedDict):
    title: str


@attr.s
class Old:
    a = attr.ib()
    b = 5


class Plain:
    kind = "x"
    size: int

    def __init__(self, a, b):
        self.a = a
        self.b, self.c = b, 2
        if a:
            self.d: int = 1

        def inner():
            self.not_here = 1

        self.kind = 4

    @property
    def c(self):
        return 1

    def other(self):
        self.not_init = 1


def outer():
    class Local:
        hidden = 1

        def __init__(self):
            self.hidden_too = 1

    return Local
'''


def symbols():
    facts = extract_python("values.py", SOURCE)
    assert facts.notes == []
    return [(s.qualname, s.kind, s.line) for s in facts.symbols], facts


def test_every_value_kind_exactly():
    got, _ = symbols()
    V, T, C, A, F = (
        SymbolKind.VARIABLE,
        SymbolKind.TYPE_ALIAS,
        SymbolKind.CONSTANT,
        SymbolKind.ATTRIBUTE,
        SymbolKind.FIELD,
    )
    assert got == [
        # `json = None` is left out: `json` is imported, the import is what a reader looks for
        ("logger", V, 11),
        ("codes", V, 12),
        ("CellType", T, 13),
        ("MaybeInt", T, 14),
        ("Flags", V, 15),  # `A | B` of names that are not plainly types: not a type alias
        ("Later", T, 16),
        ("MAX_SIZE", C, 17),
        ("_cache", V, 18),
        ("helper", SymbolKind.FUNCTION, 19),  # `helper = None` after it: the def wins
        ("Point", SymbolKind.CLASS, 24),
        ("Point.x", F, 25),
        ("Point.y", F, 26),
        ("Point.tags", F, 27),
        ("Point.instances", A, 28),  # ClassVar: not a dataclass field
        ("Point.ORIGIN", A, 29),  # not annotated: not a dataclass field
        ("Color", SymbolKind.CLASS, 32),
        ("Color.RED", F, 33),
        ("Color.GREEN", F, 34),
        ("Pair", SymbolKind.CLASS, 37),
        ("Pair.left", F, 38),
        ("Pair.right", F, 39),
        ("Movie", SymbolKind.CLASS, 42),
        ("Movie.title", F, 43),
        ("Old", SymbolKind.CLASS, 47),
        ("Old.a", F, 48),
        ("Old.b", A, 49),
        ("Plain", SymbolKind.CLASS, 52),
        ("Plain.kind", A, 53),
        ("Plain.size", A, 54),
        ("Plain.__init__", SymbolKind.METHOD, 56),
        ("Plain.a", A, 57),
        ("Plain.b", A, 58),  # `self.c` there is the property below
        ("Plain.d", A, 60),
        ("Plain.__init__.inner", SymbolKind.FUNCTION, 62),
        ("Plain.c", SymbolKind.METHOD, 68),
        ("Plain.other", SymbolKind.METHOD, 71),
        ("outer", SymbolKind.FUNCTION, 75),
        ("outer.Local", SymbolKind.CLASS, 76),  # a local class's values are no API
        ("outer.Local.__init__", SymbolKind.METHOD, 79),
    ]


def test_values_columns_annotations_and_text():
    _, facts = symbols()
    by = {s.qualname: s for s in facts.symbols}
    lines = SOURCE.decode().split("\n")
    for q, s in by.items():
        if s.kind in SymbolKind.VALUES:
            assert lines[s.line - 1][s.col :].startswith(s.name), q
    assert (by["Point.y"].signature, by["Point.y"].value, by["Point.y"].parent) == (": int", "0", "Point")
    assert (by["Plain.d"].signature, by["Plain.d"].value) == (": int", "1")
    assert by["Plain.a"].value is None  # `self.a = a`
    assert by["Plain.b"].value is None  # unpacked from a tuple
    assert by["codes"].value == '{"ok": 200}'
    assert by["CellType"].value == "Union[int, str]"


def test_module_values_agree_with_an_independent_ast_walk():
    """Every module-level name assigned in a stdlib file is a symbol of some value kind
    (or imported, or defined by def/class): checked against a plain ast walk."""
    root = Path(ast.__file__).parent
    checked = 0
    for name in ("argparse.py", "logging/__init__.py", "typing.py", "enum.py", "dataclasses.py"):
        data = (root / name).read_bytes()
        facts = extract_python(name, data)
        tree = ast.parse(data)
        assigned = set()
        for st in ast.walk(tree):
            if isinstance(st, ast.Assign) and st in tree.body:
                assigned |= {t.id for t in st.targets if isinstance(t, ast.Name)}
            elif isinstance(st, ast.AnnAssign) and st in tree.body and st.value is not None:
                if isinstance(st.target, ast.Name):
                    assigned.add(st.target.id)
        top = {s.name for s in facts.symbols if s.parent is None}
        imported = {i.bound_name for i in facts.imports}
        missing = assigned - top - imported - {"__all__"}
        assert missing == set(), name
        checked += len(assigned)
    assert checked > 100


@pytest.mark.skipif(sys.version_info < (3, 12), reason="ast.TypeAlias is 3.12+")
def test_type_statement_natively():
    facts = extract_python("m.py", b"type Alias[T] = list[T]\n")
    assert [(s.qualname, s.kind, s.col, s.value) for s in facts.symbols] == [
        ("Alias", SymbolKind.TYPE_ALIAS, 5, "list[T]")
    ]
