"""A touched letter of a split symbols page lists its symbols from the store's name index
(`lettersymbols.letter_symbols`), not from every file's facts: it must list what the facts
list (the oracle), for every letter and folder, whatever the names' underscores, case and
characters, and past a file's listed symbols."""

from __future__ import annotations

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import caps, lettersymbols
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

NAMES = [
    "alpha",
    "Alpha",
    "_alpha",
    "__alpha__",
    "____alpha",
    "_____alpha",
    "________alpha",
    "ALPHA_2",
    "beta",
    "_Beta",
    "zeta",
    "Zeta",
    "_1",
    "__",
    "___",
    "\u212aelvin",
    "\u00e9t\u00e9",
    "_\u00e9t\u00e9",
    "__\u00c9T\u00c9",
    "\u00df",
    "i\u0307",
    "\u0130stanbul",
    "x\u00e9",
    "_z",
    "aa",
    "a_b",
    "a",
]


def _source(names: list[str]) -> str:
    return "".join(
        f"def {name}():\n    pass\n\nclass C_{i}:\n    {name} = 1\n\n" for i, name in enumerate(names)
    )


@pytest.fixture
def index(tmp_path, monkeypatch):
    monkeypatch.setattr(caps, "MAX_SYMBOLS", 60)  # a file past it lists its first symbols only
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for n, folder in enumerate(["pkg", "pkg/sub", "other"]):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "names.py").write_text(_source(NAMES[n::2] + NAMES[: n + 3]))
    (tmp_path / "pkg" / "big.py").write_text(_source(NAMES * 2))  # over MAX_SYMBOLS
    (tmp_path / "pkg" / "empty.py").write_text("")
    built = Index.build(load_settings(tmp_path))
    built.store.close()
    return Index.build(load_settings(tmp_path))  # a warm start: facts not decoded


def _shown(found):
    return {
        letter: [(path, s.name, s.qualname, s.kind, s.line) for path, s in items]
        for letter, items in found.items()
    }


def test_each_letter_lists_what_the_facts_list(index):
    letters = {chr(c) for c in range(ord("a"), ord("z") + 1)} | {"_"}
    renderer = Renderer(index, None)
    cases = [
        (folder, group)
        for folder in ["", "pkg", "pkg/sub", "other"]
        for group in ({"a"}, {"e", "k", "i"}, {"_"}, letters)
    ]
    fast = {
        (folder, tuple(sorted(group))): _shown(
            lettersymbols.letter_symbols(renderer, renderer.folder_cache, folder, group)
        )
        for folder, group in cases
    }
    assert not any(
        index.facts.decoded(p) for p in index.paths() if p != "pkg/big.py"
    )  # (its symbol count: read)
    everything = fast[("", tuple(sorted(letters)))]
    assert sum(path == "pkg/big.py" for items in everything.values() for path, *_ in items) == 60  # its first
    for folder, group in cases:
        oracle = _shown(
            lettersymbols.letter_symbols_from_facts(renderer, renderer.folder_cache, folder, group)
        )
        assert fast[(folder, tuple(sorted(group)))] == oracle, (folder, group)


def test_a_store_behind_the_facts_is_not_read(index, monkeypatch):
    monkeypatch.setattr(index, "_store_behind", True)
    renderer = Renderer(index, None)
    assert index.listed_symbols_named_in(None, caps.MAX_SYMBOLS) is None
    fast = _shown(lettersymbols.letter_symbols(renderer, renderer.folder_cache, "", {"a"}))
    assert fast == _shown(lettersymbols.letter_symbols_from_facts(renderer, renderer.folder_cache, "", {"a"}))


def test_a_store_row_of_a_file_the_index_does_not_hold_is_no_symbol(index):
    """The store lies in the workspace: a row for a path it does not document (a committed
    or stale store) is neither listed nor a crash."""
    index.flush_store()
    conn = index.store._conn  # the store's own connection: a row as a stranger would write it
    conn.execute(
        "INSERT INTO symbols (path, name, qualname, kind, line, col) VALUES (?, ?, ?, ?, ?, ?)",
        ("../outside.py", "alien", "alien", "function", 1, 0),
    )
    conn.commit()
    renderer = Renderer(index, None)
    fast = _shown(lettersymbols.letter_symbols(renderer, renderer.folder_cache, "", {"a"}))
    assert fast == _shown(lettersymbols.letter_symbols_from_facts(renderer, renderer.folder_cache, "", {"a"}))
    assert "alien" not in {name for _, name, *_ in fast["a"]}
