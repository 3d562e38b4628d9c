"""What an expression at a position is, through the graph: the hover's types, without jedi.

Enough for the hovers that used to wait for jedi: `x.append` after `x = []`,
`registry.delete` after `registry = WindowList()`, `self._cond.notify_all` when every
`self._cond = ...` of the class assigns a `Condition(...)`, `"".join`, `Codec().decode`,
`list.pop`, `idleConf.GetOption` with `idleConf` a module variable of another file.

Which binding a name reads is the analysis layer's (analysis/regions.py over
analysis/scopes.py, on the parsed region around the position); what those bindings hold is
evaluated here, across files: symbols through the graph's name resolution, module variables
and `self.x` attributes through their assignments (found by their lines' shape, then parsed
one statement or function at a time, never a whole file), builtin classes and modules
compiled into the interpreter by lookup (`builtins`, `sys.builtin_module_names`: importing a
compiled-in module runs no Python code). Describing those live objects is the server's
(server/runtime.py).

The rule is all or nothing: a name's type is known only when every binding of it in its
scope is a plain assignment (or an annotation) whose value has a known type, and they all
agree. A loop variable, a parameter without annotation, a value returned by a function
without a return annotation, a class with its own `__new__`, a base class from outside the
workspace met before the attribute: each makes the answer unknown, and the hover goes to
jedi. So a type shown is never a guess. Work is bounded (`MAX_DEPTH` steps of inference,
each parsing at most one function, class or top-level statement, cached by text).
All functions expect the caller to hold `index.lock`.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from repodoc_ls.analysis.regions import (
    Region,
    binding_at,
    parse_region,
    region_at,
    statement_region,
    top_statement,
)
from repodoc_ls.analysis.scopes import FUNCTION, Binding
from repodoc_ls.analysis.sourcelines import (
    assigned_value,
    class_body_assignments,
    instance_assignments,
    may_bind,
)
from repodoc_ls.index.typed import typed_target
from repodoc_ls.model import Import, ModuleRef, Symbol, SymbolKind, SymbolRef

if TYPE_CHECKING:
    from repodoc_ls.index.indexer import Index

_DEFS = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)
MAX_DEPTH = 8
_MAX_BASES = 20
_NOT_INSTANCES = (type, super)  # calling these does not make an instance of them
_LITERALS = {
    ast.List: list,
    ast.ListComp: list,
    ast.Tuple: tuple,
    ast.Dict: dict,
    ast.DictComp: dict,
    ast.Set: set,
    ast.SetComp: set,
    ast.JoinedStr: str,
}


@dataclass(frozen=True)
class Type:
    """A builtin class, a workspace symbol (a class, or a function object) or a module;
    `instance` for an instance of the class rather than the class (or function) itself."""

    builtin: type | None = None
    ref: SymbolRef | None = None
    module: str | None = None
    compiled: object | None = None  # a module compiled into the interpreter (`sys`)
    instance: bool = False

    @property
    def is_class(self) -> bool:
        return self.builtin is not None or (self.ref is not None and self.ref.kind == SymbolKind.CLASS)


#: A binding's value: an expression, or ("annotation", node) for a declared type.
Value = ast.expr | tuple[str, ast.expr]


class Site(NamedTuple):
    """An assignment of a class's attribute: in the class body, or through `self`."""

    path: str
    klass: Symbol
    line: int
    class_level: bool


@dataclass
class Member:
    """Where `attr` of a class comes from: a symbol, assignments (class body or
    `self.attr = ...`, in one class), or a builtin base class."""

    symbol: SymbolRef | None = None
    path: str | None = None
    klass: Symbol | None = None
    assigned: list[int] = field(default_factory=list)  # 1-based lines
    class_level: bool = False  # assigned in the class body, not through `self`
    builtin: type | None = None
    sites: list[Site] = field(default_factory=list)  # every assignment met on the way
    complete: bool = True  # every base was seen (else another assignment may be hidden)


# -- inference ---------------------------------------------------------------------------------


