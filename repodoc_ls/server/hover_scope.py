"""Hover for names the index's symbol tables do not hold, answered without jedi.

From the open text and the facts (the binding a name reads is analysis/regions.py's, by
Python's scope rules; index/expr_types.py types values; runtime.py describes builtins):
parameters and local variables, names of a class body, module variables (also of another
workspace module, through an import), `self.x` and any `value.attr` whose value has a known
type (a workspace class, a builtin class, a module), keyword arguments of a call (the
callee's parameter), and builtins. Everything shown comes from the code: a line that
assigns, a signature, a docstring of the running interpreter. The answer is the hover's
text, or the symbol or module the name turned out to be (whose index hover hover.py
renders); None means "ask jedi". All functions expect the caller to hold `index.lock`.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from typing import Any

from repodoc_ls.analysis.regions import Bound, Region, binding_at, node_at, region_at, scope_at, statement_at
from repodoc_ls.analysis.scopes import CLASS, COMPREHENSION, LAMBDA, Scope
from repodoc_ls.analysis.sourcelines import global_assignment, module_assignment
from repodoc_ls.index.expr_types import Inferrer, Type, compiled_import, compiled_module, signature_function
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import ModuleRef, SymbolKind, SymbolRef
from repodoc_ls.server.hover_format import Format, HoverContext
from repodoc_ls.server.runtime import (
    builtin,
    builtin_member,
    compiled_member,
    compiled_star_member,
)
from repodoc_ls.server.target import IMPORT_SPAN, Word

_CALLEE_MAX = 60

#: A hover's text, or the symbol or module whose index hover answers; None: ask jedi.
Answer = str | SymbolRef | ModuleRef | None


def scope_hover(ctx: HoverContext, rel: str, lines: list[str], word: Word) -> Answer:
    index = ctx.folder.index
    assert index is not None
    facts = index.file(rel)
    if facts is None or not facts.is_python:
        return None
    fmt = ctx.fmt
    lineno = word.line + 1
    reg = region_at(rel, facts.symbols, lines, lineno)
    node, parent = node_at(reg, lines, lineno, word.start) if reg is not None else (None, None)
    inf = Inferrer(index, ctx.lines)
    if isinstance(node, ast.keyword) and isinstance(parent, ast.Call) and reg is not None:
        return keyword_hover(ctx, inf, reg, parent, node.arg)
    if isinstance(node, ast.Attribute) and reg is not None:
        value = inf.expr(reg, node.value)
        return member_hover(ctx, inf, value, node.attr) if value is not None else inf.typed_member(reg, node)
    if "." in word.chain:
        return None  # an attribute the text shows but `ast` could not place: leave it to jedi
    if reg is not None:
        if isinstance(node, ast.Name):
            line, col = node.lineno, node.col_offset
        else:  # a parameter on its `def` line, a word of a docstring: placed by position
            line, col = lineno, len(lines[word.line][: word.start].encode("utf-8"))
        bound = binding_at(reg, word.text, line, col, node)
        if bound is not None and bound.scope.kind != CLASS:
            return render_binding(ctx, rel, lines, bound)
        scope = scope_at(reg, line, col, node)
        if scope.kind == CLASS:
            found = class_body_hover(ctx, rel, reg, scope, lineno, word.text)
            if found is not None:
                return found
    imported = imported_variable(ctx, rel, word.text, lineno) or compiled_name(
        index, rel, word.text, lineno, fmt
    )
    if imported is not None:
        return imported
    variable = module_variable(ctx, rel, word.text, this_file=True)
    if variable is not None:
        return variable
    found_builtin = builtin(word.text)
    if found_builtin is not None:
        head, summary = found_builtin
        return fmt.join([fmt.code(head), summary, "builtin"])
    return None


_KINDS = {
    "def": ("function", "Local function"),
    "class": ("class", "Local class"),
    "import": ("import", "Imported"),
}


def render_binding(ctx: HoverContext, rel: str, lines: list[str], b: Bound) -> str:
    """A name bound in a function, lambda or comprehension: its parameter, or its first
    binding's statement."""
    fmt = ctx.fmt
    at = fmt.link(f"{rel}:{b.line}", ctx.file_link(rel, b.line))
    qualname = b.scope.qualname
    scope = (f"`{qualname}`" if fmt.markdown else qualname) if qualname else ""
    if b.parameter is not None:
        head = f"(parameter) {_param_text(b.scope, b.parameter)}"
        klass = b.scope.klass
        if b.first.kind == "self" and klass is not None and b.name in ("self", "cls"):
            head = f"(parameter) {b.name}: {'type[' + klass.qualname + ']' if b.name == 'cls' else klass.qualname}"
        owner = scope if b.scope.kind != LAMBDA and scope else "a lambda"
        return fmt.join([fmt.code(head), f"Parameter of {owner}, {at}"])
    kind, what = _KINDS.get(b.first.kind, ("variable", "Local variable"))
    if b.scope.kind == COMPREHENSION:
        what = "Comprehension variable"
    where = f"{what} of {scope}, first bound at {at}" if scope else f"{what}, first bound at {at}"
    return fmt.join([fmt.code(f"({kind}) {b.name}"), where, fmt.code(_shorten(lines[b.line - 1].strip()))])


