"""What the interpreter running the server says about builtins and compiled-in modules.

The index's expression types (index/expr_types.py) name builtin classes and compiled-in
modules; this describes them for the hover.

Not analysis of the workspace: `"".join`, `list.pop`, `sys.exit` and `sorted(key=...)` are
answered by introspecting live objects (signatures, docstrings), which only this process
can do. Only modules compiled into the interpreter (`sys`, `_codecs`) are ever imported:
importing one runs no Python code, of the workspace or of any package.
"""

from __future__ import annotations

import builtins
import inspect
import types
from typing import TYPE_CHECKING, Any

from repodoc_ls.index.expr_types import compiled_module

if TYPE_CHECKING:  # the server module imports this one: annotations only
    from repodoc_ls.index.indexer import Index
    from repodoc_ls.server.hover_format import Format

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


def compiled_star_member(index: Index, path: str, attr: str, fmt: Format) -> str | None:
    """`codecs.charmap_encode`: a name workspace module `path` gets from `from _codecs
    import *`, where `_codecs` is compiled into the interpreter (importing it runs no code
    of the workspace or of any package), so the running interpreter can describe it."""
    for r in index.graph.imports_of(path):
        name = r.imp.module
        if r.imp.name != "*" or r.target is not None or r.imp.level:
            continue
        module = compiled_module(name)
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