class Inferrer:
    """Types of expressions at positions of the workspace. `read_lines(path)` gives a
    file's current lines (the open buffer, else the disk)."""

    def __init__(self, index: Index, read_lines: Callable[[str], list[str]]) -> None:
        self.index = index
        self.graph = index.graph
        self.read_lines = read_lines
        self.steps = 0

    def _symbols(self, path: str) -> list[Symbol]:
        facts = self.index.file(path)
        return facts.symbols if facts is not None else []

    def _budget(self) -> bool:
        self.steps += 1
        return self.steps <= MAX_DEPTH * 8

    # -- expressions ---------------------------------------------------------------

    def expr(self, reg: Region, node: ast.expr, depth: int = 0) -> Type | None:
        if depth > MAX_DEPTH or not self._budget():
            return None
        if isinstance(node, ast.Constant):
            kind = type(node.value)
            return (
                Type(builtin=kind, instance=True) if kind in (str, bytes, int, float, complex, bool) else None
            )
        literal = _LITERALS.get(type(node))
        if literal is not None:
            return Type(builtin=literal, instance=True)
        if isinstance(node, ast.NamedExpr):
            return self.expr(reg, node.value, depth + 1)
        if isinstance(node, ast.Name):
            return self.name(reg, node, depth + 1)
        if isinstance(node, ast.Attribute):
            value = self.expr(reg, node.value, depth + 1)
            return self.member_type(value, node.attr, depth + 1) if value is not None else None
        if isinstance(node, ast.Call):
            return self.call(reg, node, depth + 1)
        return None

    def typed_member(self, reg: Region, node: ast.Attribute) -> SymbolRef | None:
        """The symbol `value.attr` reads by analysis/types.py's rules, evaluated by
        typed.py as the reference index does: what `expr` leaves unknown (a `with` target,
        an element of an annotated iterable, `super()`, an `isinstance` branch)."""
        t = reg.value_type(node.value)
        if t is None or t.container:
            return None
        return typed_target(self.graph, reg.path, t.root, t.steps, node.attr)

    def call(self, reg: Region, node: ast.Call, depth: int) -> Type | None:
        fn = self.expr(reg, node.func, depth)
        if fn is None or fn.instance:
            return None
        if fn.builtin is not None:
            return None if fn.builtin in _NOT_INSTANCES else Type(builtin=fn.builtin, instance=True)
        ref = fn.ref
        if ref is None:
            return None
        if ref.kind == SymbolKind.CLASS:
            return None if self._custom_new(ref) else Type(ref=ref, instance=True)
        if ref.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD):
            return self.returns(ref, depth)
        return None

    def _custom_new(self, ref: SymbolRef) -> bool:
        """A class whose instances may not be made the plain way: its own (or a workspace
        base's) `__new__`, a metaclass, or a base from outside the workspace."""
        for path, klass in self.mro(ref):
            if klass is None or path is None:
                return True
            if any("=" in b for b in klass.bases) or f"{klass.qualname}.__new__" in self.graph.symbols_of(
                path
            ):
                return True
        return False

    def returns(self, ref: SymbolRef, depth: int) -> Type | None:
        symbol = self.graph.symbols_of(ref.path).get(ref.qualname)
        sig = symbol.signature if symbol is not None else None
        if not sig or "->" not in sig:
            return None
        fn = signature_function(sig)
        return None if fn is None else self.annotation(ref.path, fn.returns, depth)

    def annotation(self, path: str, node: ast.expr | None, depth: int) -> Type | None:
        """The instances an annotation (evaluated at module level of `path`) describes."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.Subscript):  # list[int], a generic workspace class
            node = node.value
            found = self._module_expr(path, node, depth)
            if found is None or (
                found.builtin is not None and found.builtin not in (list, dict, set, frozenset, tuple)
            ):
                return None
        elif node is not None:
            found = self._module_expr(path, node, depth)
        else:
            return None
        if found is None or found.instance or not found.is_class:
            return None
        return Type(builtin=found.builtin, ref=found.ref, instance=True)

    def _module_expr(self, path: str, node: ast.expr, depth: int) -> Type | None:
        if isinstance(node, ast.Name):
            return self.module_name(path, node.id, depth + 1)
        if isinstance(node, ast.Attribute):
            value = self._module_expr(path, node.value, depth + 1)
            return self.member_type(value, node.attr, depth + 1) if value is not None else None
        return None

    # -- names -----------------------------------------------------------------------

    def name(self, reg: Region, node: ast.Name, depth: int) -> Type | None:
        """The type of the name `node` of `reg` reads: its binding by Python's scope rules
        (analysis/scopes.py), else the module's global."""
        if depth > MAX_DEPTH:
            return None
        bound = binding_at(reg, node.id, node.lineno, node.col_offset, node)
        if bound is None:
            return self.module_name(reg.path, node.id, depth)
        if bound.scope.kind != FUNCTION:
            return None  # a lambda's parameter, a comprehension's variable, a class body's name
        bindings = bound.scope.bindings[node.id]
        fn = bound.scope.node
        if bound.parameter is not None:
            if len(bindings) > 1 or not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return None  # the parameter is rebound in the body
            return self._parameter(reg, fn, bound.parameter, depth)
        values = _plain_values(bindings)
        return None if values is None else self._agree(reg, values, depth)

    def _parameter(
        self, reg: Region, fn: ast.FunctionDef | ast.AsyncFunctionDef, arg: ast.arg, depth: int
    ) -> Type | None:
        if arg.annotation is not None:
            return self.annotation(reg.path, arg.annotation, depth)
        first = (fn.args.posonlyargs + fn.args.args)[:1]
        if not first or first[0] is not arg or arg.arg not in ("self", "cls"):
            return None
        method = next((s for s in self._symbols(reg.path) if s.line == fn.lineno and s.name == fn.name), None)
        if (
            method is None
            or method.parent is None
            or method.kind != SymbolKind.METHOD
            or "staticmethod" in method.decorators
        ):
            return None
        klass = self.graph.symbols_of(reg.path).get(method.parent)
        if klass is None:
            return None
        is_cls = "classmethod" in method.decorators or method.name in ("__new__", "__init_subclass__")
        if is_cls != (arg.arg == "cls"):
            return None
        return Type(ref=SymbolRef.of(reg.path, klass), instance=not is_cls)

    def _agree(self, reg: Region, values: list[Value], depth: int) -> Type | None:
        found = None
        for value in values:
            if isinstance(value, tuple):
                t = self.annotation(reg.path, value[1], depth)
            else:
                t = self.expr(reg, value, depth + 1)
            if t is None or (found is not None and t != found):
                return None
            found = t
        return found

    def module_name(self, path: str, name: str, depth: int) -> Type | None:
        """The type of module `path`'s global `name`: a workspace symbol or module through
        the index, else the module's own assignments (or the module it is imported from),
        else a builtin class."""
        if depth > MAX_DEPTH or path not in self.index.facts:
            return None
        target = self.graph.resolve_name(path, name)
        if isinstance(target, ModuleRef):
            return Type(module=target.path)
        if isinstance(target, SymbolRef) and target.kind not in SymbolKind.VALUES:
            return Type(ref=target)
        if target is None:
            bound, stars = self.graph.bindings_of(path)
            r = bound.get(name)
            if r is not None and r.target is None:  # from outside the workspace
                return compiled_import(r.imp)
            if r is not None:  # imported, but not a symbol there: maybe a module variable
                if r.imp.name is None or r.names_submodule or r.target is None:
                    return None
                return self.module_name(r.target, r.imp.name, depth + 1)
        values = self.module_values(target.path if target else path, target.qualname if target else name)
        if values is None:
            return None
        if values:
            return self._agree_at(values, depth)
        if target is None and not self._may_shadow_builtins(path):
            obj = builtins.__dict__.get(name)
            if isinstance(obj, type):
                return Type(builtin=obj)
        return None

    def _may_shadow_builtins(self, path: str) -> bool:
        # A star import from outside the workspace may bind any name.
        return any(r.imp.name == "*" and r.target is None for r in self.graph.imports_of(path))

    def module_values(self, path: str, name: str) -> list[tuple[Region, Value]] | None:
        """(region, value) of each module-level assignment of `name` in `path`; [] when
        there is none; None (unknown) when some binding is not a plain assignment."""
        facts = self.index.file(path)
        lines = self.read_lines(path)
        if facts is None or not lines:
            return None
        word = re.compile(rf"\b{re.escape(name)}\b")
        ranges = [(s.line, s.end_line) for s in facts.symbols if s.kind in _DEFS]
        out: list[tuple[Region, Value]] = []
        seen: set[tuple[int, int]] = set()
        for i, text in enumerate(lines, 1):
            if name not in text or not word.search(text):
                continue
            inside = next(((a, b) for a, b in ranges if a <= i <= b), None)
            if inside is not None:
                if re.match(rf"\s*(global|nonlocal)\b.*\b{re.escape(name)}\b", text):
                    return None  # assigned from inside a function
                continue
            bounds = top_statement(lines, i)
            if bounds is None or bounds in seen:
                continue
            seen.add(bounds)
            reg = parse_region(path, lines, *bounds)
            if reg is None:
                if may_bind(text, name):
                    return None
                continue  # a docstring's line, say
            found = _plain_values(reg.scopes.module.bindings.get(name, []))
            if found is None:
                return None
            out.extend((reg, v) for v in found)
        return out

    def _agree_at(self, values: list[tuple[Region, Value]], depth: int) -> Type | None:
        found = None
        for reg, value in values:
            t = self._agree(reg, [value], depth + 1)
            if t is None or (found is not None and t != found):
                return None
            found = t
        return found

    # -- members -----------------------------------------------------------------------

    def mro(self, ref: SymbolRef) -> Iterator[tuple[str, Symbol] | tuple[None, None]]:
        """(path, class Symbol) of `ref` and its bases, breadth first; (None, None) for a
        base the index cannot resolve (and nothing after it); builtin bases are skipped."""
        queue = [(ref.path, ref.qualname)]
        seen: set[tuple[str, str]] = set()
        while queue and len(seen) < _MAX_BASES:
            path, qual = queue.pop(0)
            if (path, qual) in seen:
                continue
            seen.add((path, qual))
            klass = self.graph.symbols_of(path).get(qual) if path in self.index.facts else None
            if klass is None or klass.kind != SymbolKind.CLASS:
                yield None, None
                return
            yield path, klass
            for base in klass.bases:
                if "=" in base:
                    continue
                target = self.graph.resolve_base(path, klass, base)
                if isinstance(target, SymbolRef) and target.kind == SymbolKind.CLASS:
                    queue.append((target.path, target.qualname))
                elif target is None and isinstance(builtins.__dict__.get(base), type):
                    continue  # a builtin base: `member` looks there last
                else:
                    yield None, None
                    return

    def member(self, ref: SymbolRef, attr: str) -> Member | None:
        """Where `attr` of workspace class `ref` comes from, or None when unknown: the first
        class (bases breadth first) with a symbol or a class-body assignment of it, else
        the first with a `self.attr = ...`, else a builtin base that has it. `sites` also
        lists every assignment met on the way (all of them must agree on a type)."""
        first: Member | None = None
        sites: list[Site] = []
        builtin_bases = []
        for path, klass in self.mro(ref):
            if klass is None or path is None:  # a base the index cannot see could define it too
                if first is not None:
                    first.sites, first.complete = sites, False
                return first
            member = self.graph.symbols_of(path).get(f"{klass.qualname}.{attr}")
            if member is not None and member.kind not in SymbolKind.VALUES:  # values: their assignments
                return Member(symbol=SymbolRef.of(path, member))
            lines = self.read_lines(path)
            body = class_body_assignments(self._symbols(path), lines, klass, attr)
            assigned = instance_assignments(lines, klass, attr)
            sites += [Site(path, klass, n, False) for n in assigned]
            if body:
                sites += [Site(path, klass, n, True) for n in body]
                return Member(path=path, klass=klass, assigned=body, class_level=True, sites=sites)
            if assigned and first is None:
                first = Member(path=path, klass=klass, assigned=assigned)
            builtin_bases += [
                b
                for b in klass.bases
                if isinstance(builtins.__dict__.get(b), type)
                and self.graph.resolve_base(path, klass, b) is None
            ]
        if first is not None:
            first.sites = sites
            return first
        for base in builtin_bases:
            if hasattr(builtins.__dict__[base], attr):
                return Member(builtin=builtins.__dict__[base])
        return None

    def member_type(self, value: Type, attr: str, depth: int) -> Type | None:
        if depth > MAX_DEPTH:
            return None
        if value.module is not None:
            return self.module_name(value.module, attr, depth + 1)
        if value.compiled is not None:
            return _live_type(getattr(value.compiled, attr, None))
        if value.ref is None or value.ref.kind != SymbolKind.CLASS:
            return None
        found = self.member(value.ref, attr)
        if found is None or found.builtin is not None:
            return None
        if found.symbol is not None:
            sym = found.symbol
            if sym.kind == SymbolKind.CLASS:
                return Type(ref=sym)
            symbol = self.graph.symbols_of(sym.path).get(sym.qualname)
            if symbol is not None and any(
                d.split(".")[-1] in ("property", "cached_property") for d in symbol.decorators
            ):
                return self.returns(sym, depth) if value.instance else None
            return Type(ref=sym) if sym.kind in (SymbolKind.FUNCTION, SymbolKind.METHOD) else None
        return self._assigned_type(found, attr, depth)

    def _assigned_type(self, found: Member, attr: str, depth: int) -> Type | None:
        if not found.complete:
            return None
        result = None
        for path, klass, line, class_level in found.sites:
            lines = self.read_lines(path)
            reg = (
                statement_region(path, lines, line)
                if class_level
                else region_at(path, self._symbols(path), lines, line)
            )
            if reg is None:
                return None
            value = assigned_value(reg, line, attr)
            if value is None or (class_level and self._reads_class_names(path, klass, value)):
                return None
            t = self._agree(reg, [value], depth + 1)
            if t is None or (result is not None and t != result):
                return None
            result = t
        return result

    def _reads_class_names(self, path: str, klass: Symbol, value: Value) -> bool:
        """Whether a class-body value reads a name the class body binds (parsed on its own,
        the statement would look that name up at module level instead)."""
        table = self.graph.symbols_of(path)
        lines = self.read_lines(path)
        for node in ast.walk(value if not isinstance(value, tuple) else value[1]):
            if isinstance(node, ast.Name) and (
                f"{klass.qualname}.{node.id}" in table
                or class_body_assignments(self._symbols(path), lines, klass, node.id)
            ):
                return True
        return False


