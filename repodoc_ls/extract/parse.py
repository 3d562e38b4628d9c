"""One parser for every supported Python: the newest grammar, whatever the interpreter.

`ast.parse` first: where the running interpreter's grammar accepts a file, that is the
whole cost. Only when it rejects one do we look for the syntax a newer Python added
(PEP 695 type parameters and `type` statements, PEP 696 defaults, PEP 758 `except A, B:`,
PEP 701 f-strings and PEP 750 template strings (extract/fstrings.py), and on 3.10 PEP 654
`except*` and PEP 646 `*Ts` in subscripts), rewrite it in place into
what this interpreter parses, keeping every line and the column of every definition's
name, and parse again. If that fails too, the file has a real syntax error and the first
error is the one reported. The rewrite loses only what no fact records: type parameters,
and the parentheses an `except` gains.

A lowered `type X = v` becomes the assignment `X = v` at the column of `type`; the
statement positions listed in `Parsed.type_aliases` say which assignments were `type`
statements (on 3.12+ the tree holds `ast.TypeAlias` nodes instead).
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
import warnings
from dataclasses import dataclass, field

from .fstrings import lower_fstrings

_NAME, _OP = tokenize.NAME, tokenize.OP
_STATEMENT_START = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


@dataclass(slots=True)
class Parsed:
    tree: ast.Module
    #: (line, column) of the assignments that were `type X = v` statements before lowering
    type_aliases: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    lowered: bool = False  # the interpreter's grammar needed the rewrite


def parse_module(text: str, filename: str = "<unknown>") -> Parsed:
    """The module's tree; raises the interpreter's first SyntaxError for a real error.

    ValueError (null bytes), RecursionError and MemoryError pass through as ast.parse
    raises them.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return Parsed(ast.parse(text, filename=filename))
        except SyntaxError as error:
            first = error
        lowered = lower(text)
        if lowered is None:
            raise first
        source, aliases, stars = lowered
        try:
            tree = ast.parse(source, filename=filename)
        except SyntaxError:
            raise first from None
    if stars:
        _Restar(source.split("\n"), stars).visit(tree)
    return Parsed(tree, frozenset(aliases), lowered=True)


def lower(text: str) -> tuple[str, set[tuple[int, int]], set[tuple[int, int]]] | None:
    """The text rewritten for this interpreter's grammar, where `type` statements were and
    (on 3.10) where the stars of PEP 646 unpackings were, as (line, column); None when
    there is nothing this module knows how to rewrite."""
    strings = lower_fstrings(text, pep701=sys.version_info < (3, 12)) if sys.version_info < (3, 14) else None
    if strings is not None:
        text = strings
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    edits: list[tuple[int, int, int, str]] = []  # (row, start col, end col, replacement)
    aliases: set[tuple[int, int]] = set()
    old = sys.version_info < (3, 11)
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.type != _NAME or i + 2 >= n:
            continue
        after, second = tokens[i + 1], tokens[i + 2]
        word = tok.string
        if word in ("class", "def") and after.type == _NAME and second.string == "[":
            close = _matching(tokens, i + 2)
            if close is None:
                return None
            edits += _blank(tokens[i + 2].start, tokens[close].end)
        elif word == "type" and after.type == _NAME and second.string in ("[", "=") and _starts(tokens, i):
            if after.start[0] != tok.start[0]:
                return None
            row, col = tok.start
            # the name moves onto `type`, the rest of the line keeps its columns
            edits.append((row, col, after.end[1], after.string.ljust(after.end[1] - col)))
            aliases.add((row, col))
            if second.string == "[":
                close = _matching(tokens, i + 2)
                if close is None:
                    return None
                edits += _blank(second.start, tokens[close].end)
        elif word == "except":
            edits += _except(tokens, i, old)
    stars: set[tuple[int, int]] = set()
    if old:
        starred = _starred_subscripts(tokens)
        stars = {(row, col) for row, col, _, _ in starred}
        edits += starred
    if not edits:
        return None if strings is None else (text, aliases, stars)
    lines = text.split("\n")
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines), aliases, stars


