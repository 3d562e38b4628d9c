"""Saved reference records, adopted by the next process (`repodoc export` after an edit):
each file's lookups and interface stay encoded until read (index/lazyparts.py), and the
files that looked a name up in a changed file are found by the files each record names
(`dep_paths`) without decoding the others' lookups. After any run, every part of the index
(uses, lookups, interfaces) must be what a fresh Graph computes from the same facts; a
damaged part (the store is untrusted input) only makes its file recomputed."""

from __future__ import annotations

import marshal
import random
import sqlite3
from pathlib import Path

import pytest
from test_graph_module_map import (
    MODULES,
    PACKAGES,
    assert_like_fresh,
    make_workspace,
    module_text,
    package_text,
)

from repodoc_ls.config import load_settings
from repodoc_ls.docs.incremental import uses_recomputed
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index


def built_and_saved(settings) -> Index:
    index = Index.build(settings)
    index.references("", "")
    index.save_references()
    index.flush_store()
    index.store.close()
    return index


def assert_every_part_like_fresh(index: Index, note: str) -> None:
    assert_like_fresh(index, note)
    refs = index.graph.refs
    fresh = Graph(dict(index.facts)).refs
    fresh.index()
    # A damaged part not read so far is found now: its file is recomputed first.
    refs.contrib.decode_all()
    refs.deps.decode_all()
    refs.iface.decode_all()
    refs.index()
    assert refs.contrib == fresh.contrib, note
    assert dict(refs.deps.items()) == dict(fresh.deps.items()), note
    assert dict(refs.iface.items()) == dict(fresh.iface.items()), note
    assert refs.dep_paths == fresh.dep_paths, note
    dirty = set(refs.dirty)
    assert decoded(refs.records(dirty_only=False)) == decoded(fresh.records(dirty_only=False)), note
    refs.dirty = dirty  # (for the next save)


def decoded(records: dict[str, bytes]) -> dict[str, tuple]:
    out = {}
    for path, record in records.items():
        uses, dep_paths, deps, iface = marshal.loads(record)
        contrib = {(p, q): lines for p, raw in uses.items() for q, lines in marshal.loads(raw).items()}
        out[path] = (contrib, dep_paths, marshal.loads(deps), marshal.loads(iface))
    return out


def edit(root: Path, rng: random.Random) -> str:
    """Rewrite, add or remove one module (or package init) on disk."""
    roll = rng.random()
    path = rng.choice(PACKAGES if roll < 0.1 else MODULES)
    target = root / path
    if target.exists() and roll < 0.6:
        target.write_text(package_text(rng) if path in PACKAGES else module_text(rng, path))
    elif target.exists():
        target.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(package_text(rng) if path in PACKAGES else module_text(rng, path))
    return path


@pytest.mark.parametrize("seed", range(16))
def test_adopted_records_edited_over_several_runs_equal_a_fresh_build_in_every_part(tmp_path, seed):
    rng = random.Random(2000 + seed)
    root = tmp_path / "ws"
    make_workspace(root, rng)
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    for run in range(6):
        index = Index.build(settings)
        note = f"seed {seed}, run {run}"
        # as an export: which files' uses to digest anew, before the index is read otherwise
        changed = {p for p in index.facts if rng.random() < 0.2}
        fresh = Graph(dict(index.facts)).refs
        fresh.index()
        expected = {u for u, lookups in fresh.deps.items() if any(p in changed for p, _ in lookups)}
        assert index.graph.refs.looked_up_in(changed) == expected, note
        assert_every_part_like_fresh(index, note)
        index.save_references()  # the records taken over unread are written back unchanged
        index.flush_store()
        index.store.close()
        for _ in range(rng.randint(1, 3)):
            edit(root, rng)


def test_one_changed_file_decodes_the_lookups_of_its_users_only(tmp_path):
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("from .base import f\n\nf()\n")
    (root / "pkg/base.py").write_text("def f():\n    return 1\n\n\ndef g():\n    return 2\n")
    (root / "pkg/user.py").write_text("from pkg import f\n\nf()\n")
    for i in range(10):
        (root / f"other{i}.py").write_text(
            f"from other{(i + 1) % 10} import *\n\n\ndef h{i}():\n    return 3\n"
        )
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    base = root / "pkg/base.py"
    base.write_text(base.read_text() + "\n\ndef added():\n    return 4\n")
    index = Index.build(settings)
    assert uses_recomputed(index, {"pkg/base.py"}) == {"pkg/base.py", "pkg/__init__.py", "pkg/user.py"}
    refs = index.graph.refs
    assert {p for p in refs.deps if refs.deps.decoded(p)} == {"pkg/base.py", "pkg/__init__.py", "pkg/user.py"}
    assert {p for p in refs.iface if refs.iface.decoded(p)} == {"pkg/base.py"}
    assert_every_part_like_fresh(index, "after one edit")


def test_a_module_added_decodes_the_lookups_of_the_files_it_reaches_only(tmp_path):
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("from .base import f\n\nf()\n")
    (root / "pkg/base.py").write_text("def f():\n    return 1\n")
    (root / "user.py").write_text("import pkg\nfrom pkg import new\n\npkg.f()\npkg.new.g()\nnew.g()\n")
    for i in range(10):
        (root / f"other{i}.py").write_text(
            f"from other{(i + 1) % 10} import *\n\n\ndef h{i}():\n    return 3\n"
        )
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    (root / "pkg/new.py").write_text("def g():\n    return 2\n")
    index = Index.build(settings)
    assert index.references("pkg/new.py", "g") == {"user.py": [5, 6]}
    refs = index.graph.refs
    assert "user.py" in refs.dirty
    assert {p for p in refs.deps if refs.deps.decoded(p)} <= {
        "pkg/__init__.py",
        "pkg/base.py",
        "pkg/new.py",
        "user.py",
    }
    assert_every_part_like_fresh(index, "after a module was added")


