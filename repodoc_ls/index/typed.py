"""Typed uses resolved across files: which workspace symbol `receiver.attr` reads.

A file's typed uses (model.FileFacts.typed_uses, made by repodoc_ls/analysis) are type
expressions whose roots are names of that file; here they are evaluated through the
graph's name resolution and member lookups, so every lookup is recorded for the
reference index's incremental invalidation (references.py). Members are found through the
class and its workspace bases, depth first in the order written (an approximation of the
MRO that agrees with it for single inheritance); a base that is not a workspace class
(other than the few that add no members) makes the answer unknown, as does a class with
its own `__new__` (calling it may not give an instance), a function without a return
annotation (unless it only ever returns `self`) and anything past a fixed depth.
"""

from __future__ import annotations

import ast
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from repodoc_ls.analysis.type_expressions import alternatives
from repodoc_ls.model import ModuleRef, Symbol, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.index.graph import Graph

_MAX_DEPTH = 12
_MAX_STEPS = 16
#: Bases that add no members a workspace class could be credited for.
_NEUTRAL_BASES = frozenset(
    {"object", "Generic", "Protocol", "ABC", "typing.Generic", "typing.Protocol", "abc.ABC"}
)
_PROPERTIES = frozenset({"property", "cached_property", "functools.cached_property"})
_OVERLOADS = frozenset({"overload", "typing.overload", "typing_extensions.overload"})


class _Value(NamedTuple):
    kind: str  # "module", "class", "instance", "function"
    ref: SymbolRef | ModuleRef
    from_bases: bool = False  # an instance seen through `super()`
    bound: _Value | None = None  # a method's receiver


class _Unknown(Exception):
    """The lookup met something it cannot know: no answer, rather than a guess."""


def typed_target(graph: Graph, path: str, root: str, steps: str, attr: str) -> SymbolRef | None:
    """The workspace symbol a typed use of file `path` reads, or None."""
    try:
        value = _evaluate(graph, path, root, steps)
        if value is None:
            return None
        if not attr:
            return value.ref if isinstance(value.ref, SymbolRef) else None
        found = _attribute(graph, value, attr)
        return found if isinstance(found, SymbolRef) else None
    except _Unknown:
        return None


def _evaluate(graph: Graph, path: str, root: str, steps: str) -> _Value | None:
    value = _root(graph, path, root)
    for step in _steps(steps):
        if value is None:
            return None
        value = _step(graph, value, step)
    return value


def member_elsewhere(graph: Graph, owner: SymbolRef, name: str) -> SymbolRef | None:
    """`owner.name` where `owner` itself has no member `name`: a class's inherited from a
    workspace base (`Confirm.ask` defined in `PromptBase`), a variable's from the type of
    its value (`codes.get` with `codes = LookupDict(...)`); None when unknown."""
    try:
        if owner.kind == SymbolKind.CLASS:
            return _lookup(graph, owner, name, True, 0)
        if owner.kind in SymbolKind.VALUES:
            value = _held(graph, owner)
            found = None if value is None else _attribute(graph, value, name)
            return found if isinstance(found, SymbolRef) else None
    except _Unknown:
        pass
    return None


_holding = threading.local()  # the variables whose values are being evaluated, in this thread


def _held(graph: Graph, ref: SymbolRef) -> _Value | None:
    """The value a variable or data attribute holds, from the type expression its own
    file's analysis gave it (model.FileFacts.value_types), evaluated in that file."""
    _symbol(graph, ref)  # records the lookup: the interface holds the value's type
    typed = graph.facts[ref.path].value_types.get(ref.qualname)
    if typed is None:
        return None
    active: set[tuple[str, str]] = _holding.__dict__.setdefault("active", set())
    key = (ref.path, ref.qualname)
    if key in active or len(active) >= _MAX_DEPTH:
        raise _Unknown  # a value typed through itself, across files
    active.add(key)
    try:
        return _evaluate(graph, ref.path, *typed)
    finally:
        active.discard(key)


def _value_of(graph: Graph, ref: SymbolRef | ModuleRef) -> _Value | None:
    if isinstance(ref, SymbolRef) and ref.kind in SymbolKind.VALUES:
        return _held(graph, ref)
    return _of(ref)


