"""Less noise, same information (issue 12, item 7): one id per entry, line lists as ranges,
a Dependencies section that says what the import block does not, the folder's public API
without `__all__`, a Mermaid graph bounded by edges, a keyword page linking its neighbours."""

from __future__ import annotations

import re

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import check, export
from repodoc_ls.docs.fileview import line_runs
from repodoc_ls.docs.linkcheck import check_links
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

CORE = """import os, sys
from collections import OrderedDict, defaultdict

try:
    import yaml
except ImportError:
    yaml = None

from . import util
from .util import first, second, third
from .missing import nothing


def run():
    first()
    first()
    first()
    second()
    first()
    return os, sys, OrderedDict, defaultdict, yaml, util, third, nothing
"""

UTIL = "def first():\n    pass\n\n\ndef second():\n    pass\n\n\ndef third():\n    pass\n"

INIT = '''"""The package."""
from .core import run as start
from .util import first

VERSION = "1"


class Engine:
    pass


def _private():
    pass
'''


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("noise")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text(INIT)
    (root / "pkg" / "core.py").write_text(CORE)
    (root / "pkg" / "util.py").write_text(UTIL)
    return root


@pytest.fixture(scope="module")
def renderer(ws):
    return Renderer(Index.build(load_settings(ws)))


def _section(page: str, title: str) -> str:
    return page.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0].split("\n<a id=", 1)[0]


def test_dependencies_say_what_the_import_block_does_not(renderer):
    page = renderer.render_page("pkg/core.py", "docs")
    src = "../../../pkg/core.py"
    assert _section(page, "Dependencies") == (
        'Standard library: <a id="import-L1"></a>`os`, <a id="import-L1-2"></a>`sys`, '
        '<a id="import-L2"></a>`collections`.\n\n'
        'Third party: <a id="import-L5"></a>`yaml` (optional: inside try).\n\n'
        "### This workspace\n\n"
        f'- <a id="import-L9"></a>`.util` · [line 9]({src}#L9) → [`pkg/util.py`](util.py_docs.md)\n'
        f'- <a id="import-L10"></a>`.util` · [line 10]({src}#L10) → [`pkg/util.py`](util.py_docs.md)\n'
        f'- <a id="import-L11"></a>`.missing` · [line 11]({src}#L11) (not found in this workspace)\n'
    )


def test_one_id_per_entry_and_the_keyword_page_links_to_it(renderer):
    page = renderer.render_page("pkg/core.py", "docs")
    ids = re.findall(r'<a id="([^"]+)"></a>', page)
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i.startswith("import-")] == [
        "import-L1",
        "import-L1-2",
        "import-L2",
        "import-L5",
        "import-L9",
        "import-L10",
        "import-L11",
    ]
    kw = renderer.render_page("pkg/core.py", "kw")
    targets = re.findall(r"\(core\.py_docs\.md#(import-[^)]+)\)", kw)
    assert targets and set(targets) <= set(ids)
    assert targets.count("import-L10") == 3  # first, second, third: one entry


def test_line_lists_are_ranges(renderer):
    page = renderer.render_page("pkg/util.py", "docs")
    src = "../../../pkg/core.py"
    # `first` is called on lines 15, 16, 17 and 19 of core.py
    assert (
        '- <a id="refs-first"></a>[`first`](#first) is used in 1 other file: [`pkg/core.py`](core.py_docs.md) '
        f"(lines [15–17]({src}#L15), [19]({src}#L19))"
    ) in page
    assert line_runs([5, 3, 4, 9, 9, 1]) == [(1, 1), (3, 5), (9, 9)]


def test_the_pages_still_link_cleanly(ws, tmp_path):
    out = tmp_path / "out"
    index = Index.build(load_settings(ws, {"output_dir": str(out), "cache_dir": str(tmp_path / "cache")}))
    export(index)
    assert check_links(out, source_root=ws) == []
    assert check(index).ok


