"""The reference index is kept current incrementally (Graph.update recomputes only the
changed files and those whose name resolution read a changed name); after any edit it
must equal the index a fresh Graph builds from the same facts."""

from __future__ import annotations

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index


@pytest.fixture
def live(workspace):
    index = Index.build(load_settings(workspace), persistent=False)
    index.references("", "")  # build the reference index, so later edits update it in place
    return index


def fresh_refs(index: Index) -> dict:
    return Graph(dict(index.facts)).refs.index()


def edit(index: Index, workspace, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace `old` with `new` in the file's current text (as an editor buffer would)."""
    texts = index.__dict__.setdefault("test_texts", {})
    text = texts.get(rel) or (workspace / rel).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    texts[rel] = text = text.replace(old, new, count)
    index.update(rel, text)


def assert_like_fresh(index: Index) -> None:
    incremental = index.graph.refs.index()
    expected = fresh_refs(index)
    assert incremental == expected
    for target, by_file in incremental.items():  # files in the same (sorted) order, too
        assert list(by_file) == list(expected[target]), target


def test_add_a_use(live, workspace):
    assert "scripts/run_me.py" not in live.references("shop/cart.py", "Cart")
    edit(
        live,
        workspace,
        "scripts/run_me.py",
        "from shop.pricing import price_of\n",
        "from shop.pricing import price_of\nfrom shop import Cart\n",
    )
    edit(
        live,
        workspace,
        "scripts/run_me.py",
        "    print(price_of(args.item))\n",
        "    print(price_of(args.item), Cart())\n",
    )
    assert live.references("shop/cart.py", "Cart")["scripts/run_me.py"] == [14]
    assert_like_fresh(live)


def test_remove_a_use(live, workspace):
    assert live.references("shop/pricing.py", "price_of")["scripts/run_me.py"] == [13]
    edit(live, workspace, "scripts/run_me.py", "    print(price_of(args.item))\n", "    print(args.item)\n")
    assert "scripts/run_me.py" not in live.references("shop/pricing.py", "price_of")
    assert_like_fresh(live)


def test_change_a_reexport(live, workspace):
    # tests/test_package.py uses Cart through the package's re-export (`from shop import Cart`).
    assert live.references("shop/cart.py", "Cart")["tests/test_package.py"] == [14]
    edit(
        live,
        workspace,
        "shop/__init__.py",
        "from .cart import Cart\n",
        "from .util.helpers import SpecialCart as Cart\n",
    )
    assert "tests/test_package.py" not in live.references("shop/cart.py", "Cart")
    assert live.references("shop/util/helpers.py", "SpecialCart")["tests/test_package.py"] == [14]
    assert_like_fresh(live)
    edit(
        live,
        workspace,
        "shop/__init__.py",
        "from .util.helpers import SpecialCart as Cart\n",
        "from .cart import Cart\n",
    )
    assert live.references("shop/cart.py", "Cart")["tests/test_package.py"] == [14]
    assert_like_fresh(live)


def test_add_and_remove_a_definition_used_elsewhere(live, workspace):
    # A name that resolved to nothing starts to resolve once it is defined, and stops again.
    edit(live, workspace, "shop/pricing.py", "def price_of", "def price_of_renamed")
    assert live.references("shop/pricing.py", "price_of") == {}
    assert_like_fresh(live)
    edit(live, workspace, "shop/pricing.py", "def price_of_renamed", "def price_of")
    assert live.references("shop/pricing.py", "price_of")["scripts/run_me.py"] == [13]
    assert_like_fresh(live)


def test_edit_inside_a_body_and_several_files_between_queries(live, workspace):
    edit(live, workspace, "shop/cart.py", "class Cart", "class Cart  ")
    edit(live, workspace, "src/gadgets/widget.py", "Cart", "Cart", count=0)
    edit(live, workspace, "shop/pricing.py", "DISCOUNT", "DISCOUNT")
    assert_like_fresh(live)


def test_a_new_file_rebuilds(live, workspace):
    live.update("shop/extra.py", "from .pricing import price_of\n\nX = price_of('a')\n")
    assert live.references("shop/pricing.py", "price_of")["shop/extra.py"] == [3]
    assert_like_fresh(live)
    live.remove("shop/extra.py")
    assert "shop/extra.py" not in live.references("shop/pricing.py", "price_of")
    assert_like_fresh(live)
