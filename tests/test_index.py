"""The workspace index and its cross-reference graph, on the fixture workspace."""

from __future__ import annotations

import sqlite3

from store_records import facts_record, stored_facts

from repodoc_ls.config import load_settings
from repodoc_ls.extract import extract_file
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import Category, FileKind, ModuleRef, SymbolRef, TestItem


def test_fixture_files_indexed(index):
    paths = index.paths()
    assert "shop/cart.py" in paths
    assert "odd names/café menu.py" in paths
    assert "data/logo.png" in paths
    assert not [p for p in paths if p.startswith(("ignored/", "old_docs/", "loop/", "escape/"))]
    assert "debug.log" not in paths
    assert ".repodoc/index.sqlite3" not in paths


def test_module_names(index):
    g = index.graph
    assert g.module_name["shop/cart.py"] == "shop.cart"
    assert g.module_name["shop/__init__.py"] == "shop"
    assert g.module_name["src/gadgets/widget.py"] == "gadgets.widget"
    assert g.module_name["tests/base.py"] == "tests.base"
    assert "odd names/café menu.py" not in g.module_name
    assert g.resolve_module("gadgets") == "src/gadgets/__init__.py"


def _resolved(index, path):
    return {(r.imp.written, r.category, r.target) for r in index.graph.imports_of(path)}


def test_relative_and_absolute_imports_resolve(index):
    assert _resolved(index, "shop/cart.py") == {
        ("from __future__ import annotations", Category.STDLIB, None),
        ("from typing import TYPE_CHECKING", Category.STDLIB, None),
        ("from . import pricing", Category.WORKSPACE, "shop/pricing.py"),
        ("from .pricing import DISCOUNT as discount_rate", Category.WORKSPACE, "shop/pricing.py"),
        ("from .pricing import price_of", Category.WORKSPACE, "shop/pricing.py"),
        ("from .util.helpers import SpecialCart", Category.WORKSPACE, "shop/util/helpers.py"),
        ("import ujson as json", Category.THIRD_PARTY, None),
        ("import json", Category.STDLIB, None),
    }
    assert _resolved(index, "src/gadgets/widget.py") == {
        ("import shop.util.helpers as helpers", Category.WORKSPACE, "shop/util/helpers.py"),
        ("from shop.cart import Cart as BaseCart", Category.WORKSPACE, "shop/cart.py"),
        ("from shop.pricing import price_of", Category.WORKSPACE, "shop/pricing.py"),
        ("from shop.pricing import DISCOUNT as rate", Category.WORKSPACE, "shop/pricing.py"),
    }
    assert _resolved(index, "shop/util/helpers.py") == {
        ("import subprocess", Category.STDLIB, None),
        ("from ..cart import Cart", Category.WORKSPACE, "shop/cart.py"),
    }
    # `tests` has no __init__.py: a namespace package reached from the workspace root.
    assert ("from tests.base import BaseTestCase", Category.WORKSPACE, "tests/base.py") in _resolved(
        index, "tests/test_package.py"
    )


def test_import_flags_survive(index):
    by_text = {r.imp.written: r.imp for r in index.graph.imports_of("shop/cart.py") if r.imp.line < 40}
    assert by_text["from .util.helpers import SpecialCart"].type_checking
    assert by_text["import ujson as json"].in_try
    assert not by_text["from . import pricing"].in_try


def test_reverse_dependencies(index):
    g = index.graph
    assert g.imported_by("shop/cart.py") == [
        "odd names/café menu.py",
        "shop/__init__.py",
        "shop/util/helpers.py",
        "src/gadgets/widget.py",
    ]
    assert g.imported_by("shop/pricing.py") == [
        "scripts/run_me.py",
        "shop/__init__.py",
        "shop/cart.py",
        "src/gadgets/widget.py",
        "tests/test_pricing.py",
    ]
    assert g.imported_by("tests/base.py") == ["tests/test_package.py"]