def damage(db: Path, part: int, garbage: bytes, paths: set[str] | None = None) -> None:
    """Replace part `part` of the saved records of `paths` (all when None) by `garbage`;
    part -1: the whole record."""
    conn = sqlite3.connect(db)
    with conn:
        for path, record in conn.execute("SELECT path, record FROM refs").fetchall():
            if paths is not None and path not in paths:
                continue
            if part < 0:
                new = garbage
            else:
                parts = list(marshal.loads(record))
                parts[part] = garbage
                new = marshal.dumps(tuple(parts))
            conn.execute("UPDATE refs SET record = ? WHERE path = ?", (new, path))
    conn.close()


GARBAGE = [
    (-1, b"\xff\x00garbage"),
    (-1, marshal.dumps(7)),
    (-1, marshal.dumps(({}, frozenset(), b"", b"", b""))),
    (0, [1, 2]),
    (0, b"\xffgarbage"),
    (0, {"pkg/a.py": "text"}),
    (0, {"pkg/a.py": b"\xffgarbage"}),
    (0, {"pkg/a.py": marshal.dumps([1, 2])}),
    (0, {"pkg/a.py": marshal.dumps({})}),
    (0, {"pkg/a.py": marshal.dumps({"f": "text"})}),
    (0, {"pkg/a.py": marshal.dumps({"f": []})}),
    (0, {"pkg/a.py": marshal.dumps({"f": [1, "2"]})}),
    (0, {"pkg/a.py": marshal.dumps({("f",): [1]})}),
    (0, {("pkg/a.py",): marshal.dumps({"f": [1]})}),
    (0, {7: marshal.dumps({"f": [1]})}),
    (1, ("pkg/a.py",)),
    (2, b"\x00\x01\x02"),
    (2, marshal.dumps(7)),
    (2, marshal.dumps({("pkg/a.py", "f", "extra")})),
    (2, "text"),
    (3, b"\xffgarbage"),
    (3, marshal.dumps((1, 2))),
    (3, marshal.dumps(({}, [], ()))),
]


@pytest.mark.parametrize("case", range(len(GARBAGE)))
@pytest.mark.parametrize("everywhere", [False, True])
def test_a_damaged_record_part_makes_its_file_recomputed(tmp_path, case, everywhere):
    part, garbage = GARBAGE[case]
    rng = random.Random(case)
    root = tmp_path / "ws"
    make_workspace(root, rng)
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    first = built_and_saved(settings)
    users = {
        u for u, lookups in first.graph.refs.deps.items() if any(p == "pkg/__init__.py" for p, _ in lookups)
    }
    damage(
        settings.cache_path / "index.sqlite3",
        part,
        garbage,
        None if everywhere else users | {"pkg/__init__.py"},
    )
    init = root / "pkg/__init__.py"
    init.write_text(init.read_text() + "\n\ndef added():\n    return 4\n")
    second = Index.build(settings)
    assert_every_part_like_fresh(second, f"damaged part {part}: {garbage!r}")
    second.save_references()
    second.flush_store()
    second.store.close()
    (root / "pkg/late.py").write_text("from pkg import f\n\nf()\n")  # the module map changes too
    third = Index.build(settings)
    assert_every_part_like_fresh(third, f"damaged part {part}, a module added after: {garbage!r}")


@pytest.mark.parametrize("seed", range(8))
def test_a_server_started_on_saved_records_keeps_every_part_like_fresh_through_edits(tmp_path, seed):
    # As the language server after a warm start: modules edited, added and removed in
    # place, over records taken over undecoded.
    rng = random.Random(3000 + seed)
    root = tmp_path / "ws"
    make_workspace(root, rng)
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    edit(root, rng)
    index = Index.build(settings)
    index.references("", "")
    for step in range(12):
        path = rng.choice(PACKAGES if rng.random() < 0.1 else MODULES)
        if path in index.facts and rng.random() < 0.4:
            index.remove(path)
        else:
            index.update(path, package_text(rng) if path in PACKAGES else module_text(rng, path))
        if rng.random() < 0.5:
            index.references("", "")
        else:  # a hover: the uses in the file edited wait
            index.graph.refs.lookup_elsewhere(path, "f")
        assert_like_fresh(index, f"seed {seed}, step {step}: {path}")
        assert set(index.graph.refs.dep_paths) == set(index.graph.refs.contrib), (seed, step)
    assert_every_part_like_fresh(index, f"seed {seed}, at the end")


def test_records_saved_after_a_module_is_removed_are_a_fresh_builds_and_no_more(tmp_path):
    """A module gone changes the module map the records were saved for: the save then
    replaces them all, and no record of the removed file is left to be adopted."""
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("from .base import f\n")
    (root / "pkg/base.py").write_text("def f():\n    return 1\n")
    (root / "pkg/gone.py").write_text("from pkg.base import f\n\nf()\n")
    (root / "user.py").write_text("from pkg import f\n\nf()\n")
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    (root / "pkg/gone.py").unlink()
    index = built_and_saved(settings)
    store = Index.build(settings).store
    saved = store.reference_records(index.reference_signature())
    fresh = Graph(dict(index.facts)).refs
    fresh.index()
    assert saved is not None
    assert decoded(saved) == decoded(fresh.records(dirty_only=False))
    assert "pkg/gone.py" not in saved
