"""Typed uses and scopes in the reference index, on a fixture workspace
(tests/fixtures/typed_ws): exact used-by lines for methods reached through instances, no
credit for names a local scope binds, local classes with their local subclasses, and the
unknown cases of the cross-file half (no return annotation, a class with its own
`__new__`, a base from outside the workspace)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index

TYPED_WS = Path(__file__).parent / "fixtures" / "typed_ws"
USE = "app/use.py"
TABLE = "app/table.py"
GRID = "app/grid.py"
USE_GRID = "app/use_grid.py"


@pytest.fixture
def typed_ws(tmp_path: Path) -> Path:
    dest = tmp_path / "typed_ws"
    shutil.copytree(TYPED_WS, dest)
    return dest


@pytest.fixture
def typed_index(typed_ws: Path) -> Index:
    return Index.build(load_settings(typed_ws), persistent=False)


def used_by(index: Index, path: str, qualname: str) -> list[int]:
    return index.references(path, qualname).get(USE, [])


def test_method_through_a_local_instance_self_attribute_with_target_and_return(typed_index):
    # 6: t = Table(); t.add_row  18: self.table.add_row  23: with Table() as w  27: make().add_row
    assert used_by(typed_index, TABLE, "Table.add_row") == [6, 18, 23, 27]


def test_inherited_method_through_an_annotated_parameter(typed_index):
    assert used_by(typed_index, TABLE, "Base.render") == [10]  # credited to the defining class
    assert typed_index.references(TABLE, "Table.render") == {}


def test_property_value_and_return_annotation(typed_index):
    assert used_by(typed_index, TABLE, "Table.last") == [28]
    assert used_by(typed_index, TABLE, "Row.cells") == [28]


def test_class_method_through_a_local_alias_of_the_class(typed_index):
    assert used_by(typed_index, TABLE, "Cell.blank") == [
        62,
        68,
        73,
    ]  # 68: a function's own import; 73: iterated


def test_super_is_credited_to_the_base(typed_index):
    assert typed_index.references(TABLE, "Table.add_row")[TABLE] == [36]


def test_unknown_receivers_are_not_credited(typed_index):
    lines = used_by(typed_index, TABLE, "Table.add_row")
    for line in (32, 34, 35, 36):  # parameter, loop variable, no return annotation, own __new__
        assert line not in lines
    assert used_by(typed_index, TABLE, "Special.add_row") == []
    assert used_by(typed_index, TABLE, "Base.render") == [10]  # not 37: Outside's base is not ours
    assert used_by(typed_index, TABLE, "Special.add_row") == []  # 36: Special has its own __new__
    assert used_by(typed_index, TABLE, "Outside.own") == [38]  # its own method is known


def test_shadowing_parameter_and_comprehension_variable_get_no_credit(typed_index):
    # `make` is imported (1) and called (27, 28); the parameter (42) and the comprehension
    # variable (46) are other names
    assert used_by(typed_index, TABLE, "make") == [27, 28]


def test_local_class_with_its_local_subclass(typed_index):
    subclasses = typed_index.graph.subclasses(USE, "local_classes.A")
    assert [s.qualname for s in subclasses] == ["local_classes.B"]
    assert used_by(typed_index, USE, "local_classes.A") == [54]
    assert used_by(typed_index, USE, "local_classes.B") == [57]
    assert used_by(typed_index, USE, "local_classes.A.m") == [57]


def test_conditional_values_rebindings_and_operators(typed_index):
    # 10: `g: Optional[Grid]`, then `if g is None: g = make_grid()`; 14, 15: `g = g.copy()`;
    # 21: `g = Grid() if c else None`, then `h = g or make_grid()`; 26: `(g + g)`, `__add__`
    assert typed_index.references(GRID, "Grid.copy") == {USE_GRID: [10, 14, 15, 21, 26]}
    assert typed_index.references(TABLE, "Row.cells")[USE_GRID] == [25]  # g["a"]: `__getitem__`


def test_values_that_may_differ_are_not_credited(typed_index):
    # not 31 (an arm unknown), 33 (a Grid or a Row), 36 (rebound through itself alone),
    # 39 (rebound to what `to_row` gives), 40 (`c and Grid()` may be `c`)
    lines = typed_index.references(GRID, "Grid.copy")[USE_GRID]
    assert not {31, 33, 36, 39, 40} & set(lines)
    assert typed_index.references(GRID, "Grid.to_row") == {}  # 38: `e` is a Grid or a Row


def test_inherited_members_and_values_held_by_another_file(typed_index):
    # 44: `Sheet.reset`, inherited; 48: `h.sheet`, `self.sheet = Sheet()` in Holder's
    # `__init__`; 49: `shared`, a module variable of grid.py holding a Sheet
    assert typed_index.references(GRID, "Plain.reset") == {USE_GRID: [44, 48, 49]}


def test_a_setter_decorator_reads_the_property(typed_index):
    assert typed_index.references(GRID, "Grid.size") == {GRID: [23]}


def test_index_agrees_with_jedi_on_the_fixture(typed_ws, typed_index):
    """jedi's get_references, the oracle, finds every use the index credits (precision)."""
    jedi = pytest.importorskip("jedi")
    project = jedi.Project(str(typed_ws))
    checked = 0
    for path, qualname, line, col in [
        (TABLE, "Table.add_row", 12, 8),
        (TABLE, "Base.render", 7, 8),
        (TABLE, "Row.cells", 27, 8),
        (GRID, "Grid.copy", 7, 8),
        (GRID, "Grid.size", 20, 8),
        (GRID, "Plain.reset", 33, 8),
    ]:
        source = (typed_ws / path).read_text()
        script = jedi.Script(source, path=str(typed_ws / path), project=project)
        oracle = {
            (Path(r.module_path).relative_to(typed_ws).as_posix(), r.line)
            for r in script.get_references(line, col + 1)
            if not r.is_definition()
        }
        ours = {(p, n) for p, lines in typed_index.references(path, qualname).items() for n in lines}
        assert ours and ours <= oracle, qualname
        checked += 1
    assert checked == 6
