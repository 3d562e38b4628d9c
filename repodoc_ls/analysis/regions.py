"""The parsed code a position can see, and which binding a name there reads.

A hover never parses a whole file (a generated module can be megabytes): it parses the
code the name under the cursor can see, the outermost function around it (a method does not
see its class body), else the innermost class, else the top-level statement, whose bounds
are guessed from column-0 lines and checked by `ast`. Parses are cached by text, so the
hovers of one function share one parse, and so do the scopes `scopes.collect` finds in it.

Every line in a region's tree is the file's own 1-based line: the chunk is parsed behind
blank lines (and behind the headers of the classes it sits in, which also give a method's
scope its class, as in the file), so no caller ever adds an offset.
"""

from __future__ import annotations

import ast
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from repodoc_ls.model import Symbol, SymbolKind

from .scopes import FUNCTION, LAMBDA, MODULE, Binding, Collected, Scope, collect
from .type_expressions import Type
from .types import Typer

_REGION_CACHE = 64
_TOP_SPAN = 200  # lines searched for the bounds of a top-level statement
_STATEMENT_SPAN = 30  # lines a statement parsed on its own may continue over
_PAD_PER_LINE, _PAD_ALWAYS = 100, 1000  # a region is padded to its line up to this many blank lines
_DEFS = (SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASS)


@dataclass(eq=False)
class Region:
    """One parsed function, class or top-level statement of file `path` (lines `first` to
    `last`), its tree numbered with the file's lines."""

    path: str
    tree: ast.Module
    first: int
    last: int
    _collected: Collected | None = field(default=None, repr=False)
    _load_scopes: dict[int, Scope] | None = field(default=None, repr=False)
    _typer: _RegionTyper | None = field(default=None, repr=False)

    @property
    def scopes(self) -> Collected:
        """The region's scope tree (analysis/scopes.py), made on first use."""
        if self._collected is None:
            self._collected = collect(self.tree)
        return self._collected

    def scope_of_load(self, node: ast.Name) -> Scope:
        """The scope whose code reads the Name load `node` (the module's when none records it)."""
        if self._load_scopes is None:
            self._load_scopes = {id(load): s for s in self.scopes.scopes for load in s.loads}
        return self._load_scopes.get(id(node), self.scopes.module)

    def value_type(self, node: ast.expr) -> Type | None:
        """The type expression of the value `node` (types.py's rules), for the index to
        evaluate across files; None when this region cannot know it."""
        if self._typer is None:
            self._typer = _RegionTyper(self)
        return self._typer.value(node, _scope_of_expression(self, node))


_regions: OrderedDict[tuple[str, int, int, int], Region | None] = OrderedDict()


def region_at(path: str, symbols: Sequence[Symbol], lines: Sequence[str], lineno: int) -> Region | None:
    """What a name on 1-based `lineno` can see: the outermost function around it, else the
    innermost class, else the top-level statement (`symbols` are the file's, from its
    facts). None when that code does not parse."""
    outer: Symbol | None = None
    inner_class: Symbol | None = None
    for s in symbols:
        if s.kind not in _DEFS or not s.line <= lineno <= s.end_line:
            continue
        if s.kind != SymbolKind.CLASS:
            if outer is None or (s.line, -s.end_line) < (outer.line, -outer.end_line):
                outer = s
        elif inner_class is None or (s.line, -s.end_line) > (inner_class.line, -inner_class.end_line):
            inner_class = s
    chosen = outer or inner_class
    if chosen is not None:
        # its enclosing definitions are classes (a function around it would be the region)
        return parse_region(path, lines, chosen.line, chosen.end_line, chosen.qualname.split(".")[:-1])
    bounds = top_statement(lines, lineno)
    return None if bounds is None else parse_region(path, lines, *bounds)


