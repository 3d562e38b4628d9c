"""The reference index adopted from saved records builds the users of one path's symbols
(that path's group) when one of them is first looked up, from the slices of the files'
uses for that path (index/lazyrefs.py). Whichever groups were read before an edit and
whichever after, every lookup must be what a fresh full build of the same facts answers,
files in the same order; reading a group decodes the slices for its path only; a damaged
slice makes its file recomputed, in the groups read before it was found too."""

from __future__ import annotations

import marshal
import random
import sqlite3

import pytest
from test_graph_module_map import MODULES, PACKAGES, make_workspace, module_text, package_text
from test_reference_records import built_and_saved, edit

from repodoc_ls.config import load_settings
from repodoc_ls.index import lazyrefs
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index


def assert_lookups_like_fresh(index: Index, note: str, rng: random.Random, share: float = 1.0) -> None:
    """Look up (a random `share` of) every target a fresh build knows and every symbol,
    in random order, each against the fresh build's answer."""
    fresh = Graph(dict(index.facts)).refs.index()
    targets = set(fresh) | {(path, s.qualname) for path in index.facts for s in index.facts[path].symbols}
    chosen = [t for t in sorted(targets) if rng.random() < share]
    rng.shuffle(chosen)
    refs = index.graph.refs
    for path, qualname in chosen:
        expected = fresh.get((path, qualname), {})
        if rng.random() < 0.3:  # as a hover: the uses in `path` itself may wait
            got = refs.lookup_elsewhere(path, qualname)
            expected = {user: lines for user, lines in expected.items() if user != path}
        else:
            got = refs.lookup(path, qualname)
        assert got == expected, (note, path, qualname)
        assert list(got) == list(expected), (note, path, qualname)  # files in order, too


@pytest.mark.parametrize("scans", [0, 1000])  # the files pointing into a path inverted at once, or scanned
@pytest.mark.parametrize("seed", range(10))
def test_groups_read_before_and_after_edits_answer_as_a_fresh_build(tmp_path, monkeypatch, seed, scans):
    monkeypatch.setattr(lazyrefs, "_SCANS_BEFORE_INVERTING", scans)
    rng = random.Random(4000 + seed)
    root = tmp_path / "ws"
    make_workspace(root, rng)
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    edit(root, rng)  # as an export: a file changed since the records were saved
    index = Index.build(settings)
    refs = index.graph.refs
    for step in range(10):
        assert_lookups_like_fresh(index, f"seed {seed}, step {step}", rng, share=0.3)
        assert refs.uses._built is not None, "adopted records are read group by group"
        # as the server: an edit in place, some groups built and others not
        path = rng.choice(PACKAGES if rng.random() < 0.1 else MODULES)
        if path in index.facts and rng.random() < 0.3:
            index.remove(path)
            (root / path).unlink()
            continue
        if path in index.facts and rng.random() < 0.5:  # every line below moves
            text = "# a line on top\n" + (root / path).read_text()
        else:
            text = package_text(rng) if path in PACKAGES else module_text(rng, path)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        index.update(path, text)
    assert_lookups_like_fresh(index, f"seed {seed}, at the end", rng)


def small_workspace(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 1\n")
    (root / "b.py").write_text("def g():\n    return 2\n")
    (root / "c.py").write_text("def h():\n    return 3\n")
    (root / "user.py").write_text("from a import f\nfrom b import g\n\nf()\ng()\n")
    (root / "other.py").write_text("from b import g\nfrom c import h\n\ng()\nh()\n")
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    built_and_saved(settings)
    return root, settings


def test_a_lookup_decodes_the_slices_for_its_path_only(tmp_path):
    _, settings = small_workspace(tmp_path)
    index = Index.build(settings)
    refs = index.graph.refs
    assert refs.lookup("b.py", "g") == {"other.py": [4], "user.py": [5]}
    assert refs.uses.decoded_slices() == {("other.py", "b.py"), ("user.py", "b.py")}
    assert refs.lookup("c.py", "h") == {"other.py": [5]}
    assert refs.uses.decoded_slices() == {("other.py", "b.py"), ("user.py", "b.py"), ("other.py", "c.py")}
    assert not refs.dirty  # nothing recomputed


def test_a_damaged_slice_drops_its_file_from_the_groups_read_before(tmp_path):
    root, settings = small_workspace(tmp_path)
    conn = sqlite3.connect(settings.cache_path / "index.sqlite3")
    with conn:
        (record,) = conn.execute("SELECT record FROM refs WHERE path = 'user.py'").fetchone()
        uses, dep_paths, deps, iface = marshal.loads(record)
        # its slice for b.py reads as valid (and wrong), the one for a.py does not
        uses = {"a.py": b"\xffgarbage", "b.py": marshal.dumps({"g": [9], "ghost": [1]})}
        record = marshal.dumps((uses, dep_paths, deps, iface))
        conn.execute("UPDATE refs SET record = ? WHERE path = 'user.py'", (record,))
    conn.close()
    index = Index.build(settings)
    refs = index.graph.refs
    refs.lookup("b.py", "g")  # built from the slices as saved: the damage is not seen yet
    assert ("user.py", "b.py") in refs.uses.decoded_slices()
    assert refs.lookup("a.py", "f") == {"user.py": [4]}  # found damaged: recomputed
    assert refs.lookup("b.py", "ghost") == {}
    assert refs.lookup("b.py", "g") == {"other.py": [4], "user.py": [5]}
    assert refs.dirty == {"user.py"}
    assert_lookups_like_fresh(index, "after the damage", random.Random(1))
