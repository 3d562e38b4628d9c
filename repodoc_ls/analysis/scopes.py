"""Scopes and bindings of one module's `ast` tree, in one iterative pass.

`collect(tree)` builds the scope tree (module, classes, functions, lambdas,
comprehensions) with every binding of every name, the loads to resolve, the attribute
reads to type, `self.x` assignments and `return` statements. `Scope.resolve` then answers
which scope a load binds to, by Python's rules: LEGB; a class body's names are not seen by
the functions inside it; comprehensions are scopes of their own (their first iterable is
evaluated outside); parameter defaults, annotations, decorators and bases are evaluated in
the enclosing scope; `global` and `nonlocal`; a walrus in a comprehension binds in the
enclosing function. Functions are flow-insensitive (any binding makes a name local, as the
compiler decides); class bodies are ordered (a name counts as the class's only after the
class binds it).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, NamedTuple

from .nodes import FIELDS, LOAD

MODULE, CLASS, FUNCTION, LAMBDA, COMPREHENSION = range(5)
_FUNCTION_LIKE = (FUNCTION, LAMBDA, COMPREHENSION)


class Binding(NamedTuple):
    """One way a name gets a value. `kind` says which; `a` and `b` are its nodes:
    param (annotation), self (None), assign (value), ann (annotation, value), for (iterable),
    with (context expression), walrus (value), except (exception type), import (the
    statement), def / class (the definition), other (nothing known: del, +=, unpacking...)."""

    kind: str
    line: int
    col: int
    a: ast.AST | None = None
    b: ast.AST | None = None


class Scope:
    __slots__ = (
        "kind",
        "parent",
        "qualname",
        "node",
        "bindings",
        "globals",
        "nonlocals",
        "klass",
        "is_classmethod",
        "returns",
        "attrs",
        "loads",
        "attributes",
    )

    def __init__(self, kind: int, parent: Scope | None, qualname: str, node: ast.AST | None) -> None:
        self.kind = kind
        self.parent = parent
        self.qualname = qualname  # of the nearest def or class (the symbols' qualname); "" at module
        self.node = node
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.klass: Scope | None = None  # a method's class scope, when it has a first parameter
        self.is_classmethod = False
        self.returns: list[ast.expr | None] = []  # values of this function's `return`s
        self.attrs: dict[str, list[Binding]] = {}  # a class's `self.x` and class-body bindings
        self.loads: list[ast.Name] = []  # Name loads of this scope's own code (not the module's)
        self.attributes: list[ast.Attribute] = []  # attribute reads of this scope's own code

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    @property
    def self_name(self) -> str | None:
        """A method's first parameter (`self`, or `cls` of a classmethod)."""
        node = self.node
        if self.klass is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        args = node.args
        first = (args.posonlyargs or args.args)[:1]
        return first[0].arg if first else None

    def resolve(self, name: str, line: int, col: int) -> Scope | None:
        """The scope whose binding of `name` a load at (line, col) in this scope reads;
        None for the module's globals and builtins."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope.kind == MODULE:
                return None
            if name in scope.globals:
                return None
            if scope.kind == CLASS:
                if first:
                    # a class body reads its own binding only once made, else the globals
                    for b in scope.bindings.get(name, ()):
                        if (b.line, b.col) < (line, col):
                            return scope
            elif name in scope.nonlocals:
                scope = scope.parent
                first = False
                while scope is not None and (scope.kind == CLASS or name not in scope.bindings):
                    if scope.kind == MODULE:
                        return None
                    scope = scope.parent
                return scope
            elif name in scope.bindings:
                return scope
            scope = scope.parent
            first = False
        return None


#: `if isinstance(name, Class):` in a scope: (scope, name, class, first and last line of the body)
Narrowing = tuple["Scope", str, ast.expr, int, int]


class Collected(NamedTuple):
    module: Scope
    scopes: list[Scope]
    self_stores: list[tuple[ast.Name, str, Binding, Scope]]  # `recv.attr = ...` in functions
    narrowings: list[Narrowing]


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def collect(tree: ast.Module) -> Collected:
    collector = _Collector(tree)
    collector.run()
    c = collector
    _declarations_bind_outside(c.scopes, c.module)
    return Collected(c.module, c.scopes, c.self_stores, c.narrowings)


class _Collector:
    """Walks each scope's own nodes with an explicit stack (no recursion limit on deep
    expressions); a nested scope's body is queued with its new scope."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope(MODULE, None, "", tree)
        self.scopes = [self.module]
        self.self_stores: list[tuple[ast.Name, str, Binding, Scope]] = []
        self.narrowings: list[Narrowing] = []
        self.pending: list[tuple[Scope, list[ast.AST]]] = [(self.module, list(reversed(tree.body)))]

    def run(self) -> None:
        pending = self.pending
        while pending:
            scope, stack = pending.pop()
            self.walk(scope, stack)

    def walk(self, scope: Scope, stack: list[ast.AST]) -> None:
        loads, attributes = scope.loads, scope.attributes
        in_module = scope.kind == MODULE
        special, fields = _SPECIAL, FIELDS
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            t = type(node)
            if t is _Name:
                if node.ctx is LOAD:  # type: ignore[attr-defined]
                    if not in_module:
                        loads.append(node)  # type: ignore[arg-type]
                else:  # a store or del reached without its statement's context
                    scope.bind(node.id, Binding("other", node.lineno, node.col_offset))  # type: ignore[attr-defined]
            elif t is _Attribute:
                if node.ctx is LOAD:  # type: ignore[attr-defined]
                    attributes.append(node)  # type: ignore[arg-type]
                push(node.value)  # type: ignore[attr-defined]
            elif t is _Constant:
                continue
            elif t is _Call:
                push(node.func)  # type: ignore[attr-defined]
                extend(node.args)  # type: ignore[attr-defined]
                for k in node.keywords:  # type: ignore[attr-defined]
                    push(k.value)
            else:
                handler = special.get(t)
                if handler is not None:
                    handler(self, node, scope, stack)
                    continue
                for name, is_list in fields[t]:
                    v = getattr(node, name)
                    if is_list:
                        extend(v)
                    elif v is not None:
                        push(v)

    # -- bindings ------------------------------------------------------------------

    def bind_target(
        self,
        target: ast.AST,
        scope: Scope,
        stack: list[ast.AST],
        kind: str,
        a: ast.AST | None,
        b: ast.AST | None = None,
    ) -> None:
        t = type(target)
        if t is _Name:
            assert isinstance(target, ast.Name)
            # the name is bound once the value is evaluated (a class body reads in order)
            after = b if kind == "ann" else a
            end = getattr(after, "end_lineno", None)
            if end is None:
                line, col = target.lineno, target.col_offset
            else:
                line, col = end, getattr(after, "end_col_offset", 0)
            scope.bind(target.id, Binding(kind, line, col, a, b))
        elif t is _Attribute:
            assert isinstance(target, ast.Attribute)
            v = target.value
            if type(v) is _Name and scope.kind == FUNCTION and kind in ("assign", "ann"):
                assert isinstance(v, ast.Name)
                self.self_stores.append(
                    (v, target.attr, Binding(kind, target.lineno, target.col_offset, a, b), scope)
                )
            stack.append(v)
        elif t is ast.Tuple or t is ast.List:
            elts = target.elts  # type: ignore[attr-defined]
            # `for i, x in enumerate(items)`: x is an element of items (the typer checks the name)
            counted = kind == "for" and len(elts) == 2 and _enumerates(a)
            for i, child in enumerate(elts):
                if counted and i == 1:
                    self.bind_target(child, scope, stack, "enumerate", a)
                else:
                    self.bind_target(child, scope, stack, "other", None)
        elif t is ast.Starred:
            self.bind_target(target.value, scope, stack, "other", None)  # type: ignore[attr-defined]
        else:  # a subscript: its parts are loads
            stack.append(target)

    def new_scope(self, kind: int, parent: Scope, qualname: str, node: ast.AST, body: list[ast.AST]) -> Scope:
        inner = Scope(kind, parent, qualname, node)
        self.scopes.append(inner)
        self.pending.append((inner, body[::-1]))
        return inner

    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope, stack: list[ast.AST]
    ) -> None:
        args = node.args
        stack.extend(args.defaults)
        stack.extend(kd for kd in args.kw_defaults if kd is not None)
        if isinstance(node, ast.Lambda):
            inner = self.new_scope(LAMBDA, scope, scope.qualname, node, [node.body])
        else:
            scope.bind(node.name, Binding("def", node.lineno, node.col_offset, node))
            stack.extend(node.decorator_list)
            if node.returns is not None:
                stack.append(node.returns)
            qualname = f"{scope.qualname}.{node.name}" if scope.qualname else node.name
            inner = self.new_scope(FUNCTION, scope, qualname, node, node.body)  # type: ignore[arg-type]
            if scope.kind == CLASS:
                names = {_decorator_name(d) for d in node.decorator_list} if node.decorator_list else ()
                if "staticmethod" not in names:
                    inner.klass = scope
                    inner.is_classmethod = "classmethod" in names or node.name in _IMPLICIT_CLASSMETHODS
        positional = args.posonlyargs or args.args
        receiver = positional[0] if positional and inner.klass is not None else None
        for p in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if p.annotation is not None:
                stack.append(p.annotation)
            kind = "self" if p is receiver else "param"
            inner.bind(p.arg, Binding(kind, p.lineno, p.col_offset, p.annotation))
        for star in (args.vararg, args.kwarg):
            if star is not None:
                if star.annotation is not None:
                    stack.append(star.annotation)
                inner.bind(star.arg, Binding("other", star.lineno, star.col_offset))

    def klass(self, node: ast.ClassDef, scope: Scope, stack: list[ast.AST]) -> None:
        scope.bind(node.name, Binding("class", node.lineno, node.col_offset, node))
        stack.extend(node.decorator_list)
        stack.extend(node.bases)
        stack.extend(k.value for k in node.keywords)
        qualname = f"{scope.qualname}.{node.name}" if scope.qualname else node.name
        self.new_scope(CLASS, scope, qualname, node, node.body)  # type: ignore[arg-type]

    def comprehension(self, node: ast.AST, scope: Scope, stack: list[ast.AST]) -> None:
        gens: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        parts: list[ast.AST] = (
            [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]
        )
        stack.append(gens[0].iter)  # evaluated in the enclosing scope
        inner = self.new_scope(COMPREHENSION, scope, scope.qualname, node, [])
        body = self.pending[-1][1]
        for i, g in enumerate(gens):
            if i:
                body.append(g.iter)
            self.bind_target(g.target, inner, body, "for", g.iter)
            body.extend(g.ifs)
        body.extend(parts)

    def assign(self, node: ast.Assign, scope: Scope, stack: list[ast.AST]) -> None:
        value = node.value
        for target in node.targets:
            pairs = (
                _element_pairs(target, value) if type(target) in _SEQUENCES and scope.kind != CLASS else None
            )
            if pairs is None:
                self.bind_target(target, scope, stack, "assign", value)
                continue
            for element, element_value in pairs:  # `a, b = b, a`: each name its own value
                self.bind_target(element, scope, stack, "assign", element_value)
        stack.append(value)

    def ann_assign(self, node: ast.AnnAssign, scope: Scope, stack: list[ast.AST]) -> None:
        if node.simple or type(node.target) is not _Name:
            self.bind_target(node.target, scope, stack, "ann", node.annotation, node.value)
        stack.append(node.annotation)
        if node.value is not None:
            stack.append(node.value)

    def aug_assign(self, node: ast.AugAssign, scope: Scope, stack: list[ast.AST]) -> None:
        self.bind_target(node.target, scope, stack, "other", None)
        stack.append(node.value)

    def for_(self, node: ast.For | ast.AsyncFor, scope: Scope, stack: list[ast.AST]) -> None:
        kind = "for" if type(node) is ast.For else "other"
        self.bind_target(node.target, scope, stack, kind, node.iter)
        stack.extend(node.orelse)
        stack.extend(node.body)
        stack.append(node.iter)

    def with_(self, node: ast.With | ast.AsyncWith, scope: Scope, stack: list[ast.AST]) -> None:
        kind = "with" if type(node) is ast.With else "other"
        stack.extend(node.body)
        for item in node.items:
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, scope, stack, kind, item.context_expr)
            stack.append(item.context_expr)

    def walrus(self, node: ast.NamedExpr, scope: Scope, stack: list[ast.AST]) -> None:
        target_scope = scope
        while target_scope.kind == COMPREHENSION and target_scope.parent is not None:
            target_scope = target_scope.parent
        self.bind_target(node.target, target_scope, stack, "walrus", node.value)
        stack.append(node.value)

    def except_(self, node: ast.ExceptHandler, scope: Scope, stack: list[ast.AST]) -> None:
        if node.name:
            scope.bind(node.name, Binding("except", node.lineno, node.col_offset, node.type))
        stack.extend(node.body)
        if node.type is not None:
            stack.append(node.type)

    def import_(self, node: ast.Import | ast.ImportFrom, scope: Scope, stack: list[ast.AST]) -> None:
        for alias in node.names:
            if alias.name != "*":
                name = alias.asname or alias.name.partition(".")[0]
                scope.bind(name, Binding("import", node.lineno, node.col_offset, node))

    def global_(self, node: ast.Global, scope: Scope, stack: list[ast.AST]) -> None:
        scope.globals.update(node.names)

    def nonlocal_(self, node: ast.Nonlocal, scope: Scope, stack: list[ast.AST]) -> None:
        scope.nonlocals.update(node.names)

    def return_(self, node: ast.Return, scope: Scope, stack: list[ast.AST]) -> None:
        scope.returns.append(node.value)
        if node.value is not None:
            stack.append(node.value)

    def delete(self, node: ast.Delete, scope: Scope, stack: list[ast.AST]) -> None:
        for target in node.targets:
            self.bind_target(target, scope, stack, "other", None)

    def if_(self, node: ast.If, scope: Scope, stack: list[ast.AST]) -> None:
        narrowed = _isinstance_narrowing(node)
        if narrowed is not None:
            self.narrowings.append((scope, *narrowed))
        stack.extend(node.orelse)
        stack.extend(node.body)
        stack.append(node.test)

    def match_capture(self, node: ast.MatchAs | ast.MatchStar, scope: Scope, stack: list[ast.AST]) -> None:
        if node.name:
            scope.bind(node.name, Binding("other", node.lineno, node.col_offset))
        if isinstance(node, ast.MatchAs) and node.pattern is not None:
            stack.append(node.pattern)

    def match_mapping(self, node: ast.MatchMapping, scope: Scope, stack: list[ast.AST]) -> None:
        if node.rest:
            scope.bind(node.rest, Binding("other", node.lineno, node.col_offset))
        stack.extend(node.keys)
        stack.extend(node.patterns)