def test_names_resolve_through_reexports_and_aliases(index):
    g = index.graph
    cart = SymbolRef("shop/cart.py", "Cart", 19, "class")
    assert g.resolve_name("tests/test_package.py", "Cart") == cart  # via shop/__init__.py
    assert g.resolve_name("src/gadgets/widget.py", "BaseCart") == cart
    assert g.resolve_name("src/gadgets/widget.py", "helpers") == ModuleRef("shop/util/helpers.py")
    assert g.resolve_expr("src/gadgets/widget.py", "helpers.SpecialCart") == SymbolRef(
        "shop/util/helpers.py", "SpecialCart", 6, "class"
    )
    assert g.resolve_name("shop/cart.py", "pricing") == ModuleRef("shop/pricing.py")
    assert g.resolve_expr("shop/cart.py", "Cart.Line") == SymbolRef("shop/cart.py", "Cart.Line", 22, "class")


def test_subclasses_across_files(index):
    g = index.graph
    assert [(s.path, s.qualname) for s in g.subclasses("shop/cart.py", "Cart")] == [
        ("shop/util/helpers.py", "SpecialCart"),
        ("src/gadgets/widget.py", "Widget"),
    ]
    assert [(s.path, s.qualname) for s in g.subclasses("shop/util/helpers.py", "SpecialCart")] == [
        ("src/gadgets/widget.py", "Gizmo")
    ]
    assert [(s.path, s.qualname) for s in g.subclasses("tests/base.py", "BaseTestCase")] == [
        ("tests/test_package.py", "TestPackage")
    ]


def test_tests_found_through_imported_base(index):
    g = index.graph
    assert g.tests("tests/test_package.py") == [
        TestItem("TestPackage.test_basic_fn", 16, "unittest"),
        TestItem("TestPackage.test_total", 25, "unittest"),
    ]
    assert g.kind("tests/test_package.py") == FileKind.TEST_MODULE
    assert g.tests("tests/test_pricing.py") == [
        TestItem("test_price", 7, "pytest", parametrized=True),
        TestItem("test_discount", 11, "pytest"),
        TestItem("TestCurrency.test_default", 16, "pytest"),
    ]
    assert g.tests("tests/base.py") == []
    assert g.tested_by("shop/pricing.py") == ["tests/test_pricing.py"]
    assert g.tested_by("shop/cart.py") == ["tests/test_package.py"]
    assert g.exercises("tests/test_package.py") == ["shop/__init__.py", "tests/base.py"]


def test_references(index):
    assert index.references("shop/cart.py", "Cart") == {
        "odd names/café menu.py": [7],
        "shop/cart.py": [30, 32, 33, 44],
        "shop/util/helpers.py": [6],
        "src/gadgets/widget.py": [11],
        "tests/test_package.py": [14],
    }
    assert index.references("shop/pricing.py", "price_of") == {
        "scripts/run_me.py": [13],
        "shop/cart.py": [38],
        "src/gadgets/widget.py": [13],
        "tests/test_pricing.py": [8, 17],
    }
    assert index.references("shop/cart.py", "Cart.Line") == {"shop/cart.py": [30, 32, 33]}
    assert index.references("shop/pricing.py", "DISCOUNT") == {
        "shop/cart.py": [38],
        "shop/pricing.py": [17],
        "src/gadgets/widget.py": [13],
    }


def test_definitions_and_subtree(index):
    assert [(d.path, d.qualname, d.line) for d in index.definitions("__init__")] == [
        ("shop/cart.py", "Cart.Line.__init__", 25),
        ("shop/cart.py", "Cart.__init__", 29),
    ]
    names = [(p, s.qualname) for p, s in index.subtree_symbols("shop/util")]
    assert names == [
        ("shop/util/helpers.py", "SpecialCart.run_hook"),
        ("shop/util/helpers.py", "SpecialCart"),
    ]


