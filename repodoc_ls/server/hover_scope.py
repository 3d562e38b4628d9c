"""Hover for names the index's symbol tables do not hold, answered without jedi.

From the open text and the facts (scopes.py finds bindings, infer.py types): parameters and
local variables, names of a class body, module variables (also of another workspace module,
through an import), `self.x` and any `value.attr` whose value has a known type (a workspace
class, a builtin class, a module), keyword arguments of a call (the callee's parameter), and
builtins. Everything shown comes from the code: a line that assigns, a signature, a
docstring of the running interpreter. The answer is the hover's text, or the symbol or
module the name turned out to be (whose index hover hover.py renders); None means "ask
jedi". All functions expect the caller to hold `index.lock`.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
import sys
import types
from typing import Any

from repodoc_ls.analysis import load_is_local
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileFacts, ModuleRef, SymbolKind, SymbolRef
from repodoc_ls.server import infer, regions, scopes
from repodoc_ls.server.hover_format import Format, HoverContext
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
    reg = regions.region(rel, facts, lines, lineno)
    node, parent = regions.node_at(reg, lines, lineno, word.start) if reg is not None else (None, None)
    inf = infer.Inferrer(index, ctx.lines)
    if isinstance(node, ast.keyword) and isinstance(parent, ast.Call) and reg is not None:
        return keyword_hover(ctx, inf, reg, parent, node.arg)
    if isinstance(node, ast.Attribute) and reg is not None:
        value = inf.expr(reg, node.value)
        return member_hover(ctx, inf, value, node.attr) if value is not None else None
    if "." in word.chain:
        return None  # an attribute the text shows but `ast` could not place: leave it to jedi
    reads_globals = reg is not None and isinstance(node, ast.Name) and load_is_local(reg.tree, node) is False
    # a default or annotation on a `def` line reads the enclosing scope, not the parameter
    binding = None if reads_globals else scopes.local_binding(facts, lines, lineno, word.text)
    if binding is None and reg is not None:
        found = class_body_hover(ctx, rel, facts, reg, lineno, word.text)
        if found is not None:
            return found
    if binding is None:
        imported = imported_variable(ctx, rel, word.text, lineno) or compiled_name(
            index, rel, word.text, lineno, fmt
        )
        if imported is not None:
            return imported
        binding = scopes.module_binding(facts, lines, word.text) or scopes.global_binding(
            facts, lines, word.text
        )
    if binding is not None:
        return render_binding(ctx, rel, facts, binding)
    builtin = scopes.builtin(word.text)
    if builtin is not None:
        head, summary = builtin
        return fmt.join([fmt.code(head), summary, "builtin"])
    return None


def render_binding(ctx: HoverContext, rel: str, facts: FileFacts, b: scopes.Binding) -> str:
    fmt = ctx.fmt
    at = fmt.link(f"{rel}:{b.line}", ctx.file_link(rel, b.line))
    scope = (f"`{b.scope}`" if fmt.markdown else b.scope) if b.scope else ""
    if b.kind == "parameter":
        head = f"(parameter) {b.text}"
        cls = scopes.enclosing_class(facts, b.line) if b.name in ("self", "cls") else None
        method = facts.symbol(b.scope) if b.scope else None
        is_first = (
            method is not None
            and method.kind == SymbolKind.METHOD
            and (method.signature or "").lstrip("(").startswith(b.name)
        )
        if cls and is_first:
            head = f"(parameter) {b.name}: {'type[' + cls + ']' if b.name == 'cls' else cls}"
        return fmt.join([fmt.code(head), f"Parameter of {scope or 'a lambda'}, {at}"])
    what = {
        "variable": "Local variable",
        "import": "Imported",
        "function": "Local function",
        "class": "Local class",
    }.get(b.kind, "Local name")
    if not b.scope:
        what = "Module variable"
    where = f"{what} of {scope}, first bound at {at}" if b.scope else f"{what}, first bound at {at}"
    return fmt.join([fmt.code(f"({b.kind}) {b.name}"), where, fmt.code(b.text)])


def _shorten(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- attributes ---------------------------------------------------------------------------------


def member_hover(ctx: HoverContext, inf: infer.Inferrer, value: infer.Type, attr: str) -> Answer:
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


def builtin_member(cls: type, attr: str, fmt: Format) -> str | None:
    """`list.append`: the interpreter's own signature and docstring summary."""
    obj = inspect.getattr_static(cls, attr, None)
    if obj is None:
        return None
    name = f"{cls.__name__}.{attr}"
    if callable(obj) or isinstance(obj, (classmethod, staticmethod)):
        head, summary = callable_head("method ", attr, getattr(cls, attr), shown=name)
    else:
        head = f"(attribute) {name}"
        doc = inspect.getdoc(obj) or ""
        summary = doc.strip().split("\n\n")[0].strip() if doc else ""
    where = "builtin " + (f"`{cls.__name__}`" if fmt.markdown else cls.__name__)
    return fmt.join([fmt.code(head), summary, where])


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
    found = infer.compiled_import(r.imp)
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
    return compiled_member(infer.compiled_module(r.imp.module), r.imp.name, fmt)


