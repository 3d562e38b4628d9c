"""Bounded, all-or-nothing types of values in one module, as *type expressions*
(type_expressions.py: what the index evaluates across files).

`Typer.value(expr, scope)` gives the type expression of an expression, or None when it
is not known structurally: a name is typed only when every binding it has in its scope
is typed (a `None` assignment aside; several that differ make a union), so an unannotated
parameter, a loop variable over something untyped, a `+=` or a tuple unpacking leave it
unknown. A binding that reads the name itself (`x = x.m()`, `box = box.copy() if c else
box`) is solved as a fixed point: the name's other bindings give its type, and that type
put in for the name must give the same type again (a union the index checks).
Containers are typed only from annotations (`list[Foo]`, `Sequence[Foo]`...), for their
elements.
"""

from __future__ import annotations

import ast
from typing import Any

from .scopes import CLASS, FUNCTION, MODULE, Binding, Collected, Scope
from .type_expressions import ITEMS, VALUES, Type, fill, is_plain, union

_MAPPING_HEADS = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict", "DefaultDict"}
)


_OPTIONAL_HEADS = frozenset({"Optional", "Annotated", "ClassVar", "Final", "Required", "NotRequired"})
_CONTAINER_HEADS = frozenset(
    {
        "list",
        "List",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "Sequence",
        "MutableSequence",
        "Iterable",
        "Iterator",
        "Collection",
        "AbstractSet",
        "MutableSet",
        "deque",
        "Deque",
        "Generator",
        "Reversible",
    }
)
_MAX_DEPTH = 24
_MAX_ANNOTATION = 300
_MAX_OPEN = 12  # names being solved at once (each waits on the next)
# names solved while another waits (its answer not cached: it may read the other's hole),
# per module; past it every further one is unknown. A name solved on its own is solved
# once, so this bounds only the recomputation, not the size of the module.
_MAX_WORK = 100_000
#: What an instance's special method gives for an operator (`x + y` is `x.__add__(y)`).
_OPERATORS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.BitOr: "__or__"}


