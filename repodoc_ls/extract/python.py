"""Facts of one Python file from CPython's `ast`, in a single pass over the tree.

`extract_python(path, data)` is a pure function of the relative posix path and the bytes;
it never raises. Syntax errors fall back to parso's error recovery for the outline.
Cost contract: about 2x `ast.parse` of the same file, so statements are walked recursively
(they carry scope, `try` and `TYPE_CHECKING` context) and expressions iteratively with an
explicit stack (no recursion limit on deep expressions, no per-node call).
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from repodoc_ls.analysis import analyze
from repodoc_ls.analysis.nodes import FIELDS as _FIELDS
from repodoc_ls.analysis.nodes import LOAD as _LOAD
from repodoc_ls.analysis.nodes import Node as _Node
from repodoc_ls.model import FileFacts, FileKind, Import, Note, NoteKind, Symbol, SymbolKind

from . import attributes as A
from . import deprecations, pycalls
from . import pynotes as P
from .parse import parse_module
from .pytests import find_tests
from .reparse import Reparser

MAX_BYTES = 8 * 1024 * 1024

_MODULE, _CLASS, _FUNCTION = 0, 1, 2
_Name, _Attribute, _Constant, _Call = ast.Name, ast.Attribute, ast.Constant, ast.Call
_FunctionDef, _AsyncFunctionDef = ast.FunctionDef, ast.AsyncFunctionDef


def extract_python(path: str, data: bytes, reparser: Reparser | None = None) -> FileFacts:
    """All facts of one Python source file; never raises. A `reparser` parses again only
    what changed since the text it parsed last for `path`."""
    try:
        return _extract(path, data, reparser)
    except Exception as exc:  # the contract: a note, never a crash
        detail = f"extractor failed: {type(exc).__name__}: {exc}"[:200]
        try:
            kind = _kind(path.rpartition("/")[2], None, False)
            size = len(data)
        except Exception:
            kind, size = FileKind.MODULE, 0
        return FileFacts(path=str(path), kind=kind, size=size, notes=[Note(NoteKind.MALFORMED, 0, detail)])


def _is_test_name(base: str) -> bool:
    return (base.startswith("test_") and base.endswith(".py")) or base.endswith("_test.py")


def _kind(base: str, shebang: str | None, has_tests: bool) -> str:
    if base.endswith(".pyi"):
        return FileKind.STUB
    if base == "__init__.py":
        return FileKind.PACKAGE_INIT
    if _is_test_name(base) or has_tests:
        return FileKind.TEST_MODULE
    if shebang is not None or base == "__main__.py":
        return FileKind.SCRIPT
    return FileKind.MODULE


def _decode(data: bytes) -> tuple[str, str] | tuple[None, Note]:
    """(encoding, text) or (None, Note) when the bytes are not text in a known encoding."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, Note(NoteKind.ENCODING, getattr(exc, "lineno", None) or 1, str(exc)[:200])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Note(NoteKind.ENCODING, line, f"cannot decode as {encoding}: {exc.reason}")
    except LookupError as exc:
        return None, Note(NoteKind.ENCODING, 1, str(exc)[:200])
    if text.startswith("\ufeff"):
        text = text[1:]
    return encoding, text


