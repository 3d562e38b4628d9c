"""Symbols for names that hold values: module variables, type aliases, class fields and
attributes, and the instance attributes `__init__` sets.

Kinds are decided from the code as written, never guessed: a class holds *fields* when its
own decorators or bases say so (dataclass, attrs, NamedTuple, TypedDict, Enum); a base
class that is itself such a class elsewhere is the graph's business, and there the names
stay *attributes*, which they also are. A module-level assignment is a *type alias* only
when its value is plainly a type expression (`Union[...]`, `list[int]`, `int | None`,
`X: TypeAlias = ...`, `type X = ...`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from repodoc_ls.model import Symbol, SymbolKind

from . import pynotes as P

_Name, _Attribute, _Subscript, _Constant = ast.Name, ast.Attribute, ast.Subscript, ast.Constant

# Subscripted, these make a type (the last part of a dotted name counts: `typing.Union`).
_TYPE_FORMS = frozenset(
    "Union Optional Callable Literal Annotated Tuple List Dict Set FrozenSet Type DefaultDict"
    " OrderedDict Counter Deque ChainMap Iterable Iterator Generator AsyncIterable AsyncIterator"
    " AsyncGenerator Awaitable Coroutine Mapping MutableMapping Sequence MutableSequence"
    " AbstractSet MutableSet Collection Container Reversible Pattern Match IO TypeGuard TypeIs"
    " Concatenate Unpack Required NotRequired ReadOnly".split()
)
_BUILTIN_GENERICS = frozenset("list dict tuple set frozenset type".split())
_BUILTIN_TYPES = _BUILTIN_GENERICS | frozenset("int str float bytes bool complex bytearray object".split())
_FIELD_DECORATORS = frozenset(
    "dataclass dataclasses.dataclass pydantic.dataclasses.dataclass attr.s attr.attrs attrs"
    " attr.define attr.frozen attr.mutable attrs.define attrs.frozen attrs.mutable define frozen"
    " mutable".split()
)
_ATTRS_DECORATORS = frozenset("attr.s attr.attrs attrs".split())
_FIELD_BASES = frozenset("NamedTuple TypedDict".split())
_ENUM_BASES = frozenset("Enum IntEnum StrEnum Flag IntFlag ReprEnum".split())
_ATTRS_FIELD_CALLS = frozenset("attr.ib attr.attrib attrib attr.field attrs.field field".split())
_TYPE_KEYWORD = re.compile(r"type\s+")
_CLASS_VAR = frozenset({"ClassVar", "typing.ClassVar", "t.ClassVar"})


def _last(name: str) -> str:
    return name.rpartition(".")[2]


def name_after_type(line: str, col: int) -> int:
    """The column of the name in a `type X = ...` statement whose `type` is at `col`."""
    m = _TYPE_KEYWORD.match(line, col)
    return m.end() if m else col


def is_type_alias_annotation(annotation: ast.expr) -> bool:
    name = P.dotted(annotation)
    return name is not None and _last(name) == "TypeAlias"


def is_type_expression(value: ast.expr) -> bool:
    """Whether `value` is plainly a type: a subscripted typing form or builtin generic, a
    `TypeAliasType(...)` call, or a `|` union of types with a builtin type or None in it."""
    if type(value) is _Subscript:
        name = P.dotted(value.value)
        return name is not None and (_last(name) in _TYPE_FORMS or name in _BUILTIN_GENERICS)
    if type(value) is ast.Call:
        name = P.dotted(value.func)
        return name is not None and _last(name) == "TypeAliasType"
    if type(value) is ast.BinOp and type(value.op) is ast.BitOr:
        leaves: list[ast.expr] = []
        stack: list[ast.expr] = [value]
        while stack:
            node = stack.pop()
            if type(node) is ast.BinOp and type(node.op) is ast.BitOr:
                stack += (node.left, node.right)
            else:
                leaves.append(node)
        plain = True  # some leaf is None, a builtin type or a typing form
        telling = False
        for leaf in leaves:
            if type(leaf) is _Constant and leaf.value is None:
                telling = True
            elif type(leaf) is _Subscript:
                if not is_type_expression(leaf):
                    plain = False
                telling = True
            elif type(leaf) is _Name:
                telling = telling or leaf.id in _BUILTIN_TYPES
            elif P.dotted(leaf) is None:
                plain = False
        return plain and telling
    return False


class ClassShape:
    """What a class's decorators and bases, as written, say about its body's names."""

    __slots__ = ("fields", "enum", "attrs")

    def __init__(self, klass: Symbol) -> None:
        decorators = {d.partition("(")[0] for d in klass.decorators}
        bases = {_last(b) for b in klass.bases if "=" not in b}
        self.attrs = bool(decorators & _ATTRS_DECORATORS)
        self.fields = bool(decorators & _FIELD_DECORATORS or bases & _FIELD_BASES)
        self.enum = bool(bases & _ENUM_BASES)

    def kind(self, annotation: ast.expr | None, value: ast.expr | None) -> str:
        """The kind of a class-body name with this annotation and value."""
        if annotation is not None:
            wrapped = annotation.value if type(annotation) is _Subscript else annotation
            if P.dotted(wrapped) in _CLASS_VAR:
                return SymbolKind.ATTRIBUTE
            return SymbolKind.FIELD if self.fields else SymbolKind.ATTRIBUTE
        if self.enum:
            return SymbolKind.FIELD
        if self.attrs and type(value) is ast.Call and P.dotted(value.func) in _ATTRS_FIELD_CALLS:
            return SymbolKind.FIELD
        return SymbolKind.ATTRIBUTE


def value_symbol(
    lines: list[str],
    target: ast.Name | ast.Attribute,
    kind: str,
    qual: str,
    parent: str | None,
    local: bool,
    annotation: ast.expr | None,
    value: ast.expr | None,
    end_line: int,
) -> Symbol:
    if isinstance(target, ast.Name):
        name, row, byte_col = target.id, target.lineno, target.col_offset
    else:
        name = target.attr
        # the attribute's name ends the node: `self.x` -> column of `x`
        row = target.end_lineno or target.lineno
        end = target.end_col_offset or 0
        byte_col = end - len(name.encode())
    line = lines[row - 1]
    return Symbol(
        name,
        qual,
        kind,
        row,
        max(end_line, row),
        P.char_col(line, byte_col),
        parent,
        local,
        signature=None if annotation is None else ": " + P.shorten(P.text(annotation), 60),
        value=None if value is None else P.snippet(lines, value, 80),
    )


def module_value(
    lines: list[str], target: ast.Name, value: ast.expr, node: ast.stmt, lowered: frozenset[tuple[int, int]]
) -> Symbol:
    """The symbol of a module-level assignment: a type alias, a constant (UPPER_CASE or
    dunder) or a variable. `lowered`: where `type X = v` statements were lowered."""
    name, end_line = target.id, node.end_lineno or node.lineno
    written_as_type = (node.lineno, node.col_offset) in lowered
    annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
    if (
        not isinstance(node, (ast.Assign, ast.AnnAssign))  # ast.TypeAlias
        or written_as_type
        or (annotation is not None and is_type_alias_annotation(annotation))
        or is_type_expression(value)
    ):
        sym = value_symbol(lines, target, SymbolKind.TYPE_ALIAS, name, None, False, None, value, end_line)
        if written_as_type:  # the name moved onto `type`
            sym.col = name_after_type(lines[node.lineno - 1], sym.col)
        return sym
    if P.CONSTANT_RE.match(name):
        return value_symbol(lines, target, SymbolKind.CONSTANT, name, None, False, None, value, end_line)
    return value_symbol(lines, target, SymbolKind.VARIABLE, name, None, False, annotation, value, end_line)


def class_values(
    lines: list[str],
    node: ast.Assign | ast.AnnAssign,
    shape: ClassShape,
    prefix: str,
    parent: str | None,
    local: bool,
) -> list[Symbol]:
    """The fields and attributes a class-body assignment names."""
    if isinstance(node, ast.Assign):
        targets, annotation = node.targets, None
    else:
        targets, annotation = [node.target], node.annotation
    out = []
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        name = target.id
        # dunders (`__slots__`) say how the class works, `_: KW_ONLY` is a marker
        if name == "_" or (name.startswith("__") and name.endswith("__")):
            continue
        kind = shape.kind(annotation, node.value)
        end_line = node.end_lineno or node.lineno
        out.append(
            value_symbol(lines, target, kind, prefix + name, parent, local, annotation, node.value, end_line)
        )
    return out


def instance_attributes(
    lines: list[str], init: ast.FunctionDef | ast.AsyncFunctionDef, klass: str, local: bool
) -> list[Symbol]:
    """`self.x = ...` in `__init__` (first assignment of each name, nested blocks included,
    nested functions not), as attributes of the class."""
    args = init.args.posonlyargs + init.args.args
    if not args:
        return []
    me = args[0].arg
    found: dict[str, Symbol] = {}
    for st in _statements(init.body):
        if type(st) is ast.Assign:
            targets = list(_flat(st.targets))
            unpacked = len(targets) > len(st.targets) or type(st.targets[0]) is not _Attribute
            annotation, value = None, None if unpacked else st.value
        elif type(st) is ast.AnnAssign:
            targets, annotation, value = [st.target], st.annotation, st.value
        else:
            continue
        for t in targets:
            if type(t) is _Attribute and type(t.value) is _Name and t.value.id == me and t.attr not in found:
                found[t.attr] = value_symbol(
                    lines,
                    t,
                    SymbolKind.ATTRIBUTE,
                    f"{klass}.{t.attr}",
                    klass,
                    local,
                    annotation,
                    value,
                    st.end_lineno or st.lineno,
                )
    for sym in found.values():
        if sym.value is not None and sym.value.isidentifier():
            sym.value = None  # `self.x = x`: the parameter's name says nothing more
    return list(found.values())


def _flat(targets: list[ast.expr]) -> Iterator[ast.expr]:
    for t in targets:
        if type(t) is ast.Tuple or type(t) is ast.List:
            yield from _flat(t.elts)
        else:
            yield t


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a function body, blocks entered, nested scopes not."""
    stack = list(reversed(body))
    while stack:
        st = stack.pop()
        yield st
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inner: list[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            inner += getattr(st, name, None) or []
        for handler in getattr(st, "handlers", None) or []:
            inner += handler.body
        for case in getattr(st, "cases", None) or []:
            inner += case.body
        stack += reversed(inner)


def drop_shadowed(symbols: list[Symbol], bound_elsewhere: set[str]) -> list[Symbol]:
    """Module variables that are also imported, defined by `def`/`class` or declared
    otherwise are not listed as variables: the other binding is what a reader looks for."""
    defined = {s.qualname for s in symbols if s.kind not in SymbolKind.VALUES} | bound_elsewhere
    return [s for s in symbols if s.kind != SymbolKind.VARIABLE or s.qualname not in defined]