def _param_text(scope: Scope, arg: ast.arg) -> str:
    node = scope.node
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    return next(text for name, text in params(node.args) if name == arg.arg)


def params(a: ast.arguments) -> list[tuple[str, str]]:
    """(name, text as written) of each parameter."""
    out = []
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, default in zip(positional, defaults):
        out.append((arg.arg, _arg_text(arg, default)))
    if a.vararg:
        out.append((a.vararg.arg, "*" + _arg_text(a.vararg, None)))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, _arg_text(arg, kw_default)))
    if a.kwarg:
        out.append((a.kwarg.arg, "**" + _arg_text(a.kwarg, None)))
    return out


def _arg_text(arg: ast.arg, default: ast.expr | None) -> str:
    text = arg.arg
    if arg.annotation is not None:
        text += ": " + ast.unparse(arg.annotation)
        if default is not None:
            text += " = " + ast.unparse(default)
    elif default is not None:
        text += "=" + ast.unparse(default)
    return _shorten(text)


def _shorten(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- attributes ---------------------------------------------------------------------------------


def member_hover(ctx: HoverContext, inf: Inferrer, value: Type, attr: str) -> Answer:
    index, fmt = inf.index, ctx.fmt
    if value.module is not None:
        target = index.graph.resolve_name(value.module, attr)
        if isinstance(target, (SymbolRef, ModuleRef)):
            return target
        return module_variable(ctx, value.module, attr) or compiled_star_member(
            index, value.module, attr, fmt
        )
    if value.builtin is not None:
        return builtin_member(value.builtin, attr, fmt)
    if value.compiled is not None:
        return compiled_member(value.compiled, attr, fmt)
    if value.ref is None or value.ref.kind != SymbolKind.CLASS:
        return None
    found = inf.member(value.ref, attr)
    if found is None:
        return None
    if found.symbol is not None:
        return found.symbol
    if found.builtin is not None:
        return builtin_member(found.builtin, attr, fmt)
    path, klass = found.path, found.klass
    if path is None or klass is None:
        return None  # (a member is a symbol, a builtin's, or assigned in a class)
    lines = ctx.lines(path)
    line = next((n for n in found.assigned if _plain_assignment(lines[n - 1], attr)), found.assigned[0])
    where = "Attribute of " + fmt.link(klass.qualname, ctx.file_link(path, klass.line))
    first = ("bound at " if found.class_level else "first assigned at ") + fmt.link(
        f"{path}:{line}", ctx.file_link(path, line)
    )
    head = f"({'class ' if found.class_level else ''}attribute) {klass.qualname}.{attr}"
    return fmt.join([fmt.code(head), f"{where}, {first}", fmt.code(_shorten(lines[line - 1].strip()))])


def _plain_assignment(text: str, attr: str) -> bool:
    return re.search(rf"(?:^|\.)\s*{re.escape(attr)}\s*(?::[^=]+)?=(?!=)", text.strip()) is not None


def compiled_name(index: Index, rel: str, name: str, lineno: int, fmt: Format) -> str | None:
    """`sys` bound by `import sys`, or `clock` by `from time import perf_counter as clock`
    (also the imported name on its import line), for modules compiled into the interpreter."""
    graph = index.graph
    r = graph.bindings_of(rel)[0].get(name)
    if r is None:
        r = next(
            (
                r
                for r in graph.imports_of(rel)
                if name in (r.imp.name, r.imp.module.split(".")[0])
                and r.imp.line <= lineno < r.imp.line + IMPORT_SPAN
            ),
            None,
        )
    if r is None or r.target is not None:
        return None
    found = compiled_import(r.imp)
    if found is None:
        return None
    if found.compiled is not None:
        module: Any = found.compiled
        doc = (inspect.getdoc(module) or "").strip().split("\n\n")[0].strip()
        where = (
            "compiled into the interpreter ("
            + ("standard library" if r.category == "standard library" else r.category)
            + ")"
        )
        return fmt.join([fmt.code(f"module {module.__name__}"), doc, where])
    if r.imp.name is None:
        return None
    return compiled_member(compiled_module(r.imp.module), r.imp.name, fmt)


# -- module variables ---------------------------------------------------------------------------


def module_variable(ctx: HoverContext, path: str, name: str, this_file: bool = False) -> str | None:
    """A module-level variable of workspace module `path` (not a symbol: lowercase names)."""
    index, fmt = ctx.folder.index, ctx.fmt
    assert index is not None
    facts = index.file(path)
    if facts is None or not facts.is_python:
        return None
    lines = ctx.lines(path)
    line = module_assignment(facts.symbols, lines, name) or global_assignment(facts.symbols, lines, name)
    if line is None:
        return None
    module = index.graph.module_name.get(path, path)
    at = fmt.link(f"{path}:{line}", ctx.file_link(path, line))
    of = "" if this_file else " of " + (f"`{module}`" if fmt.markdown else module)
    return fmt.join(
        [
            fmt.code(f"(variable) {name}"),
            f"Module variable{of}, first bound at {at}",
            fmt.code(_shorten(lines[line - 1].strip())),
        ]
    )


def imported_variable(ctx: HoverContext, rel: str, name: str, lineno: int) -> str | None:
    """`name` bound by `from m import v [as name]`, or the `v` of such an import on this
    line, where v is a variable of workspace module m (not a symbol there)."""
    assert ctx.folder.index is not None
    graph = ctx.folder.index.graph
    r = graph.bindings_of(rel)[0].get(name)
    if r is None:
        r = next(
            (
                r
                for r in graph.imports_of(rel)
                if r.imp.name == name and r.imp.line <= lineno < r.imp.line + IMPORT_SPAN
            ),
            None,
        )
    if r is None or r.target is None or r.imp.name is None or r.names_submodule:
        return None
    if graph.resolve_name(rel, r.imp.bound_name) is not None:
        return None  # a symbol: the index hover answers it
    return module_variable(ctx, r.target, r.imp.name)


# -- class bodies -------------------------------------------------------------------------------


def class_body_hover(
    ctx: HoverContext, rel: str, reg: Region, klass: Scope, lineno: int, name: str
) -> Answer:
    """A name read or bound directly in a class body: the class's own binding before it
    (a method, a nested class, an assignment), as Python looks names up there."""
    fmt = ctx.fmt
    assert ctx.folder.index is not None
    table = ctx.folder.index.graph.symbols_of(rel)
    symbol = table.get(klass.qualname)
    if symbol is None or symbol.kind != SymbolKind.CLASS:
        return None
    latest: tuple[str, int] | None = None
    for b in klass.bindings.get(name, ()):
        stmt = statement_at(reg, b.line, b.col)
        if b.kind in ("def", "class", "assign", "ann") and stmt is not None and stmt.lineno <= lineno:
            if latest is None or stmt.lineno >= latest[1]:
                latest = (b.kind, stmt.lineno)
    if latest is None:
        return None
    kind, line = latest
    if kind in ("def", "class"):
        member = table.get(f"{klass.qualname}.{name}")
        return SymbolRef.of(rel, member) if member else None
    lines = ctx.lines(rel)
    where = "Attribute of " + fmt.link(klass.qualname, ctx.file_link(rel, symbol.line))
    at = "bound at " + fmt.link(f"{rel}:{line}", ctx.file_link(rel, line))
    return fmt.join(
        [
            fmt.code(f"(class attribute) {klass.qualname}.{name}"),
            f"{where}, {at}",
            fmt.code(_shorten(lines[line - 1].strip())),
        ]
    )


# -- keyword arguments --------------------------------------------------------------------------


def keyword_hover(ctx: HoverContext, inf: Inferrer, reg: Region, call: ast.Call, arg: str | None) -> str:
    """`f(name=...)`: the parameter of the callee when the index knows the callee, else
    the plain fact that it is a keyword argument of that call."""
    fmt = ctx.fmt
    callee = inf.expr(reg, call.func)
    shown = _shorten(ast.unparse(call.func), _CALLEE_MAX)
    code = (lambda t: f"`{t}`") if fmt.markdown else (lambda t: t)
    target: SymbolRef | None = None
    if callee is not None and not callee.instance and callee.ref is not None:
        target = callee.ref
        if target.kind == SymbolKind.CLASS:
            target = _constructor(inf, target)
    if target is not None:
        symbol = inf.index.graph.symbols_of(target.path).get(target.qualname)
        params = _signature_params(symbol.signature if symbol is not None else None)
        if params is not None and symbol is not None:
            where = fmt.link(f"{target.path}:{symbol.line}", ctx.file_link(target.path, symbol.line))
            if arg in params:
                return fmt.join(
                    [fmt.code(f"(parameter) {params[arg]}"), f"Parameter of {code(target.qualname)}, {where}"]
                )
            kwargs = next((p for p in params.values() if p.startswith("**")), None)
            if kwargs is not None:
                return fmt.join(
                    [
                        fmt.code(f"(keyword argument) {arg}"),
                        f"Taken by {code(kwargs)} of {code(target.qualname)}, {where}",
                    ]
                )
    builtin = _builtin_callable(inf, reg, call.func, callee)
    if builtin is not None:
        try:
            param = inspect.signature(builtin).parameters.get(arg) if arg is not None else None
        except (TypeError, ValueError):
            param = None
        if param is not None:
            return fmt.join(
                [
                    fmt.code(f"(parameter) {param}"),
                    f"Parameter of builtin {code(getattr(builtin, '__qualname__', shown))}",
                ]
            )
    return fmt.join([fmt.code(f"(keyword argument) {arg}"), f"Argument of the call to {code(shown)}"])


def _constructor(inf: Inferrer, ref: SymbolRef) -> SymbolRef | None:
    for name in ("__init__", "__new__"):
        found = inf.member(ref, name)
        if found is not None and found.symbol is not None:
            return found.symbol
        if found is None:
            return None  # unknown base: its constructor cannot be told
    return None


def _builtin_callable(inf: Inferrer, reg: Region, func: ast.expr, callee: Type | None) -> Any:
    if callee is not None and callee.builtin is not None and not callee.instance:
        return callee.builtin
    if isinstance(func, ast.Name) and callee is None:
        obj = builtins.__dict__.get(func.id)
        if (
            callable(obj)
            and not isinstance(obj, type)
            and inf.module_values(reg.path, func.id) == []
            and inf.index.graph.resolve_name(reg.path, func.id) is None
            and binding_at(reg, func.id, func.lineno, func.col_offset, func) is None
        ):
            return obj
    return None


def _signature_params(signature: str | None) -> dict[str, str] | None:
    """name -> parameter as written, from a Symbol's signature text."""
    fn = signature_function(signature) if signature else None
    return None if fn is None else {name: text for name, text in params(fn.args)}
