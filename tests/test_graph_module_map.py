"""A module added or removed (the module map changes) keeps the reference index: the graph
recomputes only the files it reaches (Graph.update, ReferenceIndex.moved). After any mix
of additions, removals and edits, the index must equal the one a fresh Graph builds from
the same facts, a package appearing or vanishing (which renames the modules below it)
included.

The workspaces are generated: packages, a namespace folder and top-level modules that
import each other in every way the graph resolves (absolute and relative, submodules,
`import a.b`, aliases, star imports, re-exports, a package attribute shadowing its
submodule), each using what it imports."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.graph import Graph
from repodoc_ls.index.indexer import Index

#: Modules that may exist, and the package files that may come and go.
MODULES = [
    "pkg/a.py",
    "pkg/b.py",
    "pkg/a.pyi",
    "pkg/sub/c.py",
    "pkg/sub/d.py",
    "top.py",
    "other.py",
    "ns/e.py",
    "src/top.py",
    "pkg/sub/c/__init__.py",
    "ns.py",
]
PACKAGES = ["pkg/sub/__init__.py", "ns/__init__.py"]

#: (import statement, uses of what it binds); "{rel}" marks statements valid in pkg/ only.
IMPORTS = [
    ("import pkg.a", ["pkg.a.f()", "pkg.a.K().m()", "pkg.sub"]),
    ("import pkg.sub.c", ["pkg.sub.c.f()", "pkg.sub.d.X"]),
    ("import pkg.sub.c as cc", ["cc.f()", "cc.K"]),
    ("from pkg import a", ["a.f()", "a.K().m()"]),
    ("from pkg import b as bb", ["bb.X", "bb.f()"]),
    ("from pkg.sub import c", ["c.f()", "c.X"]),
    ("from pkg.sub import d", ["d.K().m()"]),
    ("from pkg.sub.c import *", ["f()", "K()"]),
    ("from top import f as top_f", ["top_f()"]),
    ("import top", ["top.f()", "top.K"]),
    ("import other", ["other.X", "other.f()"]),
    ("import ns.e", ["ns.e.f()"]),
    ("from ns import e", ["e.X", "e.f()"]),
    ("from pkg.a import K", ["K().m()"]),
    ("from pkg import sub", ["sub.d.X", "sub.c.f()"]),
    ("{rel}from . import a", ["a.f()"]),
    ("{rel}from .sub import d", ["d.f()"]),
    ("{rel}from .b import f as bf", ["bf()"]),
    ("{rel}from .sub.c import X", ["X"]),
]


def module_text(rng: random.Random, path: str) -> str:
    in_pkg = path.startswith("pkg/")
    chosen = rng.sample(IMPORTS, rng.randint(1, 5))
    lines = []
    uses = []
    for statement, used in chosen:
        if statement.startswith("{rel}"):
            if not in_pkg:
                continue
            statement = statement[len("{rel}") :]
        lines.append(statement)
        uses += used
    lines += [
        "",
        "X = 1",
        "e = X  # what `ns.e` means once a module ns.py is there",
        "",
        "",
        "def f():",
        "    return X",
        "",
        "",
        "class K:",
        "    def m(self):",
        "        return f()",
        "",
        "",
        "def use():",
    ]
    lines += [f"    {u}" for u in uses] or ["    pass"]
    return "\n".join(lines) + "\n"


def package_text(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.4:
        lines.append("from .c import f")
    if rng.random() < 0.3:
        lines.append("d = 1  # shadows the submodule d")
    if rng.random() < 0.3:
        lines.append("from .d import *")
    return "\n".join(lines) + "\n"


def assert_like_fresh(index: Index, note: str) -> None:
    fresh = Graph(dict(index.facts))
    graph = index.graph
    assert graph.resolutions == fresh.resolutions, note  # where every import leads
    assert {p: set(found) for p, found in graph.imported_by_map.items() if found} == {
        p: set(found) for p, found in fresh.imported_by_map.items() if found
    }, note
    incremental = graph.refs.index()
    expected = fresh.refs.index()
    assert incremental == expected, note
    for target, by_file in incremental.items():  # files in the same (sorted) order, too
        assert list(by_file) == list(expected[target]), (note, target)


def make_workspace(root: Path, rng: random.Random) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("from .a import f\n")
    (root / "pkg/sub").mkdir()
    (root / "pkg/sub/__init__.py").write_text(package_text(rng))
    for path in MODULES:
        if rng.random() < 0.6 and not path.endswith("__init__.py"):
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(module_text(rng, path))


@pytest.mark.parametrize("seed", range(12))
def test_additions_and_removals_keep_the_index_like_a_fresh_one(tmp_path, seed):
    rng = random.Random(seed)
    make_workspace(tmp_path, rng)
    index = Index.build(load_settings(tmp_path), persistent=False)
    index.references("", "")  # built: later changes update it in place
    for step in range(25):
        roll = rng.random()
        if roll < 0.12:
            path = rng.choice(PACKAGES)
            if path in index.facts:
                index.remove(path)
            else:
                index.update(path, package_text(rng))
        elif roll < 0.3:
            path = rng.choice([p for p in MODULES if p in index.facts] or MODULES)
            index.update(path, module_text(rng, path))  # an edit (an addition if it was not there)
        else:
            path = rng.choice(MODULES)
            if path in index.facts:
                index.remove(path)
            else:
                index.update(path, module_text(rng, path))
        assert_like_fresh(index, f"seed {seed}, step {step}: {path}")


def test_a_module_added_keeps_the_index_and_reaches_its_importers(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/a.py").write_text("def f():\n    return 1\n")
    (tmp_path / "user.py").write_text("import pkg.a\nfrom pkg import new\n\npkg.a.f()\nnew.g()\n")
    (tmp_path / "bystander.py").write_text("from pkg.a import f\n\nf()\n")
    index = Index.build(load_settings(tmp_path), persistent=False)
    assert index.references("pkg/a.py", "f") == {"bystander.py": [3], "user.py": [4]}
    refs = index.graph.refs
    index.update("pkg/new.py", "def g():\n    return 2\n")
    assert index.graph.refs is refs  # the same index, kept current
    assert refs.pending == {"pkg/new.py", "user.py"}  # not bystander.py, not pkg/a.py
    assert index.references("pkg/new.py", "g") == {"user.py": [5]}
    index.remove("pkg/new.py")
    assert index.graph.refs is refs
    assert "pkg/new.py" not in index.references("pkg/new.py", "g")
    assert_like_fresh(index, "after the removal")
    index.remove("pkg/__init__.py")  # a package vanished: the modules below it renamed
    assert index.graph.refs is refs
    assert_like_fresh(index, "after the package went")
    index.update("pkg/__init__.py", "from .a import f\n")
    assert index.graph.refs is refs
    assert index.references("pkg/a.py", "f") == {"bystander.py": [3], "user.py": [4]}
    assert_like_fresh(index, "after the package came back")


@pytest.mark.parametrize("seed", range(20))
def test_a_warm_start_after_modules_came_and_went_takes_over_the_saved_records(tmp_path, seed):
    # As `repodoc export` after files were added or removed on disk: each run saves its
    # reference records, the next adopts them and recomputes what the changed module map
    # reaches. Every run must give the index a fresh Graph builds.
    rng = random.Random(1000 + seed)
    root = tmp_path / "ws"
    make_workspace(root, rng)
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    recomputed = []
    for run in range(8):
        index = Index.build(settings)
        note = f"seed {seed}, run {run}"
        assert_like_fresh(index, note)
        recomputed.append(len(index.graph.refs.dirty) / len(index.facts))
        index.save_references()
        index.flush_store()
        index.store.close()
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            path = rng.choice(PACKAGES if roll < 0.1 else MODULES)
            target = root / path
            if target.exists():
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(package_text(rng) if path in PACKAGES else module_text(rng, path))
    assert min(recomputed[1:]) < 1  # at least one run took records over


def test_a_package_init_added_reaches_the_relative_imports_below_it(tmp_path):
    # pkg/sub/ turns from a namespace folder into a package: `from . import helper` in
    # pkg/sub/mod.py now finds `helper` in its `__init__`, though no import mentions a
    # name of a module that moved.
    (tmp_path / "pkg/sub").mkdir(parents=True)
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/sub/mod.py").write_text("from . import helper\n\nhelper()\n")
    index = Index.build(load_settings(tmp_path), persistent=False)
    index.references("", "")
    index.update("pkg/sub/__init__.py", "def helper():\n    return 1\n")
    assert index.references("pkg/sub/__init__.py", "helper") == {"pkg/sub/mod.py": [3]}
    assert_like_fresh(index, "after the package's init came")
    index.remove("pkg/sub/__init__.py")
    assert_like_fresh(index, "after it went")


def test_a_warm_start_after_a_package_init_came_reaches_the_relative_imports_below_it(tmp_path):
    root = tmp_path / "ws"
    (root / "pkg/sub").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/sub/mod.py").write_text("from . import helper\n\nhelper()\n")
    (root / "other.py").write_text("X = 1\n")
    settings = load_settings(root, {"cache_dir": str(tmp_path / "cache")})
    first = Index.build(settings)
    first.references("", "")
    first.save_references()
    first.flush_store()
    first.store.close()
    (root / "pkg/sub/__init__.py").write_text("def helper():\n    return 1\n")
    second = Index.build(settings)
    assert second.references("pkg/sub/__init__.py", "helper") == {"pkg/sub/mod.py": [3]}
    assert "other.py" not in second.graph.refs.dirty  # records taken over
    assert_like_fresh(second, "warm, after the package's init came")