def _extract(path: str, data: bytes, reparser: Reparser | None) -> FileFacts:
    base = path.rpartition("/")[2]
    size = len(data)
    decoded = _decode(data)
    if decoded[0] is None:
        return FileFacts(path=path, kind=FileKind.BINARY, size=size, notes=[decoded[1]])
    encoding, text = decoded
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    nlines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    shebang = text.partition("\n")[0] if text.startswith("#!") else None
    facts = FileFacts(
        path=path,
        kind=_kind(base, shebang, False),
        size=size,
        lines=nlines,
        encoding=encoding,
        shebang=shebang,
    )
    if size > MAX_BYTES:
        facts.notes.append(
            Note(NoteKind.TOO_LARGE, 0, f"{size} bytes, over the {MAX_BYTES} byte limit: not parsed")
        )
        return facts
    lines = text.split("\n")
    todo = P.todo_candidates(text)
    error = None
    try:
        parsed = parse_module(text, filename=path) if reparser is None else reparser.parse(path, text)
    except (SyntaxError, ValueError) as exc:  # ValueError: null bytes in some versions
        line = getattr(exc, "lineno", None) or 0
        nul = text.find("\0") if not line else -1
        if nul >= 0:
            line = text.count("\n", 0, nul) + 1
        error = Note(NoteKind.SYNTAX_ERROR, line, f"SyntaxError: {getattr(exc, 'msg', exc)}")
    except (RecursionError, MemoryError) as exc:
        error = Note(NoteKind.SYNTAX_ERROR, 0, f"SyntaxError: {type(exc).__name__}: {exc}")
    if error is not None:
        return _recover(facts, text, error, todo, base)

    tree = parsed.tree
    analysis = analyze(tree)
    w = _Walker(lines, todo, analysis.local_loads, parsed.type_aliases)
    facts.typed_uses, facts.self_returning = analysis.typed_uses, analysis.self_returning
    facts.value_types = analysis.value_types
    facts.docstring = P.docstring(tree)
    if facts.docstring and "deprecated::" in facts.docstring:
        w.notes += deprecations.docstring_deprecations(tree, "")
    w.body(tree.body)
    facts.imports = w.imports
    facts.symbols = A.drop_shadowed(w.symbols, {i.bound_name for i in w.imports if i.name != "*"})
    facts.uses = {k: sorted(set(v)) for k, v in sorted(w.uses.items())}
    notes = w.notes
    # Only a bare `open(...)`, `eval(...)` or `exec(...)` asks whether the file rebinds the
    # name, and finding the rebindings scans the text.
    bare = any(type(c.func) is _Name and c.func.id in pycalls.BUILTINS for c, _ in w.calls)
    bound = _bound_builtins(w.symbols, text) if bare else set()
    notes += pycalls.notes_for(w.calls, w.imports, bound, lines)
    if todo:
        notes += P.todo_notes(todo, w.mstrings or ())
    notes.sort(key=lambda n: n.line)
    facts.notes = notes
    facts.all_names, facts.all_line, facts.main_guard = w.all_names, w.all_line, w.main_guard
    if w.click_imported:
        w.cli += [("click", line) for line in w.click_lines]
    facts.cli = sorted(w.cli, key=lambda c: c[1])
    facts.tests = find_tests(facts.symbols, _is_test_name(base), tree=tree)
    if facts.tests:
        facts.kind = _kind(base, shebang, True)
    return facts


def _recover(facts: FileFacts, text: str, error: Note, todo: list[tuple[int, str]], base: str) -> FileFacts:
    facts.notes.append(error)
    try:
        facts.docstring, facts.symbols, facts.imports = P.parso_recover(text)
    except Exception as exc:  # parso failing too leaves the file with its notes
        facts.notes.append(Note(NoteKind.MALFORMED, 0, f"recovery failed: {exc}"[:200]))
    seen = set()
    for imp in facts.imports:
        if imp.level == 0:
            mods = [imp.module] if imp.name is None else [imp.module, imp.module + "." + imp.name]
            for kind, target in P.import_note_kinds(mods):
                if (kind, imp.line) not in seen:
                    seen.add((kind, imp.line))
                    facts.notes.append(Note(kind, imp.line, imp.written, target))
    facts.notes += P.todo_notes(todo, ())
    facts.notes.sort(key=lambda n: n.line)
    facts.tests = find_tests(facts.symbols, _is_test_name(base))
    if facts.tests:
        facts.kind = _kind(base, facts.shebang, True)
    return facts


