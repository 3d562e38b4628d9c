"""Keyword pages after edits of what they import through re-exports: an incremental export
leaves the bytes a full render gives (the oracle: `render_all`) when a package's
`__init__.py` rebinds, drops or star-imports a name its importers look up, along a chain of
packages too; and an edit that no importer's lookup sees leaves their keyword pages alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_recording import append, export_recording, pages_on_disk, replace_once, write_files

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

FILES = {
    "pkg/__init__.py": "from .a import f\nfrom .a import g\nfrom .sub import deep\n",
    "pkg/a.py": 'def f(x):\n    """F."""\n    return x\n\n\ndef g():\n    return 1\n',
    "pkg/b.py": "def f(y):\n    return y\n\n\ndef h():\n    return 2\n",
    "pkg/sub/__init__.py": "from .mod import deep\n",
    "pkg/sub/mod.py": "def deep():\n    return 3\n\n\ndef other():\n    return 4\n",
    "user.py": "from pkg import f, g, h, deep\n\nprint(f(1), g(), h(), deep())\n",
    "other_user.py": "from pkg.a import f\n\nprint(f(2))\n",
    "third.py": "import pkg.a\n\nprint(pkg.a.f(3))\n",
}


#: edit -> (what it does, whether user.py's keyword page must show something new)
EDITS = {
    "a rebound re-export": (
        lambda ws: replace_once(ws / "pkg/__init__.py", "from .a import f", "from .b import f"),
        True,
    ),
    "a removed re-export": (lambda ws: replace_once(ws / "pkg/__init__.py", "from .a import g\n", ""), True),
    "an added star import": (lambda ws: append(ws / "pkg/__init__.py", "from .b import *\n"), True),
    "a rebinding two packages down": (
        lambda ws: replace_once(
            ws / "pkg/sub/__init__.py", "from .mod import deep", "from .mod import other as deep"
        ),
        True,
    ),
    "a name defined in the package two levels down": (
        lambda ws: replace_once(
            ws / "pkg/sub/__init__.py", "from .mod import deep\n", "def deep():\n    return 5\n"
        ),
        True,
    ),
    "a changed signature and docstring of an imported function": (
        lambda ws: replace_once(
            ws / "pkg/a.py", 'def f(x):\n    """F."""', 'def f(x, y=2):\n    """F, twice."""'
        ),
        False,
    ),
    "a moved imported function": (
        lambda ws: replace_once(ws / "pkg/a.py", "def f(x):", "X = 1\n\n\ndef f(x):"),
        False,
    ),
    "an appended unrelated function": (
        lambda ws: append(ws / "pkg/a.py", "\n\ndef unrelated():\n    return 0\n"),
        False,
    ),
    "a removed imported function": (
        lambda ws: replace_once(ws / "pkg/a.py", "def g():\n    return 1\n", ""),
        True,
    ),
}


@pytest.fixture
def reexports(tmp_path: Path) -> Path:
    return write_files(tmp_path, FILES)


@pytest.mark.parametrize("edit", list(EDITS))
def test_keyword_pages_follow_edits_of_the_files_a_resolution_passes_through(reexports, monkeypatch, edit):
    export(Index.build(load_settings(reexports)))
    before = (reexports / "docs/repodoc/user.py_kw.md").read_bytes()
    change, shows_more = EDITS[edit]
    change(reexports)
    index, exported = export_recording(monkeypatch, reexports)
    output = reexports / "docs/repodoc"
    assert pages_on_disk(output) == render_all(Renderer(index))
    assert ((output / "user.py_kw.md").read_bytes() != before) is shows_more
    if not shows_more:  # what it looks up in the edited file is as it was: not rendered again
        assert exported.isdisjoint({"user.py_kw.md", "other_user.py_kw.md", "third.py_kw.md"})
        assert "pkg/a.py_docs.md" in exported or "pkg/sub/__init__.py_docs.md" in exported


def test_an_edit_keeping_a_files_uses_joins_no_other_page_s_count(reexports, monkeypatch):
    """third.py uses `f` of pkg/a.py, as other_user.py does, but its keyword page counts
    the importers of the module it imports, not the users of `f`: a body edit of
    other_user.py that keeps its uses leaves that page alone; a new use renders the pages
    that count it (and both leave what a full render gives)."""
    export(Index.build(load_settings(reexports)))
    append(reexports / "other_user.py", "print(4)\n")
    index, exported = export_recording(monkeypatch, reexports)
    assert "other_user.py_kw.md" in exported and "third.py_kw.md" not in exported
    assert pages_on_disk(reexports / "docs/repodoc") == render_all(Renderer(index))
    append(reexports / "other_user.py", "from pkg.a import g\n\nprint(g())\n")
    index, exported = export_recording(monkeypatch, reexports)
    assert {"pkg/a.py_kw.md", "user.py_kw.md"} <= exported  # both count the users of g
    assert pages_on_disk(reexports / "docs/repodoc") == render_all(Renderer(index))