_Name, _Attribute, _Constant, _Call = ast.Name, ast.Attribute, ast.Constant, ast.Call
# Each handler takes the node type it is filed under, which a dict's value type cannot say.
_SPECIAL: dict[type[ast.AST], Callable[[_Collector, Any, Scope, list[ast.AST]], None]] = {
    ast.FunctionDef: _Collector.function,
    ast.AsyncFunctionDef: _Collector.function,
    ast.Lambda: _Collector.function,
    ast.ClassDef: _Collector.klass,
    ast.ListComp: _Collector.comprehension,
    ast.SetComp: _Collector.comprehension,
    ast.GeneratorExp: _Collector.comprehension,
    ast.DictComp: _Collector.comprehension,
    ast.Assign: _Collector.assign,
    ast.AnnAssign: _Collector.ann_assign,
    ast.AugAssign: _Collector.aug_assign,
    ast.For: _Collector.for_,
    ast.AsyncFor: _Collector.for_,
    ast.With: _Collector.with_,
    ast.AsyncWith: _Collector.with_,
    ast.NamedExpr: _Collector.walrus,
    ast.ExceptHandler: _Collector.except_,
    ast.Import: _Collector.import_,
    ast.ImportFrom: _Collector.import_,
    ast.Global: _Collector.global_,
    ast.Nonlocal: _Collector.nonlocal_,
    ast.Return: _Collector.return_,
    ast.Delete: _Collector.delete,
    ast.If: _Collector.if_,
    ast.MatchAs: _Collector.match_capture,
    ast.MatchStar: _Collector.match_capture,
    ast.MatchMapping: _Collector.match_mapping,
}


