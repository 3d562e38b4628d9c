"""The parsed code around a position, and what binds a name in it (for infer.py).

A hover parses only what the name under the cursor can see: the outermost function around
it (a method does not see its class body), else the innermost class, else the top-level
statement, whose bounds are guessed from column-0 lines and checked by `ast`. Parses are
cached by text, so the hovers of one function share one parse.
"""

from __future__ import annotations

import ast
import re
from collections import OrderedDict
from dataclasses import dataclass

from repodoc_ls.model import Symbol, SymbolKind

_REGION_CACHE = 64
_TOP_SPAN = 200  # lines searched for the bounds of a top-level statement
DEFS = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
UNKNOWN = object()


@dataclass
class Region:
    """The parsed code around a position: one function, class or top-level statement."""

    path: str
    tree: ast.Module
    offset: int  # file line = tree line + offset


_regions: OrderedDict[tuple, Region | None] = OrderedDict()


def region(path: str, facts, lines: list[str], lineno: int) -> Region | None:
    """Parse what a name at 1-based `lineno` can see: the outermost function around it (a
    method's code does not see its class body), else the innermost class, else the
    top-level statement. None when that code does not parse."""
    funcs = [
        s
        for s in facts.symbols
        if s.kind != SymbolKind.CLASS and s.kind in DEFS and s.line <= lineno <= s.end_line
    ]
    classes = [s for s in facts.symbols if s.kind == SymbolKind.CLASS and s.line <= lineno <= s.end_line]
    if funcs:
        outer = min(funcs, key=lambda s: (s.line, -s.end_line))
        first, last = outer.line, outer.end_line
    elif classes:
        inner = max(classes, key=lambda s: (s.line, -s.end_line))
        first, last = inner.line, inner.end_line
    else:
        bounds = top_statement(lines, lineno)
        if bounds is None:
            return None
        first, last = bounds
    return parse(path, lines, first, last)


def parse(path: str, lines: list[str], first: int, last: int, cache: bool = True) -> Region | None:
    chunk = lines[first - 1 : last]
    if not chunk:
        return None
    text = "\n".join(chunk)
    key = (path, first, last, hash(text))
    if key in _regions:
        _regions.move_to_end(key)
        return _regions[key]
    offset = first - 1
    if chunk[0][:1] in (" ", "\t"):
        text = "if 1:\n" + text  # an indented block parses inside another block
        offset -= 1
    try:
        found = Region(path, ast.parse(text), offset)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        found = None
    if not cache:
        return found
    _regions[key] = found
    if len(_regions) > _REGION_CACHE:
        _regions.popitem(last=False)
    return found


def _starts_statement(text: str) -> bool:
    return bool(text) and text[0] not in " \t#)]}" and not re.match(r"(except|else|elif|finally)\b", text)


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


def top_statement(lines: list[str], lineno: int) -> tuple[int, int] | None:
    """Bounds of the top-level statement covering `lineno`: from the nearest line that
    starts one at column 0 to the line before the next (a guess that `ast` then checks)."""
    first = next(
        (i for i in range(lineno, max(0, lineno - _TOP_SPAN), -1) if _starts_statement(lines[i - 1])), None
    )
    if first is None:
        return None
    last = min(len(lines), lineno + _TOP_SPAN)
    for j in range(lineno + 1, min(len(lines), lineno + _TOP_SPAN) + 1):
        if _starts_statement(lines[j - 1]):
            last = j - 1
            break
    return first, last


# -- the node at a position --------------------------------------------------------------------


def node_at(reg: Region, lines: list[str], lineno: int, start: int):
    """(node, parent) for the name starting at character `start` of 1-based `lineno`: an
    ast.Name, the `attr` of an ast.Attribute, or the `arg` of an ast.keyword."""
    text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    col = len(text[:start].encode("utf-8"))  # ast columns count UTF-8 bytes
    line = lineno - reg.offset
    for parent in ast.walk(reg.tree):
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.Name):
                if child.lineno == line and child.col_offset == col:
                    return child, parent
            elif isinstance(child, ast.Attribute):
                if child.end_lineno == line and child.end_col_offset == col + len(child.attr.encode("utf-8")):
                    return child, parent
            elif isinstance(child, ast.keyword) and child.arg is not None:
                if child.lineno == line and child.col_offset == col:
                    return child, parent
    return None, None


