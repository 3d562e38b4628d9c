"""Helpers for the Python extractor: source text, signatures, note rules, parso recovery.

Everything here is called from `python.extract_python`, which guards it; the helpers
themselves try to be cheap on the hot path (most nodes never reach them).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable
from typing import Any, TypeAlias

from repodoc_ls.model import Import, Note, NoteKind, Symbol, SymbolKind

# --- rule tables -------------------------------------------------------------------

CONCURRENCY_MODULES = frozenset({"threading", "multiprocessing", "concurrent.futures", "asyncio"})
CACHE_DECORATORS = frozenset(
    {
        "functools.lru_cache",
        "lru_cache",
        "functools.cache",
        "cache",
        "cached_property",
        "functools.cached_property",
    }
)
DEPRECATION_CATEGORIES = frozenset({"DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"})
#: Bare callee names whose calls may give a CLI fact or a deprecation note (the notes on
#: calls to outside APIs are pycalls.py's).
CALL_NAMES = frozenset({"ArgumentParser", "warn"})
#: Attribute names whose calls may give a CLI fact or a deprecation note.
CALL_ATTRS = frozenset({"warn", "ArgumentParser", "Typer"})

CONSTANT_RE = re.compile(r"_*[A-Z][A-Z0-9_]*\Z|__\w+__\Z")
DEF_RE = re.compile(r"(?:async\s+)?(?:def|class)\s+")
TODO_RE = re.compile(r"#[^\n]*?\b(?:TODO|FIXME|XXX)\b[^\n]*")
TODO_WORD_RE = re.compile(r"\b(?:TODO|FIXME|XXX)\b")

# --- source text ---------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split()) if ("\n" in text or "  " in text) else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def char_col(line: str, byte_col: int) -> int:
    """ast columns are UTF-8 byte offsets; editors want characters."""
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def snippet(lines: list[str], node: ast.expr | ast.stmt, limit: int = 100) -> str:
    """The source of `node` on one line, shortened to `limit` characters."""
    try:
        if node.end_lineno is None or node.end_col_offset is None:
            return ""  # a tree built by hand; ast.parse sets every position
        l1, l2 = node.lineno - 1, node.end_lineno - 1
        c1, c2 = node.col_offset, node.end_col_offset
        first = lines[l1]
        if l1 == l2:
            if first.isascii():
                return shorten(first[c1:c2], limit)
            return shorten(first.encode()[c1:c2].decode("utf-8", "replace"), limit)
        parts = [first.encode()[c1:].decode("utf-8", "replace")]
        size = len(parts[0])
        for i in range(l1 + 1, l2):
            if size > limit:
                break
            parts.append(lines[i].strip())
            size += len(parts[-1])
        else:
            parts.append(lines[l2].encode()[:c2].decode("utf-8", "replace").strip())
        return shorten(" ".join(parts), limit)
    except Exception:  # positions missing or out of range: evidence is optional
        return ""


def clean_doc(doc: str) -> str:
    if "\n" not in doc and "\t" not in doc:
        return doc.lstrip()
    return inspect.cleandoc(doc)


def docstring(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    body = node.body
    if body:
        s = body[0]
        if type(s) is ast.Expr:
            v = s.value
            if type(v) is ast.Constant and type(v.value) is str:
                return clean_doc(v.value)
    return None


def unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # RecursionError on absurd nesting, or a malformed tree
        return "..."


_Name, _Attribute, _Constant, _Subscript = ast.Name, ast.Attribute, ast.Constant, ast.Subscript
_Tuple, _BinOp, _BitOr, _Call, _UnaryOp = ast.Tuple, ast.BinOp, ast.BitOr, ast.Call, ast.UnaryOp
_Starred, _List, _USub = ast.Starred, ast.List, ast.USub


def text(node: ast.expr) -> str:
    """`ast.unparse(node)`, with fast paths for the shapes annotations usually take."""
    try:
        return _text(node)
    except RecursionError:  # `a | a | ...` thousands deep
        return "..."


def _text(node: ast.expr) -> str:
    if type(node) is _Name:
        return node.id
    if type(node) is _Attribute:
        v = node.value
        if type(v) is _Name or type(v) is _Attribute:
            return _text(v) + "." + node.attr
    elif type(node) is _Constant:
        value = node.value
        tv = type(value)
        if value is None or tv is bool or tv is int:
            return repr(value)
        if (
            type(value) is str
            and node.kind is None
            and value.isprintable()
            and "'" not in value
            and "\\" not in value
        ):
            return "'" + value + "'"
        if value is Ellipsis:
            return "..."
    elif type(node) is _Subscript:
        s = node.slice
        if type(s) is _Tuple:
            if len(s.elts) > 1 and not any(type(e) is _Starred for e in s.elts):
                return _text(node.value) + "[" + ", ".join([_text(e) for e in s.elts]) + "]"
        elif type(s) is not ast.Slice and type(s) is not _Starred:
            return _text(node.value) + "[" + _text(s) + "]"
    elif type(node) is _BinOp:
        if type(node.op) is _BitOr and type(node.right) is not _BinOp:
            left = node.left
            if type(left) is not _BinOp or type(left.op) is _BitOr:
                return _text(left) + " | " + _text(node.right)
    elif type(node) is _Call:
        f = node.func
        if (type(f) is _Name or type(f) is _Attribute) and not any(type(a) is _Starred for a in node.args):
            parts = [_text(a) for a in node.args]
            for k in node.keywords:
                parts.append(k.arg + "=" + _text(k.value) if k.arg else "**" + _text(k.value))
            return _text(f) + "(" + ", ".join(parts) + ")"
    elif type(node) is _UnaryOp:
        if type(node.op) is _USub and type(node.operand) is _Constant:
            inner = _text(node.operand)
            if inner[:1].isdigit():
                return "-" + inner
    elif type(node) is _List:
        return "[" + ", ".join([_text(e) for e in node.elts]) + "]"
    return unparse(node)


def _param(arg: ast.arg, default: ast.expr | None) -> str:
    ann = arg.annotation
    if ann is not None:
        s = arg.arg + ": " + text(ann)
        return s + " = " + text(default) if default is not None else s
    return arg.arg + "=" + text(default) if default is not None else arg.arg


def signature(a: ast.arguments, returns: ast.expr | None) -> str:
    parts = []
    posonly = a.posonlyargs
    pos = posonly + a.args if posonly else a.args
    defaults = a.defaults
    first_default = len(pos) - len(defaults)
    for i, arg in enumerate(pos):
        parts.append(_param(arg, defaults[i - first_default] if i >= first_default else None))
        if posonly and i == len(posonly) - 1:
            parts.append("/")
    if a.vararg is not None:
        parts.append("*" + _param(a.vararg, None))
    elif a.kwonlyargs:
        parts.append("*")
    for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        parts.append(_param(arg, default))
    if a.kwarg is not None:
        parts.append("**" + _param(a.kwarg, None))
    sig = "(" + ", ".join(parts) + ")"
    return sig + " -> " + text(returns) if returns is not None else sig


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while type(node) is _Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not _Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


# --- note rules ------------------------------------------------------------------------


def import_note_kinds(modules: list[str]) -> list[tuple[str, str]]:
    """(CONCURRENCY, module) for the fully qualified modules an import statement names."""
    kinds: list[tuple[str, str]] = []
    for mod in modules:
        prefix = ""
        for part in mod.split("."):
            prefix = prefix + "." + part if prefix else part
            if prefix in CONCURRENCY_MODULES and not kinds:
                kinds.append((NoteKind.CONCURRENCY, prefix))
    return kinds


def _is_deprecation_category(node: ast.expr) -> bool:
    name = dotted(node)
    return name is not None and name.rpartition(".")[2] in DEPRECATION_CATEGORIES


def _warns_deprecation(call: ast.Call) -> bool:
    if len(call.args) > 1 and _is_deprecation_category(call.args[1]):
        return True
    return any(k.arg == "category" and _is_deprecation_category(k.value) for k in call.keywords)


def call_facts(call: ast.Call, lines: list[str], notes: list[Note], cli: list[tuple[str, int]]) -> None:
    """Notes and CLI facts for a call whose callee passed the cheap CALL_* filters."""
    func = call.func
    kind = None
    if type(func) is _Name:
        name = func.id
        if name == "ArgumentParser":
            cli.append(("argparse", call.lineno))
        elif name == "warn" and _warns_deprecation(call):
            kind = NoteKind.DEPRECATION
    elif type(func) is _Attribute:  # the CALL_* filters pass no other callee
        attr = func.attr
        if attr == "warn":
            if dotted(func.value) == "warnings" and _warns_deprecation(call):
                kind = NoteKind.DEPRECATION
        elif attr == "ArgumentParser":
            cli.append(("argparse", call.lineno))
        elif attr == "Typer":
            if dotted(func.value) == "typer":
                cli.append(("typer", call.lineno))
    if kind is not None:
        notes.append(Note(kind, call.lineno, snippet(lines, call)))


def _comment_start(line: str) -> int:
    """Index of the `#` opening a comment on a one-line basis (quotes respected), or -1."""
    quote = None
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif c == "#":
            return i
        elif c == "'" or c == '"':
            quote = c * 3 if line.startswith(c * 3, i) else c
            i += len(quote) - 1
        i += 1
    return -1


def todo_candidates(text: str) -> list[tuple[int, str]]:
    """(line, comment text) for `#` comments holding TODO/FIXME/XXX as a word."""
    if "TODO" not in text and "FIXME" not in text and "XXX" not in text:
        return []
    found = []
    lineno, pos = 1, 0
    for m in TODO_RE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        lineno += text.count("\n", pos, start)
        pos = start
        line = text[start : m.end()]
        hash_at = _comment_start(line)
        if hash_at < 0 or not TODO_WORD_RE.search(line, hash_at):
            continue
        found.append((lineno, shorten(line[hash_at:].lstrip("#").strip(), 100)))
    return found


def todo_notes(candidates: list[tuple[int, str]], multiline_strings: Iterable[tuple[int, int]]) -> list[Note]:
    notes = []
    for lineno, comment in candidates:
        if any(a < lineno <= b for a, b in multiline_strings):
            continue
        notes.append(Note(NoteKind.TODO, lineno, comment))
    return notes


# --- recovery with parso after a syntax error ------------------------------------------

# A parso node or leaf. parso's tree API is unannotated, and the walk goes by `node.type`
# (a grammar rule's name), which no static type follows: hence Any.
_ParsoNode: TypeAlias = Any


def _one_line(node: _ParsoNode) -> str:
    return " ".join(node.get_code(include_prefix=False).split())


def _parso_doc(node: _ParsoNode) -> str | None:
    try:
        leaf = node.get_doc_node()
        if leaf is None:
            return None
        value = ast.literal_eval(leaf.value)
        return clean_doc(value) if isinstance(value, str) else None
    except Exception:
        return None


def _end_line(node: _ParsoNode) -> int:
    line: int
    col: int
    line, col = node.end_pos
    return line - 1 if col == 0 and line > node.start_pos[0] else line


class _ParsoRecovery:
    def __init__(self) -> None:
        self.symbols: list[Symbol] = []
        self.imports: list[Import] = []

    def walk(
        self,
        node: _ParsoNode,
        prefix: str,
        parent: str | None,
        scope: str,
        in_func: bool,
        in_try: bool,
        tc: bool,
        is_async: bool = False,
    ) -> None:
        t = node.type
        if t == "funcdef" or t == "classdef":
            self.define(node, prefix, parent, scope, in_func, in_try, tc, is_async)
            return
        if t == "import_name" or t == "import_from":
            self.add_import(node, in_try, tc)
            return
        children = getattr(node, "children", None)
        if not children:
            return
        if t in ("async_stmt", "async_funcdef"):
            for child in children:
                self.walk(child, prefix, parent, scope, in_func, in_try, tc, True)
            return
        if t == "try_stmt":
            in_try = True
        if (
            t == "if_stmt"
            and len(children) > 3
            and children[1].get_code(include_prefix=False).strip()
            in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        ):
            self.walk(children[3], prefix, parent, scope, in_func, in_try, True)
            for child in children[4:]:
                self.walk(child, prefix, parent, scope, in_func, in_try, tc)
            return
        for child in children:
            self.walk(child, prefix, parent, scope, in_func, in_try, tc)

    def define(
        self,
        node: _ParsoNode,
        prefix: str,
        parent: str | None,
        scope: str,
        in_func: bool,
        in_try: bool,
        tc: bool,
        is_async: bool,
    ) -> None:
        name_leaf = node.children[1]
        name = name_leaf.value
        qual = prefix + name
        decorators = [
            " ".join(d.get_code(include_prefix=False).split()).lstrip("@").strip()
            for d in node.get_decorators()
        ]
        if node.type == "classdef":
            kind, sig, bases = SymbolKind.CLASS, None, []
            arglist = node.get_super_arglist()
            if arglist is not None:
                items = arglist.children[::2] if arglist.type == "arglist" else [arglist]
                bases = [_one_line(b) for b in items]
        else:
            kind = SymbolKind.METHOD if scope == "class" else SymbolKind.FUNCTION
            bases = []
            parameters = node.children[2]
            parts = []
            for child in parameters.children[1:-1]:
                if child.type == "param":
                    parts.append(" ".join(child.get_code(include_prefix=False, include_comma=False).split()))
                elif child.type == "operator" and child.value in ("*", "/"):
                    parts.append(child.value)
            sig = "(" + ", ".join(parts) + ")"
            for i, child in enumerate(node.children):
                if child.type == "operator" and child.value == "->":
                    sig += " -> " + _one_line(node.children[i + 1])
                    break
        self.symbols.append(
            Symbol(
                name,
                qual,
                kind,
                node.children[0].start_pos[0],
                _end_line(node),
                name_leaf.start_pos[1],
                parent,
                in_func,
                is_async,
                sig,
                decorators,
                bases,
                _parso_doc(node),
            )
        )
        body = node.children[-1]
        inner = "class" if kind == SymbolKind.CLASS else "function"
        self.walk(body, qual + ".", qual, inner, in_func or inner == "function", in_try, tc)

    def add_import(self, node: _ParsoNode, in_try: bool, tc: bool) -> None:
        line = node.start_pos[0]
        if node.type == "import_name":
            for path, alias in node._dotted_as_names():
                self.imports.append(
                    Import(
                        ".".join(n.value for n in path),
                        None,
                        alias.value if alias else None,
                        0,
                        line,
                        tc,
                        in_try,
                    )
                )
            return
        module = ".".join(n.value for n in node.get_from_names())
        level = node.level
        if node.is_star_import():
            self.imports.append(Import(module, "*", None, level, line, tc, in_try))
            return
        for name, alias in node._as_name_tuples():
            self.imports.append(
                Import(module, name.value, alias.value if alias else None, level, line, tc, in_try)
            )


NEWEST_GRAMMAR = "3.14"


def parso_recover(text: str) -> tuple[str | None, list[Symbol], list[Import]]:
    """(module docstring, symbols, imports) recovered from source that ast rejects."""
    from parso.grammar import load_grammar

    try:  # the newest grammar parso knows, whatever the interpreter (pages must not depend on it)
        grammar = load_grammar(version=NEWEST_GRAMMAR)
    except Exception:  # an older parso
        grammar = load_grammar()
    module = grammar.parse(text, error_recovery=True)
    rec = _ParsoRecovery()
    rec.walk(module, "", None, "module", False, False, False)
    return _parso_doc(module), rec.symbols, rec.imports
