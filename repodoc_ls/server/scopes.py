"""Where names the workspace index does not hold are bound, found without jedi.

The index knows module-level definitions and imports. Most other names under a cursor are
parameters and local variables, `self`/`cls` and their attributes, and builtins; each of
those is answered here from the open text and the file's facts, in about a millisecond:

- a parameter or local variable: only the enclosing top-level function (found from the
  facts' line ranges) is parsed with `ast`, and the name is looked up in the scopes
  around the cursor, innermost first (class bodies are skipped, as Python does);
- a module-level variable that is not a symbol (lowercase names): its first assignment,
  also when it is only assigned in functions that declare it `global`;
- a builtin: the running interpreter's signature and docstring summary.

Attributes (`self.x`, `value.attr`) are typed by infer.py; hover_scope.py puts it together.
Everything shown comes from the code: a line that assigns, a signature, a docstring.
All functions expect the caller to hold `index.lock`.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from dataclasses import dataclass

from repodoc_ls.model import FileFacts, SymbolKind

_FUNCS = (SymbolKind.FUNCTION, SymbolKind.METHOD)
_VALUE_MAX = 100


@dataclass(frozen=True)
class Binding:
    name: str
    kind: str  # "parameter", "variable", "function", "class", "import"
    line: int  # 1-based
    text: str  # what to show in the code block
    scope: str  # qualname of the function, or "" for the module


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _VALUE_MAX else text[: _VALUE_MAX - 1] + "…"


# -- functions and their scopes ---------------------------------------------------------------


def _enclosing_functions(facts: FileFacts, lineno: int):
    """Function symbols whose range covers `lineno`, outermost first."""
    found = [s for s in facts.symbols if s.kind in _FUNCS and s.line <= lineno <= s.end_line]
    found.sort(key=lambda s: (s.line, -s.end_line))
    return found


def _parse_function(lines: list[str], first: int, last: int) -> tuple[ast.AST, int] | None:
    """The function on 1-based lines first..last, parsed; (tree, line offset to add)."""
    chunk = lines[first - 1 : last]
    if not chunk:
        return None
    offset = first - 1
    if chunk[0][:1] in (" ", "\t"):
        chunk = ["if 1:"] + chunk  # an indented method parses inside a block
        offset -= 1
    try:
        return ast.parse("\n".join(chunk)), offset
    except (SyntaxError, ValueError, RecursionError):
        return None


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def _scope_chain(tree: ast.AST, lineno: int) -> list[_Scope]:
    """Function scopes containing `lineno` (tree line numbers), innermost first."""
    chain: list[_Scope] = []
    node = tree
    while True:
        inner = None
        for child in ast.iter_child_nodes(node):
            start = getattr(child, "lineno", None)
            if start is None:
                continue
            if (
                isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and child.decorator_list
            ):
                start = min(start, child.decorator_list[0].lineno)
            if start <= lineno <= (getattr(child, "end_lineno", None) or start):
                inner = child
                break
        if inner is None:
            return chain[::-1]
        if isinstance(inner, _SCOPES):
            chain.append(inner)
        node = inner


def params(fn) -> list[tuple[str, str]]:
    """(name, text as written) of each parameter."""
    a = fn.args
    out = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, default in zip(positional, defaults):
        out.append((arg.arg, _arg_text(arg, default)))
    if a.vararg:
        out.append((a.vararg.arg, "*" + _arg_text(a.vararg, None)))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, _arg_text(arg, default)))
    if a.kwarg:
        out.append((a.kwarg.arg, "**" + _arg_text(a.kwarg, None)))
    return out


def _arg_text(arg: ast.arg, default) -> str:
    text = arg.arg
    if arg.annotation is not None:
        text += ": " + ast.unparse(arg.annotation)
        if default is not None:
            text += " = " + ast.unparse(default)
    elif default is not None:
        text += "=" + ast.unparse(default)
    return _shorten(text)


def _first_binding(fn, name: str, lines_of, offset: int) -> tuple[str, int, str] | None:
    """(kind, tree line, statement text) of the first binding of `name` in the body of
    scope `fn` (nested function and class bodies excluded), or ("global", ...) when the
    scope declares it global or nonlocal."""
    best = None
    stack = list(fn.body) if not isinstance(fn, ast.Lambda) else [fn.body]
    while stack:
        node = stack.pop()
        found = None
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return ("global", node.lineno, "")
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
            found = ("variable", node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                found = ("class" if isinstance(node, ast.ClassDef) else "function", node.lineno)
                if best is None or found[1] < best[1]:
                    best = found
            stack.extend(node.decorator_list)
            if not isinstance(node, ast.ClassDef):
                stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
            else:
                stack.extend(node.bases)
            continue  # its body is another scope
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == name:
                    found = ("import", node.lineno)
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            found = ("variable", node.lineno)
        elif isinstance(node, ast.arg) and node.arg == name:  # a lambda's parameter
            found = ("parameter", node.lineno)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name == name:
            found = ("variable", node.lineno)
        elif isinstance(node, ast.Lambda):
            continue
        if found is not None and (best is None or found[1] < best[1]):
            best = found
        stack.extend(ast.iter_child_nodes(node))
    if best is None:
        return None
    kind, line = best
    return kind, line, lines_of(line + offset).strip()


def local_binding(facts: FileFacts, lines: list[str], lineno: int, name: str) -> Binding | None:
    """What `name` is bound to at 1-based `lineno` inside a function, if a local scope
    binds it (parameters, assignments, loop targets, local imports and definitions)."""
    funcs = _enclosing_functions(facts, lineno)
    if not funcs:
        return None
    outer = funcs[0]
    parsed = _parse_function(lines, outer.line, outer.end_line)
    if parsed is None:
        return None
    tree, offset = parsed
    chain = _scope_chain(tree, lineno - offset)

    def lines_of(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    names_by_line = {s.line: s.qualname for s in funcs}
    for fn in chain:
        scope = (
            names_by_line.get(fn.lineno + offset, "lambda") if not isinstance(fn, ast.Lambda) else "lambda"
        )
        for pname, text in params(fn):
            if pname == name:
                return Binding(name, "parameter", fn.lineno + offset, text, scope)
        found = _first_binding(fn, name, lines_of, offset)
        if found is None:
            continue
        kind, line, text = found
        if kind == "global":
            return None
        return Binding(name, kind, line + offset, _shorten(text), scope)
    return None


# -- module-level variables -------------------------------------------------------------------


def module_binding(facts: FileFacts, lines: list[str], name: str) -> Binding | None:
    """The first module-level statement that assigns `name` (outside every function and
    class), found by the assignment's shape on its line."""
    pattern = re.compile(
        rf"^\s*(?:(?:async\s+)?for\s+[\w\s,()*]*\b{re.escape(name)}\b[\w\s,()*]*\s+in\b"
        rf"|(?:[\w\s,()*]*,\s*)?\(?\*?{re.escape(name)}\b[\w\s,()*]*(?::[^=]+)?=(?!=)"
        rf"|.*\bas\s+{re.escape(name)}\b)"
    )
    ranges = [(s.line, s.end_line) for s in facts.symbols if s.kind in _FUNCS or s.kind == SymbolKind.CLASS]
    for i, text in enumerate(lines, 1):
        if name in text and pattern.match(text) and not any(a <= i <= b for a, b in ranges):
            return Binding(name, "variable", i, _shorten(text.strip()), "")
    return None


