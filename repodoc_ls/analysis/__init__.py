"""The analysis layer: what one module's code means, from its `ast` tree alone.

Protocol-free and per file (pure, like extraction, which calls it on the tree it already
parsed): scopes and bindings (`scopes.py`), bounded all-or-nothing types (`types.py`).
`analyze(tree)` gives what the index needs: which name loads are bound outside the
module's globals (never credited to a module-level name), and the *typed uses*: each
attribute read whose receiver has a known type, as a lookup the index resolves across
files (index/typed.py). Nothing here guesses: an unknown receiver gives no typed use.
"""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field

from .scopes import CLASS, FUNCTION, MODULE, Binding, Collected, Scope, collect
from .type_expressions import Type, is_plain
from .types import Typer

__all__ = ["Analysis", "TypedUseKey", "analyze"]

#: (root, steps, attribute): see types.py. The attribute "" credits the root itself (a
#: local class or function used where it is bound).
TypedUseKey = tuple[str, str, str]


@dataclass(slots=True)
class Analysis:
    local_loads: set[int] = field(default_factory=set)  # id() of Name loads not bound globally
    typed_uses: dict[TypedUseKey, list[int]] = field(default_factory=dict)
    self_returning: list[str] = field(default_factory=list)  # methods whose returns are all `self`
    value_types: dict[str, tuple[str, str]] = field(default_factory=dict)  # qualname -> (root, steps)


def analyze(tree: ast.Module) -> Analysis:
    """The analysis of a module; an empty one (nothing known) when the tree is too deep, or
    should a bug of ours meet a tree it did not foresee: extraction must never lose a
    file's other facts to it."""
    # Everything the analysis allocates dies with it or joins the facts, and it makes no
    # cycle: cyclic GC passes (over the whole live tree) would cost more than the analysis.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyze(tree)
    except Exception:  # noqa: BLE001 - unknown beats a lost file
        return Analysis()
    finally:
        if gc_was_enabled:
            gc.enable()


def _analyze(tree: ast.Module) -> Analysis:
    collected = collect(tree)
    typer = Typer(collected)
    result = Analysis()
    local, typed = result.local_loads, result.typed_uses
    visible = _function_names(collected.scopes)
    local_definitions = {
        name
        for scope in collected.scopes
        if scope.kind != MODULE
        for name, bindings in scope.bindings.items()
        if bindings[0].kind in ("def", "class", "import")
    }
    for scope in collected.scopes:
        if not scope.loads:
            continue
        if scope.kind == CLASS:  # a class body reads in order: resolve each load
            for node in scope.loads:
                if scope.resolve(node.id, node.lineno, node.col_offset) is not None:
                    local.add(id(node))
                    if node.id in local_definitions:
                        _credit_local_definition(typer, scope, node, typed)
            continue
        names = visible[id(scope)]
        for node in scope.loads:
            if node.id in names:
                local.add(id(node))
                if node.id in local_definitions:
                    _credit_local_definition(typer, scope, node, typed)
    for scope in collected.scopes:
        for attr in scope.attributes:
            receiver = typer.value(attr.value, scope)
            if receiver is None or receiver.container or "?" in receiver.root:
                continue
            if is_plain(receiver) and _read_through_globals(attr.value, local):
                continue  # the uses chain (`Segment.apply_style`) credits it already
            if receiver.steps == "#" and receiver.root.startswith("@"):
                if typer.instance_attribute(receiver.root[1:], attr.attr, 0) is not False:
                    continue  # a data attribute of a class of this file: no symbol to credit
            # The attribute's name ends the node: in a chain split over lines (`Text("")\n.join(x)`)
            # it is on the last line, where the name is read, not the chain's first.
            line = attr.end_lineno if attr.end_lineno is not None else attr.lineno
            typed.setdefault((receiver.root, receiver.steps, attr.attr), []).append(line)
    for key, lines in typed.items():
        typed[key] = sorted(set(lines))
    for scope in collected.scopes:
        name = scope.self_name if scope.kind == FUNCTION else None
        if name is None or not scope.returns:
            continue
        if all(type(r) is ast.Name and r.id == name for r in scope.returns) and all(
            b.kind == "self" for b in scope.bindings.get(name, ())
        ):
            result.self_returning.append(scope.qualname)
    result.self_returning.sort()
    _value_types(typer, collected, result.value_types)
    return result