def test_the_keyword_page_links_to_the_source_and_the_folder_doc(renderer):
    kw = renderer.render_page("pkg/core.py", "kw")
    assert kw.splitlines()[2] == (
        "11 keywords · [documentation](core.py_docs.md) · [source](../../../pkg/core.py) · "
        "[folder index](index.md) · [folder overview](doc.md)"
    )


def test_public_api_without_all_is_what_the_package_init_defines_and_re_exports(renderer):
    doc = renderer.render_page("pkg", "doc")
    api = doc.split("## Public API\n\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    assert api == [
        "| [`start`](core.py_docs.md#run) | function | [`core.py`](core.py_docs.md) |  |",
        "| [`first`](util.py_docs.md#first) | function | [`util.py`](util.py_docs.md) |  |",
        "| [`VERSION`](__init__.py_docs.md#VERSION) | constant | [`__init__.py`](__init__.py_docs.md) |  |",
        "| [`Engine`](__init__.py_docs.md#Engine) | class | [`__init__.py`](__init__.py_docs.md) |  |",
    ]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """app/ with two subpackages: a.py imports b.py, c.py and sub/x.py; sub/x.py imports
    sub/y.py and other/z.py; other/z.py imports b.py."""
    root = tmp_path_factory.mktemp("tree")
    files = {
        "app/__init__.py": "",
        "app/a.py": "from app import b, c\nfrom app.sub import x\n",
        "app/b.py": "",
        "app/c.py": "",
        "app/sub/__init__.py": "",
        "app/sub/x.py": "from app.sub import y\nfrom app.other import z\n",
        "app/sub/y.py": "",
        "app/other/__init__.py": "",
        "app/other/z.py": "from app import b\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Renderer(Index.build(load_settings(root)))


def _graph(doc: str) -> str:
    return doc.split("```mermaid\n", 1)[1].split("\n## ", 1)[0]


def test_a_graph_that_fits_is_drawn_whole(tree):
    assert _graph(tree.render_page("app", "doc")).startswith(
        'flowchart LR\n    n0["a.py"]\n    n1["b.py"]\n    n2["c.py"]\n    n3["other/z.py"]\n'
        '    n4["sub/x.py"]\n    n5["sub/y.py"]\n    n0 --> n1\n    n0 --> n2\n    n0 --> n4\n'
        "    n3 --> n1\n    n4 --> n3\n    n4 --> n5\n```\n"
    )


def test_a_large_graph_is_drawn_by_subpackage(tree, monkeypatch):
    from repodoc_ls.docs import folders

    monkeypatch.setattr(folders, "GRAPH_EDGE_LIMIT", 5)
    assert _graph(Renderer(tree.index).render_page("app", "doc")) == (
        'flowchart LR\n    n0["a.py"]\n    n1["b.py"]\n    n2["c.py"]\n    n3["other/"]\n    n4["sub/"]\n'
        "    n0 --> n1\n    n0 --> n2\n    n0 --> n4\n    n3 --> n1\n    n4 --> n3\n```\n\n"
        "Drawn by subpackage: each node ending in `/` is the modules of that subfolder together "
        "(3 modules in all).\n"
    )


def test_a_graph_too_large_by_subpackage_keeps_the_most_imported(tree, monkeypatch):
    from repodoc_ls.docs import folders

    monkeypatch.setattr(folders, "GRAPH_EDGE_LIMIT", 1)
    monkeypatch.setattr(folders, "GRAPH_NODE_LIMIT", 4)
    # fan-in: b.py 2, then 1 each for c.py, other/z.py, sub/x.py, sub/y.py; a.py 0
    assert _graph(Renderer(tree.index).render_page("app", "doc")) == (
        'flowchart LR\n    n0["b.py"]\n    n1["c.py"]\n    n2["other/z.py"]\n    n3["sub/x.py"]\n'
        "    n2 --> n0\n```\n\n"  # the import into the most imported module is kept
        "2 more modules not shown.\n\n"
        "1 more import between the modules shown not drawn.\n"
    )
