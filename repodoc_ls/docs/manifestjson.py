"""The manifest's JSON form: columns checked in C-level passes (map, set, regex), never by
a loop over the pages in Python (a manifest lists tens of thousands of pages and near a
million deps, and every export reads it), and index columns turned back into names.

A number row (`number_rows`) is one string holding a list of table indexes: a comma, then
each number in decimal (no sign, no leading zero) followed by a comma: `",3,17,250,"`, and
`","` for none. Every number stands between two commas, so `",17," in row` tests one
without decoding the row; saves write them ascending (readers do not rely on the order).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter, lt
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


def index_list(raw: dict[str, Any], key: str, bound: int) -> list[int]:
    """The list `raw[key]` of indexes below `bound`."""
    items = column(raw, key, (int,))
    if items and (min(items) < 0 or max(items) >= bound):
        raise WrongShape(f"{key} holds an index out of range (below 0 or not below {bound})")
    return items


def number_rows(raw: dict[str, Any], key: str, length: int, bound: int) -> list[str]:
    """The list `raw[key]` of `length` number rows of indexes below `bound`: one regex match
    over the rows joined by newlines (a row holding a newline would count as two)."""
    rows = column(raw, key, (str,), length)
    if sys.version_info >= (3, 11):
        joined = "\n".join(rows)
        good = not rows or (
            joined.count("\n") == len(rows) - 1 and _rows_below(bound).fullmatch(joined) is not None
        )
    else:
        good = all(map(_row_below(bound).fullmatch, rows))
    if not good:
        raise WrongShape(f"{key} holds a row that is not ',' then numbers below {bound} each followed by ','")
    return rows


def row_numbers(row: str) -> tuple[int, ...]:
    """The numbers of a checked number row."""
    return tuple(map(int, row[1:-1].split(","))) if len(row) > 1 else ()


def row_of(numbering: Sequence[_K]) -> Callable[[Sequence[_K]], str]:
    """items in `numbering`'s order -> their number row, in one C-level lookup each."""
    parts = lookup_all({item: f",{i}" for i, item in enumerate(numbering)})
    return lambda items: "".join(parts(items)) + ","


def ascending(items: Sequence[Any]) -> bool:
    """Whether `items` are sorted and distinct (as a save numbers files and keys)."""
    return all(map(lt, items, items[1:]))


def file_rows(
    files: list[str], row: Callable[[list[str]], str], files_of: Mapping[str, Iterable[str]]
) -> list[str]:
    """The number row (`row_of(files)`) of each of `files`' targets in `files_of`: most have none."""
    found = {f: row(sorted(targets)) for f, targets in files_of.items() if targets}
    return [found.get(f, ",") for f in files]


def row_search(numbers: Iterable[int]) -> Callable[[str], object]:
    """row -> whether the number row holds one of `numbers` (truthy or not)."""
    pattern = "|".join(f",{n}," for n in numbers)
    return re.compile(pattern).search if pattern else _never


def _never(row: str) -> bool:
    return False


def same_numbering(
    numbers: Mapping[_K, int], wanted: set[_K], rows: Iterable[str], suspects: set[int] | None = None
) -> bool:
    """Whether a numbering (`numbers`: item -> number) holds just `wanted` and the items the
    number `rows` hold: all of `wanted`, and every other number in one of the rows. With
    `suspects`, only those numbers are looked for in the rows: the caller knows every other
    one is in them."""
    if not wanted.issubset(numbers):
        return False
    everyone = set(range(len(numbers))) if suspects is None else suspects
    unwanted = everyone.difference(map(numbers.__getitem__, wanted))
    if not unwanted:
        return True
    joined = "".join(rows)  # ",1," + ",2,": each number still stands between two commas
    if len(unwanted) <= 64:  # a few substring searches, not a million numbers decoded
        return all(f",{n}," in joined for n in unwanted)
    return unwanted.issubset(map(int, filter(None, joined.split(","))))


@lru_cache(maxsize=8)
def _rows_below(bound: int) -> re.Pattern[str]:
    # Atomic groups: a number is never retried another way (2-3x faster on Django's rows),
    # nor a row: a bad last row of many costs one pass, not one per row before it.
    row = rf",(?:(?>{_number_below(bound)}),)*+"
    return re.compile(rf"(?:{row}\n)*+{row}")


@lru_cache(maxsize=8)
def _row_below(bound: int) -> re.Pattern[str]:
    """One row, for Pythons before 3.11 (no atomic groups: rows are matched one by one)."""
    return re.compile(rf",(?:(?:{_number_below(bound)}),)*")


def _number_below(bound: int) -> str:
    """A regex for the decimal numbers 0 <= n < bound, without leading zeros."""
    if bound <= 0:
        return "(?!)"
    top = str(bound - 1)
    if len(top) == 1:
        return f"[0-{top}]"
    same_length = [top]
    for i, digit in enumerate(top):  # top's first i digits, then a smaller digit, then any
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            same_length.append(f"{top[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{len(top) - i - 1}}}")
    shorter = [f"[1-9][0-9]{{{length - 1}}}" for length in range(len(top) - 1, 1, -1)]
    return "|".join([*same_length, *shorter, "[0-9]"])