def _value_types(typer: Typer, collected: Collected, out: dict[str, tuple[str, str]]) -> None:
    """The types of the module's variables and of its classes' data attributes, as other
    files read them (`status_codes.codes`, `self.console._live_stack`); a bare name of the
    module (an alias, already resolved by the graph) and containers left out."""
    module = collected.module
    for name, bindings in module.bindings.items():
        if bindings[0].kind in ("assign", "ann") and _may_be_typed(bindings):
            _keep(typer.bound(module, name, 0), name, out)
    for scope in collected.scopes:
        if scope.kind != CLASS:
            continue
        stored = typer.stored_attributes(scope)
        # the attributes that are symbols, which the index can look up: the class body's,
        # and those `__init__` sets
        init = f"{scope.qualname}.__init__"
        in_init = [n for n, pairs in stored.items() if any(s.qualname == init for _, s in pairs)]
        for name in {*scope.bindings, *in_init}:
            bindings = scope.bindings.get(name, [])
            if bindings and bindings[0].kind not in ("assign", "ann"):
                continue
            if not _may_be_typed(bindings) or not _may_be_typed(b for b, _ in stored.get(name, ())):
                continue
            found = typer.instance_attribute(scope.qualname, name, 0)
            _keep(found if isinstance(found, Type) else None, f"{scope.qualname}.{name}", out)


#: What a value must be for the typer to know its type (a literal, a comprehension or a
#: lambda never is): checked first, as most module variables are literals.
_TYPABLE = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.IfExp, ast.BoolOp, ast.BinOp, ast.NamedExpr)


def _may_be_typed(bindings: Iterable[Binding]) -> bool:
    for b in bindings:
        if b.kind == "ann":
            return True  # the declared type is the type
        if (
            b.kind == "assign"
            and not isinstance(b.a, _TYPABLE)
            and not (type(b.a) is ast.Constant and b.a.value is None)
        ):
            return False
    return True


def _keep(t: Type | None, qualname: str, out: dict[str, tuple[str, str]]) -> None:
    if t is not None and not t.container and not is_plain(t) and "?" not in t.root:
        out[qualname] = (t.root, t.steps)


def _function_names(scopes: list[Scope]) -> dict[int, frozenset[str]]:
    """id(scope) -> the names a load in that (non-class) scope reads from a function,
    lambda or comprehension scope: its own bindings and those of the enclosing function
    scopes (a class body's are not visible), minus its `global` names."""
    visible: dict[int, frozenset[str]] = {}
    for scope in scopes:  # parents come before their children
        parent = scope.parent
        while parent is not None and parent.kind == CLASS:
            parent = parent.parent
        outer = visible.get(id(parent), frozenset()) if parent is not None else frozenset()
        if scope.kind in (MODULE, CLASS):
            visible[id(scope)] = outer if scope.kind == CLASS else frozenset()
            continue
        names = outer | scope.bindings.keys()
        visible[id(scope)] = names - scope.globals if scope.globals else names
    return visible


def _credit_local_definition(
    typer: Typer, scope: Scope, node: ast.Name, typed: dict[TypedUseKey, list[int]]
) -> None:
    """A local class or function used where it is bound, or a name a function's own import
    binds: a typed use of it (attribute "")."""
    owner = scope.resolve(node.id, node.lineno, node.col_offset)
    if owner is None:
        return
    bindings = owner.bindings.get(node.id, ())
    if owner is scope and scope.kind == CLASS:
        # a class body reads in order: the binding made last before the load (the property
        # that `@name.setter` extends, however many times the name is bound after it)
        before = [b for b in bindings if (b.line, b.col) < (node.lineno, node.col_offset)]
        bindings = before[-1:]
    if len(bindings) == 1 and bindings[0].kind in ("def", "class"):
        t = typer.binding(bindings[0], owner, 0)
        if t is not None:
            typed.setdefault((t.root, t.steps, ""), []).append(node.lineno)
    elif len(bindings) == 1 and bindings[0].kind == "import" and owner.kind != MODULE:
        typed.setdefault((f"!{bindings[0].line}:{node.id}", "", ""), []).append(node.lineno)


def type_text(t: Type) -> str:
    """A type expression as one string (for tests and messages)."""
    return t.root + t.steps + (" (elements)" if t.container else "")


def _read_through_globals(node: ast.expr, local: set[int]) -> bool:
    """Whether a receiver is a dotted chain from a module-level name (`m.Segment`), which
    extraction's uses chains credit; a local alias (`_Segment = Segment` in a function) or
    `self.box` is not one, so its typed use is what credits it."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return type(node) is ast.Name and id(node) not in local