def parse_region(
    path: str, lines: Sequence[str], first: int, last: int, classes: Sequence[str] = (), cache: bool = True
) -> Region | None:
    """Lines `first` to `last` parsed, inside headers of the `classes` around them (outermost
    first); None when they do not parse."""
    chunk = lines[first - 1 : last]
    if not chunk:
        return None
    text = "\n".join(chunk)
    key = (path, first, last, hash(text))
    if cache and key in _regions:
        _regions.move_to_end(key)
        return _regions[key]
    indent = chunk[0][: len(chunk[0]) - len(chunk[0].lstrip(" \t"))]
    if not indent:
        headers: list[str] = []
    elif 0 < len(classes) <= len(indent):
        # each header indented by a prefix of the chunk's own indent: consistent tabs/spaces
        headers = [f"{indent[:i]}class {name}:" for i, name in enumerate(classes)]
    else:
        headers = ["if 1:"]  # a block indented under a statement (`if TYPE_CHECKING:`)
    found: Region | None = None
    shift = first - 1 - len(headers)
    if shift >= 0:
        # Blank lines cost the tokenizer ~25 ns each, renumbering the tree ~3 us per line of
        # code: deep in a huge file, a small region is renumbered rather than padded.
        pad = shift <= _PAD_PER_LINE * len(chunk) + _PAD_ALWAYS
        source = ("\n" * shift if pad else "") + "".join(h + "\n" for h in headers) + text
        try:
            tree = ast.parse(source)
            if not pad:
                ast.increment_lineno(tree, shift)
            found = Region(path, tree, first, last)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            found = None
    if cache:
        _regions[key] = found
        if len(_regions) > _REGION_CACHE:
            _regions.popitem(last=False)
    return found


def statement_region(path: str, lines: Sequence[str], line: int) -> Region | None:
    """The statement starting on 1-based `line`, parsed on its own (it may continue over
    the following lines)."""
    for last in range(line, min(len(lines), line + _STATEMENT_SPAN) + 1):
        found = parse_region(path, lines, line, last, cache=False)
        if found is not None:
            return found
    return None


def _starts_statement(text: str) -> bool:
    return bool(text) and text[0] not in " \t#)]}" and not re.match(r"(except|else|elif|finally)\b", text)


def top_statement(lines: Sequence[str], lineno: int) -> tuple[int, int] | None:
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


# -- positions ------------------------------------------------------------------------------


def node_at(
    reg: Region, lines: Sequence[str], lineno: int, start: int
) -> tuple[ast.AST | None, ast.AST | None]:
    """(node, parent) for the name starting at character `start` of 1-based `lineno`: an
    ast.Name, the `attr` of an ast.Attribute, or the `arg` of an ast.keyword."""
    text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    col = len(text[:start].encode("utf-8"))  # ast columns count UTF-8 bytes
    for parent in ast.walk(reg.tree):
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.Name):
                if child.lineno == lineno and child.col_offset == col:
                    return child, parent
            elif isinstance(child, ast.Attribute):
                if child.end_lineno == lineno and child.end_col_offset == col + len(
                    child.attr.encode("utf-8")
                ):
                    return child, parent
            elif isinstance(child, ast.keyword) and child.arg is not None:
                if child.lineno == lineno and child.col_offset == col:
                    return child, parent
    return None, None


def _inside(node: ast.AST, line: int, col: int) -> bool:
    start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    end = (getattr(node, "end_lineno", None) or start[0], getattr(node, "end_col_offset", None) or 0)
    return start <= (line, col) <= end


def _own_code_covers(scope: Scope, line: int, col: int) -> bool:
    """Whether (line, col) is in the code a scope runs itself: a function's parameter names
    and body (not its defaults, annotations or decorators), a class's body, a
    comprehension but its first iterable."""
    node = scope.node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = node.args
        names = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x is not None)]
        if any(p.lineno == line and p.col_offset <= col <= p.col_offset + len(p.arg) for p in names):
            return True
        body = node.body if isinstance(node.body, list) else [node.body]
        return any(_inside(stmt, line, col) for stmt in body)
    if isinstance(node, ast.ClassDef):
        return any(_inside(stmt, line, col) for stmt in node.body)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return _inside(node, line, col) and not _inside(node.generators[0].iter, line, col)
    return False