def global_binding(facts: FileFacts, lines: list[str], name: str) -> Binding | None:
    """A module variable only assigned inside functions that declare it `global`: the
    first such assignment."""
    declared = re.compile(rf"^\s*global\s+(?:\w+\s*,\s*)*{re.escape(name)}\b")
    assigned = re.compile(rf"^\s*(?:[\w\s,()*]*,\s*)?\(?\*?{re.escape(name)}\b[\w\s,()*]*(?::[^=]+)?=(?!=)")
    for fn in (s for s in facts.symbols if s.kind in _FUNCS):
        body = range(fn.line, min(fn.end_line, len(lines)) + 1)
        if not any(name in lines[i - 1] and declared.match(lines[i - 1]) for i in body):
            continue
        for i in body:
            if name in lines[i - 1] and assigned.match(lines[i - 1]):
                return Binding(name, "variable", i, _shorten(lines[i - 1].strip()), "")
    return None


# -- self.attr ---------------------------------------------------------------------------------


def enclosing_class(facts: FileFacts, lineno: int) -> str | None:
    """The class of the innermost method around `lineno`."""
    funcs = _enclosing_functions(facts, lineno)
    for s in reversed(funcs):
        if s.kind == SymbolKind.METHOD:
            return s.parent
    return None


# -- builtins ----------------------------------------------------------------------------------

_builtins: dict[str, tuple[str, str]] | None = None


def builtin(name: str) -> tuple[str, str] | None:
    """(signature line, docstring summary) of a builtin of the running interpreter."""
    global _builtins
    if _builtins is None:
        table = {}
        for key in dir(builtins):
            if key.startswith("__") and key != "__import__":
                continue
            obj = getattr(builtins, key)
            kind = "class" if isinstance(obj, type) else "function" if callable(obj) else "constant"
            try:
                sig = str(inspect.signature(obj)) if callable(obj) else ""
            except (TypeError, ValueError):
                sig = "(...)" if callable(obj) else ""
            head = f"{kind} {key}{sig}" if kind != "constant" else f"{key}: {type(obj).__name__}"
            doc = inspect.getdoc(obj) or "" if kind != "constant" else ""
            if kind == "class" and issubclass(obj, BaseException):
                head = f"class {key}({obj.__base__.__name__})"
            summary = doc.strip().split("\n\n")[0].strip() if doc else ""
            if summary.startswith(f"{key}("):  # the docstring repeats the signature first
                summary = doc.strip().split("\n\n")[1].strip() if "\n\n" in doc.strip() else ""
            table[key] = (head, summary)
        _builtins = table
    return _builtins.get(name)
