"""One parser for every supported Python (issue 12, item 5): newer syntax than the running
interpreter's gives the facts the newest interpreter gives, with no syntax-error note; real
syntax errors are still reported; the standard-library list does not come from the
running interpreter."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from newer_syntax import NEWER, PEP695

from repodoc_ls.extract.parse import lower, parse_module
from repodoc_ls.extract.python import extract_python
from repodoc_ls.index.stdlib import STDLIB_MODULE_NAMES
from repodoc_ls.model import NoteKind, SymbolKind

ROOT = Path(__file__).resolve().parent.parent


def test_pep695_api_on_this_interpreter():
    f = extract_python("m.py", PEP695)
    assert [(s.qualname, s.kind, s.line, s.col, s.parent) for s in f.symbols] == [
        ("Box", SymbolKind.CLASS, 1, 6, None),
        ("Box.get", SymbolKind.METHOD, 2, 8, "Box"),
        ("first", SymbolKind.FUNCTION, 6, 4, None),
        ("Alias", SymbolKind.TYPE_ALIAS, 10, 5, None),
    ]
    assert f.symbols[2].signature == "(xs: list[T]) -> T"
    assert not [n for n in f.notes if n.kind == NoteKind.SYNTAX_ERROR]


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_syntax_parses_without_a_syntax_error(name):
    f = extract_python("m.py", NEWER[name])
    assert f.notes == [], f.notes


def test_lowering_keeps_lines_and_definition_columns():
    text = NEWER["pep695_bounds_and_star"].decode()
    lowered = lower(text)
    if sys.version_info >= (3, 14):
        pytest.skip("nothing to lower on the newest grammar")
    assert lowered is not None
    source, aliases, _ = lowered
    assert source.count("\n") == text.count("\n")
    assert aliases == {(6, 0), (7, 25)}
    for a, b in zip(text.split("\n"), source.split("\n"), strict=True):
        for word in ("class Registry", "def get", "def spread"):
            if word in a:
                assert a.index(word) == b.index(word)


@pytest.mark.parametrize(
    "source,line",
    [
        (b"def f(:\n    pass\n", 1),
        (b"x = 1\nclass Box[T]\n    pass\n", 2),  # newer syntax, and still an error
        (b"try:\n    pass\nexcept A, B as e:\n    pass\n", 3),  # PEP 758 forbids `as` here
        (b"type X = \n", 1),
    ],
)
def test_real_syntax_errors_are_still_reported(source, line):
    f = extract_python("m.py", source)
    errors = [n for n in f.notes if n.kind == NoteKind.SYNTAX_ERROR]
    assert [n.line for n in errors] == [line]
    with pytest.raises(SyntaxError):
        parse_module(source.decode())


def _interpreters() -> dict[tuple[int, int], str]:
    """(major, minor) -> an interpreter of that version on this machine, this one included."""
    found = {sys.version_info[:2]: sys.executable}
    candidates = [shutil.which(f"python3.{m}") for m in range(10, 16)]
    candidates += sorted(glob.glob("/root/.pyenv/versions/3.1*/bin/python3"))
    for exe in filter(None, candidates):
        try:
            out = subprocess.run(
                [exe, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        version = (int(out[0]), int(out[1]))
        if version >= (3, 10):
            found.setdefault(version, exe)
    return found


_FACTS = """
import ast, json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
from newer_syntax import NEWER, facts_json
out = {}
for name, data in NEWER.items():
    if sys.argv[3] == "oracle":
        try:
            ast.parse(data)
        except SyntaxError:
            continue  # not even this interpreter's own grammar: no oracle for it
    out[name] = facts_json(data)
print(json.dumps(out))
"""


def _facts_under(python: str, role: str) -> dict:
    out = subprocess.run(
        [python, "-c", _FACTS, str(ROOT), str(ROOT / "tests"), role],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=""),
        check=True,
    ).stdout
    return json.loads(out)


_PYTHONS = _interpreters()


@pytest.mark.parametrize("version", sorted(_PYTHONS)[:-1] or [None], ids=str)
def test_same_facts_as_the_newest_interpreter(version):
    """Every interpreter here older than the newest (3.10 included, where the machine has
    it) gives the facts the newest gives with its own `ast.parse`."""
    if version is None:
        pytest.skip("one interpreter only: nothing to compare")
    oracle = _facts_under(_PYTHONS[max(_PYTHONS)], "oracle")
    assert "pep695" in oracle
    got = _facts_under(_PYTHONS[version], "lowered")
    for name, expected in oracle.items():
        assert got[name] == expected, name


def test_stdlib_list_is_a_superset_of_this_interpreter():
    assert set(sys.stdlib_module_names) <= STDLIB_MODULE_NAMES
    # removed in 3.12/3.13, still the standard library for code written for 3.10
    assert {"distutils", "cgi", "imp", "asyncore", "telnetlib", "__future__"} <= STDLIB_MODULE_NAMES
    # added in 3.14
    assert {"annotationlib", "compression"} <= STDLIB_MODULE_NAMES


def test_stdlib_classification_does_not_use_the_interpreter():
    source = (ROOT / "repodoc_ls" / "index" / "graph.py").read_text()
    assert "stdlib_module_names" not in source


def test_fstrings_nested_deeper_than_two_quotes_parse():
    """Three levels of one quote: the innermost string is blanked on 3.10/3.11 (its names
    are lost, and no fact records them), the file still has its API and no error."""
    f = extract_python("m.py", b'deep = f"{f"{f"{z}"}"}"\ndef after(): ...\n')
    assert [(s.qualname, s.kind) for s in f.symbols] == [
        ("deep", SymbolKind.VARIABLE),
        ("after", SymbolKind.FUNCTION),
    ]
    assert f.notes == []


@pytest.mark.parametrize("source", [b'x = f"{y"\n', b'x = f"{y!}"\n', b'x = f"{\n}"\n'])
def test_broken_fstrings_are_still_errors(source):
    f = extract_python("m.py", source)
    assert [n.kind for n in f.notes] == [NoteKind.SYNTAX_ERROR]
