"""The index over a real corpus: the Python standard library this interpreter ships."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileKind, NoteKind
from repodoc_ls.scan import DEFAULT_EXCLUDE_DIRS

pytestmark = pytest.mark.slow

STDLIB = Path(sysconfig.get_paths()["stdlib"])
EXCLUDE = ("site-packages/", "lib-dynload/", "config-*/")


@pytest.fixture(scope="module")
def stdlib_index(tmp_path_factory):
    cache = tmp_path_factory.mktemp("stdlib-cache")
    settings = load_settings(
        STDLIB, {"cache_dir": str(cache), "exclude": list(EXCLUDE), "output_dir": str(cache / "out")}
    )
    return Index.build(settings)


def _python_files():
    for folder, dirs, files in os.walk(STDLIB):
        rel = Path(folder).relative_to(STDLIB).as_posix()
        # DEFAULT_EXCLUDE_DIRS: skipped by name as ruff skips them (the stdlib's `venv` among them)
        dirs[:] = [
            d
            for d in dirs
            if d not in ("site-packages", "lib-dynload", "__pycache__")
            and d not in DEFAULT_EXCLUDE_DIRS
            and not d.startswith("config-")
        ]
        for name in files:
            if name.endswith(".py"):
                yield name if rel == "." else f"{rel}/{name}"


def test_every_python_file_yields_facts_or_a_note(stdlib_index):
    expected = set(_python_files())
    assert len(expected) > 1000
    missing = expected - set(stdlib_index.paths())
    assert not missing, sorted(missing)[:20]
    for path in expected:
        facts = stdlib_index.file(path)
        if facts.kind in FileKind.PYTHON:
            continue
        assert facts.notes, f"{path} is {facts.kind} without a note"


def test_syntax_errors_are_notes_not_failures(stdlib_index):
    broken = [
        p
        for p in stdlib_index.paths()
        if any(n.kind == NoteKind.SYNTAX_ERROR for n in stdlib_index.file(p).notes)
    ]
    assert "lib2to3/tests/data/py2_test_grammar.py" in broken
    assert all(
        n.line > 0 for p in broken for n in stdlib_index.file(p).notes if n.kind == NoteKind.SYNTAX_ERROR
    )


def test_known_facts_hold(stdlib_index):
    decoder = stdlib_index.file("json/decoder.py")
    decode = decoder.symbol("JSONDecoder.decode")
    assert decode is not None and decode.kind == "method"
    assert decode.signature == "(self, s, _w=WHITESPACE.match)"
    assert decoder.symbol("JSONDecoder").docstring.startswith("Simple JSON")

    g = stdlib_index.graph
    users = g.imported_by("email/parser.py")
    assert "email/__init__.py" in users
    assert all(u in stdlib_index.paths() for u in users)
    assert "json/decoder.py" in g.imported_by("json/scanner.py") or "json/scanner.py" in {
        r.target for r in g.imports_of("json/decoder.py")
    }
    assert g.module_name["email/mime/text.py"] == "email.mime.text"
    subclasses = {(s.path, s.qualname) for s in g.subclasses("json/decoder.py", "JSONDecoder")}
    assert subclasses == set() or all(p in stdlib_index.paths() for p, _ in subclasses)
    # unittest's own TestCase has subclasses across the test suite
    assert len(g.subclasses("unittest/case.py", "TestCase")) > 100
    assert any(t.style == "unittest" for t in g.tests("test/test_json/test_decode.py"))


def test_warm_start_reuses_everything(stdlib_index):
    again = Index.build(stdlib_index.settings)
    assert again.stats.extracted == 0
    assert again.stats.files == stdlib_index.stats.files
