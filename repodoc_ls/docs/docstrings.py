"""Docstrings for readers: inline reST/Markdown markup made Markdown (roles become links to
the symbol they name when it is in the workspace, code otherwise), and the parameters,
return value and raised exceptions a reST, Google or NumPy docstring documents.

A docstring is untrusted text: everything that is not markup we recognise is escaped, so a
docstring can add emphasis, code and our own links to a page, never its own links or HTML.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import docstring_parser
from docstring_parser import google, numpydoc, rest

from repodoc_ls.docs import caps, namedeps, pages
from repodoc_ls.model import ModuleRef, Symbol, SymbolKind, SymbolRef, first_sentence

if TYPE_CHECKING:
    from repodoc_ls.docs.fileview import PageLinks

#: Roles that name a Python object (Sphinx's Python domain); any other role shows as code.
_OBJECT_ROLES = frozenset({"class", "func", "meth", "attr", "mod", "exc", "obj", "data", "const", "any"})

_INLINE = re.compile(
    r":(?:py:)?(?P<role>[a-z]+):`(?P<target>[^`]+)`"
    r"|``(?P<literal>[^`]+?)``"
    r"|\*\*(?P<bold>[^*\s](?:[^*]*[^*\s])?)\*\*"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|`(?P<code>[^`]+)`(?!_)"
)
_TITLED = re.compile(r"(?P<title>.*?)\s*<(?P<target>[^<>]+)>\s*$", re.S)

#: Which parser reads a docstring's sections, chosen by its first cue; most docstrings have
#: none and skip parsing. One parser per style, made once (docstring_parser's own `parse`
#: compiles a Google or NumPy parser per call, and tries every style to guess one).
_PARSERS: tuple[tuple[re.Pattern[str], Callable[[str], docstring_parser.Docstring]], ...] = (
    (
        re.compile(
            r"^\s*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except|exception|yields?)\b",
            re.M,
        ),
        rest.parse,
    ),
    (
        re.compile(r"^\s*(Parameters|Other Parameters|Returns|Yields|Raises)\s*\n\s*-{3,}\s*$", re.M),
        numpydoc.NumpydocParser().parse,
    ),
    (
        re.compile(
            r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Returns|Yields|Raises)\s*:\s*$", re.M
        ),
        google.GoogleParser().parse,
    ),
)
MAX_PARSED = 20_000  # characters: a longer docstring's sections are not parsed

#: Turns a role's target (as written, without `~` or `!`) into a link target, or None.
Resolver = Callable[[str], "str | None"]


def inline(value: str, resolve: Resolver | None = None) -> str:
    """Markdown for one line or paragraph of docstring text (newlines become spaces)."""
    out = []
    pos = 0
    for m in _INLINE.finditer(value):
        out.append(pages.text(value[pos : m.start()]))
        pos = m.end()
        if m["role"] is not None:
            out.append(_role(m["role"], m["target"], resolve))
        elif m["literal"] is not None:
            out.append(pages.code(m["literal"]))
        elif m["bold"] is not None:
            out.append(f"**{pages.text(m['bold'])}**")
        elif m["em"] is not None:
            out.append(f"*{pages.text(m['em'])}*")
        else:
            out.append(pages.code(m["code"]))
    out.append(pages.text(value[pos:]))
    return "".join(out)


def _role(role: str, written: str, resolve: Resolver | None) -> str:
    titled = _TITLED.match(written)
    title, target = (titled["title"], titled["target"]) if titled and titled["title"] else (None, written)
    target = target.strip()
    no_link = target.startswith("!")
    short = target.startswith("~")
    target = target.lstrip("!~")
    label = title or (target.rsplit(".", 1)[-1] if short else target)
    if role in ("func", "meth") and not title:
        label += "()" if not label.endswith(")") else ""
    shown = pages.code(label)
    if role not in _OBJECT_ROLES or no_link or resolve is None:
        return shown
    href = resolve(target.lstrip("."))
    return f"[{shown}]({href})" if href else shown


@dataclass(frozen=True, slots=True)
class Item:
    """A parameter, the return value or a raised exception: its name or type, its description."""

    name: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class Sections:
    params: list[Item]
    returns: Item | None
    raises: list[Item]


def sections(docstring: str | None) -> Sections | None:
    """What the docstring documents in its parameter, return and exception sections; None
    when it has none (or they cannot be parsed: then the page shows less, nothing wrong)."""
    if not docstring or len(docstring) > MAX_PARSED:
        return None
    parse = next((parse for cue, parse in _PARSERS if cue.search(docstring)), None)
    if parse is None:
        return None
    try:
        parsed = parse(docstring)
    except Exception:  # an untrusted docstring: the parser's failure is not ours to raise
        return None
    params = [
        Item(p.arg_name.replace("\\", ""), p.type_name or "", _one_line(p.description))
        for p in parsed.params
        if p.arg_name
    ]
    returned = parsed.returns
    returns = (
        Item("", returned.type_name or "", _one_line(returned.description))
        if returned is not None and (returned.type_name or returned.description)
        else None
    )
    raises = [Item("", r.type_name or "", _one_line(r.description)) for r in parsed.raises if r.type_name]
    if not params and returns is None and not raises:
        return None
    return Sections(params, returns, raises)


def _one_line(text: str | None) -> str:
    """A description's first sentence (the page sums up; the source below has the rest)."""
    return first_sentence(text)