def end_line(node: ast.stmt | ast.expr) -> int:
    """The last tree line of a parsed node."""
    assert node.end_lineno is not None, "ast.parse sets end_lineno on every node it makes"
    return node.end_lineno


def scope_chain(tree: ast.AST, line: int) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda]:
    """Function scopes around tree line `line`, innermost first. A function's decorators
    and signature lines are not inside it (they are evaluated in the enclosing scope)."""
    chain: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] = []
    node = tree
    while True:
        inner = None
        for child in ast.iter_child_nodes(node):
            first = getattr(child, "lineno", None)
            if first is None:
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.body:
                first = child.body[0].lineno if child.body[0].lineno > child.lineno else child.lineno
            if first <= line <= (getattr(child, "end_lineno", None) or first):
                inner = child
                break
        if inner is None:
            return chain[::-1]
        if isinstance(inner, SCOPES):
            chain.append(inner)
        node = inner


def scope_nodes(scope):
    """The nodes of a scope's own code (nested functions, classes, lambdas and
    comprehensions excluded; their defaults, decorators and bases included)."""
    stack = list(scope.body) if isinstance(scope.body, list) else [scope.body]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                stack.extend(node.bases)
                stack.extend(node.keywords)
            else:
                stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
        elif isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(node.generators[0].iter)
        else:
            stack.extend(ast.iter_child_nodes(node))


def bindings(scope, name: str):
    """The values assigned to `name` in `scope` (a function, or a module or class body given
    as an object with `body`): [] when it binds nothing there, a list of value nodes (or
    ("annotation", node)), or UNKNOWN when some binding is not a plain assignment."""
    values: list[ast.expr | tuple[str, ast.expr]] = []
    simple: set[int] = set()  # ids of the Name targets of plain assignments
    for node in scope_nodes(scope):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return UNKNOWN
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values.append(node.value)
            simple.update(id(t) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            values.append(("annotation", node.annotation))
            simple.add(id(node.target))
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
            if id(node) not in simple:
                return UNKNOWN  # a loop target, a tuple target, a walrus, del
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return UNKNOWN
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name.split(".")[0]) == name for a in node.names
        ):
            return UNKNOWN
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name == name:
            return UNKNOWN
        elif isinstance(node, ast.MatchMapping) and node.rest == name:
            return UNKNOWN
    return values


def param(fn, name: str):
    """The ast.arg of `fn` named `name`, and whether it is the first positional one."""
    a = fn.args
    positional = a.posonlyargs + a.args
    for i, arg in enumerate(positional + a.kwonlyargs):
        if arg.arg == name:
            return arg, i == 0
    for arg in (a.vararg, a.kwarg):
        if arg is not None and arg.arg == name:
            return arg, False
    return None, False


def assigned_value(reg: Region, line: int, attr: str):
    """The value node of the assignment to `attr` (`self.attr = v`, `attr = v` in a class
    body, or `attr: T = v`) on tree line `line`, or None when it is not a plain one."""
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
                return ("annotation", node.annotation) if isinstance(node, ast.AnnAssign) else node.value
    return None


def class_body_assignments(facts, lines: list[str], klass: Symbol, attr: str) -> list[int]:
    """1-based lines where the class body itself (not a method or nested class) assigns
    `attr`: found by the line's shape, outside the ranges of the class's own definitions
    (no parse: the class may be thousands of lines long)."""
    pattern = re.compile(rf"^\s*{re.escape(attr)}\s*(?::[^=]+)?[-+*/%&|^@]?=(?!=)")
    last = min(klass.end_line, len(lines))
    found = [
        i for i in range(klass.line + 1, last + 1) if attr in lines[i - 1] and pattern.match(lines[i - 1])
    ]
    if not found:
        return []
    inner = [
        (s.line, s.end_line)
        for s in facts.symbols
        if s.kind in DEFS and klass.line < s.line <= klass.end_line
    ]
    return [i for i in found if not any(a <= i <= b for a, b in inner)]


def instance_assignments(lines: list[str], klass: Symbol, attr: str) -> list[int]:
    """1-based lines in the class's code that bind `self.attr` (or `cls.attr`): plain and
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


def statement(path: str, lines: list[str], line: int, span: int = 30) -> Region | None:
    """The statement starting on 1-based `line`, parsed on its own (it may continue over
    the following lines)."""
    for last in range(line, min(len(lines), line + span) + 1):
        found = parse(path, lines, line, last, cache=False)
        if found is not None:
            return found
    return None
