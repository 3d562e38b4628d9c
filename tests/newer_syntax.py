"""Sources in syntax newer than some supported interpreter's, and the facts compared
across interpreters (imported by tests/test_newest_grammar.py and by the newer
interpreter it runs as the oracle, which has no pytest)."""

from __future__ import annotations

from repodoc_ls.extract.python import extract_python

PEP695 = b"""class Box[T]:
    def get(self) -> T:
        return self.item


def first[T](xs: list[T]) -> T:
    return xs[0]


type Alias = int
"""

# Each needs a newer grammar than some supported interpreter's (3.10 is the lowest).
NEWER = {
    "pep695": PEP695,
    "pep695_bounds_and_star": b"""import typing
class Registry[K: (str, bytes), *Ts, **P](dict[K, int]):
    size: int
    def get[D](self, key: K, default: D) -> int | D:
        return default
type Pairs[A, B] = list[tuple[A, B]]
if typing.TYPE_CHECKING: type Hidden = int
def spread[
    T,
    U,
](a: T, b: U) -> tuple[T, U]:
    return a, b
""",
    "pep696_defaults": b"""class Box[T = int]:
    def get(self) -> T: ...
def first[T: int = bool, *Ts = *tuple[int], **P = [int]](x: T) -> T:
    return x
""",
    "pep758_except": b"""import json
def load(text):
    try:
        return json.loads(text)
    except ValueError, TypeError:
        return None
def group():
    try:
        pass
    except* OSError:
        raise
""",
    "pep701_fstrings": b"""import os
songs = {"a": 1}
line = f"{songs["a"]} and {os.sep.join(["x", "y"])}"
joined = f"{'\\n'.join(map(str, songs))}"
block = f\"\"\"{
    os.getcwd()  # where we are
}\"\"\"
fine = f"{songs!r:>{len(songs)}} {line=} {1 != 2}"
""",
    "pep750_tstrings": b"""import html
def page(name):
    return html.escape(t"<b>{name}</b>")
""",
    "pep646_star": b"""from typing import TypeVarTuple
Ts = TypeVarTuple("Ts")
def f(*args: *Ts) -> tuple[*Ts]:
    return args
class Array(Generic[*Ts]):
    pass
""",
}


def facts_json(data: bytes) -> list:
    f = extract_python("m.py", data)
    return [
        [
            [s.qualname, s.kind, s.line, s.end_line, s.col, s.parent, _same(s.signature), s.value]
            for s in f.symbols
        ],
        [[i.module, i.name, i.line] for i in f.imports],
        [[n.kind, n.line] for n in f.notes],
        {k: v for k, v in f.uses.items() if k not in _TYPE_PARAM_NAMES},
    ]


def _same(text: str | None) -> str | None:
    """3.11+ writes `tuple[*Ts]` back as `tuple[*Ts,]`, 3.10 as written: the same type."""
    return None if text is None else text.replace(",]", "]")


# Names only type parameters bind: the lowering drops their declarations, so their uses
# in a bound or default are not seen (no fact records type parameters).
_TYPE_PARAM_NAMES = {"T", "U", "K", "Ts", "P", "D", "A", "B", "int", "str", "bytes", "bool", "tuple"}
