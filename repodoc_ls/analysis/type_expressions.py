"""Type expressions: the types the analysis gives, as text the index evaluates.

A type expression is a root and a string of steps the index evaluates across files
(index/typed.py), because what a name means in another module is not this file's to know:

- root: a dotted name as the module's top level binds it (`Table`, `helpers.make`),
  `@qualname`, a class or function of this file (a local class: `@test_x.A`), or
  `!line:name`, a name a function's own import on that line binds (`!12:render.sub`);
- steps: `#` an instance of the class so far, `()` the result of calling it (a class's
  instance, a function's annotated return), `.name` an attribute, `^` an instance seen
  from its bases (`super()`), `*` an element of the iterable so far (its `__iter__`),
  `:name` what an instance's special method gives (`:__getitem__` of `x[k]`, `:__add__`
  of `x + y`);
- a root may also be a *union* `{root~steps|root~steps...}`: values that must all turn out
  the same (the arms of `a if c else b`, `a or b`, the bindings of a name that differ in
  their text: `t = Table()` and `t: Table`), which only the index can tell; it credits
  nothing when they differ.

A name being solved stands as a hole `?n?` in the expressions that read it (types.py)
until its type is known; no hole is left in what the analysis gives.
"""

from __future__ import annotations

from typing import NamedTuple


class Type(NamedTuple):
    root: str
    steps: str = ""
    container: str = ""  # ITEMS: an iterable of root+steps; VALUES: a mapping to them


ITEMS = "items"
VALUES = "values"
_MAX_ALTERNATIVES = 6
_MAX_UNION = 400  # characters of a union root


def is_plain(t: Type) -> bool:
    """A bare dotted name of the module's top level: the uses chains already cover it."""
    return not t.steps and not t.container and t.root[:1] not in ("@", "{", "?")


def union(types: list[Type]) -> Type | None:
    """The one type when all of `types` are the same, else a union root of them (nested
    unions with no steps of their own spliced in); None for containers that differ, or a
    union too large to be worth asking."""
    first = types[0]
    if all(t == first for t in types):
        return first
    found: set[Type] = set()
    for t in types:
        if t.container:
            return None
        if t.root[:1] == "{" and not t.steps:
            found.update(alternatives(t.root))
        else:
            found.add(t)
    if len(found) == 1:
        return found.pop()
    if len(found) > _MAX_ALTERNATIVES:
        return None
    text = "{" + "|".join(sorted(f"{t.root}~{t.steps}" for t in found)) + "}"
    return Type(text) if len(text) <= _MAX_UNION else None


def alternatives(root: str) -> list[Type]:
    """The alternatives of a union root `{root~steps|...}` (the index reads them too)."""
    out: list[Type] = []
    depth, start, tilde = 0, 1, -1
    for i in range(1, len(root) - 1):
        c = root[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c == "~" and tilde < 0:
            tilde = i
        elif depth == 0 and c == "|":
            out.append(Type(root[start:tilde], root[tilde + 1 : i]))
            start, tilde = i + 1, -1
    out.append(Type(root[start:tilde], root[tilde + 1 : -1]))
    return out


def fill(t: Type, hole: str, seed: Type) -> Type | None:
    """`t` with the type `seed` put in for the name being solved (`hole`)."""
    if t.root == hole:
        if not seed.container:
            return Type(seed.root, seed.steps + t.steps, t.container)
        return seed if not t.steps and not t.container else None
    if t.root[:1] != "{" or hole not in t.root:
        return t
    filled = []
    for alt in alternatives(t.root):
        f = fill(alt, hole, seed)
        if f is None:
            return None
        filled.append(f)
    inner = union(filled)
    if inner is None or inner.container:
        return None
    return Type(inner.root, inner.steps + t.steps, t.container)