def return_annotation(signature: str | None) -> str:
    """The `-> X` part of a signature as our extraction writes it, "" when there is none."""
    if not signature or not signature.startswith("("):
        return ""
    depth = 0
    quote = ""
    for i, ch in enumerate(signature):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                rest = signature[i + 1 :].strip()
                return rest[2:].strip() if rest.startswith("->") else ""
    return ""


def annotated_parameters(signature: str | None) -> frozenset[str]:
    """The parameters the signature annotates (their docstring type would say it twice)."""
    if not signature or ":" not in signature:
        return frozenset()
    try:
        tree = ast.parse(f"def f{signature}: pass")
    except (SyntaxError, ValueError):
        return frozenset()
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef):
        return frozenset()
    a = node.args
    every = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
    return frozenset(arg.arg for arg in every if arg.annotation is not None)


def section_lines(
    found: Sections | None, annotation: str, resolve: Resolver | None, annotated: frozenset[str] = frozenset()
) -> list[str]:
    """The Markdown lines a function's entry shows under it: parameters (their types when
    the signature does not annotate them), returns (the annotation first), raises."""
    out = []
    if found is not None and found.params:
        items = (
            _item(p.name, "" if p.name.lstrip("*") in annotated else p.type, p.description, resolve)
            for p in found.params
        )
        out.append("Parameters: " + "; ".join(items))
    returned = found.returns if found is not None else None
    if returned is not None or annotation:
        shown_type = annotation or (returned.type if returned is not None else "")
        description = returned.description if returned is not None else ""
        if description or (returned is not None and not annotation):
            out.append("Returns " + _item("", shown_type, description, resolve))
    if found is not None and found.raises:
        out.append("Raises " + "; ".join(_item("", r.type, r.description, resolve) for r in found.raises))
    return out


def _item(name: str, type_name: str, description: str, resolve: Resolver | None) -> str:
    head = pages.code(name) if name else ""
    if type_name:
        href = resolve(type_name) if resolve is not None else None
        typed = f"[{pages.code(type_name)}]({href})" if href else pages.code(type_name)
        head = f"{head} ({typed})" if head else typed
    if description:
        return f"{head} — {inline(description, resolve)}" if head else inline(description, resolve)
    return head


