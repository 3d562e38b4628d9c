"""A warm start (facts decoded on first use, imports resolved by the last run) answers as a
cold build of the same files does, after edits, additions, removals and a damaged store.

The oracle is a fresh build into an empty store: nothing saved by an earlier run."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.index.lazyfacts import LazyFacts


def warm(workspace: Path) -> Index:
    index = Index.build(load_settings(workspace))
    index.store.close()  # the next build opens the store anew, as the next process does
    return Index.build(load_settings(workspace))


def cold(workspace: Path, tmp: Path) -> Index:
    return Index.build(load_settings(workspace, {"cache_dir": str(tmp)}), fresh_store=True)


def answers(index: Index) -> dict:
    """Everything the graph answers from the resolved imports and the facts."""
    graph = index.graph
    paths = index.paths()
    externals = {
        name
        for p in paths
        for r in graph.imports_of(p)
        if r.target is None
        for name in (r.imp.module, r.imp.module.split(".")[0])
    }
    return {
        "facts": {p: index.facts[p] for p in paths},
        "imports": {p: graph.imports_of(p) for p in paths},
        "imported by": {p: graph.imported_by(p) for p in paths},
        "external": {m: graph.importers_of_external(m) for m in sorted(externals)},
        "edges": graph.edges(),
        "stored edges": index.store.edges(),
        "module names": dict(graph.module_name),
        "by module": {k: list(v) for k, v in graph.by_module.items()},
        "bindings": {
            (p, name): graph.resolve_name(p, name)
            for p in paths
            for name in sorted(graph.bindings_of(p)[0]) + [s.name for s in index.facts[p].symbols]
        },
        "references": {
            (p, s.qualname): graph.references(p, s.qualname) for p in paths for s in index.facts[p].symbols
        },
        "tests": {p: graph.tests(p) for p in paths if p.endswith(".py")},
    }


def assert_warm_like_cold(workspace: Path, tmp_path: Path, name: str) -> Index:
    index = warm(workspace)
    expected = answers(cold(workspace, tmp_path / name))
    assert answers(index) == expected
    return index


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_warm_start_decodes_and_resolves_nothing_up_front(workspace):
    Index.build(load_settings(workspace)).store.close()
    index = Index.build(load_settings(workspace))
    assert isinstance(index.facts, LazyFacts)
    assert not any(index.facts.decoded(p) for p in index.paths())
    assert index.graph.unsaved == set()  # every file's imports came from the store
    fresh = Index.build(load_settings(workspace), persistent=False)
    assert index.symbol_count() == sum(len(fresh.facts[p].symbols) for p in fresh.paths()) > 0
    assert index.graph.imported_by("shop/pricing.py")  # the reverse edges are there already
    assert not index.facts.decoded("shop/pricing.py")
    index.graph.imports_of("scripts/run_me.py")
    assert [p for p in index.paths() if index.facts.decoded(p)] == ["scripts/run_me.py"]


def test_warm_answers_equal_a_cold_build_after_edits_additions_and_removals(workspace, tmp_path):
    assert_warm_like_cold(workspace, tmp_path, "first")
    # An import changed in one file: only its resolution is computed again.
    edit(
        workspace / "scripts/run_me.py",
        "from shop.pricing import price_of\n",
        "from shop import *\nimport json\n",
    )
    index = assert_warm_like_cold(workspace, tmp_path, "edit")
    assert index.graph.unsaved == set()
    # New modules: the module map changes, so every file's imports may resolve differently
    # (run_me.py's `import json`, not edited, now names the workspace's json.py).
    (workspace / "json.py").write_text("def loads(text):\n    return text\n", encoding="utf-8")
    (workspace / "shop" / "json.py").write_text("def loads(text):\n    return text\n", encoding="utf-8")
    (workspace / "scripts" / "more.py").write_text(
        "from shop.json import loads\nfrom ..shop import cart\nimport shop.util.helpers as h\n",
        encoding="utf-8",
    )
    index = assert_warm_like_cold(workspace, tmp_path, "added")
    assert "scripts/run_me.py" in index.graph.imported_by("json.py")
    # A folder becomes a package: its files get other module names.
    (workspace / "scripts" / "__init__.py").write_text("from .more import loads\n", encoding="utf-8")
    assert_warm_like_cold(workspace, tmp_path, "package")
    # A module removed: its importers no longer resolve to it.
    (workspace / "shop" / "json.py").unlink()
    (workspace / "json.py").unlink()
    os.remove(workspace / "shop" / "util" / "__init__.py")
    assert_warm_like_cold(workspace, tmp_path, "removed")
    # Same content, new mtime: the stored facts and resolutions stand.
    pricing = workspace / "shop" / "pricing.py"
    os.utime(pricing, ns=(1, 1))
    assert_warm_like_cold(workspace, tmp_path, "touched")


def test_an_edit_applied_in_one_process_is_seen_by_the_next(workspace, tmp_path):
    index = Index.build(load_settings(workspace))
    cart = workspace / "shop" / "cart.py"
    text = cart.read_text(encoding="utf-8") + "\nfrom shop.util.helpers import *\n"
    cart.write_text(text, encoding="utf-8")
    index.update("shop/cart.py", text)
    (workspace / "shop" / "extra.py").write_text("import shop.cart\n", encoding="utf-8")
    index.refresh(["shop/extra.py"])
    index.store.close()
    assert_warm_like_cold(workspace, tmp_path, "applied")


@pytest.mark.parametrize("damage", ["garbage", "outside", "short", "facts"])
def test_a_damaged_saved_record_is_not_used(workspace, tmp_path, damage):
    Index.build(load_settings(workspace)).store.close()
    db = workspace / ".repodoc" / "index.sqlite3"
    conn = sqlite3.connect(db)
    import marshal

    if damage == "garbage":
        conn.execute("UPDATE resolved SET record = x'00ff10'")
    elif damage == "outside":  # a target that is no file of the workspace
        record = marshal.dumps((((0, "../../etc/passwd", False),), ()))
        conn.execute("UPDATE resolved SET record = ? WHERE path = 'scripts/run_me.py'", (record,))
    elif damage == "short":  # well formed, but not as many entries as the file has imports
        conn.execute(
            "UPDATE resolved SET record = ? WHERE path = 'scripts/run_me.py'", (marshal.dumps(((), ())),)
        )
    else:  # a facts record that does not decode: the file is extracted again when used
        conn.execute("UPDATE files SET facts = x'00ff10' WHERE path = 'shop/pricing.py'")
    conn.commit()
    conn.close()
    index = Index.build(load_settings(workspace))
    assert answers(index) == answers(cold(workspace, tmp_path / "oracle"))


def test_a_first_reference_query_decodes_only_the_files_it_reads(workspace, tmp_path):
    first = Index.build(load_settings(workspace))
    first.references("shop/cart.py", "Cart")
    first.save_references()
    first.store.close()
    edit(workspace / "scripts/run_me.py", "print(price_of(args.item))", "print(price_of(args.item), 1)")
    index = Index.build(load_settings(workspace))
    found = index.references("shop/pricing.py", "price_of")
    decoded = [p for p in index.paths() if index.facts.decoded(p)]
    # the edited file (its uses resolved anew) and the one module its uses resolve into
    assert decoded == ["scripts/run_me.py", "shop/pricing.py"]
    assert found == cold(workspace, tmp_path / "oracle").references("shop/pricing.py", "price_of")
    assert "scripts/run_me.py" in found


def test_a_header_is_read_without_decoding_the_rest(workspace, tmp_path):
    """Folder pages read each file's kind, line count, docstring and symbol count below
    them: a warm start gives them from the header of its stored record, and they are those
    of the facts a cold build extracts."""
    index = warm(workspace)
    oracle = cold(workspace, tmp_path / "oracle")
    for path in index.paths():
        header = index.facts.header(path)
        facts = oracle.facts[path]
        assert header == (
            facts.path,
            facts.kind,
            facts.size,
            facts.lines,
            facts.encoding,
            facts.docstring,
            len(facts.symbols),
            sum(1 for s in facts.symbols if s.kind == "class" and s.bases),
        )
        assert (header.is_python, header.summary) == (facts.is_python, facts.summary)
    assert not any(index.facts.decoded(p) for p in index.paths())
    assert any(index.facts.header(p).based_classes for p in index.paths())
    assert index.facts.header("shop/cart.py") == index.facts["shop/cart.py"].header  # decoded, the same


def test_a_record_of_another_facts_version_is_extracted_again_for_its_header(workspace):
    Index.build(load_settings(workspace)).store.close()
    conn = sqlite3.connect(workspace / ".repodoc" / "index.sqlite3")
    import marshal

    old_layout = marshal.dumps((4, "shop/pricing.py", "module", 1, 1, "utf-8", "Doc.", [], [], {}))
    conn.execute("UPDATE files SET facts = ? WHERE path = 'shop/pricing.py'", (old_layout,))
    conn.commit()
    conn.close()
    index = Index.build(load_settings(workspace))
    header = index.facts.header("shop/pricing.py")
    assert header.lines == len((workspace / "shop/pricing.py").read_text().splitlines())
    assert header.symbol_count > 0
