"""The reference index is kept current incrementally (Graph.update recomputes only the
changed files and those whose name resolution read a changed name); after any edit it
must equal the index a fresh Graph builds from the same facts."""

from __future__ import annotations

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.extract import extract_file
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


def elsewhere(refs: dict, path: str, qualname: str) -> dict:
    return {user: lines for user, lines in refs.get((path, qualname), {}).items() if user != path}


def test_uses_elsewhere_leave_the_edited_file_pending(live, workspace):
    # What a hover shows ("Used in" other files) without resolving the edited file's own uses
    # again; its interface changes (a name renamed, then back) still reach the other files.
    refs = live.graph.refs
    for old, new in (("def price_of", "def price_of_renamed"), ("def price_of_renamed", "def price_of")):
        edit(live, workspace, "shop/pricing.py", old, new)
        for qualname in ("price_of", "price_of_renamed", "DISCOUNT"):
            got = refs.lookup_elsewhere("shop/pricing.py", qualname)
            assert got == elsewhere(fresh_refs(live), "shop/pricing.py", qualname)
            assert refs.pending == {"shop/pricing.py"}
    assert refs.lookup_elsewhere("shop/pricing.py", "price_of")["scripts/run_me.py"] == [13]
    # A user edited while the file waits: recomputed, the waiting file still waits.
    edit(live, workspace, "scripts/run_me.py", "    print(price_of(args.item))\n", "    print(args.item)\n")
    assert refs.lookup_elsewhere("shop/pricing.py", "price_of") == elsewhere(
        fresh_refs(live), "shop/pricing.py", "price_of"
    )
    assert refs.pending == {"shop/pricing.py"}
    # Another file's symbol needs the pending file's uses: they are resolved then.
    assert refs.lookup_elsewhere("shop/cart.py", "Cart") == elsewhere(
        fresh_refs(live), "shop/cart.py", "Cart"
    )
    assert not refs.pending
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


# Typed uses (repodoc_ls/analysis, index/typed.py) read other files' bases, signatures,
# decorators and `return self` methods: an edit to any of them must reach the users.


@pytest.fixture
def typed_live(tmp_path):
    import shutil
    from pathlib import Path

    dest = tmp_path / "typed_ws"
    shutil.copytree(Path(__file__).parent / "fixtures" / "typed_ws", dest)
    index = Index.build(load_settings(dest), persistent=False)
    index.references("", "")
    return index, dest


@pytest.mark.parametrize(
    ("rel", "old", "new", "target", "before", "after"),
    [
        # the base that defines the method goes away
        ("app/table.py", "class Table(Base):", "class Table:", "Base.render", [10], []),
        # the return annotation the call's type came from goes away
        (
            "app/table.py",
            "def make() -> Table:",
            "def make():",
            "Table.add_row",
            [6, 18, 23, 27],
            [6, 18, 23],
        ),
        # __enter__ stops returning self
        (
            "app/table.py",
            "        return self\n",
            "        return None\n",
            "Table.add_row",
            [6, 18, 23, 27],
            [6, 18, 27],
        ),
        # the class gains its own __new__: its constructor calls are unknown
        (
            "app/table.py",
            "    def add_row(self, row):\n        self.rows",
            "    def __new__(cls):\n        return 1\n\n    def add_row(self, row):\n        self.rows",
            "Table.add_row",
            [6, 18, 23, 27],
            [27],
        ),
        # the property stops being one
        ("app/table.py", "    @property\n", "", "Row.cells", [28], []),
        # the method a local alias of the class reads is renamed
        ("app/table.py", "    def blank(cls):", "    def empty(cls):", "Cell.blank", [62, 68, 73], []),
        # the local alias stops naming the class
        ("app/use.py", "    _Cell = Cell\n", "    _Cell = make\n", "Cell.blank", [62, 68, 73], [68, 73]),
        # a function's own import names another class
        ("app/use.py", "import Cell as C\n", "import Row as C\n", "Cell.blank", [62, 68, 73], [62, 73]),
        # what the iterated class's __iter__ yields changes
        ("app/table.py", '-> "Iterator[Cell]"', '-> "Iterator[Row]"', "Cell.blank", [62, 68, 73], [62, 68]),
        # a parameter annotation in the user changes
        ("app/use.py", "def annotated(t: Table):", "def annotated(t):", "Base.render", [10], []),
    ],
)
def test_typed_uses_follow_edits(typed_live, rel, old, new, target, before, after):
    index, dest = typed_live
    assert index.references("app/table.py", target).get("app/use.py", []) == before
    edit(index, dest, rel, old, new)
    assert index.references("app/table.py", target).get("app/use.py", []) == after
    assert_like_fresh(index)