def scope_at(reg: Region, line: int, col: int, node: ast.AST | None = None) -> Scope:
    """The scope whose code is at (line, col) (a byte column): the one that records the Name
    load `node` when given, else the innermost whose own code covers the position."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return reg.scope_of_load(node)
    best, depth = reg.scopes.module, 0
    for scope in reg.scopes.scopes:
        if scope.kind == MODULE or not _own_code_covers(scope, line, col):
            continue
        d, s = 0, scope
        while s.parent is not None:
            d, s = d + 1, s.parent
        if d > depth:
            best, depth = scope, d
    return best


@dataclass(frozen=True)
class Bound:
    """Where the name a position reads is bound, inside the region: the scope that binds
    it, its first binding, and the statement that makes it (file lines)."""

    name: str
    scope: Scope
    first: Binding
    statement: ast.stmt | None
    parameter: ast.arg | None  # the scope's own parameter of that name

    @property
    def line(self) -> int:
        if self.parameter is not None:
            return self.parameter.lineno
        return self.statement.lineno if self.statement is not None else self.first.line


def binding_at(reg: Region, name: str, line: int, col: int, node: ast.AST | None = None) -> Bound | None:
    """The binding `name` read at (line, col) (a byte column) resolves to, by Python's
    rules, when a function, lambda, comprehension or class scope of the region makes it;
    None for the module's globals and builtins (and for names a scope declares `global`).
    `node`, the Name at that position when the caller has it, places a load exactly."""
    scope = scope_at(reg, line, col, node)
    owner = scope.resolve(name, line, col)
    if owner is None:
        return None
    bindings = owner.bindings.get(name)
    if not bindings:
        return None
    first = min(bindings, key=lambda b: (b.line, b.col))
    return Bound(name, owner, first, statement_at(reg, first.line, first.col), parameter_of(owner, name))


def parameter_of(scope: Scope, name: str) -> ast.arg | None:
    """The parameter `name` of a function or lambda scope."""
    node = scope.node
    if scope.kind not in (FUNCTION, LAMBDA) or not isinstance(
        node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    ):
        return None
    a = node.args
    for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
        if p is not None and p.arg == name:
            return p
    return None


def statement_at(reg: Region, line: int, col: int) -> ast.stmt | None:
    """The innermost statement of the region covering (line, col)."""
    found: ast.stmt | None = None
    children: list[ast.AST] = list(reg.tree.body)
    while children:
        nxt: list[ast.AST] = []
        for child in children:
            if isinstance(child, ast.stmt) and _inside(child, line, col):
                found = child
            elif not isinstance(child, (ast.excepthandler, ast.match_case)) or not _inside_block(child, line):
                continue
            nxt = [
                c
                for c in ast.iter_child_nodes(child)
                if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case))
            ]
            break
        children = nxt
    return found


def _inside_block(node: ast.excepthandler | ast.match_case, line: int) -> bool:
    """Whether `line` is in an except clause or a match case (which are no statements)."""
    if isinstance(node, ast.match_case):
        first: int = node.pattern.lineno
        last: int = node.body[-1].end_lineno or first
    else:
        first = node.lineno
        last = node.end_lineno or first
    return first <= line <= last


class _RegionTyper(Typer):
    """types.py's rules on a region, which holds only part of its module and of the classes
    a method sits in: what those parts bind elsewhere is unknown here, so a module-level
    binding, or an attribute of a class only partly in the region, is never typed from
    what the region alone shows (the root name is left to the index, or nothing is)."""

    def __init__(self, reg: Region) -> None:
        super().__init__(reg.scopes)
        self.first = reg.first

    def bound(self, owner: Scope, name: str, depth: int) -> Type | None:
        if owner.kind == MODULE:
            return None
        return super().bound(owner, name, depth)

    def instance_attribute(self, class_qualname: str, attr: str, depth: int) -> Type | None | bool:
        klass = self.class_scope(class_qualname)
        if klass is not None and getattr(klass.node, "lineno", 0) < self.first:
            return None  # a class header around a method: the class's other code is not here
        return super().instance_attribute(class_qualname, attr, depth)


def _scope_of_expression(reg: Region, node: ast.expr) -> Scope:
    """The scope an expression is evaluated in, told by the name at its root when it has one."""
    root: ast.AST = node
    while True:
        if isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        elif isinstance(root, ast.Call):
            root = root.func
        else:
            break
    return scope_at(reg, getattr(root, "lineno", 0), getattr(root, "col_offset", 0), root)