def _bound_builtins(symbols: list[Symbol], text: str) -> set[str]:
    """The builtins with notes (`open`, `eval`, `exec`) the file may rebind: by a function
    or class of that name, an assignment, or a parameter."""
    bound = {s.name for s in symbols if s.name in pycalls.BUILTINS and s.kind != SymbolKind.METHOD}
    # The pattern starts with no literal the regex engine could skip ahead to, so it is
    # tried at every position: run over the whole text it cost a twentieth of extraction.
    # A match never spans lines, so it is run over just the lines holding one of the names
    # (from the start of each line, as `^` wants; the matches are the same).
    starts = set()
    for name in pycalls.BUILTINS:
        i = text.find(name)
        while i >= 0:
            starts.add(text.rfind("\n", 0, i) + 1)
            i = text.find(name, i + 1)
    for start in starts:
        end = text.find("\n", start)
        for m in _REBIND_RE.finditer(text, start, len(text) if end < 0 else end):
            bound.add(m.group(1))
    return bound


_REBIND_RE = re.compile(r"(?:^|[(,*])[ \t]*(open|eval|exec)\b[ \t]*(?::|=(?!=)|,|\))", re.M)


def _end_line(node: ast.stmt) -> int:
    # ast.parse sets every end position; typeshed allows None for trees built by hand.
    return node.lineno if node.end_lineno is None else node.end_lineno


_Definition: TypeAlias = "ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef"
if sys.version_info >= (3, 11):
    _TryStatement: TypeAlias = "ast.Try | ast.TryStar"
else:  # pragma: no cover
    _TryStatement: TypeAlias = "ast.Try"


