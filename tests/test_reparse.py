"""A new version of a module parsed again only where it changed gives the tree of a whole
parse (the oracle: `parse_module` of the whole text, node for node and position for
position), over random edits of real modules."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path

import pytest

from repodoc_ls.extract import extract_file
from repodoc_ls.extract.parse import parse_module
from repodoc_ls.extract.reparse import Reparser

STDLIB = Path(sysconfig.get_paths()["stdlib"])

CRAFTED = '''# a comment before anything

"""The docstring."""
import os; import sys
x = 1; y = (2,
     3)


@decorator
@other(
    1,
)
def f(a, b=x):
    """Doc."""
    return a  # trailing


class C(Base):
    attr: int = 0

    def method(self):
        s = """a string
over lines"""
        return s
# a comment between
if sys.platform == "win32":
    z = 1
else:
    z = 2
last = [i for i in
        range(3)]'''

SNIPPETS = [
    "x = 1\n",
    "\n",
    "# note\n",
    "    pass\n",
    "def g():\n    return 1\n",
    "class Z:\n    pass\n\n",
    "@dec\n",
    "; w = 2",
    "(",
    ")",
    '"""',
    "\\\n",
    "if a:\n",
    "    ",
    "é",
    "\U0001f600",
    "async def h(): await q\n",
]


def _generated(classes: int) -> str:
    body = "".join(
        f"class Generated{i}(Base):\n    value = {i}\n\n    def get(self):\n        return self.value\n\n\n"
        for i in range(classes)
    )
    return f'"""Generated."""\n\n\nclass Base:\n    """The base."""\n\n\n{body}'


def _sources() -> list[tuple[str, str]]:
    found = [("crafted.py", CRAFTED), ("generated.py", _generated(60))]
    for rel in ("textwrap.py", "email/utils.py", "json/decoder.py", "asyncio/locks.py"):
        path = STDLIB / rel
        if path.is_file():
            found.append((rel, path.read_text(encoding="utf-8")))
    return found


def _edit(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    kind = rng.random()
    if kind < 0.35:  # a whole statement or blank line at a line start: usually still valid
        at = rng.randrange(len(lines) + 1)
        snippet = rng.choice(["x = 1", "", "# c", "def g():\n    return 1", "import os", "@d"])
        return "\n".join(lines[:at] + snippet.split("\n") + lines[at:])
    if kind < 0.5:  # a line removed or doubled
        at = rng.randrange(len(lines))
        return "\n".join(lines[:at] + ([lines[at]] * 2 if rng.random() < 0.5 else []) + lines[at + 1 :])
    if kind < 0.7:  # a name changed in place: same lines
        at = rng.randrange(len(lines))
        line = lines[at]
        spots = [i for i, c in enumerate(line) if c.isalpha()]
        if spots:
            i = rng.choice(spots)
            lines[at] = line[:i] + rng.choice("abcxyz") + line[i + 1 :]
        return "\n".join(lines)
    start = rng.randrange(len(text) + 1)
    if kind < 0.85:  # a snippet anywhere
        return text[:start] + rng.choice(SNIPPETS) + text[start:]
    return text[:start] + text[start + rng.randrange(1, 40) :]  # a range deleted


def _whole(path: str, text: str):
    return parse_module(text, filename=path)


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def _outcome(parse, path: str, text: str) -> str:
    try:
        return _dump(parse(path, text).tree)
    except (SyntaxError, ValueError) as exc:
        return f"error: {type(exc).__name__}"


@pytest.mark.parametrize("seed", range(4))
def test_a_reparse_is_the_whole_parse(seed: int) -> None:
    rng = random.Random(seed)
    reparser = Reparser()
    parses = 0
    for path, text in _sources():
        reparser.parse(path, text)
        for _ in range(40):
            new = _edit(rng, text)
            expected = _outcome(_whole, path, new)
            assert _outcome(reparser.parse, path, new) == expected, (path, new)
            parses += 1
            if not expected.startswith("error"):
                text = new
            else:
                reparser.parse(path, text)  # back to a text that parses, as a user would
    # The reuse is what is under test: most edits must have taken it.
    assert reparser.reused > parses // 2


def test_an_edit_reparses_only_the_statements_it_touches() -> None:
    text = _generated(200)
    reparser = Reparser()
    first = reparser.parse("big.py", text)
    untouched = first.tree.body[-1]
    new = text.replace("value = 7\n", "value = 8\n    other = 9\n", 1)
    again = reparser.parse("big.py", new)
    assert reparser.reused == 1
    assert again.tree.body[-1] is untouched  # the same node, moved a line down
    assert _dump(again.tree) == _dump(ast.parse(new))


def test_a_reparse_after_a_syntax_error_parses_whole() -> None:
    reparser = Reparser()
    reparser.parse("m.py", CRAFTED)
    with pytest.raises(SyntaxError):
        reparser.parse("m.py", CRAFTED.replace("def f(a, b=x):", "def f(a, b=x:"))
    assert _dump(reparser.parse("m.py", CRAFTED).tree) == _dump(ast.parse(CRAFTED))
    assert reparser.reused == 0


def test_extraction_with_a_reparser_equals_a_fresh_extraction() -> None:
    rng = random.Random(11)
    reparser = Reparser()
    path, text = "pkg/utils.py", (STDLIB / "email/utils.py").read_text(encoding="utf-8")
    assert extract_file(path, text.encode(), reparser) == extract_file(path, text.encode())
    for _ in range(25):
        text = _edit(rng, text)
        assert extract_file(path, text.encode(), reparser) == extract_file(path, text.encode())
    assert reparser.reused > 0
