"""Deprecation notes from docstrings, on the thing that is deprecated.

A `.. deprecated::` directive deprecates its function or class, unless it says what else:
a parameter (the directive sits in that parameter's description, or its text opens with
the parameter's name, `*hash*`, or says "*hash* is deprecated" or "argument *inst*"), or a
behaviour it describes (its text opens with some other name, as in "``__lt__`` now
raises ..."). The note rests on the directive's line and carries its explanation.
"""

from __future__ import annotations

import ast
import re

from repodoc_ls.model import Note, NoteKind

from . import pynotes as P

DIRECTIVE_RE = re.compile(r"^([ \t]*)\.\.[ \t]+deprecated::[ \t]*(\S*)[ \t]*(.*)$", re.M)
#: A name the explanation opens with: *x*, ``x``, `x`
_LEADING_NAME_RE = re.compile(r"(?:\*{1,2}|`{1,2})([A-Za-z_][\w.]*)(?:\*{1,2}|`{1,2})")
#: "*x* is deprecated", "argument *x*", "parameter ``x``"
_PARAM_PHRASE_RE = re.compile(
    r"(?:\*|`{1,2})([A-Za-z_]\w*)(?:\*|`{1,2}) (?:is|are) (?:now )?deprecated"
    r"|(?:argument|parameter|keyword) (?:\*|`{1,2})([A-Za-z_]\w*)(?:\*|`{1,2})"
)
#: A parameter's entry: reST `:param x:` / `:param int x:`, Google `x (int):`, NumPy `x : int`
_PARAM_ENTRY_RE = re.compile(r"^\s*(?::param(?:\s+[^:]+?)?\s+(\w+)\s*:|(\w+)\s*(?:\([^)]*\))?\s*:(?:\s|$))")
_MAX_EXPLANATION = 160


def docstring_deprecations(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module, qual: str
) -> list[Note]:
    """One note per `.. deprecated::` directive in the node's docstring."""
    body = node.body
    if not body or type(body[0]) is not ast.Expr:
        return []
    value = body[0].value
    if type(value) is not ast.Constant or type(value.value) is not str or "deprecated::" not in value.value:
        return []
    raw: str = value.value
    params = _params(node)
    notes = []
    for m in DIRECTIVE_RE.finditer(raw):
        indent, version, first = m.group(1), m.group(2), m.group(3)
        explanation = " ".join([first, *_continuation(raw, m.end(), len(indent.expandtabs()))]).strip()
        explanation = P.shorten(explanation, _MAX_EXPLANATION)
        line = value.lineno + raw.count("\n", 0, m.start())
        subject = _subject(raw, m.start(), indent, explanation, params)
        since = f" since {version}" if version else ""
        what = qual or "module"
        if subject is None:
            detail = f"{what} deprecated{since}"
        elif subject == "":
            detail = f"a behaviour of {what} deprecated{since}"
        else:
            detail = f"parameter {subject} of {what} deprecated{since}"
        notes.append(Note(NoteKind.DEPRECATION, line, f"{detail}: {explanation}" if explanation else detail))
    return notes


def _params(node: ast.AST) -> set[str]:
    if isinstance(node, ast.ClassDef):
        # a class's parameters are its __init__'s
        for st in node.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and st.name == "__init__":
                return _params(st)
        return set()
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return set()
    a = node.args
    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    return names - {"self", "cls"}


def _continuation(raw: str, end: int, indent: int) -> list[str]:
    """The directive's body: the following lines indented deeper than the directive."""
    out: list[str] = []
    for line in raw[end:].split("\n")[1:]:
        if not line.strip():
            if out:
                break
            continue
        if len(line.expandtabs()) - len(line.expandtabs().lstrip()) <= indent:
            break
        out.append(line.strip())
    return out


def _subject(raw: str, start: int, indent: str, explanation: str, params: set[str]) -> str | None:
    """None: the whole function or class; a parameter's name; "": a behaviour."""
    entry = _enclosing_entry(raw, start, len(indent.expandtabs()), params)
    if entry is not None:
        return entry
    phrase = _PARAM_PHRASE_RE.search(explanation.split(". ")[0])
    if phrase:
        return phrase.group(1) or phrase.group(2)
    lead = _LEADING_NAME_RE.match(explanation)
    if lead:
        name = lead.group(1)
        return name if name in params or explanation.startswith("*") else ""
    return None


def _enclosing_entry(raw: str, start: int, indent: int, params: set[str]) -> str | None:
    """The parameter whose description the directive (at `indent`) sits in, if any."""
    if indent == 0:
        return None
    before = raw[:start].split("\n")[:-1]
    for line in reversed(before):
        if not line.strip():
            continue
        width = len(line.expandtabs()) - len(line.expandtabs().lstrip())
        if width < indent:
            m = _PARAM_ENTRY_RE.match(line)
            if m is None:
                return None
            # a reST `:param x:` says so; a Google or NumPy entry must name a parameter
            return m.group(1) or (m.group(2) if m.group(2) in params else None)
    return None


def warning_subject(func: ast.FunctionDef | ast.AsyncFunctionDef, qual: str, guards: list[ast.expr]) -> str:
    """What a deprecation warning raised in `func` is about, as a prefix for its evidence:
    a parameter when an `if` around the warning tests one (`if hash is not None:`), else
    the function."""
    params = _params(func)
    for test in reversed(guards):
        for node in ast.walk(test):
            if type(node) is ast.Name and node.id in params:
                return f"parameter {node.id} of {qual}: "
    return f"{qual}: "