class _Walker:
    def __init__(
        self,
        lines: list[str],
        todo: list[tuple[int, str]],
        local_loads: set[int],
        type_aliases: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.lines = lines
        self.local_loads = local_loads  # names bound in a function or class: not module uses
        self.type_aliases = type_aliases  # lowered `type X = v` statements (extract/parse.py)
        self.shape: A.ClassShape | None = None  # of the class whose body is being walked
        self.instance_attributes: list[Symbol] = []  # of that class, from its `__init__`
        self.symbols: list[Symbol] = []
        self.imports: list[Import] = []
        self.uses: defaultdict[str, list[int]] = defaultdict(list)
        self.notes: list[Note] = []
        self.cli: list[tuple[str, int]] = []
        self.calls: list[pycalls.Candidate] = []  # calls that may be to an API with a note
        self.func: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # the enclosing one
        self.guards: list[ast.expr] = []  # the tests of the `if`s around, in self.func
        self.click_lines: list[int] = []
        self.click_imported = False
        self.prefix = ""
        self.parent: str | None = None
        self.scope = _MODULE
        self.in_func = False
        self.in_try = 0
        self.tc = 0
        self.constants: set[str] = set()
        self.all_names: list[str] | None = None
        self.all_line = 0
        self.main_guard = 0
        # multi-line string spans (first line, last line), wanted for TODOs only
        self.mstrings: list[tuple[int, int]] | None = [] if todo else None

    # --- statements ---------------------------------------------------------------------

    def body(self, stmts: Sequence[ast.stmt]) -> None:
        dispatch = _DISPATCH
        for st in stmts:
            dispatch.get(type(st), _Walker.stmt)(self, st)

    def stmt(self, node: ast.AST) -> None:
        for name, is_list in _FIELDS[type(node)]:
            v = getattr(node, name)
            if is_list:
                if v:
                    first = type(v[0])
                    if issubclass(first, ast.stmt):
                        self.body(v)
                    elif first is ast.ExceptHandler:
                        for h in v:
                            if h.type is not None:
                                self.exprs([h.type])
                            self.body(h.body)
                    elif first is ast.match_case:
                        for c in v:
                            self.exprs([c.pattern] if c.guard is None else [c.pattern, c.guard])
                            self.body(c.body)
                    else:
                        self.exprs(list(v))
            elif v is not None:
                self.exprs([v])

    def value_stmt(self, node: ast.Expr | ast.Return) -> None:  # one expression
        v = node.value
        if v is not None:
            if self.scope == _MODULE and type(v) is _Call:
                self.all_call(v)
            self.exprs([v])

    def col(self, node: _Definition) -> int:
        line = self.lines[node.lineno - 1]
        c = P.char_col(line, node.col_offset)
        m = P.DEF_RE.match(line, c)
        return m.end() if m else c

    def decorators(self, decos: list[ast.expr], qual: str) -> list[str]:
        texts = [P.text(d) for d in decos]
        for d, t in zip(decos, texts, strict=True):
            callee = t.partition("(")[0]
            if callee in P.CACHE_DECORATORS:
                self.notes.append(Note(NoteKind.CACHE, d.lineno, f"@{P.shorten(t, 80)} on {qual}"))
            elif callee.rpartition(".")[2] == "deprecated":
                self.notes.append(Note(NoteKind.DEPRECATION, d.lineno, f"@{P.shorten(t, 80)} on {qual}"))
            elif callee in ("click.command", "click.group") or (
                callee in ("command", "group") and type(d) is _Call
            ):
                self.click_lines.append(d.lineno)
        self.exprs(list(decos))
        return texts

    def enter(self, node: _Definition, qual: str, scope: int, in_func: bool) -> None:
        saved = self.prefix, self.parent, self.scope, self.in_func
        self.prefix, self.parent, self.scope, self.in_func = qual + ".", qual, scope, in_func
        self.body(node.body)
        self.prefix, self.parent, self.scope, self.in_func = saved

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qual = self.prefix + node.name
        decos = node.decorator_list
        doc = P.docstring(node)
        sym = Symbol(
            node.name,
            qual,
            SymbolKind.METHOD if self.scope == _CLASS else SymbolKind.FUNCTION,
            node.lineno,
            _end_line(node),
            self.col(node),
            self.parent,
            self.in_func,
            type(node) is _AsyncFunctionDef,
            P.signature(node.args, node.returns),
            [],
            [],
            doc,
        )
        self.symbols.append(sym)
        if decos:
            sym.decorators = self.decorators(decos, qual)
        if doc and "deprecated::" in doc:
            self.notes += deprecations.docstring_deprecations(node, qual)
        # values of a class local to a function are no API: they are left out
        if self.scope == _CLASS and node.name == "__init__" and self.parent is not None and not self.in_func:
            self.instance_attributes = A.instance_attributes(self.lines, node, self.parent, False)
        self.exprs([node.args] if node.returns is None else [node.args, node.returns])
        saved, self.func, saved_guards, self.guards = self.func, node, self.guards, []
        self.enter(node, qual, _FUNCTION, True)
        self.func, self.guards = saved, saved_guards

    def klass(self, node: ast.ClassDef) -> None:
        qual = self.prefix + node.name
        doc = P.docstring(node)
        bases = [P.text(b) for b in node.bases]
        for k in node.keywords:
            bases.append(f"{k.arg}={P.text(k.value)}" if k.arg else f"**{P.text(k.value)}")
        sym = Symbol(
            node.name,
            qual,
            SymbolKind.CLASS,
            node.lineno,
            _end_line(node),
            self.col(node),
            self.parent,
            self.in_func,
            False,
            None,
            [],
            bases,
            doc,
        )
        self.symbols.append(sym)
        if node.decorator_list:
            sym.decorators = self.decorators(node.decorator_list, qual)
        if doc and "deprecated::" in doc:
            self.notes += deprecations.docstring_deprecations(node, qual)
        if node.bases or node.keywords:
            self.exprs([*node.bases, *(k.value for k in node.keywords)])
        saved = self.shape, self.instance_attributes
        self.shape, self.instance_attributes = A.ClassShape(sym), []
        start = len(self.symbols)
        self.enter(node, qual, _CLASS, self.in_func)
        if self.instance_attributes:
            members = {s.qualname for s in self.symbols[start:]}
            self.symbols += [a for a in self.instance_attributes if a.qualname not in members]
            self.symbols[start:] = sorted(self.symbols[start:], key=lambda s: (s.line, s.col))
        self.shape, self.instance_attributes = saved

    def import_(self, node: ast.Import | ast.ImportFrom) -> None:
        line, tc, tr = node.lineno, self.tc > 0, self.in_try > 0
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
            self.imports += [Import(a.name, None, a.asname, 0, line, tc, tr) for a in node.names]
        else:
            module, level = node.module or "", node.level or 0
            mods = [] if level else [module] + [module + "." + a.name for a in node.names]
            self.imports += [Import(module, a.name, a.asname, level, line, tc, tr) for a in node.names]
        if mods:
            for kind, target in P.import_note_kinds(mods):
                self.notes.append(Note(kind, line, P.snippet(self.lines, node), target))
            if not self.click_imported:
                self.click_imported = any(m == "click" or m.startswith("click.") for m in mods)

    def if_(self, node: ast.If) -> None:
        test = node.test
        if type(test) is ast.Compare and not self.main_guard and self.scope == _MODULE:
            if _is_main_guard(test):
                self.main_guard = node.lineno
        self.exprs([test])
        if self.func is not None:
            self.guards.append(test)  # a deprecation warning under it may be a parameter's
        if (type(test) is _Name and test.id == "TYPE_CHECKING") or (
            type(test) is _Attribute and test.attr == "TYPE_CHECKING"
        ):
            self.tc += 1
            self.body(node.body)
            self.tc -= 1
        else:
            self.body(node.body)
        self.body(node.orelse)
        if self.func is not None:
            self.guards.pop()

    def try_(self, node: _TryStatement) -> None:
        self.in_try += 1
        self.body(node.body)
        for h in node.handlers:
            if h.type is not None:
                self.exprs([h.type])
            self.body(h.body)
        self.body(node.orelse)
        self.body(node.finalbody)
        self.in_try -= 1

    def assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        if self.scope == _MODULE:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if type(target) is _Name:
                        self.module_name(target, node.value, node)
            elif isinstance(node, ast.AnnAssign):
                if node.value is not None and type(node.target) is _Name:
                    self.module_name(node.target, node.value, node)
            elif type(node.target) is _Name and node.target.id == "__all__" and type(node.op) is ast.Add:
                self.extend_all(node.value)
        elif self.scope == _CLASS and not self.in_func and not isinstance(node, ast.AugAssign):
            self.class_name(node)
        self.stmt(node)

    def class_name(self, node: ast.Assign | ast.AnnAssign) -> None:
        assert self.shape is not None  # set by klass() for the body it walks
        for sym in A.class_values(self.lines, node, self.shape, self.prefix, self.parent, self.in_func):
            if sym.qualname not in self.constants:
                self.constants.add(sym.qualname)
                self.symbols.append(sym)

    def type_alias(self, node: Any) -> None:  # ast.TypeAlias, Python 3.12+
        if self.scope == _MODULE and type(node.name) is _Name:
            self.module_name(node.name, node.value, node)
        self.stmt(node)

    def module_name(self, target: ast.Name, value: ast.expr, node: ast.stmt) -> None:
        name = target.id
        if name == "__all__":
            names = _str_list(value)
            if not self.all_line:
                self.all_line = node.lineno
            self.all_names = names
        elif name not in self.constants:
            self.constants.add(name)
            self.symbols.append(A.module_value(self.lines, target, value, node, self.type_aliases))

    def all_call(self, call: ast.Call) -> None:
        f = call.func
        if (
            type(f) is _Attribute
            and f.attr in ("extend", "append")
            and type(f.value) is _Name
            and f.value.id == "__all__"
            and len(call.args) == 1
        ):
            if f.attr == "extend":
                self.extend_all(call.args[0])
            elif self.all_names is not None:
                arg = call.args[0]
                if type(arg) is _Constant and type(arg.value) is str:
                    self.all_names.append(arg.value)
                else:
                    self.all_names = None

    def extend_all(self, value: ast.expr) -> None:
        if self.all_names is not None:
            more = _str_list(value)
            self.all_names = None if more is None else self.all_names + more

    def call_facts(self, call: ast.Call) -> None:
        before = len(self.notes)
        P.call_facts(call, self.lines, self.notes, self.cli)
        if len(self.notes) > before and self.func is not None:
            note = self.notes[-1]  # a deprecation warning: say what it is about
            note.detail = (
                deprecations.warning_subject(self.func, self.parent or "", self.guards) + note.detail
            )

    # --- expressions --------------------------------------------------------------------

    def exprs(self, stack: list[_Node]) -> None:
        """Record uses and call facts for every node under the nodes in `stack`."""
        uses = self.uses
        local = self.local_loads
        fields = _FIELDS
        mstrings = self.mstrings
        call_names, call_attrs, leaves = P.CALL_NAMES, P.CALL_ATTRS, pycalls.LEAVES
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            if type(node) is _Name:
                if node.ctx is _LOAD and id(node) not in local:
                    uses[node.id].append(node.lineno)
            elif type(node) is _Constant:
                end = node.end_lineno
                if mstrings is not None and end != node.lineno and end is not None:
                    mstrings.append((node.lineno, end))
            elif type(node) is _Attribute:
                v = node.value
                if node.ctx is not _LOAD:
                    push(v)
                    continue
                if type(v) is _Name:
                    if id(v) in local:
                        continue
                    root, line = v.id, node.lineno
                    uses[root].append(line)
                    if root != "self" and root != "cls":
                        uses[root + "." + node.attr].append(line)
                elif type(v) is _Attribute:
                    parts = [node.attr]
                    while type(v) is _Attribute:
                        parts.append(v.attr)
                        v = v.value
                    if type(v) is _Name:
                        if id(v) in local:
                            continue
                        root, line = v.id, node.lineno
                        uses[root].append(line)
                        if root != "self" and root != "cls":
                            parts.append(root)
                            parts.reverse()
                            uses[".".join(parts)].append(line)
                    else:
                        push(v)
                else:
                    push(v)
            elif type(node) is _Call:
                f = node.func
                if type(f) is _Name:
                    if f.id in call_names:
                        self.call_facts(node)
                    if f.id in leaves:
                        self.calls.append((node, self.func))
                elif type(f) is _Attribute:
                    if f.attr in call_attrs:
                        self.call_facts(node)
                    if f.attr in leaves:
                        self.calls.append((node, self.func))
                push(f)
                extend(node.args)
                for k in node.keywords:
                    push(k.value)
            else:
                for name, is_list in fields[type(node)]:
                    field = getattr(node, name)
                    if is_list:
                        extend(field)
                    elif field is not None:
                        push(field)


def _is_main_guard(test: ast.Compare) -> bool:
    if len(test.ops) != 1 or type(test.ops[0]) is not ast.Eq:
        return False
    a, b = test.left, test.comparators[0]
    if type(a) is _Constant:
        a, b = b, a
    return type(a) is _Name and a.id == "__name__" and type(b) is _Constant and b.value == "__main__"


def _str_list(node: ast.expr) -> list[str] | None:
    if type(node) is ast.List or type(node) is ast.Tuple:
        names = [e.value for e in node.elts if type(e) is _Constant and type(e.value) is str]
        if len(names) == len(node.elts):
            return names
    return None


# Each handler takes the statement type it is filed under, which a dict's value type cannot
# say: hence Any for the node.
_DISPATCH: dict[type[ast.stmt], Callable[[_Walker, Any], None]] = {
    ast.FunctionDef: _Walker.function,
    ast.AsyncFunctionDef: _Walker.function,
    ast.ClassDef: _Walker.klass,
    ast.Import: _Walker.import_,
    ast.ImportFrom: _Walker.import_,
    ast.If: _Walker.if_,
    ast.Try: _Walker.try_,
    ast.Assign: _Walker.assign,
    ast.AnnAssign: _Walker.assign,
    ast.AugAssign: _Walker.assign,
    ast.Expr: _Walker.value_stmt,
    ast.Return: _Walker.value_stmt,
}
if sys.version_info >= (3, 11):
    _DISPATCH[ast.TryStar] = _Walker.try_
if sys.version_info >= (3, 12):
    _DISPATCH[ast.TypeAlias] = _Walker.type_alias
