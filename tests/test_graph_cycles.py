"""Name resolution through import cycles answers the same whatever was asked first.

`asyncio/events.py` does `from . import DefaultEventLoopPolicy` while `asyncio/__init__.py`
star-imports `events` and the modules that define the name: resolving the package first
used to keep "nothing" for `events`' import (met while the package was still being
resolved), resolving `events` first gave the definition, so the keyword page depended on
which page a worker rendered first (`check --deep` found it stale after a cold export).
"""

from __future__ import annotations

import itertools

from repodoc_ls.extract import extract_file
from repodoc_ls.index.graph import Graph

FILES = {
    "pkg/__init__.py": "from .events import *\nfrom .impl import *\n",
    "pkg/events.py": (
        "__all__ = ['get_policy']\ndef get_policy():\n    from . import Policy\n    return Policy()\n"
    ),
    "pkg/impl.py": "__all__ = ['Policy']\nclass Policy:\n    pass\n",
    "pkg/user.py": "from pkg.events import get_policy\nfrom pkg import Policy\n",
}
QUERIES = [
    ("pkg/__init__.py", "Policy"),
    ("pkg/events.py", "Policy"),
    ("pkg/user.py", "Policy"),
    ("pkg/__init__.py", "get_policy"),
]


def _graph() -> Graph:
    return Graph({path: extract_file(path, text.encode()) for path, text in FILES.items()})


def test_answers_do_not_depend_on_the_order_of_queries():
    answers = set()
    for order in itertools.permutations(QUERIES):
        graph = _graph()
        answers.add(tuple(sorted((q, graph.resolve_name(*q)) for q in order)))
    assert len(answers) == 1
    (answer,) = answers
    found = dict(answer)
    # what Python binds: the class impl.py defines, through the package's star import
    assert found[("pkg/__init__.py", "Policy")].path == "pkg/impl.py"
    assert found[("pkg/events.py", "Policy")].path == "pkg/impl.py"


PLATFORM_FILES = {
    "pkg/__init__.py": (
        "import sys\nfrom .base import *\n"
        'if sys.platform == "win32":\n    from .win import *\nelse:\n    from .unix import *\n'
    ),
    "pkg/base.py": "class Shared:\n    pass\n",
    "pkg/win.py": "from .base import Shared\nclass Loop:\n    pass\ndef only_win():\n    pass\n",
    "pkg/unix.py": "from .base import Shared\nclass Loop:\n    pass\n",
    "pkg/user.py": "from pkg import Loop, Shared, only_win\nLoop()\nShared()\nonly_win()\n",
}


def test_a_name_two_star_imports_define_differently_is_unknown():
    # The branches of a platform test both star-import a `Loop`: which one the package
    # binds depends on the machine that runs it, so neither is the answer (it was the
    # first branch's, on every platform).
    graph = Graph({path: extract_file(path, text.encode()) for path, text in PLATFORM_FILES.items()})
    assert graph.resolve_name("pkg/__init__.py", "Loop") is None
    assert graph.resolve_name("pkg/user.py", "Loop") is None
    # the same object through every star import, or a name only one of them gives: known
    assert graph.resolve_name("pkg/user.py", "Shared").path == "pkg/base.py"
    assert graph.resolve_name("pkg/user.py", "only_win").path == "pkg/win.py"
    # and no use is credited to either `Loop`
    assert graph.references("pkg/win.py", "Loop") == {}
    assert graph.references("pkg/unix.py", "Loop") == {}
    assert "pkg/user.py" in graph.references("pkg/base.py", "Shared")


#: A cycle of bases (a.A -> b.B -> a.A) with a TestCase on the way out of it (b.B -> c.C).
BASE_CYCLE_FILES = {
    "a.py": "from b import B\n\n\nclass A(B):\n    pass\n",
    "b.py": "from a import A\nfrom c import C\n\n\nclass B(A, C):\n    pass\n",
    "c.py": "import unittest\n\n\nclass C(unittest.TestCase):\n    pass\n",
    "use_a.py": "from a import A\n\n\nclass UsesA(A):\n    def test_a(self):\n        pass\n",
    "use_b.py": "from b import B\n\n\nclass UsesB(B):\n    def test_b(self):\n        pass\n",
}


def test_test_classes_through_a_cycle_of_bases_do_not_depend_on_the_order_of_queries():
    # Checking b.B first met a.A while B was still open: A's "no TestCase" was kept, and
    # use_a.py was a module or a test module depending on which page asked first.
    answers = set()
    for order in itertools.permutations(["a.py", "b.py", "use_a.py", "use_b.py"]):
        graph = Graph({path: extract_file(path, text.encode()) for path, text in BASE_CYCLE_FILES.items()})
        answers.add(tuple(sorted((path, graph.kind(path)) for path in order)))
    assert answers == {
        (("a.py", "module"), ("b.py", "module"), ("use_a.py", "test module"), ("use_b.py", "test module"))
    }


def test_a_kind_reads_the_files_down_its_chain_of_bases_from_cached_answers_too():
    graph = Graph({path: extract_file(path, text.encode()) for path, text in BASE_CYCLE_FILES.items()})
    assert graph.kind_and_reads("c.py") == ("module", frozenset({"c.py"}))
    graph.tests("use_b.py")  # caches the answers for b.B and what it found through
    for path in ("use_a.py", "use_b.py"):
        kind, reads = graph.kind_and_reads(path)
        assert kind == "test module" and {path, "a.py", "b.py", "c.py"} <= reads, path
    assert graph.kind_and_reads("b.py")[1] == frozenset({"a.py", "b.py", "c.py"})
    # a module without a class with a base: its own facts decide, it reads no file
    plain = Graph({"m.py": extract_file("m.py", b"class M:\n    pass\n")})
    assert plain.kind_and_reads("m.py") == ("module", frozenset())