def compiled_member(module: Any, attr: str, fmt: Format) -> str | None:
    """An attribute of a module compiled into the interpreter, as the interpreter has it."""
    obj = getattr(module, attr, None)
    code = (lambda t: f"`{t}`") if fmt.markdown else (lambda t: t)
    if obj is None:
        return None
    if isinstance(obj, types.ModuleType):
        return fmt.join([fmt.code(f"module {obj.__name__}"), "compiled into the interpreter"])
    if callable(obj):
        kind = "class" if isinstance(obj, type) else "function"
        head, summary = callable_head(f"{kind} ", attr, obj)
        return fmt.join([fmt.code(head), summary, f"{kind} in module {code(module.__name__)} (compiled)"])
    # A value: its type only (its value is this interpreter's, not necessarily the user's).
    return fmt.join(
        [
            fmt.code(f"(variable) {module.__name__}.{attr}: {type(obj).__name__}"),
            f"variable of module {code(module.__name__)} (compiled; its type in the "
            "interpreter running repodoc)",
        ]
    )


def callable_head(prefix: str, name: str, obj: Any, shown: str | None = None) -> tuple[str, str]:
    """(signature line, docstring summary) of a callable of the interpreter. Without an
    introspectable signature, a docstring that starts with one (`settrace(function)`)
    gives it."""
    shown = shown or name
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        sig = None
    doc = (inspect.getdoc(obj) or "").strip()
    paragraphs = doc.split("\n\n") if doc else []
    summary = paragraphs[0].strip() if paragraphs else ""
    if summary.startswith(f"{name}("):  # the docstring repeats (or supplies) the signature
        written = summary.split("\n")[0]
        summary = paragraphs[1].strip() if len(paragraphs) > 1 else ""
        if sig is None:
            sig = written[len(name) :]
    return f"{prefix}{shown}{sig if sig is not None else '(...)'}", summary


def compiled_star_member(index: Index, path: str, attr: str, fmt: Format) -> str | None:
    """`codecs.charmap_encode`: a name workspace module `path` gets from `from _codecs
    import *`, where `_codecs` is compiled into the interpreter (importing it runs no code
    of the workspace or of any package), so the running interpreter can describe it."""
    for r in index.graph.imports_of(path):
        name = r.imp.module
        if r.imp.name != "*" or r.target is not None or r.imp.level or name not in sys.builtin_module_names:
            continue
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
        except ImportError:
            continue
        obj = getattr(module, attr, None)
        if obj is None or not callable(obj) or attr.startswith("_"):
            continue
        kind = "class" if isinstance(obj, type) else "function"
        head, summary = callable_head(f"{kind} ", attr, obj)
        code = (lambda t: f"`{t}`") if fmt.markdown else (lambda t: t)
        module_name = index.graph.module_name.get(path, path)
        where = f"{kind} in module {code(name)} (compiled), star-imported by {code(module_name)}"
        return fmt.join([fmt.code(head), summary, where])
    return None


# -- module variables ---------------------------------------------------------------------------