def test_keywords_of_a_file(index):
    kws = {(k.name, k.kind): k for k in index.keywords("shop/cart.py")}
    assert kws[("Cart", "class")].line == 19
    assert kws[("Cart.Line.__init__", "method")].line == 25
    assert kws[("Cart.checkout", "method")].line == 40
    assert ("json", "imported module") in kws
    assert ("DISCOUNT as discount_rate", "imported name") in kws
    assert ("pricing", "imported name") in kws
    # Cart is used by four other files.
    assert kws[("Cart", "class")].other_files == 4


def test_search_ranks_exact_then_prefix_then_fuzzy(index):
    found = [r.qualname for r in index.search("Cart")]
    assert found[0] == "Cart"
    assert "SpecialCart" in found
    assert [r.qualname for r in index.search("spcrt")] == ["SpecialCart"]
    assert index.search("price")[0].qualname == "Widget.price"


def test_warm_start_reuses_store_and_update_follows_edits(workspace):
    settings = load_settings(workspace)
    cold = Index.build(settings)
    assert cold.stats.extracted == len(cold.paths())
    warm = Index.build(settings)
    assert warm.stats.extracted == 0 and warm.stats.reused == len(cold.paths())
    assert warm.references("shop/cart.py", "Cart") == cold.references("shop/cart.py", "Cart")

    # An editor buffer: Widget no longer subclasses Cart, and a new function appears.
    text = (workspace / "src/gadgets/widget.py").read_text().replace("class Widget(BaseCart)", "class Widget")
    warm.update("src/gadgets/widget.py", text + "\n\ndef gadget_factory():\n    return Widget()\n")
    assert [s.qualname for s in warm.graph.subclasses("shop/cart.py", "Cart")] == ["SpecialCart"]
    assert [r.qualname for r in warm.search("gadget_factory")] == ["gadget_factory"]

    # A change on disk: a new module importing pricing, then its removal.
    (workspace / "shop/extra.py").write_text("from .pricing import price_of\n\nX = price_of('a')\n")
    assert warm.refresh(["shop/extra.py"]) == {"shop/extra.py"}
    assert "shop/extra.py" in warm.graph.imported_by("shop/pricing.py")
    (workspace / "shop/extra.py").unlink()
    assert warm.refresh(["shop/extra.py"]) == {"shop/extra.py"}
    assert "shop/extra.py" not in warm.graph.imported_by("shop/pricing.py")
    assert warm.file("shop/extra.py") is None

    # A changed file on disk is re-extracted at the next start; the rest is reused.
    (workspace / "shop/pricing.py").write_text("DISCOUNT = 0.2\n")
    again = Index.build(settings)
    assert again.stats.extracted >= 1
    assert again.stats.extracted < len(again.paths())
    assert [s.qualname for s in again.file("shop/pricing.py").symbols] == ["DISCOUNT"]


