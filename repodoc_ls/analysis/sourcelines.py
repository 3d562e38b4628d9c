"""Where a name may be bound in a file, found from the shape of its lines, without parsing.

A module's variables, a class's attributes and `self.x` assignments can be anywhere in a
file of any size; a hover cannot parse it whole. These find the candidate lines by their
shape, outside (or inside) the line ranges of the file's definitions (its facts' symbols);
the caller parses just those statements (regions.py) where it needs their meaning.
All lines are 1-based.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from repodoc_ls.model import Symbol, SymbolKind

from .regions import Region

_FUNCS = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_DEFS = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)


def may_bind(text: str, name: str) -> bool:
    """Whether a line could bind `name` (for a line whose statement did not parse: a line of
    a docstring that mentions the name cannot, an assignment can)."""
    n = re.escape(name)
    return (
        re.search(
            rf"(?:^|[\s,(*]){n}\s*(?:[:,)\]]|[-+*/%&|^@<>]*=(?!=))|\bas\s+{n}\b|\bimport\b.*\b{n}\b"
            rf"|\bfor\b.*\b{n}\b.*\bin\b|\b(?:del|global|def|class)\b.*\b{n}\b|:=",
            text,
        )
        is not None
    )


def module_assignment(symbols: Sequence[Symbol], lines: Sequence[str], name: str) -> int | None:
    """The line of the first module-level statement that assigns `name` (outside every
    function and class): an assignment, a loop target or an `as` target."""
    pattern = re.compile(
        rf"^\s*(?:(?:async\s+)?for\s+[\w\s,()*]*\b{re.escape(name)}\b[\w\s,()*]*\s+in\b"
        rf"|(?:[\w\s,()*]*,\s*)?\(?\*?{re.escape(name)}\b[\w\s,()*]*(?::[^=]+)?=(?!=)"
        rf"|.*\bas\s+{re.escape(name)}\b)"
    )
    ranges = [(s.line, s.end_line) for s in symbols if s.kind in _DEFS]
    for i, text in enumerate(lines, 1):
        if name in text and pattern.match(text) and not any(a <= i <= b for a, b in ranges):
            return i
    return None


def global_assignment(symbols: Sequence[Symbol], lines: Sequence[str], name: str) -> int | None:
    """For a module variable only assigned inside functions that declare it `global`: the
    line of the first such assignment."""
    declared = re.compile(rf"^\s*global\s+(?:\w+\s*,\s*)*{re.escape(name)}\b")
    assigned = re.compile(rf"^\s*(?:[\w\s,()*]*,\s*)?\(?\*?{re.escape(name)}\b[\w\s,()*]*(?::[^=]+)?=(?!=)")
    for fn in (s for s in symbols if s.kind in _FUNCS):
        body = range(fn.line, min(fn.end_line, len(lines)) + 1)
        if not any(name in lines[i - 1] and declared.match(lines[i - 1]) for i in body):
            continue
        for i in body:
            if name in lines[i - 1] and assigned.match(lines[i - 1]):
                return i
    return None


def class_body_assignments(
    symbols: Sequence[Symbol], lines: Sequence[str], klass: Symbol, attr: str
) -> list[int]:
    """Lines where the class body itself (not a method or nested class) assigns `attr`:
    found by the line's shape, outside the ranges of the class's own definitions (the
    class may be thousands of lines long)."""
    pattern = re.compile(rf"^\s*{re.escape(attr)}\s*(?::[^=]+)?[-+*/%&|^@]?=(?!=)")
    last = min(klass.end_line, len(lines))
    found = [
        i for i in range(klass.line + 1, last + 1) if attr in lines[i - 1] and pattern.match(lines[i - 1])
    ]
    if not found:
        return []
    inner = [
        (s.line, s.end_line) for s in symbols if s.kind in _DEFS and klass.line < s.line <= klass.end_line
    ]
    return [i for i in found if not any(a <= i <= b for a, b in inner)]


def instance_assignments(lines: Sequence[str], klass: Symbol, attr: str) -> list[int]:
    """Lines in the class's code that bind `self.attr` (or `cls.attr`): plain and
    augmented assignments, and also tuple targets, loop targets and `as` targets (which
    `assigned_value` then reports as not plain)."""
    a = re.escape(attr)
    pattern = re.compile(
        rf"\b(?:self|cls)\.{a}\s*(?::[^=]+)?[-+*/%&|^@]?=(?!=)"
        rf"|\b(?:self|cls)\.{a}\s*[,)\]].*(?<![=!<>])=(?!=)"
        rf"|\bas\s+\(?(?:self|cls)\.{a}\b|\bfor\b.*\b(?:self|cls)\.{a}\b.*\bin\b"
    )
    return [
        i
        for i in range(klass.line, min(klass.end_line, len(lines)) + 1)
        if attr in lines[i - 1] and pattern.search(lines[i - 1])
    ]


def assigned_value(reg: Region, line: int, attr: str) -> ast.expr | tuple[str, ast.expr] | None:
    """The value node of the assignment to `attr` (`self.attr = v`, `attr = v` in a class
    body) on `line`, ("annotation", node) for `attr: T = v`, or None when it is not a
    plain one."""
    for node in ast.walk(reg.tree):
        if getattr(node, "lineno", None) != line:
            continue
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for t in targets:
            if (
                isinstance(t, ast.Attribute)
                and t.attr == attr
                and isinstance(t.value, ast.Name)
                and t.value.id in ("self", "cls")
            ) or (isinstance(t, ast.Name) and t.id == attr):
                if isinstance(node, ast.AnnAssign):
                    return ("annotation", node.annotation)
                return node.value
    return None