def module_variable(ctx: HoverContext, path: str, name: str) -> str | None:
    """A module-level variable of workspace module `path` (not a symbol: lowercase names)."""
    index, fmt = ctx.folder.index, ctx.fmt
    assert index is not None
    facts = index.file(path)
    if facts is None or not facts.is_python:
        return None
    lines = ctx.lines(path)
    b = scopes.module_binding(facts, lines, name) or scopes.global_binding(facts, lines, name)
    if b is None or b.kind != "variable":
        return None
    module = index.graph.module_name.get(path, path)
    at = fmt.link(f"{path}:{b.line}", ctx.file_link(path, b.line))
    of = f"`{module}`" if fmt.markdown else module
    return fmt.join(
        [fmt.code(f"(variable) {name}"), f"Module variable of {of}, first bound at {at}", fmt.code(b.text)]
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
    ctx: HoverContext, rel: str, facts: FileFacts, reg: regions.Region, lineno: int, name: str
) -> Answer:
    """A name read or bound directly in a class body: the class's own binding before it
    (a method, a nested class, an assignment), as Python looks names up there."""
    fmt = ctx.fmt
    top = reg.tree.body[0] if reg.tree.body else None
    if isinstance(top, ast.If):
        top = top.body[0] if top.body else None  # the "if 1:" wrapper of an indented class
    if not isinstance(top, ast.ClassDef) or regions.scope_chain(reg.tree, lineno - reg.offset):
        return None
    klass = next(
        (
            s
            for s in facts.symbols
            if s.kind == SymbolKind.CLASS and s.line == top.lineno + reg.offset and s.name == top.name
        ),
        None,
    )
    if klass is None:
        return None
    latest: tuple[str, ast.stmt] | None = None
    for stmt in top.body:
        if stmt.lineno + reg.offset > lineno:
            break
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            latest = ("symbol", stmt)
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            latest = ("assign", stmt)
    if latest is None:
        return None
    kind, stmt = latest
    line = stmt.lineno + reg.offset
    if kind == "symbol":
        assert ctx.folder.index is not None
        member = ctx.folder.index.graph.symbols_of(rel).get(f"{klass.qualname}.{name}")
        return SymbolRef.of(rel, member) if member else None
    lines = ctx.lines(rel)
    where = "Attribute of " + fmt.link(klass.qualname, ctx.file_link(rel, klass.line))
    at = "bound at " + fmt.link(f"{rel}:{line}", ctx.file_link(rel, line))
    return fmt.join(
        [
            fmt.code(f"(class attribute) {klass.qualname}.{name}"),
            f"{where}, {at}",
            fmt.code(_shorten(lines[line - 1].strip())),
        ]
    )


# -- keyword arguments --------------------------------------------------------------------------


def keyword_hover(
    ctx: HoverContext, inf: infer.Inferrer, reg: regions.Region, call: ast.Call, arg: str | None
) -> str:
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


def _constructor(inf: infer.Inferrer, ref: SymbolRef) -> SymbolRef | None:
    for name in ("__init__", "__new__"):
        found = inf.member(ref, name)
        if found is not None and found.symbol is not None:
            return found.symbol
        if found is None:
            return None  # unknown base: its constructor cannot be told
    return None


def _builtin_callable(
    inf: infer.Inferrer, reg: regions.Region, func: ast.expr, callee: infer.Type | None
) -> Any:
    if callee is not None and callee.builtin is not None and not callee.instance:
        return callee.builtin
    if isinstance(func, ast.Name) and callee is None:
        obj = builtins.__dict__.get(func.id)
        if (
            callable(obj)
            and not isinstance(obj, type)
            and inf.module_values(reg.path, func.id) == []
            and inf.index.graph.resolve_name(reg.path, func.id) is None
            and not any(
                func.id in {a.arg for a in fn.args.args + fn.args.kwonlyargs} or regions.bindings(fn, func.id)
                for fn in regions.scope_chain(reg.tree, func.lineno)
            )
        ):
            return obj
    return None


def _signature_params(signature: str | None) -> dict[str, str] | None:
    """name -> parameter as written, from a Symbol's signature text."""
    if not signature:
        return None
    try:
        fn = ast.parse(f"def f{signature}: pass").body[0]
    except SyntaxError:
        return None
    return {name: text for name, text in scopes.params(fn)}
