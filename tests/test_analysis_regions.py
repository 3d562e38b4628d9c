"""The analysis layer's regions on their own (no server, no index): which code a position
can see, parsed with the file's own line numbers, and which binding a name there reads.
The oracles are `ast.parse` of the whole file (lines, columns, definition spans) and the
compiler's own symbol tables (`symtable`: local, parameter, global, free)."""

from __future__ import annotations

import ast
import symtable
import textwrap

from needles import needle_at
from scoping_source import LINES, SOURCE

from repodoc_ls.analysis.regions import (
    binding_at,
    node_at,
    parse_region,
    region_at,
    scope_at,
    statement_region,
    top_statement,
)
from repodoc_ls.analysis.scopes import CLASS, COMPREHENSION, FUNCTION
from repodoc_ls.model import Symbol, SymbolKind

TREE = ast.parse(SOURCE)


def symbols_of(tree: ast.Module) -> list[Symbol]:
    """The file's definitions, as extraction lists them, from the whole file's tree."""
    out: list[Symbol] = []

    def visit(body: list[ast.stmt], parents: list[ast.AST], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if isinstance(node, ast.ClassDef):
                    kind = SymbolKind.CLASS
                elif parents and isinstance(parents[-1], ast.ClassDef):
                    kind = SymbolKind.METHOD
                else:
                    kind = SymbolKind.FUNCTION
                qualname = prefix + node.name
                out.append(Symbol(node.name, qualname, kind, node.lineno, node.end_lineno or node.lineno, 0))
                visit(node.body, [*parents, node], qualname + ".")

    visit(tree.body, [], "")
    return out


SYMBOLS = symbols_of(TREE)


def find(needle: str, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    """1-based line and character of the `occurrence`-th `needle` (+ offset)."""
    line, char = needle_at(LINES, needle, occurrence, offset)
    return line + 1, char


def full_tree_name(line: int, col: int) -> ast.Name:
    return next(
        n for n in ast.walk(TREE) if isinstance(n, ast.Name) and (n.lineno, n.col_offset) == (line, col)
    )


def bound(needle: str, occurrence: int = 1, offset: int = 0):
    line, char = find(needle, occurrence, offset)
    reg = region_at("m.py", SYMBOLS, LINES, line)
    assert reg is not None
    node, _ = node_at(reg, LINES, line, char)
    assert isinstance(node, ast.Name), needle
    return binding_at(reg, node.id, node.lineno, node.col_offset, node)


def table(*path: str) -> symtable.SymbolTable:
    t = symtable.symtable(SOURCE, "m.py", "exec")
    for name in path:
        t = next(c for c in t.get_children() if c.get_name() == name)
    return t


def test_a_region_is_the_outermost_function_with_the_file_s_lines():
    line, char = find("n + retries")
    reg = region_at("m.py", SYMBOLS, LINES, line)
    run = next(n for n in ast.walk(TREE) if isinstance(n, ast.FunctionDef) and n.name == "run")
    assert reg is not None and (reg.first, reg.last) == (run.lineno, run.end_lineno)
    node, parent = node_at(reg, LINES, line, char)
    oracle = full_tree_name(line, char)
    assert isinstance(node, ast.Name) and (node.lineno, node.col_offset, node.id) == (
        oracle.lineno,
        oracle.col_offset,
        oracle.id,
    )
    assert isinstance(parent, ast.BinOp)
    # the classes around the method are its scope's, as in the file
    helper = scope_at(reg, line, node.col_offset, node)
    assert helper.kind == FUNCTION and helper.qualname == "Config.Inner.run.helper"
    assert helper.parent is not None and helper.parent.klass is not None
    assert helper.parent.klass.qualname == "Config.Inner"


def test_a_class_body_and_a_top_level_statement_are_regions_of_their_own():
    line, _ = find("retries = 3")
    reg = region_at("m.py", SYMBOLS, LINES, line)
    config = next(s for s in SYMBOLS if s.qualname == "Config")
    assert reg is not None and (reg.first, reg.last) == (config.line, config.end_line)
    line, _ = find("b=limit")
    settings = next(
        n for n in TREE.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "settings"
    )
    assert top_statement(LINES, line) == (settings.lineno, settings.end_lineno)
    reg = statement_region("m.py", LINES, settings.lineno)
    assert reg is not None and reg.tree.body[-1].lineno == settings.lineno


def test_a_default_reads_the_enclosing_scope_and_the_body_the_parameter():
    assert bound("limit=limit", offset=6) is None  # the module's global
    body = bound("value, limit)", offset=7)
    assert body is not None and body.parameter is not None and body.scope.qualname == "clamp"
    assert table("clamp").lookup("limit").is_parameter()
    assert "limit" in table().get_identifiers()  # read at module level: the default


def test_a_method_does_not_see_its_class_body():
    assert bound("n + retries", offset=4) is None
    assert table("Config", "Inner", "run", "helper").lookup("retries").is_global()
    free = bound("n + retries")
    assert free is not None and free.scope.qualname == "Config.Inner.run" and free.parameter is not None
    assert table("Config", "Inner", "run", "helper").lookup("n").is_free()


def test_a_comprehension_variable_is_bound_in_the_comprehension():
    found = bound("item * item")
    assert found is not None and found.scope.kind == COMPREHENSION
    assert found.line == find("return [item")[0]  # the statement that makes it
    comprehension = table("Config", "squares", "listcomp")
    assert comprehension.lookup("item").is_local() and not comprehension.lookup("item").is_parameter()
    iterable = bound("in items", offset=3)
    assert iterable is not None and iterable.scope.kind == FUNCTION and iterable.parameter is not None


def test_global_and_nonlocal_send_a_name_to_the_scope_that_binds_it():
    assert bound("counter + 1") is None
    assert table("bump").lookup("counter").is_declared_global()
    found = bound("return total", offset=7)
    assert found is not None and found.scope.qualname == "outer" and found.line == find("total = 0")[0]
    assert table("outer", "inner").lookup("total").is_free()
    assert table("outer").lookup("total").is_local()


def test_a_class_body_reads_its_own_names_in_order():
    line, char = find("retries = 3")
    reg = region_at("m.py", SYMBOLS, LINES, line)
    assert reg is not None
    scope = scope_at(reg, line, char)
    assert scope.kind == CLASS and scope.qualname == "Config"
    assert [b.kind for b in scope.bindings["retries"]] == ["assign"]


def test_a_method_indented_with_tabs_in_nested_classes_parses_with_its_classes():
    lines = ["class A:", "\tclass B:", "\t\tdef m(self):", "\t\t\treturn self"]
    reg = parse_region("t.py", lines, 3, 4, ["A", "B"], cache=False)
    assert reg is not None
    name = next(n for n in ast.walk(reg.tree) if isinstance(n, ast.Name))
    assert (name.lineno, name.col_offset) == (4, 10)
    found = binding_at(reg, "self", name.lineno, name.col_offset, name)
    assert found is not None and found.first.kind == "self" and found.scope.qualname == "A.B.m"


def test_a_position_in_a_huge_module_parses_only_its_own_statement():
    lines = [f"class C{i}:\n    x = {i}" for i in range(20_000)]
    big = "\n".join(lines).splitlines()
    symbols = [Symbol(f"C{i}", f"C{i}", SymbolKind.CLASS, 2 * i + 1, 2 * i + 2, 6) for i in range(20_000)]
    reg = region_at("big.py", symbols, big, 30_001)
    assert reg is not None and (reg.first, reg.last) == (30_001, 30_002)
    assert len(reg.tree.body) == 1 and reg.tree.body[0].lineno == 30_001
    assert [n.end_lineno for n in ast.walk(reg.tree) if isinstance(n, ast.Assign)] == [30_002]
    # a method deep in a file keeps its class there too
    lines = ["x = 1"] * 5_000 + ["class A:", "    def m(self):", "        return self"]
    method = parse_region("deep.py", lines, 5_002, 5_003, ["A"], cache=False)
    assert method is not None
    name = next(n for n in ast.walk(method.tree) if isinstance(n, ast.Name))
    found = binding_at(method, "self", name.lineno, name.col_offset, name)
    assert name.lineno == 5_003 and found is not None and found.first.kind == "self" and found.line == 5_002


def test_a_region_types_values_only_from_what_it_holds_whole():
    source = textwrap.dedent(
        """\
        from shapes import Shape, Opener

        current = Shape()


        class Box:
            def fill(self):
                self.shape = Shape()
                return self.shape.area()

            def swap(self):
                self.shape = Opener()


        def use(items: list[Shape]):
            with Opener() as opened:
                opened.close()
            for item in items:
                item.area()
            return current.area()


        current.area()
        with Opener() as handle:
            handle.close()
        """
    )
    lines = source.splitlines()
    symbols = symbols_of(ast.parse(source))

    def type_at(needle: str, occurrence: int = 1) -> str | None:
        line, char = needle_at(lines, needle, occurrence)
        reg = region_at("m.py", symbols, lines, line + 1)
        assert reg is not None
        node, _ = node_at(reg, lines, line + 1, char + len(needle) - len(needle.rpartition(".")[2]))
        assert isinstance(node, ast.Attribute), needle
        t = reg.value_type(node.value)
        return None if t is None else t.root + t.steps + (f" ({t.container})" if t.container else "")

    assert type_at("opened.close") == "Opener().__enter__()"
    assert type_at("item.area") == "Shape#"
    # a global is the index's to type, by name, in a function and at module level alike
    assert type_at("current.area") == "current"
    assert type_at("current.area", occurrence=2) == "current"
    # a region never types a global from the one statement it holds
    assert type_at("handle.close") is None
    # `self.shape` of a method: the class's other methods are not in the region
    assert type_at("self.shape.area") is None