def role_resolver(p: PageLinks, context: Symbol | None) -> Resolver:
    """Link targets for the roles in the docstring of `context` (None: the module's) on
    page `p`, through the graph's name resolution: a name as the file's top level sees it,
    a member of the enclosing class, or a dotted module path. A link shows only where the
    name leads (a symbol's anchor, a module's page): every (file, name) lookup the
    resolution took becomes a name dep of the page (`p.names`, see namedeps.py), so a
    change of any answer renders the page again, and an edit elsewhere in those files does
    not."""
    graph = p.renderer.graph
    scope = ""
    if context is not None:
        scope = context.qualname if context.kind == SymbolKind.CLASS else (context.parent or "")

    def resolve(target: str) -> str | None:
        parts = target.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        with graph.recording_lookups(p.names):
            ref = graph.resolve_expr(p.path, f"{scope}.{target}") if scope else None
            if ref is None:
                ref = graph.resolve_expr(p.path, target)
            for cut in range(len(parts), 0, -1) if ref is None else ():
                dotted = ".".join(parts[:cut])
                p.names.add((p.path, namedeps.MODULE + dotted))  # (a file added may answer it)
                module = graph.resolve_module(dotted, p.path)
                if module is not None:
                    p.names.add((module, ""))
                    ref = ModuleRef(module)
                    for part in parts[cut:]:
                        ref = graph.member(ref, part)
                    break
        if isinstance(ref, SymbolRef):
            fragment = caps.symbol_fragment(p.renderer, ref.path, ref.qualname)
            return p.link(p.page, fragment) if ref.path == p.path else p.to_named(ref.path, fragment)
        if isinstance(ref, ModuleRef):
            if ref.path == p.path:
                return p.link(p.page)
            p.names.add((ref.path, ""))
            return p.to_named(ref.path)
        return None

    return resolve


def summary_and_details(p: PageLinks, s: Symbol) -> tuple[str, list[str]]:
    """A symbol's entry text: its summary as Markdown, and for a function the lines of its
    documented parameters, return value (with the annotation) and raised exceptions."""
    if not s.docstring:
        return "", []
    resolve = role_resolver(p, s)
    summary = inline(s.summary, resolve)
    if s.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD):
        return summary, []
    found = sections(s.docstring)
    annotated = annotated_parameters(s.signature) if found is not None and found.params else frozenset()
    return summary, section_lines(found, return_annotation(s.signature), resolve, annotated)


_UNDERLINE = re.compile(r"^([-=~^\"'`#*+])\1{2,}\s*$")
_LIST_ITEM = re.compile(r"^([-*+•]|\d{1,3}[.)])\s+")
#: A line whose layout carries meaning: indented, a doctest, a table or a drawing.
_LAYOUT = re.compile(r"^\s|^>>>|\S {2,}\S|[|+]-{2,}|-{2,}[|+]|^\.\. ")


def prose(docstring: str, resolve: Resolver | None) -> str:
    """A docstring as Markdown blocks. Prose paragraphs and lists are rendered (markup
    made Markdown, everything else escaped); a block whose layout carries meaning (an
    indented or `::` literal block, a doctest, a table) is kept verbatim in a text fence,
    as is a whole docstring over `MAX_PARSED` characters."""
    text = inspect.cleandoc(docstring)
    if len(text) > MAX_PARSED:
        return _verbatim(text)
    out = []
    literal_next = False
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.splitlines()
        if not lines:
            continue
        if literal_next or any(_LAYOUT.search(line) for line in lines):
            out.append(_verbatim(block))
            literal_next = False
        elif len(lines) == 2 and _UNDERLINE.match(lines[1]):
            out.append(f"**{inline(lines[0].strip(), resolve)}**")
        elif all(_LIST_ITEM.match(line) for line in lines):
            out.append("\n".join("- " + inline(_LIST_ITEM.sub("", line), resolve) for line in lines))
        else:
            paragraph = " ".join(line.strip() for line in lines)
            literal_next = paragraph.endswith("::")
            if literal_next:  # reST: "Example::" reads "Example:" and a literal block follows
                paragraph = paragraph[:-1].rstrip(" :") + ("" if paragraph[:-2].endswith(" ") else ":")
            rendered = inline(paragraph, resolve)
            out.append("\\" + rendered if re.match(r"[-+=]|\d+[.)]", rendered) else rendered)
    return "\n\n".join(out)


def _verbatim(block: str) -> str:
    fence = pages.fence_for(block)
    return f"{fence}text\n{block}\n{fence}"