def test_corrupt_store_is_rebuilt_with_a_warning(workspace):
    settings = load_settings(workspace)
    Index.build(settings)
    db = settings.cache_path / "index.sqlite3"
    for suffix in ("-wal", "-shm"):
        (settings.cache_path / f"index.sqlite3{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    index = Index.build(settings)
    assert any("corrupt" in w or "unreadable" in w or "another version" in w for w in index.warnings)
    assert index.file("shop/cart.py") is not None


def test_old_schema_store_is_rebuilt(workspace):
    settings = load_settings(workspace)
    Index.build(settings)
    conn = sqlite3.connect(settings.cache_path / "index.sqlite3")
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    conn.commit()
    conn.close()
    index = Index.build(settings)
    assert any("another version" in w for w in index.warnings)
    assert index.stats.extracted == len(index.paths())


def test_locked_store_falls_back_to_memory(workspace):
    settings = load_settings(workspace)
    Index.build(settings).store.close()
    holder = sqlite3.connect(settings.cache_path / "index.sqlite3")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        index = Index.build(settings)
    finally:
        holder.rollback()
        holder.close()
    assert any("locked" in w for w in index.warnings)
    assert index.file("shop/cart.py") is not None


def test_touched_but_unchanged_file_reuses_its_facts(workspace):
    import os

    settings = load_settings(workspace)
    cold = Index.build(settings)
    target = workspace / "shop/cart.py"
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    warm = Index.build(settings)
    assert warm.stats.extracted == 0
    assert warm.file("shop/cart.py").to_bytes() == cold.file("shop/cart.py").to_bytes()
    assert Index.build(settings).stats.reused == len(cold.paths())  # the new mtime was stored


def _all_references(graph):
    return {key: dict(value) for key, value in sorted(graph.refs.index().items())}


def test_saved_reference_records_seed_the_next_build(workspace):
    from repodoc_ls.index.graph import Graph

    first = Index.build(load_settings(workspace))
    first.graph.references("shop/cart.py", "Cart")
    first.save_references()
    first.store.close()
    helpers = workspace / "shop" / "util" / "helpers.py"
    helpers.write_text(helpers.read_text() + "\n\ndef more(c):\n    return Cart.add, discount_rate\n")
    (workspace / "shop" / "pricing.py").write_text(
        (workspace / "shop" / "pricing.py").read_text().replace("DISCOUNT = 0.1", "DISCOUNT = 0.2\nEXTRA = 1")
    )
    second = Index.build(load_settings(workspace))
    assert second.graph.reference_seed is not None
    seeded = _all_references(second.graph)
    assert second.graph.refs.dirty <= {
        "shop/util/helpers.py",
        "shop/pricing.py",
        "shop/cart.py",
        "shop/__init__.py",
        "tests/test_pricing.py",
        "odd names/café menu.py",
        "src/gadgets/widget.py",
        "tests/test_package.py",
    }
    assert len(second.graph.refs.dirty) < len(second.paths())  # seeded, not rebuilt
    assert seeded == _all_references(Graph(second.facts))
    assert "shop/util/helpers.py" in second.references("shop/cart.py", "Cart.add")


def test_saved_reference_records_are_taken_over_after_a_module_is_added_or_removed(workspace):
    first = Index.build(load_settings(workspace))
    first.graph.references("shop/cart.py", "Cart")
    first.save_references()
    first.store.close()
    (workspace / "shop" / "extra.py").write_text("from shop.cart import Cart\nCart()\n")
    second = Index.build(load_settings(workspace))
    assert second.references("shop/cart.py", "Cart").get("shop/extra.py") == [2]
    assert len(second.graph.refs.dirty) < len(second.paths()) // 2  # not a full build
    assert second.graph.refs.index() == Graph(dict(second.facts)).refs.index()
    second.save_references()
    second.store.close()
    (workspace / "shop" / "extra.py").unlink()
    third = Index.build(load_settings(workspace))
    assert "shop/extra.py" not in third.references("shop/cart.py", "Cart")
    assert len(third.graph.refs.dirty) < len(third.paths()) // 2
    assert third.graph.refs.index() == Graph(dict(third.facts)).refs.index()
    third.save_references()
    third.store.close()
    (workspace / "shop" / "new_pkg").mkdir()
    (workspace / "shop" / "new_pkg" / "__init__.py").write_text("")
    fourth = Index.build(load_settings(workspace))  # a package appeared: taken over too
    fourth.references("", "")
    assert len(fourth.graph.refs.dirty) < len(fourth.paths()) // 2
    assert fourth.graph.refs.index() == Graph(dict(fourth.facts)).refs.index()


def test_a_first_build_fills_the_store_in_bulk_with_the_same_rows_and_search(workspace, monkeypatch):
    from repodoc_ls.index import store as store_module

    def rows_and_searches(index):
        conn = index.store._conn
        rows = conn.execute(
            "SELECT path, name, qualname, kind, line, col FROM symbols ORDER BY 1, 3, 5"
        ).fetchall()
        found = {
            q: [(r.path, r.qualname) for r in index.store.search_symbols(q, 100)]
            for q in ("Cart", "price", "add", "elpe", "xyz")
        }
        # rank 1: also compare the full-text index with its content table (raises if they differ)
        conn.execute("INSERT INTO symbols_fts(symbols_fts, rank) VALUES ('integrity-check', 1)")
        return rows, found

    monkeypatch.setattr(store_module, "_BULK_ROWS", 10**9)
    one_by_one = Index.build(load_settings(workspace, {"cache_dir": str(workspace.parent / "c1")}))
    monkeypatch.setattr(store_module, "_BULK_ROWS", 1)
    bulk = Index.build(load_settings(workspace, {"cache_dir": str(workspace.parent / "c2")}))
    expected = rows_and_searches(one_by_one)
    assert expected[1]["Cart"] and expected[1]["price"]
    assert rows_and_searches(bulk) == expected
    # and the rows it wrote are replaced cleanly by an edit
    cart = workspace / "shop" / "cart.py"
    bulk.update("shop/cart.py", cart.read_text() + "\n\nclass CartExtra:\n    pass\n")
    assert ("shop/cart.py", "CartExtra") in [
        (r.path, r.qualname) for r in bulk.store.search_symbols("CartExtra", 10)
    ]
    rows_and_searches(bulk)  # the full-text index is still consistent with its table


def _edit(index, path, text):
    data = text.encode("utf-8")
    facts = extract_file(path, data)
    index.apply(path, data, facts, defer_store_write=True)
    return facts_record(facts.to_bytes())


def test_deferred_rows_wait_for_their_write_and_only_the_newest_is_written(workspace, monkeypatch):
    # The server defers a large buffer's row until its edits pause (sync.py): other
    # writes in between (another file's edit) leave it waiting, and a newer edit of
    # the same file replaces it, so the older one is never written.
    settings = load_settings(workspace)
    index = Index.build(settings)
    disk = stored_facts(settings, "shop/pricing.py")
    text = (workspace / "shop/pricing.py").read_text()
    _edit(index, "shop/pricing.py", text + "\n\ndef first_edit():\n    pass\n")
    newest = _edit(index, "shop/pricing.py", text + "\n\ndef second_edit():\n    pass\n")
    other = _edit(index, "shop/cart.py", (workspace / "shop/cart.py").read_text() + "\nX = 1\n")
    written = []
    write_files = index.store.write_files
    monkeypatch.setattr(
        index.store,
        "write_files",
        lambda entries: written.extend(e[0] for e in entries) or write_files(entries),
    )
    index.write_applied(["shop/cart.py"])
    assert written == ["shop/cart.py"] and stored_facts(settings, "shop/cart.py") == other
    assert stored_facts(settings, "shop/pricing.py") == disk  # still waiting
    index.write_applied(["shop/pricing.py"])
    assert written == ["shop/cart.py", "shop/pricing.py"]  # one row: the first edit's never
    assert stored_facts(settings, "shop/pricing.py") == newest
    index.write_applied()
    assert written == ["shop/cart.py", "shop/pricing.py"]  # nothing left


def test_reading_the_store_writes_the_waiting_rows_and_a_removal_drops_them(workspace):
    settings = load_settings(workspace)
    index = Index.build(settings)
    text = (workspace / "shop/pricing.py").read_text()
    newest = _edit(index, "shop/pricing.py", text + "\n\ndef searched_for():\n    pass\n")
    assert [r.qualname for r in index.search("searched_for")] == ["searched_for"]  # from the store
    assert stored_facts(settings, "shop/pricing.py") == newest
    _edit(index, "shop/cart.py", "X = 1\n")
    index.remove("shop/cart.py")
    index.write_applied()
    assert stored_facts(settings, "shop/cart.py") is None
