"""File pages after edits of the files they link to: a file page records, for the files it
shows no more of than their path or a name's anchor (an import's target, a docstring role's,
a file it only imports among its related files), the (file, name) lookups those links rest
on, not the whole file. An incremental export leaves the bytes a full render gives (the
oracle: `render_all`) after every edit; an edit that leaves what an importer's page shows
as it was leaves that page alone, and one that changes it renders it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_recording import append, export_recording, pages_on_disk, replace_once, write_files

from repodoc_ls.config import load_settings
from repodoc_ls.docs import caps
from repodoc_ls.docs.check import check
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

FILES = {
    "pkg/__init__.py": "from .a import f\nfrom .a import g\n",
    "pkg/a.py": (
        "from .mid import Mid\n\n\n"
        'def f(x):\n    """F."""\n    return x\n\n\n'
        "def g():\n    return 1\n\n\n"
        "class Base(Mid):\n    pass\n"
    ),
    "pkg/b.py": "def f(y):\n    return y\n",
    "pkg/mid.py": "class Mid:\n    pass\n",
    "lib/tools.py": "def tool():\n    return 0\n",
    "user.py": (
        '"""Uses :func:`f`, :func:`pkg.a.g` and :mod:`tools`."""\n\n'
        "import tools\n"
        "from pkg import f\n"
        "from pkg.a import g\n\n"
        "print(f(1), g(), tools.tool())\n"
    ),
    # Links to a module it does not import: a file added may shadow it.
    "notes.py": '"""See :mod:`tools`."""\n',
    # Not named as a test: whether it is a test module follows its class's bases.
    "checks.py": "from pkg.a import Base\n\n\nclass Checks(Base):\n    def test_one(self):\n        pass\n",
}

USER = "user.py_docs.md"
CHECKS = "checks.py_docs.md"
NOTES = "notes.py_docs.md"


def _testcase(ws: Path, name: str, cls: str, base: str) -> None:
    replace_once(
        ws / name, f"class {cls}({base}):" if base else f"class {cls}:", f"class {cls}(unittest.TestCase):"
    )
    (ws / name).write_text("import unittest\n" + (ws / name).read_text())


#: edit -> (what it does, the pages whose bytes it changes (and so renders again), the pages
#: it must leave alone: not rendered at all)
EDITS = {
    "an appended unrelated function": (
        lambda ws: append(ws / "pkg/a.py", "\n\ndef unrelated():\n    return 0\n"),
        set(),
        {USER, CHECKS, "pkg/__init__.py_docs.md"},
    ),
    "a changed signature and docstring of an imported function": (
        lambda ws: replace_once(
            ws / "pkg/a.py", 'def f(x):\n    """F."""', 'def f(x, y=2):\n    """F, twice."""'
        ),
        set(),
        {USER, CHECKS},
    ),
    "a moved imported function": (
        lambda ws: replace_once(ws / "pkg/a.py", "def f(x):", "X = 1\n\n\ndef f(x):"),
        set(),
        {USER, CHECKS},
    ),
    "an appended function in an imported module file": (
        lambda ws: append(ws / "lib/tools.py", "\n\ndef more():\n    return 1\n"),
        set(),
        {USER, NOTES},
    ),
    "a renamed imported function": (
        lambda ws: replace_once(ws / "pkg/a.py", "def g():", "def g2():"),
        {USER},
        set(),
    ),
    "a removed imported function": (
        lambda ws: replace_once(ws / "pkg/a.py", "def g():\n    return 1\n", ""),
        {USER},
        set(),
    ),
    "a rebound re-export": (
        lambda ws: replace_once(ws / "pkg/__init__.py", "from .a import f", "from .b import f"),
        {USER},
        set(),
    ),
    "a re-export turned into a definition": (
        lambda ws: replace_once(ws / "pkg/__init__.py", "from .a import f\n", "def f():\n    return 5\n"),
        {USER},
        set(),
    ),
    "a file added that shadows an imported module": (
        lambda ws: (ws / "tools.py").write_text("def tool():\n    return 9\n"),
        {USER, NOTES},
        set(),
    ),
    "a removed imported module file": (lambda ws: (ws / "lib/tools.py").unlink(), {USER, NOTES}, set()),
    "an imported base class made a test case": (
        lambda ws: _testcase(ws, "pkg/a.py", "Base", "Mid"),
        {CHECKS},
        {USER},
    ),
    "a base class two files away made a test case": (
        lambda ws: _testcase(ws, "pkg/mid.py", "Mid", ""),
        {CHECKS},
        {USER},
    ),
}


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    return write_files(tmp_path, FILES)


@pytest.mark.parametrize("edit", list(EDITS))
def test_file_pages_follow_edits_of_what_their_links_rest_on(linked, monkeypatch, edit):
    export(Index.build(load_settings(linked)))
    output = linked / "docs/repodoc"
    before = pages_on_disk(output)
    change, shows_more, left_alone = EDITS[edit]
    change(linked)
    index, exported = export_recording(monkeypatch, linked)
    after = pages_on_disk(output)
    assert after == render_all(Renderer(index))
    for page in (USER, CHECKS, NOTES):
        assert (after[page] != before[page]) is (page in shows_more), page
    assert shows_more <= exported
    assert exported.isdisjoint(left_alone), exported & left_alone
    fast = check(index)  # (plans as export does)
    assert fast.ok and fast == check(index, deep=True)


def test_a_link_to_an_anchor_the_page_of_an_enormous_file_drops_renders_again(linked, monkeypatch):
    """A function moved past the symbols a file's page lists loses its anchor there: the
    importer's link to it goes to the page itself, and its page is rendered again."""
    monkeypatch.setattr(caps, "MAX_SYMBOLS", 4)
    export(Index.build(load_settings(linked)))
    output = linked / "docs/repodoc"
    before = (output / USER).read_bytes()
    assert b"a.py_docs.md#f" in before
    earlier = "".join(f"def e{n}():\n    pass\n\n\n" for n in range(4))
    replace_once(linked / "pkg/a.py", "def f(x):", earlier + "def f(x):")
    index, exported = export_recording(monkeypatch, linked)
    assert USER in exported
    assert pages_on_disk(output) == render_all(Renderer(index))
    assert b"a.py_docs.md#f" not in (output / USER).read_bytes()


