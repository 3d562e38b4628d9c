"""The pages themselves: golden files, hostile content, odd names, links that resolve."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import check, export
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

GOLDEN = Path(__file__).parent / "golden" / "ws"
#: Regenerate the golden pages after an intended change of the output:
#:     REPODOC_UPDATE_GOLDEN=1 python -m pytest tests/test_doc_pages.py
UPDATE = os.environ.get("REPODOC_UPDATE_GOLDEN") == "1"

GOLDEN_PAGES = [
    ("shop/cart.py", "docs"),
    ("shop/cart.py", "kw"),
    ("shop/pricing.py", "docs"),
    ("shop/__init__.py", "docs"),
    ("tests/test_package.py", "docs"),
    ("tests/test_pricing.py", "kw"),
    ("tests/test_platforms.py", "docs"),
    ("broken/bad_syntax.py", "docs"),
    ("legacy/latin1.py", "docs"),
    ("data/config.json", "docs"),
    ("data/logo.png", "docs"),
    ("README.md", "docs"),
    ("odd names/café menu.py", "docs"),
    ("", "index"),
    ("", "doc"),
    ("", "sub"),
    ("shop", "index"),
    ("shop", "doc"),
    ("shop", "sub"),
]


@pytest.mark.parametrize("path,kind", GOLDEN_PAGES, ids=[f"{p or 'root'}:{k}" for p, k in GOLDEN_PAGES])
def test_golden_pages(index, path, kind):
    text = Renderer(index).render_page(path, kind)
    golden = GOLDEN / f"{path or 'root'}.{kind}.md"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden page {golden}: run with REPODOC_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_rendering_is_deterministic_across_builds(workspace, tmp_path):
    first = Renderer(Index.build(load_settings(workspace))).render_page("shop/cart.py", "docs")
    second_index = Index.build(load_settings(workspace, {"cache_dir": str(tmp_path / "other")}))
    assert Renderer(second_index).render_page("shop/cart.py", "docs") == first


def test_methods_sit_under_their_class_and_are_qualified_on_the_keyword_page(index):
    renderer = Renderer(index)
    page = renderer.render_page("shop/cart.py", "docs").splitlines()
    cls = page.index(next(line for line in page if line.startswith('- <a id="Cart"></a>')))
    add = page.index(next(line for line in page if '<a id="Cart.add"></a>' in line))
    assert add > cls and page[add].startswith("  - ")  # nested under the class item
    assert "`def add(self, item: str, qty: int = 1) -> Cart.Line`" in page[add]
    kw = renderer.render_page("shop/cart.py", "kw")
    methods = kw.split("## Methods")[1].split("## ")[0]
    assert "| `Cart.add` | [32](../../../shop/cart.py#L32) | [docs](cart.py_docs.md#Cart.add) |" in methods
    assert "`Cart.Line.__init__`" in methods
    names = kw.split("## Imported names")[1]
    assert "`.pricing.DISCOUNT as discount_rate`" in names and "[page](pricing.py_docs.md#DISCOUNT)" in names


Q = '"' * 3
HOSTILE = (
    Q + "Title with <b>bold</b> and </div> and <!-- a comment\n\n"
    "# Not a heading of the page\n"
    "[link](nowhere.md) and ```fenced``` and <script>alert(1)</script>\n" + Q + "\n\n"
    "FENCES = " + Q + "\n```python\nx = 1\n```\n````\nfour\n````\n" + Q + "\n\n\n"
    "def shown():\n    " + Q + "Has ``` and <i>tags</i>." + Q + "\n    return FENCES\n"
)


@pytest.fixture
def hostile_ws(tmp_path):
    ws = tmp_path / "hostile"
    (ws / "we ird #dir%").mkdir(parents=True)
    (ws / "ünï").mkdir()
    (ws / "fences.py").write_text(HOSTILE, encoding="utf-8")
    (ws / "we ird #dir%" / "odd name #1 100%.py").write_text(
        '"""Odd."""\nfrom fences import shown\n\n\nclass Thing:\n    def run(self):\n        return shown()\n'
    )
    (ws / "ünï" / "módülé.py").write_text(
        '"""Ünïcode."""\n\n\ndef grüße():\n    return 1\n', encoding="utf-8"
    )
    (ws / "ünï" / "back`tick.py").write_text('"""Backtick `name`."""\nVALUE = "`"\n')
    (ws / "notes.md").write_text("# Notes\n\nSee ```` and ``` here.\n\n```\nunclosed fence\n")
    return ws


def _fences(markdown: str) -> list[tuple[str, str]]:
    return [(t.info, t.content) for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"]


def test_hostile_content_keeps_the_page_whole(hostile_ws):
    index = Index.build(load_settings(hostile_ws))
    page = Renderer(index).render_page("fences.py", "docs")
    fences = _fences(page)
    source = (hostile_ws / "fences.py").read_text(encoding="utf-8")
    assert ("python", source) in fences  # the whole source, intact, in one fence
    tokens = MarkdownIt("commonmark").parse(page)
    # the docstring is prose on the page: its text shown, its link and markup not followed
    purpose = page.split("## Purpose\n\n", 1)[1].split("\n## ", 1)[0]
    assert purpose.startswith("Title with \\<b\\>bold\\</b\\> and \\</div\\> and \\<!-- a comment\n\n")
    hrefs = [c.attrs["href"] for t in tokens if t.children for c in t.children if c.type == "link_open"]
    assert "nowhere.md" not in hrefs
    raw_html = "".join(t.content for t in tokens if t.type == "html_block")
    raw_html += "".join(
        c.content for t in tokens if t.children for c in t.children if c.type == "html_inline"
    )
    assert "<script>" not in raw_html and "</div>" not in raw_html and "<b>" not in raw_html
    headings = [t for t in tokens if t.type == "heading_open" and t.tag == "h1"]
    assert len(headings) == 1  # the docstring's "# ..." line did not become a heading
    md_page = Renderer(index).render_page("notes.md", "docs")
    assert ("markdown", (hostile_ws / "notes.md").read_text()) in _fences(md_page)


def test_odd_names_link_correctly(hostile_ws, tmp_path):
    out = tmp_path / "out"
    index = Index.build(load_settings(hostile_ws, {"output_dir": str(out)}))
    export(index)
    assert check_links(out, source_root=hostile_ws) == []
    assert check(index).ok
    page = (out / "we ird #dir%" / "odd name #1 100%.py_docs.md").read_text(encoding="utf-8")
    assert "we%20ird%20%23dir%25/odd%20name%20%231%20100%25.py" in page  # the source link
    assert (out / "ünï" / "back`tick.py_docs.md").is_file()
    fences_page = (out / "fences.py_docs.md").read_text(encoding="utf-8")
    assert "odd%20name%20%231%20100%25.py_docs.md" in fences_page  # used by the odd file


STDLIB = Path(sysconfig.get_paths()["stdlib"])


@pytest.mark.slow
@pytest.mark.parametrize("package", ["email", "json", "asyncio", "importlib"])
def test_stdlib_package_doc_sets_have_no_broken_links(package, tmp_path):
    out = tmp_path / "out"
    settings = load_settings(STDLIB / package, {"cache_dir": str(tmp_path / "cache"), "output_dir": str(out)})
    index = Index.build(settings)
    result = export(index)
    assert result.written > 2 * len(index.paths())
    assert check_links(out, source_root=STDLIB / package) == []


def test_repeated_names_get_unique_anchors_and_keep_their_own_members(tmp_path):
    ws = tmp_path / "dups"
    ws.mkdir()
    (ws / "twice.py").write_text(
        "import sys\n\nif sys.platform == 'win32':\n    class Box:\n        def open(self):\n            pass\n"
        "else:\n    class Box:\n        def open(self):\n            pass\n\n        def close(self):\n            pass\n\n\n"
        "class Prop:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, value):\n        pass\n"
    )
    page = Renderer(Index.build(load_settings(ws))).render_page("twice.py", "docs")
    import re

    ids = re.findall(r'<a id="([^"]+)"></a>', page)
    assert len(ids) == len(set(ids))
    assert {"Box", "Box-2", "Box.open", "Box.open-2", "Box.close", "Prop.x", "Prop.x-2"} <= set(ids)
    lines = page.splitlines()
    second_box = next(i for i, line in enumerate(lines) if '<a id="Box-2">' in line)
    assert '<a id="Box.open-2">' in lines[second_box + 1] and '<a id="Box.close">' in lines[second_box + 2]


def test_the_source_keeps_form_feeds_and_normalizes_line_ends(tmp_path):
    ws = tmp_path / "ends"
    ws.mkdir()
    (ws / "crlf.py").write_bytes(b'"""Windows line ends."""\r\n\x0c\r\ndef f():\r\n    return 1\r\n')
    page = Renderer(Index.build(load_settings(ws))).render_page("crlf.py", "docs")
    assert ("python", '"""Windows line ends."""\n\x0c\ndef f():\n    return 1\n') in _fences(page)
    assert "[line 3](../../crlf.py#L3)" in page  # def f() is line 3 for the page and the file