def _starts(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """Whether token i begins a statement (a soft keyword counts only there)."""
    if i == 0:
        return True
    prev = tokens[i - 1]
    return prev.type in _STATEMENT_START or (prev.type == _OP and prev.string in (";", ":"))


def _matching(tokens: list[tokenize.TokenInfo], i: int) -> int | None:
    depth = 0
    for j in range(i, len(tokens)):
        s = tokens[j].string
        if tokens[j].type == _OP:
            if s in _OPEN:
                depth += 1
            elif s in _CLOSE:
                depth -= 1
                if depth == 0:
                    return j
        elif tokens[j].type == tokenize.NEWLINE:
            return None
    return None


def _blank(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int, int, str]]:
    """Edits turning the text from start to end into spaces, line breaks kept."""
    (row, col), (end_row, end_col) = start, end
    if row == end_row:
        return [(row, col, end_col, " " * (end_col - col))]
    # the brackets that joined the lines go, so backslashes join them (the end column is a
    # sentinel past any line's length)
    edits = [(row, col, sys.maxsize, " \\")]
    edits += [(r, 0, sys.maxsize, "\\") for r in range(row + 1, end_row)]
    edits.append((end_row, 0, end_col, " " * end_col))
    return edits


def _except(tokens: list[tokenize.TokenInfo], i: int, old: bool) -> list[tuple[int, int, int, str]]:
    """PEP 758: `except A, B:` gains parentheses; on 3.10, `except*` loses its star."""
    edits = []
    j = i + 1
    if tokens[j].type == _OP and tokens[j].string == "*":
        if old:
            edits.append((*tokens[j].start, tokens[j].end[1], " "))
        j += 1
    first, depth, comma, k = j, 0, False, j
    while k < len(tokens):
        t = tokens[k]
        if t.type == tokenize.NEWLINE:
            return edits
        if t.type == _OP:
            if t.string in _OPEN:
                depth += 1
            elif t.string in _CLOSE:
                depth -= 1
            elif depth == 0 and t.string == ",":
                comma = True
            elif depth == 0 and t.string == ":":
                break
        elif depth == 0 and t.type == _NAME and t.string == "as":
            return edits  # `except A, B as e` stays an error, as on 3.14
        k += 1
    else:
        return edits
    if comma and k > first and tokens[first].start[0] == tokens[k].start[0]:
        row = tokens[first].start[0]
        edits.append((row, tokens[k].start[1], tokens[k].start[1], ")"))
        edits.append((row, tokens[first].start[1], tokens[first].start[1], "("))
    return edits


def _starred_subscripts(tokens: list[tokenize.TokenInfo]) -> list[tuple[int, int, int, str]]:
    """PEP 646 on 3.10: `tuple[*Ts]` and `def f(*args: *Ts)` lose the star."""
    edits = []
    stack: list[bool] = []  # per open bracket: is it a subscript
    prev: tokenize.TokenInfo | None = None
    for t in tokens:
        if t.type == _OP:
            s = t.string
            if s in _OPEN:
                subscript = (
                    s == "["
                    and prev is not None
                    and (prev.type == _NAME or (prev.type == _OP and prev.string in (")", "]")))
                )
                stack.append(subscript)
            elif s in _CLOSE:
                if stack:
                    stack.pop()
            elif s == "*" and prev is not None and prev.type == _OP:
                in_subscript = bool(stack) and stack[-1] and prev.string in ("[", ",")
                annotation = prev.string == ":" and bool(stack) and not stack[-1]
                if in_subscript or annotation:
                    edits.append((*t.start, t.end[1], " "))
        prev = t
    return edits


class _Restar(ast.NodeTransformer):
    """Puts back, as `ast.Starred`, the PEP 646 stars the 3.10 lowering blanked: the
    expression right after a blanked star (`tuple[*Ts]`, `*args: *Ts`) is unpacked."""

    def __init__(self, lines: list[str], stars: set[tuple[int, int]]) -> None:
        # the tree counts columns in UTF-8 bytes; the expression starts one after the star
        self.after = {(row, len(lines[row - 1][:col].encode()) + 1) for row, col in stars}

    def starred(self, node: ast.expr) -> ast.expr:
        if (node.lineno, node.col_offset) not in self.after:
            return node
        new = ast.Starred(value=node, ctx=ast.Load())
        ast.copy_location(new, node)
        new.col_offset -= 1
        return new

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        items = node.slice
        if isinstance(items, ast.Tuple):
            items.elts = [self.starred(e) for e in items.elts]
        else:  # 3.11 parses `tuple[*Ts]` as a 1-tuple, which 3.10 would write `tuple[(*Ts,)]`
            node.slice = self.starred(items)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.generic_visit(node)
        if node.annotation is not None:
            node.annotation = self.starred(node.annotation)
        return node