def signature_function(signature: str) -> ast.FunctionDef | None:
    """A symbol's signature text (`(self, x: int) -> str`) parsed as a function's."""
    try:
        fn = ast.parse(f"def f{signature}: pass").body[0]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return fn if isinstance(fn, ast.FunctionDef) else None


def compiled_module(name: str) -> types.ModuleType | None:
    """The module `name` when it is compiled into the interpreter (`sys`, `_codecs`), else None."""
    if name not in sys.builtin_module_names:
        return None
    try:
        return sys.modules.get(name) or importlib.import_module(name)
    except ImportError:
        return None


def compiled_import(imp: Import) -> Type | None:
    """What `import sys` / `from time import perf_counter` binds, for compiled modules."""
    if imp.level:
        return None
    if imp.name is None:
        root = imp.module if imp.alias else imp.module.split(".")[0]
        module = compiled_module(root)
        return Type(compiled=module) if module is not None else None
    module = compiled_module(imp.module)
    return _live_type(getattr(module, imp.name, None)) if module is not None else None


def _live_type(obj: object) -> Type | None:
    if isinstance(obj, type):
        return Type(builtin=obj)
    if isinstance(obj, types.ModuleType) and compiled_module(obj.__name__) is obj:
        return Type(compiled=obj)
    return None


def _plain_values(bindings: list[Binding]) -> list[Value] | None:
    """The values of a scope's bindings of a name when each is a plain assignment or an
    annotation; None when some is not (a loop, an import, `+=`, an unpacking...)."""
    out: list[Value] = []
    for b in bindings:
        if b.kind == "assign" and isinstance(b.a, ast.expr):
            out.append(b.a)
        elif b.kind == "ann" and isinstance(b.a, ast.expr):
            out.append(("annotation", b.a))
        else:
            return None
    return out
