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
from collections import OrderedDict
from dataclasses import dataclass, field

from .scopes import FUNCTION, Collected, collect
from .types import Type, Typer, is_plain

__all__ = ["Analysis", "TypedUseKey", "analyze", "load_is_local"]

#: (root, steps, attribute): see types.py. The attribute "" credits the root itself (a
#: local class or function used where it is bound).
TypedUseKey = tuple[str, str, str]


@dataclass(slots=True)
class Analysis:
    local_loads: set[int] = field(default_factory=set)  # id() of Name loads not bound globally
    typed_uses: dict[TypedUseKey, list[int]] = field(default_factory=dict)
    self_returning: list[str] = field(default_factory=list)  # methods whose returns are all `self`


def analyze(tree: ast.Module) -> Analysis:
    """The analysis of a module; an empty one (nothing known) when the tree is too deep."""
    try:
        return _analyze(tree)
    except RecursionError:
        return Analysis()


def _analyze(tree: ast.Module) -> Analysis:
    collected = collect(tree)
    typer = Typer(collected)
    result = Analysis()
    local, typed = result.local_loads, result.typed_uses
    for node, scope in collected.loads:
        owner = scope.resolve(node.id, node.lineno, node.col_offset)
        if owner is not None:
            local.add(id(node))
            bindings = owner.bindings.get(node.id, ())
            if len(bindings) == 1 and bindings[0].kind in ("def", "class"):
                t = typer.binding(bindings[0], owner, 0)
                if t is not None:
                    typed.setdefault((t.root, t.steps, ""), []).append(node.lineno)
    for attr, scope in collected.attributes:
        receiver = typer.value(attr.value, scope)
        if receiver is None or receiver.container or is_plain(receiver):
            continue
        if receiver.steps == "#" and receiver.root.startswith("@"):
            if typer.instance_attribute(receiver.root[1:], attr.attr, 0) is not False:
                continue  # a data attribute of a class of this file: no symbol to credit
        typed.setdefault((receiver.root, receiver.steps, attr.attr), []).append(attr.lineno)
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
    return result


def type_text(t: Type) -> str:
    """A type expression as one string (for tests and messages)."""
    return t.root + t.steps + (" (elements)" if t.container else "")


_collected_trees: OrderedDict[int, tuple[ast.Module, Collected]] = OrderedDict()
_COLLECTED_KEPT = 32


def load_is_local(tree: ast.Module, node: ast.Name) -> bool | None:
    """Whether the Name `node` of `tree` is a load of a binding of a function, class or
    comprehension scope (True) or of the module's globals and builtins (False); None when
    it is no load. The scopes of the last few trees asked about are kept."""
    kept = _collected_trees.get(id(tree))
    if kept is None or kept[0] is not tree:
        kept = (tree, collect(tree))
        _collected_trees[id(tree)] = kept
        while len(_collected_trees) > _COLLECTED_KEPT:
            _collected_trees.popitem(last=False)
    else:
        _collected_trees.move_to_end(id(tree))
    if not isinstance(node.ctx, ast.Load):
        return None
    for load, scope in kept[1].loads:
        if load is node:
            return scope.resolve(node.id, node.lineno, node.col_offset) is not None
    return False  # the module's own statements record no loads: they read the globals