def test_local_subclass_and_shadowing_follow_edits(typed_live):
    index, dest = typed_live
    assert [s.qualname for s in index.graph.subclasses("app/use.py", "local_classes.A")] == [
        "local_classes.B"
    ]
    edit(index, dest, "app/use.py", "    class B(A):", "    class B:")
    assert index.graph.subclasses("app/use.py", "local_classes.A") == []
    assert index.references("app/use.py", "local_classes.A.m") == {}
    assert_like_fresh(index)
    edit(index, dest, "app/use.py", "def shadow(make):", "def shadow():")
    assert index.references("app/table.py", "make")["app/use.py"] == [27, 28, 42]
    assert_like_fresh(index)


@pytest.mark.parametrize(
    ("old", "new", "target", "before", "after"),
    [
        # `g = g.copy()` stops giving a Grid: `g` is a Grid or a Row, unknown
        (
            'def copy(self) -> "Grid":',
            "def copy(self) -> Row:",
            "Grid.copy",
            [10, 14, 15, 21, 26],
            [10, 21, 26],
        ),
        # an alternative of a union (`make_grid()` or a Grid) loses its annotation
        ("def make_grid() -> Grid:", "def make_grid():", "Grid.copy", [10, 14, 15, 21, 26], [14, 15, 26]),
        # the special methods behind `g + g` and `g["a"]`
        (
            'def __add__(self, other) -> "Grid":',
            "def __add__(self, other):",
            "Grid.copy",
            [10, 14, 15, 21, 26],
            [10, 14, 15, 21],
        ),
        ("def __getitem__(self, key) -> Row:", "def __getitem__(self, key):", "Row.cells", [25], []),
        # the base a class's name inherits `reset` from
        ("class Sheet(Plain):", "class Sheet:", "Plain.reset", [44, 48, 49], []),
        # what another file's attribute and variable hold
        ("        self.sheet = Sheet()", "        self.sheet = Row()", "Plain.reset", [44, 48, 49], [44, 49]),
        ("shared = Sheet()", "shared = Row()", "Plain.reset", [44, 48, 49], [44, 48]),
    ],
)
def test_unions_and_special_methods_follow_edits(typed_live, old, new, target, before, after):
    index, dest = typed_live
    path = "app/table.py" if target == "Row.cells" else "app/grid.py"
    assert index.references(path, target).get("app/use_grid.py", []) == before
    edit(index, dest, "app/grid.py", old, new)
    assert index.references(path, target).get("app/use_grid.py", []) == after
    assert_like_fresh(index)


def prepared_edit(index: Index, workspace, rel: str, old: str, new: str, also: str | None = None) -> None:
    """`edit` as the server applies a buffer: `Graph.prepare` off the lock, then `apply`.
    With `also`, facts of another text are prepared first and never applied (an edit
    superseded before it was applied)."""
    texts = index.__dict__.setdefault("test_texts", {})
    text = texts.get(rel) or (workspace / rel).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    texts[rel] = text = text.replace(old, new, 1)
    if also is not None:
        index.graph.prepare(rel, extract_file(rel, also.encode()))
    facts = extract_file(rel, text.encode())
    index.graph.prepare(rel, facts)
    index.apply(rel, text.encode(), facts)


def test_prepared_edits_give_the_fresh_index(live, workspace):
    refs = live.graph.refs
    steps = [
        ("def price_of", "def price_of_renamed", None),
        ("def price_of_renamed", "def price_of", "def unrelated():\n    pass\n"),
        ("DISCOUNT", "DISCOUNT_RATE", None),
        ("DISCOUNT_RATE", "DISCOUNT", None),
    ]
    for old, new, also in steps:
        prepared_edit(live, workspace, "shop/pricing.py", old, new, also)
        for qualname in ("price_of", "price_of_renamed", "DISCOUNT", "DISCOUNT_RATE"):
            assert refs.lookup_elsewhere("shop/pricing.py", qualname) == elsewhere(
                fresh_refs(live), "shop/pricing.py", qualname
            )
        assert live.graph.symbols_of("shop/pricing.py") == Graph(dict(live.facts)).symbols_of(
            "shop/pricing.py"
        )
    assert_like_fresh(live)


def test_a_stale_preparation_is_not_used(live, workspace):
    # Prepared against one interface, applied after a query moved the interface on: the
    # comparison is made again, not taken from the preparation.
    refs = live.graph.refs
    prepared_edit(live, workspace, "shop/pricing.py", "def price_of", "def price_of_renamed")
    text = live.__dict__["test_texts"]["shop/pricing.py"].replace("def price_of_renamed", "def price_of")
    facts = extract_file("shop/pricing.py", text.encode())
    live.graph.prepare("shop/pricing.py", facts)  # against the interface before the last edit
    # moves that interface on (and must not take the preparation's comparison either)
    assert refs.lookup_elsewhere("shop/pricing.py", "price_of") == {}
    live.apply("shop/pricing.py", text.encode(), facts)
    assert refs.lookup_elsewhere("shop/pricing.py", "price_of")["scripts/run_me.py"] == [13]
    assert_like_fresh(live)
