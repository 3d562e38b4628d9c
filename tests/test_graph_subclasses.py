"""`Graph.subclasses` asked one class at a time (a page) looks only at the files that use
the class and its own; it must answer as every base of the workspace resolved (the oracle:
`resolve_base` over every class), before and after edits, and as the batch index does."""

from __future__ import annotations

from collections import defaultdict

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import SymbolKind, SymbolRef

FILES = {
    "pkg/__init__.py": "from pkg.base import Base as Exported\nfrom pkg.base import *\n",
    "pkg/base.py": (
        "__all__ = ['Base', 'Mixin']\n"
        "class Base:\n    class Inner:\n        pass\n    class Nested(Inner):\n        pass\n"
        "class Mixin:\n    pass\n"
        "class Generic2(Base, Mixin):\n    pass\n"
    ),
    "pkg/alias.py": "from pkg.base import Base as B\nAlias = B\nclass ByAlias(B):\n    pass\n",
    "pkg/star.py": "from pkg import *\nclass ByStar(Mixin):\n    pass\n",
    "pkg/reexport.py": "import pkg\nclass ByPackage(pkg.Exported):\n    pass\n",
    "pkg/subscript.py": (
        "from typing import Generic, TypeVar\nfrom pkg.base import Base\nT = TypeVar('T')\n"
        "class Typed(Base, Generic[T]):\n    pass\n"
    ),
    "pkg/local.py": (
        "from pkg import base\n"
        "def make():\n    class InFunction(base.Base):\n        pass\n    return InFunction\n"
        "class Twice(base.Base, base.Base):\n    pass\n"
    ),
    "pkg/chain.py": "from pkg.alias import ByAlias\nclass Grandchild(ByAlias):\n    pass\n",
    # A file that does not parse: its classes are recovered, and it has no uses of its own.
    "pkg/broken.py": "from pkg.base import Base\nclass Broken(Base):\n    pass\nprint 'python 2'\n",
    "pkg/unrelated.py": "class Base:\n    pass\nclass Other(Base):\n    pass\n",
}


def _workspace(tmp_path):
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return tmp_path


def every_base_resolved(index: Index) -> dict[tuple[str, str], list[tuple[str, str]]]:
    graph = index.graph
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(graph.facts):
        for s in graph.facts[path].symbols:
            for base in s.bases if s.kind == SymbolKind.CLASS else ():
                named = graph.resolve_base(path, s, base)
                if isinstance(named, SymbolRef) and named.kind == SymbolKind.CLASS:
                    found[(named.path, named.qualname)].append((path, s.qualname))
    return dict(found)


def classes(index: Index) -> list[tuple[str, str]]:
    return [
        (path, s.qualname)
        for path in sorted(index.graph.facts)
        for s in index.graph.facts[path].symbols
        if s.kind == SymbolKind.CLASS
    ]


def assert_as_every_base_resolved(index: Index) -> None:
    expected = every_base_resolved(index)
    one_at_a_time = {
        key: [(r.path, r.qualname) for r in index.graph.subclasses(*key)] for key in classes(index)
    }
    assert {key: subs for key, subs in one_at_a_time.items() if subs} == expected
    index.graph.index_subclasses()
    batch = {key: [(r.path, r.qualname) for r in index.graph.subclasses(*key)] for key in classes(index)}
    assert batch == one_at_a_time


@pytest.fixture
def index(tmp_path):
    return Index.build(load_settings(_workspace(tmp_path)), persistent=False)


def test_one_class_at_a_time_answers_as_every_base_resolved(index):
    assert any(n.kind == "syntax error" for n in index.graph.facts["pkg/broken.py"].notes)
    assert_as_every_base_resolved(index)
    subs = {(r.path, r.qualname) for r in index.graph.subclasses("pkg/base.py", "Base")}
    assert subs >= {
        ("pkg/alias.py", "ByAlias"),
        ("pkg/reexport.py", "ByPackage"),
        ("pkg/subscript.py", "Typed"),
        ("pkg/local.py", "make.InFunction"),
        ("pkg/broken.py", "Broken"),
        ("pkg/base.py", "Generic2"),
    }
    assert ("pkg/unrelated.py", "Other") not in subs
    assert [r.qualname for r in index.graph.subclasses("pkg/base.py", "Base.Inner")] == ["Base.Nested"]
    assert [r.qualname for r in index.graph.subclasses("pkg/base.py", "Mixin")] == ["Generic2", "ByStar"]


def test_after_edits_that_add_move_and_remove_subclasses(index, tmp_path):
    index.graph.subclasses("pkg/base.py", "Base")  # cached answers must not outlive an edit
    index.update(
        "pkg/new.py", "from pkg.chain import Grandchild\nclass GreatGrandchild(Grandchild):\n    pass\n"
    )
    index.update("pkg/alias.py", "from pkg.base import Mixin as B\nclass ByAlias(B):\n    pass\n")
    index.update(
        "pkg/broken.py", "from pkg.base import Mixin\nclass Broken(Mixin):\n    pass\nprint 'still 2'\n"
    )
    assert_as_every_base_resolved(index)
    assert [r.qualname for r in index.graph.subclasses("pkg/chain.py", "Grandchild")] == ["GreatGrandchild"]
    assert ("pkg/alias.py", "ByAlias") in {
        (r.path, r.qualname) for r in index.graph.subclasses("pkg/base.py", "Mixin")
    }
    index.remove("pkg/local.py")
    assert_as_every_base_resolved(index)