@lru_cache(maxsize=4096)
def _steps(steps: str) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(steps):
        c = steps[i]
        if c == "(":
            out.append("()")
            i += 2
        elif c in ".:":
            j = i + 1
            while j < len(steps) and steps[j] not in ".:(#^*":
                j += 1
            out.append(steps[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    if len(out) > _MAX_STEPS:
        raise _Unknown
    return tuple(out)


def _root(graph: Graph, path: str, root: str) -> _Value | None:
    if root.startswith("{"):  # a union: every alternative must give the same value
        first: _Value | None = None
        for i, alt in enumerate(alternatives(root)):
            value = _evaluate(graph, path, alt.root, alt.steps)
            if value is None or (i and value != first):
                return None
            first = value
        return first
    if root.startswith("@"):
        symbol = graph.symbols_of(path).get(root[1:])
        return None if symbol is None else _of(SymbolRef.of(path, symbol))
    if root.startswith("!"):  # `!line:name.rest`: a name a function's own import binds
        line, _, dotted = root[1:].partition(":")
        name, *rest = dotted.split(".")
        found = graph.resolve_import(path, int(line), name) if line.isdigit() else None
        for part in rest:
            found = graph.member(found, part)
        return None if found is None else _value_of(graph, found)
    found = graph.resolve_expr(path, root)
    return None if found is None else _value_of(graph, found)


def _of(ref: SymbolRef | ModuleRef, bound: _Value | None = None) -> _Value | None:
    if isinstance(ref, ModuleRef):
        return _Value("module", ref)
    if ref.kind == SymbolKind.CLASS:
        return _Value("class", ref)
    if ref.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        return _Value("function", ref, bound=bound)
    return None


def _step(graph: Graph, value: _Value, step: str) -> _Value | None:
    if step == "#":
        return _Value("instance", value.ref) if value.kind == "class" else None
    if step == "^":
        return value._replace(from_bases=True) if value.kind == "instance" else None
    if step == "()":
        return _call(graph, value)
    if step == "*":
        return _element(graph, value)
    if step[0] == ":":  # an instance's special method, called by an operator or `x[k]`
        if value.kind != "instance":
            return None
        method = _member_value(graph, value, step[1:])
        return None if method is None else _call(graph, method)
    return _member_value(graph, value, step[1:])


def _member_value(graph: Graph, value: _Value, name: str) -> _Value | None:
    if value.kind == "module":
        found = graph.resolve_name(value.ref.path, name)
        return None if found is None else _value_of(graph, found)
    found = _attribute(graph, value, name)
    if not isinstance(found, SymbolRef):
        return None if found is None else _of(found)
    symbol = _symbol(graph, found)
    if value.kind == "instance" and symbol.kind == SymbolKind.METHOD and _PROPERTIES & set(symbol.decorators):
        return _returns(graph, found, symbol, value)
    if value.kind == "instance" and symbol.kind in SymbolKind.VALUES:
        return _held(graph, found)
    return _of(found, bound=value if value.kind in ("instance", "class") else None)


def _call(graph: Graph, value: _Value) -> _Value | None:
    ref = value.ref
    if not isinstance(ref, SymbolRef):
        return None
    if value.kind == "class":
        try:
            own_new = _lookup(graph, ref, "__new__", False, 0)
        except _Unknown:  # a base from outside: its __new__ makes an instance of the class
            own_new = None
        if own_new is not None:
            raise _Unknown  # a workspace __new__ may return anything
        if any(b.startswith("metaclass=") for b in _symbol(graph, ref).bases):
            raise _Unknown
        return _Value("instance", ref)
    if value.kind == "function":
        return _returns(graph, ref, _symbol(graph, ref), value.bound)
    return None


def _element(graph: Graph, value: _Value) -> _Value | None:
    """An element of an instance iterated over: what its class's `__iter__` is annotated to
    yield (`Iterator[Text]`, `Iterable[Text]`, `Generator[Text, ...]`)."""
    if value.kind != "instance" or not isinstance(value.ref, SymbolRef):
        return None
    found = _lookup(graph, value.ref, "__iter__", value.from_bases, 0)
    if found is None:
        return None
    return _returns(graph, found, _symbol(graph, found), value, elements=True)


def _returns(
    graph: Graph, ref: SymbolRef, symbol: Symbol, bound: _Value | None, elements: bool = False
) -> _Value | None:
    """What calling the function gives: its return annotation, or its receiver when it only
    ever returns `self`; with `elements`, what the iterator it returns yields."""
    if _OVERLOADS & set(symbol.decorators):  # the answer depends on the arguments
        return None
    signature = symbol.signature or ""
    arrow = signature.rfind(") -> ")
    if arrow < 0:
        if not elements and bound is not None and bound.kind == "instance":
            if symbol.qualname in graph.facts[ref.path].self_returning:
                return _Value("instance", bound.ref)
        return None
    returned = signature[arrow + 5 :]
    if elements:
        element = _element_annotation(returned)
        if element is None:
            return None
        returned = element
    annotation = _annotation_name(returned)
    if annotation is None:
        return None
    if annotation == "Self" or annotation.endswith(".Self"):
        return _Value("instance", bound.ref) if bound is not None and bound.kind == "instance" else None
    owner = symbol.parent
    if owner and "." not in annotation:  # a method may name its own class, or a sibling
        sibling_name = f"{owner.rpartition('.')[0]}.{annotation}".lstrip(".")
        graph.note_lookup(ref.path, sibling_name)
        sibling = graph.symbols_of(ref.path).get(sibling_name)
        if sibling is not None and sibling.kind == SymbolKind.CLASS:
            return _Value("instance", SymbolRef.of(ref.path, sibling))
    found = graph.resolve_expr(ref.path, annotation)
    if isinstance(found, SymbolRef) and found.kind == SymbolKind.CLASS:
        return _Value("instance", found)
    return None


@lru_cache(maxsize=4096)
def _annotation_name(text: str) -> str | None:
    """The class a return annotation names: `Foo`, `"Foo"`, `m.Foo`, `Optional[Foo]`,
    `Foo | None`, `Foo[int]`; None for anything else."""
    try:
        node: ast.expr = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for _ in range(4):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            sides = [
                s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)
            ]
            if len(sides) != 1:
                return None
            node = sides[0]
        elif isinstance(node, ast.Subscript):
            head = ast.unparse(node.value)
            if head.rpartition(".")[2] == "Optional":
                node = node.slice
            elif head.rpartition(".")[2] in (
                "list",
                "List",
                "dict",
                "Dict",
                "tuple",
                "Tuple",
                "Union",
                "type",
            ):
                return None
            else:
                node = node.value
        else:
            break
    text = ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""
    return text if text and text not in ("None", "Any") else None


_ITERATORS = frozenset({"Iterator", "Iterable", "Generator"})


@lru_cache(maxsize=1024)
def _element_annotation(text: str) -> str | None:
    """The element type an iterator annotation names, as text: `Text` of `Iterator["Text"]`."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node = ast.parse(node.value.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Subscript) or ast.unparse(node.value).rpartition(".")[2] not in _ITERATORS:
        return None
    first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    return ast.unparse(first)


def _symbol(graph: Graph, ref: SymbolRef) -> Symbol:
    """The symbol behind a reference, recording the lookup (its bases, signature and
    decorators are in the file's interface)."""
    graph.note_lookup(ref.path, ref.qualname)
    symbol = graph.symbols_of(ref.path).get(ref.qualname)
    if symbol is None:
        raise _Unknown
    return symbol


def _attribute(graph: Graph, value: _Value, name: str) -> SymbolRef | ModuleRef | None:
    if value.kind == "module":
        return graph.resolve_name(value.ref.path, name)
    if value.kind in ("class", "instance") and isinstance(value.ref, SymbolRef):
        found = _lookup(graph, value.ref, name, value.from_bases, 0)
        if found is None:
            return None
        return found
    return None


def _lookup(graph: Graph, cls: SymbolRef, name: str, skip_own: bool, depth: int) -> SymbolRef | None:
    """`name` in class `cls` or its workspace bases; raises _Unknown past a base that is
    not a workspace class."""
    if depth > _MAX_DEPTH:
        raise _Unknown
    if not skip_own:
        found = graph.member(cls, name)
        if isinstance(found, SymbolRef):
            return found
    symbol = _symbol(graph, cls)
    for base in symbol.bases:
        if "=" in base or base.partition("[")[0] in _NEUTRAL_BASES:
            continue
        target = graph.resolve_base(cls.path, symbol, base)
        if not isinstance(target, SymbolRef) or target.kind != SymbolKind.CLASS:
            raise _Unknown
        found = _lookup(graph, target, name, False, depth + 1)
        if found is not None:
            return found
    return None
