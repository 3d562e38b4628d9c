"""An incremental export after each kind of edit leaves exactly the bytes a full render
gives (the oracle: `render_all`, which plans nothing), with pages split into symbols
letters and not; and the fast `check` then agrees with `check --deep`."""

from __future__ import annotations

from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import subpages
from repodoc_ls.docs.check import check
from repodoc_ls.docs.export import export, render_all
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "a function body": lambda ws: _replace(
        ws / "shop" / "pricing.py", "import functools\n", "import functools\n\nX = 1\n"
    ),
    "a new function": lambda ws: (ws / "shop" / "pricing.py").write_text(
        (ws / "shop" / "pricing.py").read_text() + "\n\ndef with_tax(amount):\n    return amount * 1.2\n"
    ),
    "a renamed class": lambda ws: _replace(ws / "shop" / "cart.py", "class Cart:", "class Basket:"),
    "an added import": lambda ws: _replace(
        ws / "shop" / "cart.py", "from . import pricing\n", "from . import pricing\nimport shop.util\n"
    ),
    "a removed import": lambda ws: _replace(ws / "shop" / "cart.py", "from . import pricing\n", ""),
    "a new file": lambda ws: (ws / "shop" / "fresh.py").write_text(
        '"""Fresh."""\n\nfrom .cart import Cart\n\n\nclass Zebra(Cart):\n    pass\n'
    ),
    "a deleted file": lambda ws: (ws / "shop" / "pricing.py").unlink(),
    "a changed Markdown file": lambda ws: (ws / "README.md").write_text("# Read me\n\n## Only this\n"),
    "a new test": lambda ws: (ws / "tests" / "test_more.py").write_text(
        "def test_more():\n    assert True\n"
    ),
}


def _pages_on_disk(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*.md")}


@pytest.mark.parametrize("split_bytes", [10**9, 200])
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_export_after_an_edit_writes_what_a_full_render_gives(workspace, monkeypatch, edit, split_bytes):
    monkeypatch.setattr(subpages, "SUB_SPLIT_BYTES", split_bytes)
    export(Index.build(load_settings(workspace)))
    EDITS[edit](workspace)
    index = Index.build(load_settings(workspace))
    result = export(index)
    assert result.rendered < len(_pages_on_disk(workspace / "docs" / "repodoc"))  # incremental
    expected = render_all(Renderer(index))
    assert _pages_on_disk(workspace / "docs" / "repodoc") == expected
    fast = check(index)
    assert fast.ok and fast == check(index, deep=True)