_SEQUENCES = (ast.Tuple, ast.List)


def _element_pairs(target: ast.AST, value: ast.AST) -> list[tuple[ast.expr, ast.expr]] | None:
    """The (target, value) pairs of `a, b = x, y` (no starred element on either side)."""
    if type(value) not in _SEQUENCES:
        return None
    targets, values = target.elts, value.elts  # type: ignore[attr-defined]
    if len(targets) != len(values) or any(type(e) is ast.Starred for e in (*targets, *values)):
        return None
    return list(zip(targets, values))


def _isinstance_narrowing(node: ast.If) -> tuple[str, ast.expr, int, int] | None:
    """(name, class, first line, last line) of `if isinstance(name, Class):`'s body; the
    name may be an attribute of a name (`self.title`), as dotted text."""
    test = node.test
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and not test.keywords
        and isinstance(test.args[1], (ast.Name, ast.Attribute))
    ):
        return None
    subject = test.args[0]
    if isinstance(subject, ast.Attribute) and isinstance(subject.value, ast.Name):
        name = f"{subject.value.id}.{subject.attr}"
    elif isinstance(subject, ast.Name):
        name = subject.id
    else:
        return None
    last = node.body[-1]
    return name, test.args[1], node.body[0].lineno, last.end_lineno or last.lineno


_IMPLICIT_CLASSMETHODS = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _declarations_bind_outside(scopes: list[Scope], module: Scope) -> None:
    """A name bound under `global` or `nonlocal` gets an unknown binding where it lives, so
    no inference there trusts the bindings it sees."""
    for scope in scopes:
        for names, outer in ((scope.globals, True), (scope.nonlocals, False)):
            for name in names:
                bindings = scope.bindings.pop(name, None)
                if not bindings:
                    continue
                b = bindings[0]
                if outer:
                    target: Scope | None = module
                else:
                    target = scope.parent
                    while target is not None and (target.kind == CLASS or name not in target.bindings):
                        if target.kind == MODULE:
                            target = None
                            break
                        target = target.parent
                if target is not None:
                    target.bind(name, Binding("other", b.line, b.col))


def _enumerates(node: ast.AST | None) -> bool:
    """`enumerate(x)` or `enumerate(x, start)`, by name (whether it is the builtin is the
    typer's to check)."""
    return (
        type(node) is ast.Call
        and type(node.func) is _Name
        and node.func.id == "enumerate"
        and 1 <= len(node.args) <= 2
        and not any(type(x) is ast.Starred for x in node.args)
    )
