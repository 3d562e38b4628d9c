"""The graph's index of symbols by name (index/names.py): after edits, added and removed
files, every name answers as in an index built from scratch, and an edit re-reads the
edited files alone."""

from __future__ import annotations

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.index.names import NamesIndex

FILES = {
    "pkg/__init__.py": "",
    "pkg/a.py": "class A:\n    def run(self):\n        pass\n\n\ndef run():\n    pass\n",
    "pkg/b.py": "class B:\n    def run(self):\n        pass\n\n    def stop(self):\n        pass\n",
    "pkg/c.py": "def stop():\n    def run():\n        pass\n",
}


def names_of(index: Index) -> set[str]:
    return {s.name for facts in index.facts.values() for s in facts.symbols} | {"run", "stop", "gone"}


def test_names_after_edits_additions_and_removals_equal_a_fresh_index(tmp_path):
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    index = Index.build(load_settings(tmp_path), persistent=False)
    names = index.graph.names
    assert [(r.path, r.qualname) for r in names.named("run")] == [
        ("pkg/a.py", "A.run"),
        ("pkg/a.py", "run"),
        ("pkg/b.py", "B.run"),
        ("pkg/c.py", "stop.run"),
    ]
    index.update("pkg/a.py", "class A:\n    def gone(self):\n        pass\n")
    assert names._dirty == {"pkg/a.py"}  # the other files are not read again
    steps = [
        lambda: index.update("pkg/d.py", "def run():\n    pass\n"),  # a new module
        lambda: index.remove("pkg/b.py"),
        lambda: index.update("pkg/c.py", ""),
    ]
    for step in [lambda: None, *steps]:
        step()
        fresh = NamesIndex(lambda: dict(index.facts))
        for name in sorted(names_of(index)):
            assert names.named(name) == fresh.named(name), name
    assert [(r.path, r.qualname) for r in names.named("run")] == [("pkg/d.py", "run")]
