"""Text that is read raw as often as rendered (Neovim users read pages as Markdown source):
paths and names in titles and file links are code spans, never backslash-escaped, and they
render back to the exact path (markdown-it is the oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from repodoc_ls.config import load_settings
from repodoc_ls.docs import pages
from repodoc_ls.docs.export import export
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.index.indexer import Index

_MD = MarkdownIt("commonmark").enable("table")

NAMES = ["my_pkg/__init__.py", "my_pkg/snake_case_mod.py", "my_pkg/pipe|name.py", "my_pkg/back`tick_.py"]


@pytest.fixture
def exported(tmp_path):
    ws = tmp_path / "under_score_ws"
    for name in NAMES:
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text('"""A module."""\n\n\ndef some_function():\n    return 1\n')
    out = tmp_path / "out"
    index = Index.build(load_settings(ws, {"output_dir": str(out), "cache_dir": str(tmp_path / "cache")}))
    export(index, out)
    return ws, out


def _heading_code(page: str) -> str:
    """The text of the first heading's code spans, as markdown-it reads them."""
    tokens = _MD.parse(page)
    inline = tokens[[t.type for t in tokens].index("heading_open") + 1]
    return "".join(c.content for c in inline.children or () if c.type == "code_inline")


def _table_link_texts(page: str) -> list[str]:
    """The code text of every link inside a table cell."""
    out = []
    tokens = _MD.parse(page)
    in_table = False
    for tok in tokens:
        if tok.type == "table_open":
            in_table = True
        elif tok.type == "table_close":
            in_table = False
        elif in_table and tok.type == "inline":
            out.extend(c.content for c in tok.children or () if c.type == "code_inline")
    return out


def test_titles_are_code_spans_that_read_back_as_the_path(exported):
    _, out = exported
    for name in NAMES:
        for page in (pages.file_page(name), pages.keyword_page(name)):
            text = (out / page).read_text(encoding="utf-8")
            first = text.splitlines()[0]
            assert "\\" not in first, first
            assert _heading_code(text) == name
    for folder, title in (("my_pkg", "my_pkg/"), ("", "under_score_ws")):
        for kind in ("index", "doc", "sub"):
            text = (out / pages.folder_page(folder, kind)).read_text(encoding="utf-8")
            assert "\\" not in text.splitlines()[0]
            assert _heading_code(text) == title


def test_file_names_in_tables_read_back_and_links_resolve(exported):
    ws, out = exported
    index_page = (out / pages.folder_page("my_pkg", "index")).read_text(encoding="utf-8")
    assert sorted(_table_link_texts(index_page)) == sorted(Path(n).name for n in NAMES)
    source_rows = _table_link_texts(
        (out / pages.file_page("my_pkg/pipe|name.py")).read_text(encoding="utf-8")
    )
    assert "my_pkg/pipe|name.py" in source_rows  # the `|` did not split the metadata row
    assert check_links(out, source_root=ws) == []


def test_a_line_break_in_a_name_cannot_end_a_heading():
    assert "\n" not in pages.code("a\nb.py") and pages.code("a\nb.py") == "`a b.py`"
    assert pages.cell_code("a|b") == "`a\\|b`"


PATHS = ["", "a", "a/b", "a/b/c", "a/bc", "ab/c", "x/y", "a/b/c/d/e", "_/.hidden/-"]


@pytest.mark.parametrize("start", PATHS)
@pytest.mark.parametrize("target", PATHS)
def test_relative_path_is_posixpath_relpath(start, target):
    """The links' relative paths, computed without `relpath` (and its `getcwd`), are
    exactly what `posixpath.relpath` gives for the same page folders."""
    import posixpath

    assert pages.relative_path(target, start) == posixpath.relpath(target or ".", start or ".")


@pytest.mark.parametrize("path", ["a/b.md", "a b/c.md", "ä/ö.md", "a/#x%.md", "a/~b-c_d.e.md", "a?b/c&d.md"])
def test_links_quote_as_urllib_does(path):
    from urllib.parse import quote

    assert pages.link("index.md", path) == quote(path, safe="/-_.~")
