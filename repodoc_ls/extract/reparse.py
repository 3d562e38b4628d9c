"""Parsing a new version of a module again only where it changed.

A buffer being edited is parsed once per edit; for a generated module of megabytes that is
most of its extraction. `Reparser` keeps, per path, the last text and tree it parsed. The
next text is compared with it (common prefix and suffix); the top-level statements the
change touches (with the comments and blank lines that follow each, up to the next
statement) are parsed alone, and spliced between the unchanged statements before and after
them, whose lines move by the lines the edit added or removed.

The result is the tree `parse_module` gives for the whole text, node for node and position
for position (tests/test_reparse.py checks it against random edits). That holds because a
top-level statement starts a logical line at column 0 with nothing open: the unchanged
statements after the span are read in the same state whatever the span holds, as long as
the span parses alone, which requires it to close every bracket, string and block it
opens. Whenever it does not (a syntax error, for now or for good), or the last tree needed
the newer-grammar rewrite, the whole text is parsed as before.
"""

from __future__ import annotations

import ast
import bisect
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from .parse import Parsed, parse_module


@dataclass(slots=True)
class _Last:
    text: str
    parsed: Parsed
    #: the first line (1-based) of each top-level statement, decorators included, ascending;
    #: statements sharing a line (`a = 1; b = 2`) share one entry
    starts: list[int]
    #: the index in `parsed.tree.body` of the first statement of each entry of `starts`
    firsts: list[int]


class Reparser:
    """The last parse of the last `keep` paths, and a parse of a new text that reuses it."""

    def __init__(self, keep: int = 2) -> None:
        self._keep = keep
        self._last: OrderedDict[str, _Last] = OrderedDict()
        self.reused = 0  # parses that reused a last tree (for tests and benches)

    def parse(self, path: str, text: str) -> Parsed:
        """`parse_module(text, filename=path)`, reusing the last tree of `path` when it can."""
        last = self._last.pop(path, None)  # a tree about to be changed in place is no one's
        parsed = None
        if last is not None and not last.parsed.lowered and "barry_as_FLUFL" not in text:
            parsed = _splice(last, text)
        if parsed is None:
            parsed = parse_module(text, filename=path)
        else:
            self.reused += 1
        if not parsed.lowered:
            self._last[path] = _Last(text, parsed, *_starts(parsed.tree.body))
            while len(self._last) > self._keep:
                self._last.popitem(last=False)
        return parsed


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return min(node.lineno, *(d.lineno for d in decorators)) if decorators else node.lineno


def _starts(body: list[ast.stmt]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    firsts: list[int] = []
    for i, node in enumerate(body):
        line = _first_line(node)
        if not starts or line != starts[-1]:
            starts.append(line)
            firsts.append(i)
    return starts, firsts


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (each test a C-level compare)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid : len(a) - low] == b[len(b) - mid : len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low


def _line_start(text: str, offset: int, lines_up: int) -> int:
    """The offset of the start of the line `lines_up` lines above the one holding `offset`."""
    pos = text.rfind("\n", 0, offset)
    for _ in range(lines_up):
        pos = text.rfind("\n", 0, pos)
    return pos + 1


def _next_line_start(text: str, offset: int, lines_down: int) -> int:
    """The offset of the start of the line `lines_down` lines below the one holding `offset`."""
    pos = offset
    for _ in range(lines_down):
        pos = text.find("\n", pos) + 1
    return pos


def _splice(last: _Last, text: str) -> Parsed | None:
    old = last.text
    if text == old:
        return last.parsed
    if not last.starts:
        return None
    prefix = _common_prefix(old, text)
    suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
    old_end = len(old) - suffix  # the old text's changed characters are [prefix, old_end)
    first_line = old.count("\n", 0, prefix) + 1
    last_line = old.count("\n", prefix, max(prefix, old_end - 1)) + first_line
    starts = last.starts
    # The entries whose spans hold the changed lines; lines before the first statement
    # belong to the first entry's span.
    k1 = max(bisect.bisect_right(starts, first_line) - 1, 0)
    k2 = max(bisect.bisect_right(starts, last_line) - 1, 0)
    span_first = 1 if k1 == 0 else starts[k1]
    span_start = _line_start(old, prefix, first_line - span_first)
    # Walked a line at a time from the change: a span is one statement's lines or a few.
    changed_end = max(prefix, old_end - 1)
    while True:
        if k2 + 1 < len(starts):
            span_end_old = _next_line_start(old, changed_end, starts[k2 + 1] - last_line)
        else:
            span_end_old = len(old)
        span_end = span_end_old + len(text) - len(old)
        # The statements after the span must still start a line: not so when the edit
        # removed the line break before them (a comment above now runs into them).
        if span_end == len(text) or text[span_end - 1] == "\n":
            break
        k2 += 1
    source = text[span_start:span_end]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            new = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if span_first > 1:
        for node in new.body:
            ast.increment_lineno(node, span_first - 1)
    body = last.parsed.tree.body
    head = body[: last.firsts[k1]]
    tail = body[last.firsts[k2 + 1] :] if k2 + 1 < len(starts) else []
    moved = text.count("\n", span_start, span_end) - old.count("\n", span_start, span_end_old)
    if moved:
        for node in tail:
            ast.increment_lineno(node, moved)
    tree = ast.Module(body=head + new.body + tail, type_ignores=[])
    return Parsed(tree)
