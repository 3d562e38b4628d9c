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
from typing import NamedTuple

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
    loads: list[tuple[ast.Name, Scope]]  # every Name load outside the module's own body
    attributes: list[tuple[ast.Attribute, Scope]]  # attribute reads to type
    self_stores: list[tuple[ast.Name, str, Binding, Scope]]  # `recv.attr = ...` in functions
    narrowings: list[Narrowing]


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_LOAD = ast.Load


def collect(tree: ast.Module) -> Collected:
    module = Scope(MODULE, None, "", tree)
    scopes = [module]
    loads: list[tuple[ast.Name, Scope]] = []
    attributes: list[tuple[ast.Attribute, Scope]] = []
    self_stores: list[tuple[ast.Name, str, Binding, Scope]] = []
    narrowings: list[Narrowing] = []
    stack: list[tuple[ast.AST, Scope]] = [(st, module) for st in reversed(tree.body)]
    pop, push = stack.pop, stack.append

    def prefix(scope: Scope) -> str:
        return scope.qualname + "." if scope.qualname else ""

    def bind_target(
        target: ast.AST, scope: Scope, kind: str, a: ast.AST | None, b: ast.AST | None = None
    ) -> None:
        t = type(target)
        if t is ast.Name:
            assert isinstance(target, ast.Name)
            # the name is bound once the value is evaluated (a class body reads in order)
            after = b if kind == "ann" else a
            end = getattr(after, "end_lineno", None)
            if end is None:
                line, col = target.lineno, target.col_offset
            else:
                line, col = end, getattr(after, "end_col_offset", 0)
            scope.bind(target.id, Binding(kind, line, col, a, b))
        elif t is ast.Attribute:
            assert isinstance(target, ast.Attribute)
            v = target.value
            if type(v) is ast.Name and scope.kind == FUNCTION and kind in ("assign", "ann"):
                assert isinstance(v, ast.Name)
                self_stores.append(
                    (v, target.attr, Binding(kind, target.lineno, target.col_offset, a, b), scope)
                )
            push((target, scope))
        elif t is ast.Tuple or t is ast.List or t is ast.Starred:
            for child in ast.iter_child_nodes(target):
                bind_target(child, scope, "other", None)
        else:  # a subscript: its parts are loads
            push((target, scope))

    def function_scope(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope) -> Scope:
        args = node.args
        for d in args.defaults:
            push((d, scope))
        for kd in args.kw_defaults:
            if kd is not None:
                push((kd, scope))
        if isinstance(node, ast.Lambda):
            inner = Scope(LAMBDA, scope, scope.qualname, node)
        else:
            inner = Scope(FUNCTION, scope, prefix(scope) + node.name, node)
            for d in node.decorator_list:
                push((d, scope))
            if node.returns is not None:
                push((node.returns, scope))
            if scope.kind == CLASS:
                names = {_decorator_name(d) for d in node.decorator_list}
                if "staticmethod" not in names:
                    inner.klass = scope
                    inner.is_classmethod = "classmethod" in names or node.name in _IMPLICIT_CLASSMETHODS
        scopes.append(inner)
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        first = (args.posonlyargs or args.args)[:1]
        for p in params:
            if p.annotation is not None:
                push((p.annotation, scope))
            kind = "self" if inner.klass is not None and first and p is first[0] else "param"
            inner.bind(p.arg, Binding(kind, p.lineno, p.col_offset, p.annotation))
        for star in (args.vararg, args.kwarg):
            if star is not None:
                if star.annotation is not None:
                    push((star.annotation, scope))
                inner.bind(star.arg, Binding("other", star.lineno, star.col_offset))
        return inner

    while stack:
        node, scope = pop()
        t = type(node)
        if t is ast.If:
            narrowed = _isinstance_narrowing(node)  # type: ignore[arg-type]
            if narrowed is not None:
                narrowings.append((scope, *narrowed))
        if t is ast.Name:
            assert isinstance(node, ast.Name)
            if type(node.ctx) is _LOAD:
                if scope.kind != MODULE:
                    loads.append((node, scope))
            else:  # a store or del reached without its statement's context
                scope.bind(node.id, Binding("other", node.lineno, node.col_offset))
        elif t is ast.Attribute:
            assert isinstance(node, ast.Attribute)
            if type(node.ctx) is _LOAD:
                attributes.append((node, scope))
            push((node.value, scope))
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            scope.bind(node.name, Binding("def", node.lineno, node.col_offset, node))
            inner = function_scope(node, scope)
            for st in reversed(node.body):
                push((st, inner))
        elif t is ast.ClassDef:
            assert isinstance(node, ast.ClassDef)
            scope.bind(node.name, Binding("class", node.lineno, node.col_offset, node))
            for e in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
                push((e, scope))
            inner = Scope(CLASS, scope, prefix(scope) + node.name, node)
            scopes.append(inner)
            for st in reversed(node.body):
                push((st, inner))
        elif t is ast.Lambda:
            assert isinstance(node, ast.Lambda)
            push((node.body, function_scope(node, scope)))
        elif t in _COMPREHENSIONS:
            gens = node.generators  # type: ignore[attr-defined]
            inner = Scope(COMPREHENSION, scope, scope.qualname, node)
            scopes.append(inner)
            parts: list[ast.AST] = (
                [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]
            )
            for i, g in enumerate(gens):
                push((g.iter, scope if i == 0 else inner))
                bind_target(g.target, inner, "for", g.iter)
                parts.extend(g.ifs)
            for p in parts:
                push((p, inner))
        elif t is ast.Assign:
            assert isinstance(node, ast.Assign)
            for target in node.targets:
                bind_target(target, scope, "assign", node.value)
            push((node.value, scope))
        elif t is ast.AnnAssign:
            assert isinstance(node, ast.AnnAssign)
            if node.simple or type(node.target) is not ast.Name:
                bind_target(node.target, scope, "ann", node.annotation, node.value)
            push((node.annotation, scope))
            if node.value is not None:
                push((node.value, scope))
        elif t is ast.AugAssign:
            assert isinstance(node, ast.AugAssign)
            bind_target(node.target, scope, "other", None)
            push((node.value, scope))
        elif t is ast.For or t is ast.AsyncFor:
            assert isinstance(node, (ast.For, ast.AsyncFor))
            bind_target(node.target, scope, "for" if t is ast.For else "other", node.iter)
            for st in reversed(node.orelse):
                push((st, scope))
            for st in reversed(node.body):
                push((st, scope))
            push((node.iter, scope))
        elif t is ast.With or t is ast.AsyncWith:
            assert isinstance(node, (ast.With, ast.AsyncWith))
            for st in reversed(node.body):
                push((st, scope))
            for item in node.items:
                if item.optional_vars is not None:
                    bind_target(
                        item.optional_vars, scope, "with" if t is ast.With else "other", item.context_expr
                    )
                push((item.context_expr, scope))
        elif t is ast.NamedExpr:
            assert isinstance(node, ast.NamedExpr)
            target_scope = scope
            while target_scope.kind == COMPREHENSION and target_scope.parent is not None:
                target_scope = target_scope.parent
            bind_target(node.target, target_scope, "walrus", node.value)
            push((node.value, scope))
        elif t is ast.ExceptHandler:
            assert isinstance(node, ast.ExceptHandler)
            if node.name:
                scope.bind(node.name, Binding("except", node.lineno, node.col_offset, node.type))
            for st in reversed(node.body):
                push((st, scope))
            if node.type is not None:
                push((node.type, scope))
        elif t is ast.Import or t is ast.ImportFrom:
            assert isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names:
                if alias.name != "*":
                    name = alias.asname or alias.name.partition(".")[0]
                    scope.bind(name, Binding("import", node.lineno, node.col_offset, node))
        elif t is ast.Global:
            assert isinstance(node, ast.Global)
            scope.globals.update(node.names)
        elif t is ast.Nonlocal:
            assert isinstance(node, ast.Nonlocal)
            scope.nonlocals.update(node.names)
        elif t is ast.Return:
            assert isinstance(node, ast.Return)
            scope.returns.append(node.value)
            if node.value is not None:
                push((node.value, scope))
        elif t is ast.Delete:
            assert isinstance(node, ast.Delete)
            for target in node.targets:
                bind_target(target, scope, "other", None)
        elif t is ast.MatchAs or t is ast.MatchStar:
            name = node.name  # type: ignore[attr-defined]
            if name:
                scope.bind(name, Binding("other", node.lineno, node.col_offset))  # type: ignore[attr-defined]
            if t is ast.MatchAs and node.pattern is not None:  # type: ignore[attr-defined]
                push((node.pattern, scope))  # type: ignore[attr-defined]
        elif t is ast.MatchMapping:
            assert isinstance(node, ast.MatchMapping)
            if node.rest:
                scope.bind(node.rest, Binding("other", node.lineno, node.col_offset))
            for child in ast.iter_child_nodes(node):
                push((child, scope))
        else:
            for field in node._fields:
                v = getattr(node, field, None)
                if type(v) is list:
                    for item in reversed(v):
                        if isinstance(item, ast.AST):
                            push((item, scope))
                elif isinstance(v, ast.AST):
                    push((v, scope))
    _declarations_bind_outside(scopes, module)
    return Collected(module, scopes, loads, attributes, self_stores, narrowings)


def _isinstance_narrowing(node: ast.If) -> tuple[str, ast.expr, int, int] | None:
    """(name, class, first line, last line) of `if isinstance(name, Class):`'s body."""
    test = node.test
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and not test.keywords
        and isinstance(test.args[0], ast.Name)
        and isinstance(test.args[1], (ast.Name, ast.Attribute))
    ):
        return None
    last = node.body[-1]
    return test.args[0].id, test.args[1], node.body[0].lineno, last.end_lineno or last.lineno


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
