"""The manifest's JSON form: columns checked in C-level passes (map, set, min, max), never
by a loop over the pages in Python (a manifest lists tens of thousands of pages and near a
million deps, and every export reads it), and index columns turned back into names."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, TypeVar


class WrongShape(ValueError):
    pass


JSON_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def json_kind(value: object) -> str:
    return JSON_NAMES.get(type(value), type(value).__name__)


_T = TypeVar("_T")


def expect(value: object, kind: type[_T], what: str) -> _T:
    """`value` when it is a `kind` (of parsed JSON: a checked `dict` or `list` still holds
    unchecked items, hence `Any` in them); else WrongShape naming `what`."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise WrongShape(f"{what} is {json_kind(value)}, not {JSON_NAMES[kind]}")
    return value


def names_of(files: list[str]) -> Callable[[Sequence[int]], tuple[str, ...]]:
    """indexes -> the names of those `files` (checked in range)."""
    return lookup_all(tuple(files))


_K = TypeVar("_K")
_V = TypeVar("_V")


def lookup_all(table: Mapping[_K, _V] | Sequence[_V]) -> Callable[[Sequence[_K]], tuple[_V, ...]]:
    """keys -> `table`'s values for them, in one C-level call a page: a manifest holds near
    a million deps."""

    def values(keys: Sequence[Any]) -> tuple[_V, ...]:
        if len(keys) > 1:
            return itemgetter(*keys)(table)  # type: ignore[no-any-return]
        return (table[keys[0]],) if keys else ()

    return values


def layout_rows(rows: object) -> tuple[tuple[str, tuple[int, tuple[str, ...]]], ...]:
    """A split symbols page's rows as saved: [[letter, count, [first names]], ...]."""
    out = []
    for row in expect(rows, list, "layouts"):
        if not (isinstance(row, list) and len(row) == 3):
            raise WrongShape("layouts holds a row that is not [letter, count, parts]")
        letter, count, firsts = row
        all_of((letter, *expect(firsts, list, "layouts")), (str,), "layouts")
        out.append((letter, (expect(count, int, "layouts"), tuple(firsts))))
    return tuple(out)


def all_of(items: Iterable[object], kinds: tuple[type, ...], what: str) -> None:
    """Raise WrongShape unless every item is exactly one of `kinds` (a bool is no int)."""
    found = set(map(type, items))
    if not found.issubset(kinds):
        wrong = next(iter(found.difference(kinds)))
        raise WrongShape(f"{what} holds {JSON_NAMES.get(wrong, wrong.__name__)}")


def column(raw: dict[str, Any], key: str, kinds: tuple[type, ...], length: int | None = None) -> list[Any]:
    """The list `raw[key]` (empty when absent) of `kinds`, with `length` items when given."""
    items = expect(raw.get(key, []), list, key)
    all_of(items, kinds, key)
    if length is not None and len(items) != length:
        raise WrongShape(f"{key} has {len(items)} entries for {length}")
    return items


def index_lists(raw: dict[str, Any], key: str, length: int, bound: int) -> list[list[int]]:
    """The list `raw[key]` of `length` lists of indexes below `bound`."""
    lists = column(raw, key, (list,), length)
    flat = list(chain.from_iterable(lists))
    all_of(flat, (int,), key)
    if flat and (min(flat) < 0 or max(flat) >= bound):
        raise WrongShape(f"{key} holds an index out of range (below 0 or not below {bound})")
    return lists