class Typer:
    def __init__(self, collected: Collected) -> None:
        self.collected = collected
        self._names: dict[tuple[int, str], Type | None] = {}
        self._class_attrs: dict[int, dict[str, list[tuple[Binding, Scope]]]] = {}
        self._class_of: dict[str, Scope] = {}
        self._narrowed: dict[tuple[int, str], list[tuple[ast.expr, int, int]]] = {}
        self._in_scope: dict[tuple[int, str], Type | None] = {}
        self._instance_attrs: dict[tuple[str, str], Type | None | bool] = {}
        self._holes: dict[object, str] = {}  # a name being solved -> what stands for it
        self._holes_made = self._solved = 0
        self._cut = False  # an answer was cut short by a limit: not to be cached
        for scope, name, klass, first, last in collected.narrowings:
            self._narrowed.setdefault((id(scope), name), []).append((klass, first, last))
        self._attributes_narrowed = any("." in name for _, name, _, _, _ in collected.narrowings)
        for stored_name, attr, binding, scope in collected.self_stores:
            if scope.self_name == stored_name.id and scope.klass is not None:
                owner = scope.resolve(stored_name.id, stored_name.lineno, stored_name.col_offset)
                if owner is scope and all(b.kind == "self" for b in scope.bindings[stored_name.id]):
                    table = self._class_attrs.setdefault(id(scope.klass), {})
                    table.setdefault(attr, []).append((binding, scope))

    # -- expressions -----------------------------------------------------------

    def value(self, node: Any, scope: Scope, depth: int = 0) -> Type | None:
        # `node` is Any: each branch knows its node's type from `t`, and an `assert
        # isinstance` per branch would cost a fifth of the calls this method makes
        if depth > _MAX_DEPTH:
            return None
        t = type(node)
        if t is ast.Name:
            return self.name(node.id, scope, node.lineno, node.col_offset, depth)
        if t is ast.Attribute:
            if self._attributes_narrowed and type(node.value) is ast.Name:
                narrowed = self.narrowed_attribute(node, scope, depth)
                if narrowed is not None:
                    return narrowed
            base = self.value(node.value, scope, depth + 1)
            if base is None or base.container:
                return None
            if is_plain(base):
                return Type(f"{base.root}.{node.attr}")
            if base.steps == "#" and base.root.startswith("@"):
                known = self.instance_attribute(base.root[1:], node.attr, depth)
                if known is not False:
                    return None if known is True else known
            return Type(base.root, f"{base.steps}.{node.attr}")
        if t is ast.Call:
            f = node.func
            if type(f) is ast.Name and f.id == "super":
                return self.super_(scope, f, node)
            if type(f) is ast.Attribute and f.attr in ("values", "get"):
                mapping = self.value(f.value, scope, depth + 1)
                if mapping is not None and mapping.container == VALUES:
                    if f.attr == "values" and not node.args:
                        return Type(mapping.root, mapping.steps, ITEMS)
                    if f.attr == "get" and len(node.args) == 1 and not node.keywords:
                        return Type(mapping.root, mapping.steps)  # or None, which is no type
                    return None
            base = self.value(f, scope, depth + 1)
            if base is None or base.container:
                return None
            return Type(base.root, base.steps + "()")
        if t is ast.Subscript:
            if type(node.slice) is ast.Slice:
                return None
            base = self.value(node.value, scope, depth + 1)
            if base is None or is_plain(base):  # `Foo[int]` is a class's, not an instance's
                return None
            if base.container:
                return Type(base.root, base.steps)
            return Type(base.root, base.steps + ":__getitem__")
        if t is ast.IfExp:
            return self.any_of([a for a in (node.body, node.orelse) if not _is_none(a)], scope, depth)
        if t is ast.BoolOp:
            if type(node.op) is not ast.Or:  # `a and b` may be a falsy `a` of any type
                return None
            return self.any_of([a for a in node.values if not _is_none(a)], scope, depth)
        if t is ast.BinOp:
            special = _OPERATORS.get(type(node.op))
            base = None if special is None else self.value(node.left, scope, depth + 1)
            if base is None or base.container or is_plain(base):
                return None
            return Type(base.root, f"{base.steps}:{special}")
        if t is ast.NamedExpr:
            return self.value(node.value, scope, depth + 1)
        return None

    def narrowed_attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Type | None:
        """`name.attr` in the body of `if isinstance(name.attr, Class):`, where neither is
        assigned."""
        receiver = node.value.id  # type: ignore[attr-defined]
        narrowed = self._narrowed.get((id(scope), f"{receiver}.{node.attr}"))
        if narrowed is None:
            return None
        line = node.lineno
        owner = scope.resolve(receiver, line, node.col_offset) or self.collected.module
        for klass, first, last in narrowed:
            if not first <= line <= last:
                continue
            if any(first <= b.line <= last for b in owner.bindings.get(receiver, ())) or any(
                attr == node.attr and stored.id == receiver and first <= b.line <= last
                for stored, attr, b, _ in self.collected.self_stores
            ):
                return None
            return self.class_instance(klass, scope, depth)
        return None

    def any_of(self, nodes: list[ast.expr], scope: Scope, depth: int) -> Type | None:
        """The type of a value that is one of `nodes` (arms of `if`/`else`, `or`)."""
        if not nodes:
            return None
        types = []
        for n in nodes:
            v = self.value(n, scope, depth + 1)
            if v is None:
                return None
            types.append(v)
        return union(types)

    def name(self, name: str, scope: Scope, line: int, col: int, depth: int = 0) -> Type | None:
        key = (id(scope), name)
        narrowed = self._narrowed.get(key)
        if narrowed is None and scope.kind != CLASS:  # then the answer is the same all over the scope
            if key in self._in_scope:
                return self._in_scope[key]
            found = self._name(name, scope, line, col, depth, None)
            if ("?" not in found.root) if found is not None else not self._cut:
                self._in_scope[key] = found
            return found
        return self._name(name, scope, line, col, depth, narrowed)

    def _name(
        self,
        name: str,
        scope: Scope,
        line: int,
        col: int,
        depth: int,
        narrowed: list[tuple[ast.expr, int, int]] | None,
    ) -> Type | None:
        owner = scope.resolve(name, line, col)
        if narrowed is not None:
            for klass, first, last in narrowed:
                if first <= line <= last and not any(
                    first <= b.line <= last for b in (owner or self.collected.module).bindings.get(name, ())
                ):
                    return self.class_instance(klass, scope, depth)
        if owner is None:
            owner = self.collected.module
            bindings = owner.bindings.get(name)
            if not bindings or all(b.kind in ("import", "def", "class") for b in bindings):
                return Type(name)  # the graph resolves it, through imports and re-exports
        return self.bound(owner, name, depth)

    def bound(self, owner: Scope, name: str, depth: int) -> Type | None:
        """The type of a scope's name, from all of its bindings."""
        key = (id(owner), name)
        if key in self._names:
            return self._names[key]
        bindings = owner.bindings.get(name, ())
        if owner.kind != MODULE and len(bindings) == 1 and bindings[0].kind == "import":
            # a function's own import: the index resolves it from the import on that line
            own = self._names[key] = Type(f"!{bindings[0].line}:{name}")
            return own
        return self.solve(self._names, key, [(b, owner) for b in bindings], depth)

    def solve(
        self, cache: dict[Any, Any], key: object, pairs: list[tuple[Binding, Scope]], depth: int
    ) -> Type | None:
        """The type of a name (or a class's data attribute) with the bindings `pairs`; while
        it is solved, a read of the name itself gives a hole (`?n?`, made on the first such
        read) that `fixed_point` fills."""
        holes = self._holes
        if key in holes:
            hole = holes[key]
            if not hole:
                self._holes_made += 1
                hole = holes[key] = f"?{self._holes_made}?"
            return Type(hole)
        if holes:
            if len(holes) >= _MAX_OPEN or self._solved >= _MAX_WORK:
                self._cut = True
                return None
            self._solved += 1
        holes[key] = ""
        was_cut, self._cut = self._cut, False
        try:
            types = self.binding_types(pairs, depth)
        finally:
            hole = holes.pop(key)
        if types is None:
            found = None
        else:  # most names: one binding, which does not read the name itself
            found = types[0] if len(types) == 1 and not hole else _fixed_point(types, hole)
        # the same wherever asked, unless it waits on a name still being solved, or a limit
        # cut it short
        if ("?" not in found.root) if found is not None else not self._cut:
            cache[key] = found
        self._cut = self._cut or was_cut
        return found

    def binding_types(self, pairs: list[tuple[Binding, Scope]], depth: int) -> list[Type] | None:
        """The types of the bindings, a `None` assignment aside; None if one is unknown."""
        declared = [(b, scope) for b, scope in pairs if b.kind == "ann"]
        if declared:  # a declared type is the type, as to a type checker: what is assigned must fit it
            pairs = declared
        types = []
        for b, scope in pairs:
            if b.kind in ("assign", "walrus") and type(b.a) is ast.Constant and b.a.value is None:
                continue
            t = self.binding(b, scope, depth + 1)
            if t is None:
                return None
            types.append(t)
        return types

    def binding(self, b: Binding, scope: Scope, depth: int) -> Type | None:
        kind = b.kind
        if kind == "self":
            klass = scope.klass
            assert klass is not None
            return Type("@" + klass.qualname, "" if scope.is_classmethod else "#")
        if kind in ("assign", "walrus"):
            assert b.a is not None
            return self.value(b.a, scope, depth)
        if kind == "param":
            return None if b.a is None else self.annotation(b.a, scope.parent or scope, depth)
        if kind == "ann":
            assert b.a is not None
            return self.annotation(b.a, scope, depth)
        if kind == "for":
            assert b.a is not None
            it = self.value(b.a, scope, depth)
            if it is None:
                return None
            # an annotated container's elements (a mapping's are its keys: unknown); else
            # what the value's `__iter__` yields (`*`)
            if it.container == VALUES:
                return None
            return Type(it.root, it.steps if it.container else it.steps + "*")
        if kind == "enumerate":  # the element of `for i, x in enumerate(items)`
            call = b.a
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            if scope.resolve("enumerate", call.lineno, call.col_offset) is not None or (
                "enumerate" in self.collected.module.bindings
            ):
                return None
            it = self.value(call.args[0], scope, depth)
            if it is None or it.container == VALUES:
                return None
            return Type(it.root, it.steps if it.container else it.steps + "*")
        if kind == "with":
            assert b.a is not None
            ctx = self.value(b.a, scope, depth)
            if ctx is None or ctx.container:
                return None
            return Type(ctx.root, ctx.steps + ".__enter__()")
        if kind == "except":
            if b.a is None or type(b.a) not in (ast.Name, ast.Attribute):
                return None
            return self.class_instance(b.a, scope, depth)
        if kind in ("def", "class") and scope.kind != MODULE:
            node = b.a
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            return Type("@" + (scope.qualname + "." if scope.qualname else "") + node.name)
        return None

    def super_(self, scope: Scope, f: ast.Name, call: ast.Call) -> Type | None:
        if call.args and len(call.args) != 2:
            return None
        if (
            scope.resolve("super", f.lineno, f.col_offset) is not None
            or "super" in self.collected.module.bindings
        ):
            return None
        method = scope
        while method.kind != FUNCTION and method.parent is not None:
            method = method.parent
        if method.kind != FUNCTION or method.klass is None or method.is_classmethod:
            return None
        return Type("@" + method.klass.qualname, "#^")

    def instance_attribute(self, class_qualname: str, attr: str, depth: int) -> Type | None | bool:
        """The type of `instance.attr` from the class's own `self.attr = ...` assignments
        and class-body bindings; False when the class binds no such data attribute."""
        key = (class_qualname, attr)
        if key in self._instance_attrs:
            return self._instance_attrs[key]
        klass = self.class_scope(class_qualname)
        body = [] if klass is None else klass.bindings.get(attr, [])
        if klass is None or any(b.kind in ("def", "class") for b in body):
            self._instance_attrs[key] = False
            return False
        found = [(b, klass) for b in body] + self._class_attrs.get(id(klass), {}).get(attr, [])
        if not found:
            self._instance_attrs[key] = False
            return False
        return self.solve(self._instance_attrs, key, found, depth)

    def stored_attributes(self, klass: Scope) -> dict[str, list[tuple[Binding, Scope]]]:
        """The names its methods assign on `self` (or `cls`), with those assignments."""
        return self._class_attrs.get(id(klass), {})

    def class_scope(self, qualname: str) -> Scope | None:
        if not self._class_of:
            self._class_of = {s.qualname: s for s in self.collected.scopes if s.kind == CLASS}
        return self._class_of.get(qualname)

    # -- annotations -------------------------------------------------------------

    def annotation(self, node: ast.AST, scope: Scope, depth: int) -> Type | None:
        if depth > _MAX_DEPTH:
            return None
        t = type(node)
        if t is ast.Constant:
            text = node.value  # type: ignore[attr-defined]
            if type(text) is not str or len(text) > _MAX_ANNOTATION:
                return None
            try:
                parsed = ast.parse(text.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            return self.annotation(parsed, scope, depth + 1)
        if t is ast.Name or t is ast.Attribute:
            return self.class_instance(node, scope, depth)
        if t is ast.BinOp and type(node.op) is ast.BitOr:  # type: ignore[attr-defined]
            sides = [s for s in (node.left, node.right) if not _is_none(s)]  # type: ignore[attr-defined]
            return self.annotation(sides[0], scope, depth + 1) if len(sides) == 1 else None
        if t is ast.Subscript:
            assert isinstance(node, ast.Subscript)
            head = _last_name(node.value)
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if head in _OPTIONAL_HEADS:
                return self.annotation(args[0], scope, depth + 1)
            if head == "Union":
                rest = [a for a in args if not _is_none(a)]
                return self.annotation(rest[0], scope, depth + 1) if len(rest) == 1 else None
            if head in _CONTAINER_HEADS or (
                head in ("tuple", "Tuple") and len(args) == 2 and type(args[1]) is ast.Constant
            ):
                if head in ("tuple", "Tuple") and args[1].value is not Ellipsis:  # type: ignore[attr-defined]
                    return None
                elem = self.annotation(args[0], scope, depth + 1)
                return None if elem is None or elem.container else Type(elem.root, elem.steps, ITEMS)
            if head in _MAPPING_HEADS and len(args) == 2:
                value = self.annotation(args[1], scope, depth + 1)
                return None if value is None or value.container else Type(value.root, value.steps, VALUES)
            if head in ("dict", "Dict", "Mapping", "type", "Type", "Callable", "Literal", "tuple", "Tuple"):
                return None
            return self.class_instance(node.value, scope, depth)
        return None

    def class_instance(self, node: ast.AST, scope: Scope, depth: int) -> Type | None:
        named = self.value(node, scope, depth + 1)
        if named is None or named.steps or named.container:
            return None
        if named.root in ("None", "Any", "object", "Self"):
            return None
        return Type(named.root, "#")


def _fixed_point(types: list[Type], hole: str) -> Type | None:
    """The type of a name whose bindings have `types`, some of which may read the name
    itself (`hole`): the others give the type, which put in for the hole in these must give
    it again (a union the index checks)."""
    if not hole:  # the name was not read while solved
        return (types[0] if len(types) == 1 else union(types)) if types else None
    seeds = [t for t in types if hole not in t.root]
    seed = union(seeds) if seeds else None
    if seed is None or len(seeds) == len(types):
        return seed
    filled = [fill(t, hole, seed) for t in types if hole in t.root]
    if any(f is None for f in filled):
        return None
    return union([seed, *filled])  # type: ignore[list-item]


def _is_none(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id == "None"
    )


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