def test_a_package_init_added_retargets_the_imports_of_files_beside_it(tmp_path, monkeypatch):
    """`import helper` finds `plain/helper.py` while `plain` is no package; an
    `__init__.py` added there renames its modules (`plain.helper` only), so the import is
    left unresolved: the importer, which imports nothing the edit touched, is rendered
    again, and so is the module it lost."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain/helper.py").write_text("def h():\n    return 1\n")
    (tmp_path / "user.py").write_text("import helper\n\nprint(helper.h())\n")
    export(Index.build(load_settings(tmp_path)))
    (tmp_path / "plain/__init__.py").write_text("")
    index, exported = export_recording(monkeypatch, tmp_path)
    assert {"user.py_docs.md", "user.py_kw.md", "plain/helper.py_docs.md"} <= exported
    assert pages_on_disk(tmp_path / "docs/repodoc") == render_all(Renderer(index))


def test_a_file_that_becomes_a_test_module_through_a_base_elsewhere_renders_the_pages_listing_its_kind(
    linked, monkeypatch
):
    """checks.py becomes a test module when a base class two files away becomes a test case,
    while neither it nor the module it imports changes: the imported module's page lists it
    among its testers now, and is rendered again (as are the folder pages counting kinds)."""
    (linked / "target.py").write_text("def checked():\n    return 1\n")
    append(linked / "checks.py", "\n\nfrom target import checked\n")
    export(Index.build(load_settings(linked)))
    _testcase(linked, "pkg/mid.py", "Mid", "")
    index, exported = export_recording(monkeypatch, linked)
    assert {CHECKS, "target.py_docs.md"} <= exported
    assert pages_on_disk(linked / "docs/repodoc") == render_all(Renderer(index))
