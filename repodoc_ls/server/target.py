"""What the name under the cursor is, answered from the index alone (no jedi, no file reads).

The line text gives the word and the dotted chain ending in it (`helpers.SpecialCart`);
the file's facts say whether that spot is a definition (`Symbol.line`/`col`), part of an
import statement, or a recorded use (`FileFacts.uses` maps each name and dotted chain to
the lines it is used on, so a word in a comment or string is not mistaken for a use); the
graph resolves names through imports, aliases and re-exports. All functions here expect
the caller to hold `index.lock`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileFacts, Import, ModuleRef, SymbolRef

IMPORT_SPAN = 30  # lines a multi-line import statement is searched over


@dataclass(frozen=True)
class Word:
    line: int  # 0-based
    start: int  # character offsets (code points) in the line
    end: int
    text: str
    chain: str  # dotted chain ending with this word, e.g. "helpers.SpecialCart"


@dataclass(frozen=True)
class Found:
    word: Word
    target: SymbolRef | ModuleRef | None
    how: str  # "definition", "import", "use", or "" when unresolved
    module_name: str | None = None  # for an import of a non-workspace module: its dotted name


def _is_ident(c: str) -> bool:
    return c.isalnum() or c == "_"


def word_at(lines: list[str], line: int, char: int) -> Word | None:
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    if char > len(text):
        char = len(text)
    if char < len(text) and _is_ident(text[char]):
        pos = char
    elif char > 0 and _is_ident(text[char - 1]):
        pos = char - 1  # cursor just after a word
    else:
        return None
    start = pos
    while start > 0 and _is_ident(text[start - 1]):
        start -= 1
    end = pos + 1
    while end < len(text) and _is_ident(text[end]):
        end += 1
    word = text[start:end]
    if word[0].isdigit():
        return None
    chain_start = start
    while chain_start > 1 and text[chain_start - 1] == ".":
        j = chain_start - 1
        k = j
        while k > 0 and _is_ident(text[k - 1]):
            k -= 1
        if k == j:
            break
        chain_start = k
    chain = text[chain_start:end]
    if chain_start > 0 and text[chain_start - 1] == ".":
        chain = "." + chain  # attribute of a call or subscript: not resolvable from the index
    return Word(line, start, end, word, chain)


def resolve(index: Index, rel: str, lines: list[str], line: int, char: int) -> Found | None:
    word = word_at(lines, line, char)
    if word is None:
        return None
    facts = index.file(rel)
    if facts is None or not facts.is_python:
        return Found(word, None, "")
    lineno = line + 1
    graph = index.graph
    for s in facts.symbols:
        if s.line == lineno and s.col == word.start and s.name == word.text:
            return Found(word, SymbolRef.of(rel, s), "definition")
    found = _in_import(index, rel, facts, lines, word)
    if found is not None:
        return found
    chain = word.chain
    if chain.startswith("."):
        return Found(word, None, "")
    if lineno in facts.uses.get(chain, ()) or _top_level_name(facts, chain.split(".")[0]):
        target = graph.resolve_expr(rel, chain)
        if target is not None:
            return Found(word, target, "use")
    return Found(word, None, "")


def _top_level_name(facts: FileFacts, name: str) -> bool:
    """A name bound at module level by an import or a definition (uses may miss a chain
    written across lines, but a bound name is resolvable wherever it is written)."""
    return any(i.bound_name == name for i in facts.imports) or any(
        s.name == name and s.parent is None and not s.local for s in facts.symbols
    )


def _statement_imports(facts: FileFacts, lines: list[str], line: int) -> tuple[int, list[Import]]:
    """The imports of the statement covering 0-based `line`, with its first line (1-based)."""
    by_line: dict[int, list[Import]] = {}
    for imp in facts.imports:
        by_line.setdefault(imp.line, []).append(imp)
    lineno = line + 1
    if lineno in by_line:
        return lineno, by_line[lineno]
    # Inside `from x import (\n a,\n b)` or a backslash continuation: find the opening line,
    # and check that the statement is still open on every line up to this one (a class
    # statement's open parenthesis further down is not the import's).
    for start in range(lineno - 1, max(0, lineno - IMPORT_SPAN), -1):
        if start in by_line:
            opened = 0
            for text in lines[start - 1 : lineno - 1]:
                opened += text.count("(") - text.count(")")
                if opened <= 0 and not text.rstrip().endswith("\\"):
                    return 0, []
            return start, by_line[start]
    return 0, []


_FROM = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\b")


def _in_import(index: Index, rel: str, facts: FileFacts, lines: list[str], word: Word) -> Found | None:
    start, imports = _statement_imports(facts, lines, word.line)
    if not imports:
        return None
    graph = index.graph
    resolved = {id(r.imp): r for r in graph.imports_of(rel)}
    text = lines[start - 1]
    m = _FROM.match(text)
    in_module_part = word.line == start - 1 and m is not None and m.start(1) <= word.start < m.end(1)
    if m is not None and not in_module_part:
        for imp in imports:
            if word.text in (imp.alias, imp.name):
                return Found(
                    word,
                    graph.resolve_name(rel, imp.bound_name),
                    "import",
                    None if graph.resolve_name(rel, imp.bound_name) else _dotted(imp),
                )
        return Found(word, None, "")
    # A module path: `import a.b.c as d` or the `from a.b` part: resolve up to the word.
    for imp in imports:
        r = resolved.get(id(imp))
        if m is None and imp.alias == word.text:
            return Found(word, ModuleRef(r.target) if r and r.target else None, "import", imp.module)
        parts = imp.module.split(".") if imp.module else []
        if word.text not in parts:
            continue
        upto = ".".join(parts[: parts.index(word.text) + 1])
        if upto == imp.module and r is not None and r.target is not None:
            target: str | None = r.target
            if r.names_submodule:  # `from pkg import mod`: r.target is the submodule
                target = graph.resolve_module(upto, rel) if not imp.level else None
            return Found(word, ModuleRef(target) if target else None, "import", imp.module)
        target = graph.resolve_module(upto, rel) if not imp.level else None
        return Found(word, ModuleRef(target) if target else None, "import", upto)
    return Found(word, None, "")


def _dotted(imp: Import) -> str:
    return f"{imp.module}.{imp.name}" if imp.module else (imp.name or "")
